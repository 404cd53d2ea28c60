/* phoenix: what the runtime's child does between fork and execve.
 *
 * The pending exec label is per thread and survives only until the next
 * execve, so it is written by the child of phoenix that execs the runtime,
 * right before its execve.  That child does as little as it can:
 * everything that reads, allocates or formats happens before the fork, in
 * phoenix, and goes into one plan; the child applies it with system calls
 * only (runtime.c runs it) and, when a step fails, reports the step and
 * the errno on a pipe for phoenix to explain.  In order:
 *   1. the bundle check (create): the bundle directory the runtime is
 *      about to read is still the directory phoenix checked and rewrote
 *   2. the AppArmor writes (aa_onexec.h): the display LSM, the transition
 */
#ifndef PHOENIX_CHILD_PLAN_H
#define PHOENIX_CHILD_PLAN_H

#include <stdbool.h>

#include "aa_onexec.h"
#include "error.h"

enum ph_child_step {
	PH_CHILD_OK = 0,
	PH_CHILD_BUNDLE,   /* the bundle's path names another directory now */
	PH_CHILD_APPARMOR, /* an AppArmor write: the report's `apparmor` says which */
	PH_CHILD_EXEC,	   /* the execve of the runtime (runtime.c explains it) */
};

/* What a failed step hands back to phoenix: plain data, written whole on
 * the child's pipe. */
struct ph_child_report {
	enum ph_child_step step;
	enum ph_aa_onexec_step apparmor; /* PH_CHILD_APPARMOR: the write that failed */
	int errnum;
};

struct ph_child_plan {
	int bundle_fd;		 /* the bundle directory phoenix rewrote; -1: no check */
	const char *bundle_path; /* the path the runtime opens it by */
	const char *ns;		 /* the namespace the transition enters (for the error) */
	struct ph_aa_onexec onexec;
};

/* An empty plan: applying it does nothing. */
void ph_child_plan_init(struct ph_child_plan *p);

/* Check, before the AppArmor writes, that `path` is still the directory
 * `dirfd` is open on (the fd must stay open until the plan is applied). */
void ph_child_plan_bundle(struct ph_child_plan *p, int dirfd, const char *path);

/* Apply the plan: system calls only, safe between fork and execve.  True
 * when every step succeeded; false with *r saying which failed. */
bool ph_child_plan_apply(const struct ph_child_plan *p, struct ph_child_report *r);

/* The error for a failed step `r`: always -1. */
int ph_child_plan_explain(const struct ph_child_plan *p, const struct ph_child_report *r,
			  ph_error_t *err);

/* Apply in the calling thread and explain a failure, for a runtime phoenix
 * execs itself. */
int ph_child_plan_apply_now(const struct ph_child_plan *p, ph_error_t *err);

#endif
