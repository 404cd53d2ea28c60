/* Simulated /proc, /sys and securityfs trees for the shim/aa tests.
 *
 * A tree lives in a fresh temporary directory:
 *   <root>/proc        /proc (self/, thread-self -> self, <pid>/ ...)
 *   <root>/sys         /sys (module/apparmor/parameters/...)
 *   <root>/sec         securityfs (apparmor/, lsm)
 *   <root>/mountinfo   lists <root>/sec as securityfs when mounted
 * Files are plain files: a write lands in the file, which the test reads
 * back.  Nothing here is kernel behaviour beyond file layout. */
#ifndef PHOENIX_TEST_AA_SIM_H
#define PHOENIX_TEST_AA_SIM_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aa_env.h"

#define SIM_FN static __attribute__((unused))

struct sim {
	char root[PATH_MAX];
	char proc[PATH_MAX];
	char sys[PATH_MAX];
	char sec[PATH_MAX];
	char mountinfo[PATH_MAX];
	struct ph_aa_env env;
};

SIM_FN void sim_die(const char *what, const char *path)
{
	fprintf(stderr, "sim: %s `%s`: %s\n", what, path, strerror(errno));
	exit(2);
}

SIM_FN void sim_path(const struct sim *s, char *out, const char *rel)
{
	if (snprintf(out, PATH_MAX, "%s/%s", s->root, rel) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		sim_die("path", rel);
	}
}

/* mkdir -p <root>/<rel> */
SIM_FN void sim_mkdir(const struct sim *s, const char *rel)
{
	char path[PATH_MAX];
	sim_path(s, path, rel);
	for (char *p = path + strlen(s->root) + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			sim_die("mkdir", path);
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		sim_die("mkdir", path);
}

/* Create or truncate <root>/<rel> (parents included) with `content`. */
SIM_FN void sim_write(const struct sim *s, const char *rel, const char *content)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", rel);
	char *slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		sim_mkdir(s, dir);
	}
	char path[PATH_MAX];
	sim_path(s, path, rel);
	FILE *f = fopen(path, "w");
	if (f == NULL || fputs(content, f) < 0 || fclose(f) != 0)
		sim_die("write", path);
}

SIM_FN void sim_writef(const struct sim *s, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
SIM_FN void sim_writef(const struct sim *s, const char *rel, const char *fmt, ...)
{
	char *content = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&content, fmt, ap) < 0)
		sim_die("format", rel);
	va_end(ap);
	sim_write(s, rel, content);
	free(content);
}

/* Content of <root>/<rel> (heap, NUL-terminated, *len bytes), or NULL. */
SIM_FN char *sim_read_len(const struct sim *s, const char *rel, size_t *len)
{
	char path[PATH_MAX];
	sim_path(s, path, rel);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (buf == NULL)
				sim_die("read", path);
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

SIM_FN char *sim_read(const struct sim *s, const char *rel)
{
	return sim_read_len(s, rel, NULL);
}

SIM_FN bool sim_exists(const struct sim *s, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;
	sim_path(s, path, rel);
	return lstat(path, &st) == 0;
}

SIM_FN void sim_remove_tree(const struct sim *s, const char *rel);

SIM_FN void sim_unlink(const struct sim *s, const char *rel)
{
	sim_remove_tree(s, rel);
}

SIM_FN void sim_symlink(const struct sim *s, const char *target, const char *rel)
{
	char path[PATH_MAX];
	sim_path(s, path, rel);
	if (symlink(target, path) < 0)
		sim_die("symlink", path);
}

/* mountinfo with or without a securityfs line for <root>/sec. */
SIM_FN void sim_mountinfo(const struct sim *s, bool securityfs)
{
	static const char base[] =
	    "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	    "23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
	    "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw\n";
	if (!securityfs) {
		sim_write(s, "mountinfo", base);
		return;
	}
	sim_writef(s, "mountinfo",
		   "%s24 23 0:7 / %s rw,nosuid,nodev,noexec,relatime shared:3 - securityfs "
		   "securityfs rw\n",
		   base, s->sec);
}

/* An empty tree: proc/self, proc/thread-self -> self, sys/, mountinfo
 * without securityfs, env pointing at it. */
SIM_FN void sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->root, sizeof(s->root), "%s/phoenix-aa-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(s->root) == NULL)
		sim_die("mkdtemp", s->root);
	if (chmod(s->root, 0755) < 0) /* traversable by the unprivileged tests */
		sim_die("chmod", s->root);
	sim_path(s, s->proc, "proc");
	sim_path(s, s->sys, "sys");
	sim_path(s, s->sec, "sec");
	sim_path(s, s->mountinfo, "mountinfo");
	sim_mkdir(s, "proc/self/attr");
	sim_symlink(s, "self", "proc/thread-self");
	sim_mkdir(s, "sys");
	sim_mkdir(s, "sec");
	sim_mountinfo(s, false);
	s->env.proc = s->proc;
	s->env.sys = s->sys;
	s->env.mountinfo = s->mountinfo;
	s->env.securityfs = NULL;
	s->env.securityfs_usual = NULL;
}

/* AppArmor enabled, securityfs mounted, the caller `label` (as read from
 * attr/apparmor/current) at namespace level `level`. */
SIM_FN void sim_apparmor(struct sim *s, const char *label, int level, bool ns_stacked,
			 const char *ns_name)
{
	sim_write(s, "sys/module/apparmor/parameters/enabled", "Y\n");
	sim_write(s, "sys/module/apparmor/parameters/lock_policy", "N\n");
	sim_mountinfo(s, true);
	sim_write(s, "sec/lsm", "lockdown,capability,landlock,yama,apparmor");
	sim_writef(s, "sec/apparmor/.ns_level", "%d\n", level);
	sim_writef(s, "sec/apparmor/.ns_stacked", "%s\n", ns_stacked ? "yes" : "no");
	sim_writef(s, "sec/apparmor/.ns_name", "%s\n", ns_name);
	sim_write(s, "sec/apparmor/features/domain/stack", "yes\n");
	sim_write(s, "sec/apparmor/features/domain/change_onexec", "yes\n");
	sim_write(s, "sec/apparmor/features/policy/set_load", "yes\n");
	sim_write(s, "sec/apparmor/.load", "");
	sim_write(s, "sec/apparmor/.replace", "");
	sim_write(s, "sec/apparmor/.remove", "");
	sim_mkdir(s, "sec/apparmor/policy/namespaces");
	sim_writef(s, "proc/self/attr/apparmor/current", "%s\n", label);
	sim_write(s, "proc/self/attr/apparmor/exec", "");
	sim_write(s, "proc/self/attr/current", "legacy-should-not-be-read\n");
	sim_write(s, "proc/self/attr/exec", "");
}

SIM_FN int sim_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

SIM_FN void sim_remove_tree(const struct sim *s, const char *rel)
{
	char path[PATH_MAX];
	sim_path(s, path, rel);
	if (nftw(path, sim_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		sim_die("remove", path);
}

SIM_FN void sim_cleanup(struct sim *s)
{
	if (nftw(s->root, sim_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		sim_die("remove", s->root);
}

#endif
