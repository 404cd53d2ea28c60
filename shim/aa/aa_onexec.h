/* phoenix: the AppArmor writes a runtime's child makes right before execve.
 *
 * The child of phoenix that execs the runtime does as little as it can:
 * everything that reads, allocates or formats happens before the fork, in
 * phoenix (ph_aa_onexec_plan_*); the child opens and writes the prepared
 * files (ph_aa_onexec_apply, system calls only) and, when one fails, hands
 * the step and the errno back, for phoenix to explain
 * (ph_aa_onexec_explain).
 *
 * The transition goes through one of two interfaces, chosen by the probe
 * (aa_lsm.h): where Linux >= 6.8 answers, lsm_set_self_attr(2) with
 * LSM_ATTR_EXEC and a context addressed to LSM_ID_APPARMOR, built in the
 * plan; else the procfs file of the applying thread.  The paths name
 * "self" and "thread-self", so they resolve to whichever task applies
 * the plan: the child, which then execs; the system call acts on the
 * calling thread too.  The child makes exactly the planned call: an
 * interface the probe found working that fails in the child is an error
 * naming it, not a silent switch to the other.
 *
 * libapparmor's aa_change_onexec()/aa_stack_onexec() make the same write
 * but build the path from a hard-coded "/proc" (and, in 4.x, try the
 * lsm_set_self_attr(2) syscall first), so they can neither be pointed at
 * a simulated tree nor split into a plan and a write.
 */
#ifndef PHOENIX_AA_ONEXEC_H
#define PHOENIX_AA_ONEXEC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "aa_env.h"
#include "aa_lsm.h"
#include "aa_probe.h"
#include "error.h"

/* Longest label phoenix writes; the kernel takes at most a page per
 * procattr write (fs/proc/base.c). */
#define PH_AA_LABEL_MAX 4000

enum ph_aa_onexec_step {
	PH_AA_ONEXEC_OK = 0,
	PH_AA_ONEXEC_DISPLAY_LEADER, /* the display LSM is set by the thread-group leader only */
	PH_AA_ONEXEC_DISPLAY_OPEN,
	PH_AA_ONEXEC_DISPLAY_WRITE,
	PH_AA_ONEXEC_EXEC_OPEN,
	PH_AA_ONEXEC_EXEC_WRITE,
	PH_AA_ONEXEC_EXEC_SYSCALL, /* lsm_set_self_attr(2) */
};

struct ph_aa_onexec {
	char display_path[PATH_MAX];   /* "": the display LSM needs no setting */
	char exec_path[PATH_MAX];      /* "": no transition through procfs */
	char cmd[PH_AA_LABEL_MAX + 8]; /* "exec <label>" or "stack <label>" */
	enum ph_aa_exec_iface iface;
	/* PH_AA_EXEC_SYSCALL: the struct lsm_ctx carrying cmd, and its size
	 * (0: no transition through the system call) */
	_Alignas(8) unsigned char lsm_ctx[sizeof(struct ph_lsm_ctx_head) + PH_AA_LABEL_MAX + 16];
	uint32_t lsm_ctx_size;
	const char *label; /* within cmd */
	bool stack;
	int display_fault; /* errnos PHOENIX_FAULT injects (aa_fault.h), read beforehand */
	int exec_fault;
};

/* An empty plan: applying it does nothing. */
void ph_aa_onexec_init(struct ph_aa_onexec *p);

/* Add the display-LSM write, where AppArmor is stacked with smack or
 * selinux (see ph_aa_display_lsm_set); nothing when it is not. */
int ph_aa_onexec_plan_display(const struct ph_aa_env *env, struct ph_aa_onexec *p, ph_error_t *err);
/* The same from what ph_aa_probe() already read (the LSM list and the
 * display attribute), without reading them again. */
int ph_aa_onexec_plan_display_probed(const struct ph_aa_probe *probe, struct ph_aa_onexec *p,
				     ph_error_t *err);

/* Add the write of "exec <label>" (or "stack <label>") to the exec
 * attribute of the applying thread, through `iface`.  Refuses a malformed
 * label. */
int ph_aa_onexec_plan_transition(const struct ph_aa_env *env, enum ph_aa_exec_iface iface,
				 const char *label, bool stack, struct ph_aa_onexec *p,
				 ph_error_t *err);

/* The whole plan from the probe: the transition through the interface
 * it chose, and, through procfs only, the display-LSM write where
 * AppArmor is stacked (the system call addresses AppArmor by its id). */
int ph_aa_onexec_plan_probed(const struct ph_aa_env *env, const struct ph_aa_probe *probe,
			     const char *label, bool stack, struct ph_aa_onexec *p,
			     ph_error_t *err);

/* Where the planned transition goes: "lsm_set_self_attr(2)" or the
 * procfs path; "none" when none is planned. */
const char *ph_aa_onexec_interface(const struct ph_aa_onexec *p);

/* Make the planned writes: system calls only, safe between fork and
 * execve.  PH_AA_ONEXEC_OK, or the step that failed with *errnum. */
enum ph_aa_onexec_step ph_aa_onexec_apply(const struct ph_aa_onexec *p, int *errnum);

/* The error for a failed `step`: always -1. */
int ph_aa_onexec_explain(const struct ph_aa_onexec *p, enum ph_aa_onexec_step step, int errnum,
			 ph_error_t *err);

/* Plan and apply in the calling thread: ask the kernel to move it to
 * `label` at its next execve(2) ("exec <label>", or "stack <label>" to add
 * `label` to the current confinement; `label` may name a namespace,
 * ":ns:unconfined"), through `iface`. */
int ph_aa_transition_onexec(const struct ph_aa_env *env, enum ph_aa_exec_iface iface,
			    const char *label, bool stack, ph_error_t *err);

/* Plan and apply in the calling thread: make AppArmor the LSM behind the
 * shared /proc/<pid>/attr files of this process and its future children,
 * where AppArmor is stacked with smack or selinux.  Nothing to do (0) when
 * it is not.  Must be called by the thread-group leader.  Upstream kernels
 * keep apparmor, smack and selinux mutually exclusive (the "major" LSMs
 * that own /proc/<pid>/attr); only out-of-tree stacking kernels (Ubuntu's)
 * run them together and add a per-process display LSM, set through
 * /proc/self/attr/display or interface_lsm.  The prctl(PR_LSM_ATTR_SET) of
 * some stacking patch sets exists on no upstream kernel and is not used. */
int ph_aa_display_lsm_set(const struct ph_aa_env *env, ph_error_t *err);

#endif
