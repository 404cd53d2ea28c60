/* phoenix: fault injection for the AppArmor kernel interface.
 *
 * Every operation of shim/aa/ that reaches the kernel (or runs the policy
 * compiler) first asks ph_aa_fault() whether it is to fail.  In builds
 * with -DPHOENIX_FAULT_INJECTION (the Makefile's SAN=1 and FAULTS=1) the
 * answer comes from the environment variable
 *
 *     PHOENIX_FAULT=<op>:<errno>[,<op>:<errno>...]
 *
 * where <errno> is a name ("EACCES") or a number ("13"), and <op> one of
 * the PH_AA_OP_* names below.  The operation then fails with that errno
 * before touching the kernel and reports it through the same message as a
 * real failure.  In release builds the check is the constant 0, so the
 * compiler removes it.
 */
#ifndef PHOENIX_AA_FAULT_H
#define PHOENIX_AA_FAULT_H

#define PH_AA_OP_NS_CREATE "ns_create"
#define PH_AA_OP_NS_REMOVE "ns_remove"
#define PH_AA_OP_POLICY_LOAD "policy_load"
#define PH_AA_OP_TRANSITION "transition"
#define PH_AA_OP_DISPLAY "display"
#define PH_AA_OP_SELF_LABEL "self_label" /* phoenix's own label (the probe) */
#define PH_AA_OP_LABEL_READ "label_read" /* a started process's label (verification) */
#define PH_AA_OP_NS_TASKS "ns_tasks"	 /* the task scan before a namespace is removed */
#define PH_AA_OP_COMPILE "compile"
#define PH_AA_OP_LSM_LIST "lsm_list" /* the probe's lsm_list_modules(2) */
#define PH_AA_OP_LSM_SET "lsm_set"   /* the probe's lsm_set_self_attr(2) (not the transition) */

#ifdef PHOENIX_FAULT_INJECTION
/* The errno PHOENIX_FAULT asks `op` to fail with, or 0. */
int ph_aa_fault(const char *op);
#else
#define ph_aa_fault(op) ((void)(op), 0)
#endif

/* Evaluates `call` unless a fault is injected for `op`; then evaluates to
 * -1 with errno set, as the failing system call would. */
#define PH_AA_CALL(op, call)                                                                       \
	({                                                                                         \
		int ph_fault_ = ph_aa_fault(op);                                                   \
		ph_fault_ != 0 ? (errno = ph_fault_, -1) : (call);                                 \
	})

#endif
