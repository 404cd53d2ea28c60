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
	int r = ph_aa_read_attr_fd(fd, 64 * 1024, &text);
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
