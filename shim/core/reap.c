/* phoenix: taking a container's confinement down (see reap.h). */
#include "reap.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "aa_ns.h"
#include "aa_probe.h"
#include "state.h"

/* rmdir succeeds while tasks still run in the namespace and sends them
 * to its parent's unconfined (6.1 policy_ns.c, __aa_remove_ns): never
 * remove a namespace that has tasks.  Tasks of a container just killed
 * may take a moment to go. */
static int wait_for_tasks(const struct ph_reap *r, bool *busy, ph_error_t *err)
{
	const int step_ms = 10;
	for (int waited = 0;; waited += step_ms) {
		if (ph_aa_ns_has_tasks(r->env, r->ns, busy, err) < 0)
			return -1;
		if (!*busy || waited >= r->wait_ms)
			return 0;
		struct timespec ts = {0, step_ms * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* Inside a user namespace the per-namespace directories are root-owned
 * and rmdir is refused by plain file permissions, while the top-level
 * .remove (0666) acts on the caller's own namespace (aa_ns.h). */
static int remove_ns(const struct ph_reap *r, ph_error_t *err)
{
	cleanup_error ph_error_t rerr = NULL;
	if (ph_aa_ns_remove(r->env, r->ns, &rerr) == 0)
		return 0;
	bool refused = rerr->status == EACCES || rerr->status == EPERM;
	if (!refused || !ph_aa_in_userns(r->env)) {
		ph_error_move(err, &rerr);
		return ph_error_wrap(err, "remove policy namespace `%s`", r->ns);
	}
	if (ph_aa_ns_remove_via_toplevel(r->env, r->ns, err) < 0)
		return ph_error_wrap(err, "remove policy namespace `%s`", r->ns);
	return 0;
}

int ph_reap(const struct ph_reap *r, bool *busy, ph_error_t *err)
{
	if (wait_for_tasks(r, busy, err) < 0)
		return -1;
	if (*busy || r->dry_run)
		return 0;
	if (remove_ns(r, err) < 0)
		return -1;
	if (r->state_dirfd >= 0 && ph_state_remove(r->state_dirfd, r->ns, err) < 0)
		return -1;
	return 0;
}

static const char *const kill_done[] = {
    [PH_KILL_PROCESS] = "process killed",
    [PH_KILL_CONTAINER] = "container killed",
    [PH_KILL_CONTAINER_DELETE] = "container killed",
};

/* `<runtime> --root R kill ID KILL` or `... delete --force ID`; *failed
 * says why it did not succeed, or stays NULL. */
static void kill_container(const struct ph_runtime *rt, const char *root, const char *id,
			   enum ph_kill_what what, ph_error_t *failed)
{
	char *kill_argv[] = {rt->path,	 (char *)"--root", (char *)root, (char *)"kill",
			     (char *)id, (char *)"KILL",   NULL};
	char *delete_argv[] = {rt->path,	  (char *)"--root", (char *)root, (char *)"delete",
			       (char *)"--force", (char *)id,	    NULL};
	cleanup_free char *out = NULL;
	size_t len = 0;
	int status = 0;
	char **argv = what == PH_KILL_CONTAINER ? kill_argv : delete_argv;
	if (ph_runtime_capture(rt, argv, &out, &len, &status, failed) < 0)
		return;
	if (status != 0)
		ph_error_make(failed, 0, "%s %s exited with status %d", rt->name, argv[3], status);
}

int ph_kill_unverified(const struct ph_runtime *rt, const char *root, const char *id, pid_t pid,
		       enum ph_kill_what what, ph_error_t *err)
{
	cleanup_error ph_error_t failed = NULL;
	if (what == PH_KILL_PROCESS) {
		/* ESRCH: it already exited, nothing runs with the label */
		if (kill(pid, SIGKILL) < 0 && errno != ESRCH)
			ph_error_make(&failed, errno, "kill(%d, SIGKILL)", (int)pid);
	} else {
		kill_container(rt, root, id, what, &failed);
	}
	if (failed != NULL)
		return ph_error_wrap(
		    err, "confinement check failed, and killing the %s failed (%s)",
		    what == PH_KILL_PROCESS ? "process" : "container", failed->msg);
	return ph_error_wrap(err, "confinement check failed, %s", kill_done[what]);
}
