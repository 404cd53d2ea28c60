/* phoenix: taking a container's confinement down — the one way phoenix
 * removes a policy namespace with its record (delete, a failed create, gc,
 * the poststop hook), and the one way it kills what failed the label check
 * (create, start, exec). */
#ifndef PHOENIX_REAP_H
#define PHOENIX_REAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "aa_env.h"
#include "error.h"
#include "runtime.h"

/* How long the tasks of a container just killed may take to leave its
 * namespace (delete, create's rollback, the poststop hook). */
#define PH_REAP_WAIT_MS 500

struct ph_reap {
	const struct ph_aa_env *env;
	const char *ns;	 /* the namespace (validated by shim/aa) */
	int state_dirfd; /* the record's directory; -1: no record to remove */
	int wait_ms;	 /* how long tasks may take to go (0: look once) */
	bool dry_run;	 /* only look: remove nothing */
};

/* Remove namespace r->ns, then its record, when no task runs in it; *busy
 * (nothing removed) when tasks still do after r->wait_ms.  A namespace
 * already gone is success (containerd deletes twice).  Inside a user
 * namespace (an unprivileged LXC container) a refused rmdir falls back to
 * the top-level .remove (aa_ns.h). */
int ph_reap(const struct ph_reap *r, bool *busy, ph_error_t *err);

/* What carries a label that failed the check. */
enum ph_kill_what {
	PH_KILL_PROCESS,	  /* exec: the process alone, the container keeps running */
	PH_KILL_CONTAINER,	  /* start: `<runtime> kill ID KILL`, delete reaps later */
	PH_KILL_CONTAINER_DELETE, /* run --detach, restore: `<runtime> delete --force ID` */
};

/* After a failed label check (*err says why): kill `what` (the process
 * `pid`, or container `id` of the runtime's state root `root`) and say in
 * *err what was done, including a kill that failed.  Returns -1. */
int ph_kill_unverified(const struct ph_runtime *rt, const char *root, const char *id, pid_t pid,
		       enum ph_kill_what what, ph_error_t *err);

#endif
