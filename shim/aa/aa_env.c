/* phoenix: roots of the AppArmor kernel interfaces (see aa_env.h). */
#include "aa_env.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "aa_io.h"

#define SECURITYFS_MOUNT_HINT "mount -t securityfs securityfs /sys/kernel/security"

void ph_aa_env_default(struct ph_aa_env *env)
{
	env->proc = "/proc";
	env->sys = "/sys";
	env->mountinfo = "/proc/self/mountinfo";
	env->securityfs = NULL;
	env->securityfs_usual = "/sys/kernel/security";
	env->parser_conf = NULL;
	env->lsm_syscalls = true;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo
 * (fs/proc_namespace.c, mangle()). */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The mount point of a mountinfo line whose filesystem type is `fstype`,
 * else NULL.  Format (proc(5)): "id parent maj:min root mountpoint opts
 * [optional fields...] - fstype source superopts". */
static char *mountinfo_match(char *line, const char *fstype)
{
	char *sep = strstr(line, " - ");
	if (sep == NULL)
		return NULL;
	char *type = sep + 3;
	size_t n = strcspn(type, " \n");
	if (n != strlen(fstype) || strncmp(type, fstype, n) != 0)
		return NULL;
	char *save = NULL, *field = strtok_r(line, " ", &save);
	for (int i = 0; field != NULL && i < 4; i++)
		field = strtok_r(NULL, " ", &save);
	if (field == NULL)
		return NULL;
	unescape_octal(field);
	return field;
}

int ph_aa_env_securityfs(const struct ph_aa_env *env, char **path, ph_error_t *err)
{
	*path = NULL;
	if (env->securityfs != NULL) {
		*path = strdup(env->securityfs);
		return *path ? 0 : ph_error_make(err, ENOMEM, "copy securityfs path");
	}
	/* one statfs instead of reading mountinfo, which runs to thousands
	 * of lines on a host with many containers */
	struct statfs sf;
	if (env->securityfs_usual != NULL && statfs(env->securityfs_usual, &sf) == 0 &&
	    sf.f_type == SECURITYFS_MAGIC) {
		*path = strdup(env->securityfs_usual);
		return *path ? 0 : ph_error_make(err, ENOMEM, "copy securityfs path");
	}
	FILE *f = fopen(env->mountinfo, "re");
	if (f == NULL)
		return ph_error_make(err, errno, "open `%s`", env->mountinfo);
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;
	while (getline(&line, &cap, f) >= 0) {
		char *mnt = mountinfo_match(line, "securityfs");
		if (mnt != NULL) {
			*path = strdup(mnt);
			if (*path == NULL)
				ret = ph_error_make(err, ENOMEM, "copy securityfs path");
			break;
		}
	}
	if (ret == 0 && *path == NULL && ferror(f))
		ret = ph_error_make(err, EIO, "read `%s`", env->mountinfo);
	free(line);
	fclose(f);
	return ret;
}

/* Why <securityfs>/apparmor is missing, read from the module parameters. */
static int apparmor_absent_error(const struct ph_aa_env *env, const char *dir, ph_error_t *err)
{
	cleanup_free char *enabled_path =
	    ph_aa_pathf(err, "%s/module/apparmor/parameters/enabled", env->sys);
	if (enabled_path == NULL)
		return -1;
	bool enabled = false;
	int r = ph_aa_read_bool(enabled_path, &enabled);
	if (r == -ENOENT)
		return ph_error_make(
		    err, ENOENT,
		    "AppArmor is not available: this kernel has no AppArmor (`%s` is "
		    "missing)",
		    enabled_path);
	if (r == 0 && !enabled)
		return ph_error_make(err, ENOENT,
				     "AppArmor is disabled: boot with `apparmor=1` and AppArmor in "
				     "`lsm=`");
	return ph_error_make(err, ENOENT, "`%s` is missing although AppArmor is enabled", dir);
}

int ph_aa_env_apparmorfs(const struct ph_aa_env *env, char **path, ph_error_t *err)
{
	cleanup_free char *securityfs = NULL;
	*path = NULL;
	if (ph_aa_env_securityfs(env, &securityfs, err) < 0)
		return -1;
	if (securityfs == NULL || ph_aa_is_dir(securityfs) < 0)
		return ph_error_make(err, ENOENT,
				     "securityfs is not mounted: " SECURITYFS_MOUNT_HINT);
	char *dir = ph_aa_pathf(err, "%s/apparmor", securityfs);
	if (dir == NULL)
		return -1;
	int r = ph_aa_is_dir(dir);
	if (r < 0) {
		if (r == -ENOENT)
			apparmor_absent_error(env, dir, err);
		else
			ph_error_make(err, -r, "`%s`", dir);
		free(dir);
		return -1;
	}
	*path = dir;
	return 0;
}
