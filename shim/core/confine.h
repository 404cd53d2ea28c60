/* phoenix: confining one container — the steps create, run, restore and
 * exec share.
 *
 *   ph_confine_prepare   probe the kernel, pick the transition for this
 *                        caller, name the namespace, take the lock
 *   ph_confine_setup     create the namespace and load the profile
 *   ph_confine_enter     (in the process about to execve the runtime)
 *                        set the display LSM and write the transition
 *   ph_confine_reap      remove the namespace and phoenix's record
 *   ph_confine_verify    read a container process's label and compare it
 *                        with the one planned
 */
#ifndef PHOENIX_CONFINE_H
#define PHOENIX_CONFINE_H

#include <stdbool.h>
#include <sys/types.h>

#include "aa_env.h"
#include "aa_onexec.h"
#include "aa_probe.h"
#include "commands.h"
#include "error.h"
#include "profile_choice.h"
#include "state.h"

/* Container ids: runc's rule ([A-Za-z0-9_+.-]+, not "." or "..") with a
 * length limit, so an id can never reach a path or the kernel unexpected. */
#define PH_ID_MAX 128
int ph_validate_id(const char *id, ph_error_t *err);

struct ph_confinement {
	struct ph_aa_env env;
	struct ph_aa_probe probe;
	bool probed;
	bool apparmor_off; /* AppArmor unusable and the config allows running without */
	char ns[256];
	char target[300]; /* ":<ns>:unconfined", the label written before exec */
	bool stack;	  /* write `stack` instead of `exec` */
	const char *root; /* the runtime's state root (scope of the names) */
	const char *id;
	const char *runtime_path; /* tells the runtime's init from the container's program */
	int state_dirfd;
	int lockfd;
	bool ns_created; /* created by this command: removed again on failure */
	bool toplevel;	 /* policy goes through the top-level .replace (user namespace) */
	struct ph_aa_onexec onexec; /* the writes before the runtime's execve */
};

/* Probe, decide the transition, name the namespace, open the state dir and
 * lock the container.  When AppArmor cannot be used and the config allows
 * it, sets c->apparmor_off (after a loud warning) and returns 0.  Commands
 * that only clean up or observe (delete, start) pass `confining` false:
 * without AppArmor they have nothing to do and just hand over; they probe
 * only what they need (ph_aa_probe_basic) and choose no transition. */
int ph_confine_prepare(struct ph_context *ctx, const char *id, bool confining,
		       struct ph_confinement *c, ph_error_t *err);
void ph_confine_release(struct ph_confinement *c);

/* Create the namespace (a leftover one with no tasks is replaced) and load
 * the chosen profile into it. */
int ph_confine_setup(struct ph_context *ctx, struct ph_confinement *c,
		     const struct ph_profile_choice *choice, ph_error_t *err);

/* The pending exec label is per thread and survives only until the next
 * execve: it is written by the runtime's child right before its execve.
 * ph_confine_enter_prepare builds the writes (display LSM, transition) in
 * phoenix; ph_confine_enter_apply makes them in the runtime's child (system
 * calls only: a step > 0 and *errnum on failure) and
 * ph_confine_enter_explain turns a failed step into the error. */
int ph_confine_enter_prepare(struct ph_confinement *c, ph_error_t *err);
int ph_confine_enter_apply(void *confinement, int *errnum);
int ph_confine_enter_explain(void *confinement, int step, int errnum, ph_error_t *err);

/* All three in the calling thread, for a runtime phoenix execs itself. */
int ph_confine_enter(struct ph_confinement *c, ph_error_t *err);

/* Remove the namespace (only when no task still runs in it) and the
 * record.  Idempotent. */
int ph_confine_reap(struct ph_confinement *c, ph_error_t *err);

/* The label phoenix expects a container process to carry, as the caller
 * reads it; and whether `label`/`mode` as read match it. */
bool ph_label_matches(const char *label, const char *mode, const char *ns, const char *profile,
		      bool complain);

/* Read the label of `pid` and fail (killing nothing) when it does not match. */
int ph_confine_verify_pid(struct ph_confinement *c, pid_t pid, const char *profile, bool complain,
			  ph_error_t *err);

/* Ask the runtime for the container's init pid (`state`); 0 when the
 * runtime does not know the container. */
int ph_runtime_container_pid(struct ph_context *ctx, const char *id, pid_t *pid, bool *exists,
			     ph_error_t *err);

#endif
