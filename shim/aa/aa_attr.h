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
 * libapparmor's aa_change_onexec()/aa_stack_onexec() do the same writes
 * but build the path from a hard-coded "/proc" (and, in 4.x, try the
 * lsm_set_self_attr(2) syscall first), so they cannot be pointed at a
 * simulated tree; phoenix does its own single write here.
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

/* Ask the kernel to move the calling thread to `label` at its next
 * execve(2): "exec <label>", or "stack <label>" to add `label` to the
 * current confinement.  `label` may name a namespace (":ns:unconfined"). */
int ph_aa_transition_onexec(const struct ph_aa_env *env, const char *label, bool stack,
			    ph_error_t *err);

/* Whether the LSM list ("lockdown,capability,smack,apparmor", from
 * <securityfs>/lsm) has another major LSM with process attributes
 * (smack or selinux) besides apparmor. */
bool ph_aa_lsm_list_stacked(const char *lsm_list);

/* The display-LSM interface of the calling process:
 * <proc>/self/attr/interface_lsm, or its earlier name
 * <proc>/self/attr/display; NULL when neither exists. */
int ph_aa_display_attr_path(const struct ph_aa_env *env, char **path, ph_error_t *err);

/* Make AppArmor the LSM behind the shared /proc/<pid>/attr files of this
 * process and its future children, where AppArmor is stacked with smack
 * or selinux.  Nothing to do (0) when it is not.  Must be called by the
 * thread-group leader. */
int ph_aa_display_lsm_set(const struct ph_aa_env *env, ph_error_t *err);

#endif
