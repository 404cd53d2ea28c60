/* phoenix: task attributes (/proc/<pid>/attr) of AppArmor.
 *
 * Linux 5.8 added /proc/<pid>/attr/apparmor/; before it AppArmor used the
 * shared /proc/<pid>/attr/ files, which go to the first LSM that has the
 * hooks (fs/proc/base.c, security/security.c).  ph_aa_attr_layout() is
 * the one place that chooses between them.
 *
 * Only a task may write its own attributes, and /proc/self is the
 * thread-group leader (fs/proc/base.c, proc_pid_attr_write(): "A task may
 * only write its own attributes", EACCES otherwise): writes go to
 * /proc/thread-self.  The pending exec label is per thread, inherited
 * across fork and cleared by exec (security/apparmor/domain.c).
 *
 * The writes phoenix makes before the runtime's execve are in aa_onexec.h.
 */
#ifndef PHOENIX_AA_ATTR_H
#define PHOENIX_AA_ATTR_H

#include <stdbool.h>
#include <sys/types.h>

#include "aa_env.h"
#include "error.h"

/* "attr/apparmor" when <proc>/<task>/attr/apparmor exists, else "attr".
 * `task` is "self", "thread-self", a pid or "<pid>/task/<tid>". */
int ph_aa_attr_layout(const struct ph_aa_env *env, const char *task, const char **subdir,
		      ph_error_t *err);

/* <proc>/<task>/<layout>/<attr>. */
int ph_aa_attr_path(const struct ph_aa_env *env, const char *task, const char *attr, char **path,
		    ph_error_t *err);

/* The label and mode of process `pid` (0: the calling thread), as
 * printed to the caller (see aa_label.h). */
int ph_aa_current_label(const struct ph_aa_env *env, pid_t pid, char **label, char **mode,
			ph_error_t *err);

/* Whether the LSM list ("lockdown,capability,smack,apparmor", from
 * <securityfs>/lsm) has another major LSM with process attributes
 * (smack or selinux) besides apparmor. */
bool ph_aa_lsm_list_stacked(const char *lsm_list);

/* The display-LSM interface of the calling process:
 * <proc>/self/attr/interface_lsm, or its earlier name
 * <proc>/self/attr/display; NULL when neither exists. */
int ph_aa_display_attr_path(const struct ph_aa_env *env, char **path, ph_error_t *err);

#endif
