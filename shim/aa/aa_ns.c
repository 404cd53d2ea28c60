/* phoenix: AppArmor policy namespace lifecycle (see aa_ns.h). */
#include "aa_ns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aa_attr.h"
#include "aa_fault.h"
#include "aa_io.h"
#include "aa_label.h"
#include "aa_names.h"
#include "aa_policy.h"
#include "aa_probe.h"

#define SECURITYFS_MOUNT_HINT "mount -t securityfs securityfs /sys/kernel/security"

static int namespaces_dir(const struct ph_aa_env *env, char **path, ph_error_t *err)
{
	cleanup_free char *aafs = NULL;
	if (ph_aa_env_apparmorfs(env, &aafs, err) < 0)
		return -1;
	*path = ph_aa_pathf(err, "%s/policy/namespaces", aafs);
	return *path ? 0 : -1;
}

int ph_aa_ns_dir(const struct ph_aa_env *env, const char *name, char **path, ph_error_t *err)
{
	if (name == NULL || !ph_aa_name_valid(name))
		return ph_error_make(err, EINVAL,
				     "invalid policy namespace name `%s`: it must match "
				     "[A-Za-z0-9][A-Za-z0-9_.+-]* and have at most %d bytes",
				     name ? name : "(null)", PH_AA_NAME_MAX);
	cleanup_free char *dir = NULL;
	if (namespaces_dir(env, &dir, err) < 0)
		return -1;
	*path = ph_aa_pathf(err, "%s/%s", dir, name);
	return *path ? 0 : -1;
}

int ph_aa_ns_create(const struct ph_aa_env *env, const char *name, ph_error_t *err)
{
	cleanup_free char *path = NULL;
	if (ph_aa_ns_dir(env, name, &path, err) < 0)
		return ph_error_wrap(err, "create policy namespace");
	if (PH_AA_CALL(PH_AA_OP_NS_CREATE, mkdir(path, 0755)) == 0)
		return 0;
	int e = errno;
	cleanup_free char *what = ph_aa_pathf(err, "create policy namespace `%s`", name);
	if (what == NULL)
		return -1;
	switch (e) {
	case EEXIST:
		return ph_error_make(err, e, "%s: it exists already", what);
	case EACCES:
	case EPERM:
		return ph_aa_admin_error(env, e, err, what);
	case ENOENT:
		return ph_error_make(err, e,
				     "%s: `%s` has no policy/namespaces: securityfs is not mounted "
				     "there (" SECURITYFS_MOUNT_HINT ") or the kernel has no "
				     "AppArmor policy namespaces",
				     what, path);
	default:
		return ph_error_make(err, e, "%s: mkdir `%s`", what, path);
	}
}

int ph_aa_ns_remove(const struct ph_aa_env *env, const char *name, ph_error_t *err)
{
	cleanup_free char *path = NULL;
	if (ph_aa_ns_dir(env, name, &path, err) < 0)
		return ph_error_wrap(err, "remove policy namespace");
	if (PH_AA_CALL(PH_AA_OP_NS_REMOVE, rmdir(path)) == 0 || errno == ENOENT)
		return 0;
	int e = errno;
	cleanup_free char *what = ph_aa_pathf(err, "remove policy namespace `%s`", name);
	if (what == NULL)
		return -1;
	if (e == EACCES || e == EPERM)
		return ph_aa_admin_error(env, e, err, what);
	return ph_error_make(err, e, "%s: rmdir `%s`", what, path);
}

int ph_aa_ns_remove_via_toplevel(const struct ph_aa_env *env, const char *name, ph_error_t *err)
{
	if (name == NULL || !ph_aa_name_valid(name))
		return ph_error_make(err, EINVAL, "remove policy namespace: invalid name `%s`",
				     name ? name : "(null)");
	cleanup_free char *aafs = NULL;
	if (ph_aa_env_apparmorfs(env, &aafs, err) < 0)
		return ph_error_wrap(err, "remove policy namespace `%s`", name);
	cleanup_free char *what =
	    ph_aa_pathf(err, "remove policy namespace `%s` (top level)", name);
	cleanup_free char *fqname = ph_aa_pathf(err, ":%s:", name);
	if (what == NULL || fqname == NULL)
		return -1;
	return ph_aa_policy_remove_in_dir(env, aafs, fqname, PH_AA_OP_NS_REMOVE, what, err);
}

int ph_aa_ns_exists(const struct ph_aa_env *env, const char *name, bool *exists, ph_error_t *err)
{
	cleanup_free char *path = NULL;
	*exists = false;
	if (ph_aa_ns_dir(env, name, &path, err) < 0)
		return -1;
	int r = ph_aa_is_dir(path);
	if (r == 0 || r == -ENOENT || r == -ENOTDIR) {
		*exists = r == 0;
		return 0;
	}
	return ph_error_make(err, -r, "look for policy namespace `%s`", name);
}

