/* phoenix: AppArmor task attributes (see aa_attr.h). */
#include "aa_attr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aa_fault.h"
#include "aa_io.h"
#include "aa_label.h"

/* Longest label phoenix writes; the kernel takes at most a page per
 * procattr write (fs/proc/base.c). */
#define LABEL_MAX 4000

int ph_aa_attr_layout(const struct ph_aa_env *env, const char *task, const char **subdir,
		      ph_error_t *err)
{
	cleanup_free char *dir = ph_aa_pathf(err, "%s/%s/attr/apparmor", env->proc, task);
	if (dir == NULL)
		return -1;
	int r = ph_aa_is_dir(dir);
	if (r == 0) {
		*subdir = "attr/apparmor";
		return 0;
	}
	if (r != -ENOENT)
		return ph_error_make(err, -r, "`%s`", dir);
	*subdir = "attr"; /* before Linux 5.8 */
	return 0;
}

int ph_aa_attr_path(const struct ph_aa_env *env, const char *task, const char *attr, char **path,
		    ph_error_t *err)
{
	const char *subdir = NULL;
	if (ph_aa_attr_layout(env, task, &subdir, err) < 0)
		return -1;
	*path = ph_aa_pathf(err, "%s/%s/%s/%s", env->proc, task, subdir, attr);
	return *path ? 0 : -1;
}

int ph_aa_current_label(const struct ph_aa_env *env, pid_t pid, char **label, char **mode,
			ph_error_t *err)
{
	char task[32];
	if (pid == 0)
		snprintf(task, sizeof(task), "thread-self");
	else
		snprintf(task, sizeof(task), "%d", (int)pid);
	cleanup_free char *path = NULL;
	if (ph_aa_attr_path(env, task, "current", &path, err) < 0)
		return -1;
	cleanup_close int fd = PH_AA_CALL(pid == 0 ? PH_AA_OP_SELF_LABEL : PH_AA_OP_LABEL_READ,
					  open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT && pid != 0)
			return ph_error_make(err, e, "read label of process %d: no such process",
					     (int)pid);
		return ph_error_make(err, e, "read label: open `%s`", path);
	}
	cleanup_free char *text = NULL;
	int r = ph_aa_read_fd(fd, 64 * 1024, &text, NULL);
	if (r == -EINVAL)
		return ph_error_make(err, EINVAL,
				     "read label: `%s`: AppArmor is not the LSM behind this file",
				     path);
	if (r == -EACCES)
		return ph_error_make(err, EACCES,
				     "read label: `%s`: the task is in a policy namespace this "
				     "process cannot see",
				     path);
	if (r < 0)
		return ph_error_make(err, -r, "read label: read `%s`", path);
	if (ph_aa_label_split(text, label, mode, err) < 0)
		return ph_error_wrap(err, "read label `%s`", path);
	return 0;
}

static bool label_well_formed(const char *label)
{
	size_t n = strnlen(label, LABEL_MAX + 1);
	if (n == 0 || n > LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)label[i];
		if (c <= ' ' || c == 0x7f)
			return false;
	}
	return true;
}

static int transition_error(int e, const char *label, bool stack, const char *path, ph_error_t *err)
{
	const char *verb = stack ? "stack on" : "transition to";
	switch (e) {
	case ENOENT:
		return ph_error_make(err, e,
				     "%s `%s`: label `%s` not found in this policy namespace", verb,
				     label, label);
	case EACCES:
	case EPERM:
		return ph_error_make(
		    err, e,
		    "%s `%s` denied: the caller's profile needs `change_profile -> "
		    "%s%s`",
		    verb, label, stack ? "&" : "", label);
	case EINVAL:
		return ph_error_make(err, e, "%s `%s`: malformed label", verb, label);
	default:
		return ph_error_make(err, e, "%s `%s`: write `%s`", verb, label, path);
	}
}

int ph_aa_transition_onexec(const struct ph_aa_env *env, const char *label, bool stack,
			    ph_error_t *err)
{
	if (label == NULL || !label_well_formed(label))
		return ph_error_make(
		    err, EINVAL,
		    "transition to `%s`: malformed label (empty, too long, or with "
		    "whitespace or control characters)",
		    label ? label : "(null)");
	cleanup_free char *path = NULL;
	if (ph_aa_attr_path(env, "thread-self", "exec", &path, err) < 0)
		return -1;
	cleanup_free char *cmd = ph_aa_pathf(err, "%s %s", stack ? "stack" : "exec", label);
	if (cmd == NULL)
		return -1;
	int fault = ph_aa_fault(PH_AA_OP_TRANSITION);
	if (fault != 0)
		return transition_error(fault, label, stack, path, err);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ph_error_make(err, errno, "transition to `%s`: open `%s`", label, path);
	int r = ph_aa_write_once(fd, cmd, strlen(cmd));
	if (r < 0)
		return transition_error(-r, label, stack, path, err);
	return 0;
}

