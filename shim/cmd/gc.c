/* phoenix gc [--dry-run]: remove the policy namespaces and records of
 * containers the runtime no longer knows (a `delete` that never came, a
 * phoenix killed mid-create).
 *
 * Only namespaces phoenix recorded are considered (the record is written
 * before the namespace is created), each under the container's lock, and
 * never one in which a task still runs.  The only program gc runs is the
 * configured runtime (`<runtime> --root R state ID`, which changes
 * nothing), never one a record names: the records are data.  Lock files
 * left without a record are removed too.  --dry-run changes nothing: it
 * does not even make a lock file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aa_env.h"
#include "aa_names.h"
#include "commands.h"
#include "confine.h"
#include "json.h"
#include "log.h"
#include "private_dir.h"
#include "reap.h"
#include "state.h"

struct gc_counts {
	int kept, removed, busy, locks;
};

/* Does the runtime still know the container?  Always the configured
 * runtime (ctx->runtime): the record's `runtime` is only informative. */
static int runtime_knows(struct ph_context *ctx, const struct ph_container_state *st, bool *known,
			 ph_error_t *err)
{
	char *argv[] = {ctx->runtime.path, (char *)"--root", st->root,
			(char *)"state",   st->id,	     NULL};
	cleanup_free char *out = NULL;
	size_t len = 0;
	int status = 0;
	if (ph_runtime_capture(&ctx->runtime, argv, &out, &len, &status, err) < 0)
		return -1;
	*known = status == 0;
	return 0;
}

/* The container's lock, without waiting; in a dry run, without making
 * the lock file either.  *held = false when someone else holds it. */
static int gc_lock(int dirfd, const char *ns, bool dry_run, int *lockfd, bool *held,
		   ph_error_t *err)
{
	bool busy = false;
	if (dry_run) {
		if (ph_state_trylock_existing(dirfd, ns, lockfd, &busy, err) < 0)
			return -1;
	} else if (ph_state_trylock(dirfd, ns, lockfd, err) < 0) {
		return -1;
	} else {
		busy = *lockfd < 0;
	}
	*held = !busy;
	return 0;
}

static int collect_one(struct ph_context *ctx, const struct ph_aa_env *env, int dirfd,
		       const char *ns, bool dry_run, struct gc_counts *n, ph_error_t *err)
{
	cleanup_close int lockfd = -1;
	bool held = false;
	/* never wait: a phoenix command working on the container holds the
	 * lock, and one stuck in a runtime that does not return must not
	 * stop the collection of the others */
	if (gc_lock(dirfd, ns, dry_run, &lockfd, &held, err) < 0)
		return -1;
	if (!held) {
		printf("locked   %s: a phoenix command is working on it, kept\n", ns);
		n->busy++;
		return 0;
	}
	struct ph_container_state st;
	bool found = false;
	if (ph_state_load(dirfd, ns, &st, &found, err) < 0)
		return -1;
	if (!found)
		return 0; /* deleted while we waited for the lock */
	int ret = 0;
	bool known = true, busy = false;
	if (runtime_knows(ctx, &st, &known, err) < 0)
		goto out_err;
	if (known) {
		n->kept++;
		goto out;
	}
	/* no waiting: a namespace with tasks is kept for a later gc */
	struct ph_reap r = {.env = env, .ns = st.ns, .state_dirfd = dirfd, .dry_run = dry_run};
	if (ph_reap(&r, &busy, err) < 0)
		goto out_err;
	if (busy) {
		printf("busy     %s (container %s): tasks still run in it, kept\n", st.ns, st.id);
		n->busy++;
		goto out;
	}
	printf("%s %s (container %s)\n", dry_run ? "would remove" : "removed ", st.ns, st.id);
	n->removed++;
	goto out;
out_err:
	ret = -1;
out:
	ph_container_state_release(&st);
	return ret;
}

/* Lock files left without a record: a command that found no container
 * (start or exec of one phoenix did not create), or one killed before it
 * wrote a record. */
static int reap_locks(int dirfd, bool dry_run, struct gc_counts *n)
{
	char **names = NULL;
	ph_error_t err = NULL;
	int ret = 0;
	if (ph_state_list_locks(dirfd, &names, &err) < 0) {
		fprintf(stderr, "phoenix: gc: %s\n", err->msg);
		ph_error_free(&err);
		return -1;
	}
	for (size_t i = 0; names[i]; i++) {
		bool removed = false;
		if (ph_state_reap_lock(dirfd, names[i], dry_run, &removed, &err) < 0) {
			fprintf(stderr, "phoenix: gc: %s: %s\n", names[i], err->msg);
			ph_error_free(&err);
			ret = -1;
		} else if (removed) {
			n->locks++;
		}
	}
	ph_strv_free(names);
	return ret;
}

int ph_cmd_gc(struct ph_context *ctx, ph_error_t *err)
{
	bool dry_run = false;
	for (int i = ctx->cli.command_index + 1; i < ctx->cli.argc; i++) {
		const char *a = ctx->cli.argv[i];
		if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0)
			dry_run = true;
		else
			return ph_error_make(err, EINVAL, "gc: unknown argument `%s`", a);
	}
	struct ph_aa_env env;
	ph_aa_env_default(&env);
	cleanup_close int dirfd = -1;
	ph_error_t open_err = NULL;
	if (ph_private_dir_open(ctx->config.state_dir, "state directory", !dry_run, &dirfd,
				&open_err) < 0) {
		ph_error_move(err, &open_err);
		if ((*err)->status != ENOENT)
			return ph_error_wrap(err, "gc");
		ph_error_free(err); /* a dry run where nothing was ever made */
		printf("0 to remove, 0 kept (container alive), 0 busy, 0 lock files to remove\n");
		fflush(stdout);
		return 0;
	}
	char **names = NULL;
	if (ph_state_list(dirfd, &names, err) < 0)
		return ph_error_wrap(err, "gc");
	struct gc_counts n = {0, 0, 0, 0};
	int ret = 0;
	for (size_t i = 0; names[i]; i++) {
		ph_error_t one = NULL;
		if (collect_one(ctx, &env, dirfd, names[i], dry_run, &n, &one) < 0) {
			fprintf(stderr, "phoenix: gc: %s: %s\n", names[i], one->msg);
			ph_error_free(&one);
			ret = 1;
		}
	}
	ph_strv_free(names);
	if (reap_locks(dirfd, dry_run, &n) < 0)
		ret = 1;
	printf("%d %s, %d kept (container alive), %d busy, %d lock file%s %s\n", n.removed,
	       dry_run ? "to remove" : "removed", n.kept, n.busy, n.locks, n.locks == 1 ? "" : "s",
	       dry_run ? "to remove" : "removed");
	fflush(stdout);
	return ret;
}