void ph_aa_ns_list_free(char **names, size_t n)
{
	for (size_t i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

static bool entry_is_dir(DIR *d, const struct dirent *de)
{
	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	struct stat st;
	return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

int ph_aa_ns_list(const struct ph_aa_env *env, const char *prefix, char ***names, size_t *n,
		  ph_error_t *err)
{
	*names = NULL;
	*n = 0;
	cleanup_free char *path = NULL;
	if (namespaces_dir(env, &path, err) < 0)
		return ph_error_wrap(err, "list policy namespaces");
	DIR *d = opendir(path);
	if (d == NULL)
		return ph_error_make(err, errno, "list policy namespaces: open `%s`", path);
	char **list = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !entry_is_dir(d, de))
			continue;
		if (prefix != NULL && strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nl = realloc(list, ncap * sizeof(*nl));
			if (nl == NULL)
				goto oom;
			list = nl;
			cap = ncap;
		}
		list[count] = strdup(de->d_name);
		if (list[count] == NULL)
			goto oom;
		count++;
		errno = 0;
	}
	if (errno != 0) {
		int e = errno;
		closedir(d);
		ph_aa_ns_list_free(list, count);
		return ph_error_make(err, e, "list policy namespaces: read `%s`", path);
	}
	closedir(d);
	*names = list;
	*n = count;
	return 0;
oom:
	closedir(d);
	ph_aa_ns_list_free(list, count);
	return ph_error_make(err, ENOMEM, "list policy namespaces");
}

/* Is task `task` ("<pid>") in `ns`?  A task that is
 * gone, or whose label the kernel will not show us (EACCES from the read:
 * security/apparmor/procattr.c, aa_getprocattr(), refuses labels outside
 * the reader's view, and our child namespaces are inside it), is not. */
static int task_in_ns(const struct ph_aa_env *env, const char *task, const char *layout,
		      const char *ns, bool *in, ph_error_t *err)
{
	*in = false;
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s/%s/current", env->proc, task, layout) >=
	    (int)sizeof(path))
		return ph_error_make(err, ENAMETOOLONG, "read the label of task %s", task);
	cleanup_close int fd =
	    PH_AA_CALL(PH_AA_OP_NS_TASKS, open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
	if (fd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return 0;
		/* EACCES here comes from the caller's own confinement (file
		 * rules on /proc), not from the label: we cannot tell. */
		return ph_error_make(err, errno, "read the label of task %s: open `%s`", task,
				     path);
	}
	/* One read: the kernel hands over the whole label at once
	 * (proc_pid_attr_read(), simple_read_from_buffer()); only a label
	 * that fills the buffer is read again, whole, in one read as well
	 * (see ph_aa_read_attr_fd()).  This runs for every
	 * process on the host at each delete. */
	char buf[4096];
	ssize_t n;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == ENOENT || errno == ESRCH || errno == EACCES))
		return 0;
	if (n < 0)
		return ph_error_make(err, errno, "read the label of task %s: read `%s`", task,
				     path);
	buf[n] = '\0';
	cleanup_free char *long_text = NULL;
	const char *text = buf;
	if ((size_t)n == sizeof(buf) - 1) {
		cleanup_close int again = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		int r = again < 0 ? -errno : ph_aa_read_attr_fd(again, 64 * 1024, &long_text);
		if (r == -ENOENT || r == -ESRCH || r == -EACCES)
			return 0;
		if (r < 0)
			return ph_error_make(err, -r, "read the label of task %s: read `%s`", task,
					     path);
		text = long_text;
	}
	/* a label in `ns` names it: most tasks are told apart without
	 * parsing */
	if (strstr(text, ns) == NULL)
		return 0;
	cleanup_free char *label = NULL, *mode = NULL;
	if (ph_aa_label_split(text, &label, &mode, err) < 0)
		return ph_error_wrap(err, "read the label of task %s", task);
	*in = ph_aa_label_in_ns(label, ns);
	return 0;
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int ph_aa_ns_has_tasks(const struct ph_aa_env *env, const char *ns, bool *has, ph_error_t *err)
{
	*has = false;
	if (ns == NULL || !ph_aa_name_valid(ns))
		return ph_error_make(err, EINVAL, "look for tasks: invalid namespace name `%s`",
				     ns ? ns : "(null)");
	const char *layout = NULL;
	if (ph_aa_attr_layout(env, "self", &layout, err) < 0)
		return ph_error_wrap(err, "look for tasks in policy namespace `%s`", ns);
	DIR *d = opendir(env->proc);
	if (d == NULL)
		return ph_error_make(err, errno,
				     "look for tasks in policy namespace `%s`: open `%s`", ns,
				     env->proc);
	int ret = 0;
	struct dirent *de;
	while (!*has && (de = readdir(d)) != NULL) {
		if (!all_digits(de->d_name))
			continue;
		/* One label per process, its thread-group leader's.  A thread
		 * carries a label of its own only after changing it alone
		 * (change_profile, change_hat), and that never leaves a
		 * namespace (phoenix-escape.bats shows a change out of it
		 * refused on the real kernel): a container's threads are in its namespace
		 * exactly when their leader is, and reading every thread
		 * would multiply the cost of each delete by the host's
		 * thread count. */
		if (task_in_ns(env, de->d_name, layout, ns, has, err) < 0) {
			ret = ph_error_wrap(err, "look for tasks in policy namespace `%s`", ns);
			break;
		}
	}
	closedir(d);
	return ret;
}
