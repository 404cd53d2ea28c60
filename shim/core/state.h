/* phoenix: its own record of each container it confined, and the lock per
 * container.
 *
 * Under the config's stateDir (default /run/phoenix; made 0700 with its
 * parents 0755, and refused unless it and its parents are root's and
 * writable by root alone: see private_dir.h):
 *   <ns>.lock   flock(2)ed exclusively by every phoenix command acting on
 *               the container whose policy namespace is <ns>.  Removed with
 *               the record, by its holder; a command that took the lock on
 *               a file removed meanwhile sees it by its inode and takes a
 *               new one.  `phoenix gc` removes lock files left without a
 *               record (a command that found no container).
 *   <ns>.json   what create decided: id, runtime root, namespace, profile,
 *               transition — read by exec, start, delete and gc.
 *   <ns>.pid    the init pid file phoenix asked the runtime for.
 * <ns> already encodes the runtime root and the container id (see
 * ph_aa_ns_name), so two runtimes' containers never share a record; a
 * record is used only when its id and root are those its name is made of,
 * and two ids whose names hash alike never share one (ph_state_load_of). */
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
	char *runtime; /* the runtime create ran, for people reading the record: phoenix
			* never runs it (only the configured runtime) */
	char *label;   /* the label phoenix expects the container to carry */
	char *caps;    /* the container's org.phoenix.capabilities, for its execs */
	long long created;
	long long init_pid;	       /* from create's --pid-file, 0 when unknown */
	unsigned long long init_start; /* its start time (see init_pid.h) */
};

void ph_container_state_release(struct ph_container_state *st);

/* Open (creating, mode 0700, parents 0755) the state directory; returns a
 * directory fd.  Refused unless root alone can write it (private_dir.h). */
int ph_state_open(const char *state_dir, int *dirfd, ph_error_t *err);
/* Take the container's lock; *lockfd is released by closing it. */
int ph_state_lock(int dirfd, const char *ns, int *lockfd, ph_error_t *err);
/* Like ph_state_lock, but *lockfd = -1 (and 0 returned) when another
 * phoenix command holds the lock. */
int ph_state_trylock(int dirfd, const char *ns, int *lockfd, ph_error_t *err);
/* Like ph_state_trylock, but never makes the lock file: *lockfd = -1 and
 * *busy = false when there is none (then no one holds the lock). */
int ph_state_trylock_existing(int dirfd, const char *ns, int *lockfd, bool *busy, ph_error_t *err);
/* 0 and *found=false when there is no record.  A record that is not the
 * one of its name (its namespace, or the name its id and root make, differ
 * from `ns`) is an error. */
int ph_state_load(int dirfd, const char *ns, struct ph_container_state *st, bool *found,
		  ph_error_t *err);
/* Whether `st` is the record of container `id` of runtime root `root`. */
bool ph_state_is_of(const struct ph_container_state *st, const char *id, const char *root);
/* ph_state_load for container `id` of `root`: a record of `ns` that is
 * another container's (ids whose namespace names collide) is an error
 * (EEXIST) naming both. */
int ph_state_load_of(int dirfd, const char *ns, const char *id, const char *root,
		     struct ph_container_state *st, bool *found, ph_error_t *err);
int ph_state_save(int dirfd, const struct ph_container_state *st, ph_error_t *err);
/* Remove the record, its pid file and its lock file; call it holding the
 * lock.  Missing is not an error. */
int ph_state_remove(int dirfd, const char *ns, ph_error_t *err);
/* Remove <ns>.lock when no record goes with it and no one holds it
 * (*removed; with `dry_run` only tell). */
int ph_state_reap_lock(int dirfd, const char *ns, bool dry_run, bool *removed, ph_error_t *err);
/* Names of all records (the <ns> part), NULL-terminated; free with ph_strv_free. */
int ph_state_list(int dirfd, char ***names, ph_error_t *err);
/* Names of all lock files (the <ns> part), the same way. */
int ph_state_list_locks(int dirfd, char ***names, ph_error_t *err);

#endif