bool ph_aa_lsm_list_stacked(const char *lsm_list)
{
	bool apparmor = false, other = false;
	const char *p = lsm_list;
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",\n");
		if (n == 8 && strncmp(p, "apparmor", n) == 0)
			apparmor = true;
		else if ((n == 5 && strncmp(p, "smack", n) == 0) ||
			 (n == 7 && strncmp(p, "selinux", n) == 0))
			other = true;
		p += n;
		if (*p != '\0')
			p++;
	}
	return apparmor && other;
}

int ph_aa_display_attr_path(const struct ph_aa_env *env, char **path, ph_error_t *err)
{
	/* "display" in Ubuntu's stacking kernels up to 5.x, renamed
	 * "interface_lsm" in later versions of the stacking patches. */
	static const char *const names[] = {"interface_lsm", "display"};
	*path = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = ph_aa_pathf(err, "%s/self/attr/%s", env->proc, names[i]);
		if (p == NULL)
			return -1;
		if (access(p, F_OK) == 0) {
			*path = p;
			return 0;
		}
		int e = errno;
		free(p);
		if (e != ENOENT)
			return ph_error_make(err, e, "look for the display LSM interface");
	}
	return 0;
}

/* Upstream kernels keep apparmor, smack and selinux mutually exclusive
 * (the "major" LSMs that own /proc/<pid>/attr); only out-of-tree stacking
 * kernels (Ubuntu's) run them together and add a per-process display
 * LSM, set through /proc/self/attr/display or interface_lsm.  The
 * prctl(PR_LSM_ATTR_SET) of some stacking patch sets exists on no
 * upstream kernel and is not used. */
int ph_aa_display_lsm_set(const struct ph_aa_env *env, ph_error_t *err)
{
	cleanup_free char *securityfs = NULL;
	if (ph_aa_env_securityfs(env, &securityfs, err) < 0)
		return ph_error_wrap(err, "set display LSM");
	if (securityfs == NULL)
		return 0; /* no LSM list to read: nothing says AppArmor is stacked */
	cleanup_free char *lsm_path = ph_aa_pathf(err, "%s/lsm", securityfs);
	if (lsm_path == NULL)
		return -1;
	cleanup_free char *lsms = NULL;
	int r = ph_aa_read_line(lsm_path, &lsms);
	if (r == -ENOENT)
		return 0; /* before Linux 5.1 there is no list, and no stacking */
	if (r < 0)
		return ph_error_make(err, -r, "set display LSM: read `%s`", lsm_path);
	if (!ph_aa_lsm_list_stacked(lsms))
		return 0;
	cleanup_free char *path = NULL;
	if (ph_aa_display_attr_path(env, &path, err) < 0)
		return ph_error_wrap(err, "set display LSM");
	if (path == NULL)
		return ph_error_make(
		    err, ENOTSUP,
		    "set display LSM: AppArmor is stacked with another major LSM "
		    "(`%s`) but this kernel has no display LSM interface "
		    "(/proc/self/attr/interface_lsm or display): it needs a kernel "
		    "with the LSM stacking patches (as Ubuntu's) or boot without "
		    "smack/selinux in `lsm=`",
		    lsms);
	/* The stacking patches take the display LSM only from the
	 * thread-group leader, through /proc/self. */
	if (gettid() != getpid())
		return ph_error_make(err, EPERM,
				     "set display LSM: only the thread-group leader may set it "
				     "(called from thread %d of process %d)",
				     (int)gettid(), (int)getpid());
	int fd = PH_AA_CALL(PH_AA_OP_DISPLAY, open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
	if (fd < 0)
		return ph_error_make(err, errno, "set display LSM: open `%s`", path);
	r = ph_aa_write_once(fd, "apparmor", strlen("apparmor"));
	close(fd);
	if (r < 0)
		return ph_error_make(err, -r, "set display LSM: write `apparmor` to `%s`", path);
	return 0;
}
