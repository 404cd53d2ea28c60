/* phoenix: confining one container — the steps create, run, restore and
 * exec share.
 *
 *   ph_confine_prepare   probe the kernel, pick the transition for this
 *                        caller, name the namespace, take the lock
 *   ph_confine_setup     create the namespace and load the profile
 *   ph_confine_enter_prepare  plan what the runtime's child does before
 *                        its execve (child_plan.h): display LSM, transition
 *   ph_confine_reap      remove the namespace and phoenix's record
 *   ph_confine_verify    read a container process's label and compare it
 *                        with the one planned
 */
#ifndef PHOENIX_CONFINE_H
#define PHOENIX_CONFINE_H

#include <stdbool.h>
#include <sys/types.h>

#include "aa_env.h"
#include "aa_probe.h"
#include "child_plan.h"
#include "config.h"
#include "error.h"
#include "profile_choice.h"
#include "runtime.h"
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
	const struct ph_config *conf;
	const char *root; /* the runtime's state root (scope of the names) */
	const char *id;
	const char *runtime_path; /* tells the runtime's init from the container's program */
	int state_dirfd;
	int lockfd;
	bool ns_created; /* created by this command: removed again on failure */
	bool recorded;	 /* its record saved by this command: removed again on failure */
	bool toplevel;	 /* policy goes through the top-level .replace (user namespace) */
	struct ph_child_plan child; /* what the runtime's child does before its execve */
};

/* Probe, decide the transition, name the namespace, open the state dir and
 * lock the container.  When AppArmor cannot be used and the config allows
 * it, sets c->apparmor_off (after a loud warning) and returns 0.  Commands
 * that only clean up or observe (delete, start) pass `confining` false:
 * without AppArmor they have nothing to do and just hand over; they probe
 * only what they need (ph_aa_probe_basic) and choose no transition.
 * `root` is the runtime's state root the container's names are scoped by
 * (the caller's --root or the runtime's default); `conf`, `rt` and the
 * strings must outlive c. */
int ph_confine_prepare(const struct ph_config *conf, const struct ph_runtime *rt, const char *root,
		       const char *id, bool confining, struct ph_confinement *c, ph_error_t *err);
void ph_confine_release(struct ph_confinement *c);

/* A confinement ph_confine_release may be called on before it was
 * prepared, and its cleanup attribute. */
#define PH_CONFINEMENT_INIT                                                                        \
	{                                                                                          \
		.state_dirfd = -1, .lockfd = -1                                                    \
	}
#define cleanup_confinement __attribute__((cleanup(ph_confine_release)))

/* The rollback guard of a command that makes a confinement (create, run,
 * restore; crun's cleanup_container): a pointer to it, declared after it,
 *     cleanup_rollback struct ph_confinement *undo = &c;
 * reaps, when the scope is left, what the command made (the namespace,
 * the record: ph_confine_reap), unless ph_disarm(undo) was called because
 * the container is to stay.  A failed reap is logged as a warning: the
 * command's own error is the one reported. */
void ph_confine_rollbackp(struct ph_confinement **guard);
#define cleanup_rollback __attribute__((cleanup(ph_confine_rollbackp)))

/* Save the container's record under its lock, before the namespace is
 * made, so that `phoenix gc` finds every namespace phoenix made, even when
 * it is killed right after mkdir; marks c->recorded. */
int ph_confine_save_record(struct ph_confinement *c, const struct ph_container_state *record,
			   ph_error_t *err);

/* Create the namespace (a leftover one with no tasks is replaced) and load
 * the chosen profile into it. */
int ph_confine_setup(struct ph_confinement *c, const struct ph_profile_choice *choice,
		     ph_error_t *err);

/* Plan the writes the runtime's child makes right before its execve
 * (display LSM, transition) into c->child, for ph_runtime_run; an empty
 * plan when AppArmor is off. */
int ph_confine_enter_prepare(struct ph_confinement *c, ph_error_t *err);

/* Plan and apply in the calling thread, for a runtime phoenix execs itself. */
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

#endif
