/* phoenix: its own record of each container it confined, and the lock per
 * container.
 *
 * Under the config's stateDir (default /run/phoenix, mode 0700):
 *   <ns>.lock   flock(2)ed exclusively by every phoenix command acting on
 *               the container whose policy namespace is <ns>; never removed
 *               (removing a lock file races with its next user)
 *   <ns>.json   what create decided: id, runtime root, namespace, profile,
 *               transition — read by exec, start, delete and gc.
 * <ns> already encodes the runtime root and the container id (see
 * ph_aa_ns_name), so two runtimes' containers never share a record. */
#ifndef PHOENIX_STATE_H
#define PHOENIX_STATE_H

#include <stdbool.h>
#include "error.h"

struct ph_container_state {
	char *id;
	char *root;	  /* the runtime's --root */
	char *ns;	  /* policy namespace name */
	char *profile;	  /* profile name inside the namespace, or "unconfined" */
	char *transition; /* "exec" or "stack" */
	char *bundle;
	char *runtime; /* path of the real runtime */
	char *label;   /* the label phoenix expects the container to carry */
	char *caps;    /* the container's org.phoenix.capabilities, for its execs */
	long long created;
	long long init_pid;	       /* from create's --pid-file, 0 when unknown */
	unsigned long long init_start; /* its start time (see init_pid.h) */
};

void ph_container_state_release(struct ph_container_state *st);

/* Open (creating, mode 0700) the state directory; returns a directory fd. */
int ph_state_open(const char *state_dir, int *dirfd, ph_error_t *err);
/* Take the container's lock; *lockfd is released by closing it. */
int ph_state_lock(int dirfd, const char *ns, int *lockfd, ph_error_t *err);
/* Like ph_state_lock, but *lockfd = -1 (and 0 returned) when another
 * phoenix command holds the lock. */
int ph_state_trylock(int dirfd, const char *ns, int *lockfd, ph_error_t *err);
/* 0 and *found=false when there is no record. */
int ph_state_load(int dirfd, const char *ns, struct ph_container_state *st, bool *found,
		  ph_error_t *err);
int ph_state_save(int dirfd, const struct ph_container_state *st, ph_error_t *err);
/* Missing is not an error. */
int ph_state_remove(int dirfd, const char *ns, ph_error_t *err);
/* Names of all records (the <ns> part), NULL-terminated; free with ph_strv_free. */
int ph_state_list(int dirfd, char ***names, ph_error_t *err);

#endif
