/* phoenix gc [--dry-run]: remove the policy namespaces and records of
 * containers the runtime no longer knows (a `delete` that never came, a
 * phoenix killed mid-create).
 *
 * Only namespaces phoenix recorded are considered (the record is written
 * before the namespace is created), each under the container's lock, and
 * never one in which a task still runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aa_env.h"
#include "aa_names.h"
#include "aa_ns.h"
#include "commands.h"
#include "confine.h"
#include "json.h"
#include "log.h"
#include "state.h"

struct gc_counts {
	int kept, removed, busy;
};

/* Does the record's runtime still know the container? */
static int runtime_knows(struct ph_context *ctx, const struct ph_container_state *st, bool *known,
			 ph_error_t *err)
{
	struct ph_runtime rt = ctx->runtime;
	if (st->runtime && access(st->runtime, X_OK) == 0)
		rt.path = st->runtime;
	char *argv[] = {rt.path, (char *)"--root", st->root, (char *)"state", st->id, NULL};
	cleanup_free char *out = NULL;
	size_t len = 0;
	int status = 0;
	if (ph_runtime_capture(&rt, argv, &out, &len, &status, err) < 0)
		return -1;
	*known = status == 0;
	return 0;
}

static int collect_one(struct ph_context *ctx, const struct ph_aa_env *env, int dirfd,
		       const char *ns, bool dry_run, struct gc_counts *n, ph_error_t *err)
{
	cleanup_close int lockfd = -1;
	/* never wait: a phoenix command working on the container holds the
	 * lock, and one stuck in a runtime that does not return must not
	 * stop the collection of the others */
	if (ph_state_trylock(dirfd, ns, &lockfd, err) < 0)
		return -1;
	if (lockfd < 0) {
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
	if (ph_aa_ns_has_tasks(env, st.ns, &busy, err) < 0)
		goto out_err;
	if (busy) {
		printf("busy     %s (container %s): tasks still run in it, kept\n", st.ns, st.id);
		n->busy++;
		goto out;
	}
	printf("%s %s (container %s)\n", dry_run ? "would remove" : "removed ", st.ns, st.id);
	n->removed++;
	if (dry_run)
		goto out;
	if (ph_aa_ns_remove(env, st.ns, err) < 0 || ph_state_remove(dirfd, st.ns, err) < 0)
		goto out_err;
	goto out;
out_err:
	ret = -1;
out:
	ph_container_state_release(&st);
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
	if (ph_state_open(ctx->config.state_dir, &dirfd, err) < 0)
		return ph_error_wrap(err, "gc");
	char **names = NULL;
	if (ph_state_list(dirfd, &names, err) < 0)
		return ph_error_wrap(err, "gc");
	struct gc_counts n = {0, 0, 0};
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
	printf("%d %s, %d kept (container alive), %d busy\n", n.removed,
	       dry_run ? "to remove" : "removed", n.kept, n.busy);
	fflush(stdout);
	return ret;
}
