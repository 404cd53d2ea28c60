/* phoenix hook poststop: the OCI poststop hook phoenix adds to a
 * container's config.json when the config's `poststopHook` is on, so that
 * the container's policy namespace is reaped even when `phoenix delete` is
 * never called (a runtime driven directly, a lost delete).
 *
 * The runtime runs poststop hooks after the container is destroyed
 * (runtime-spec config.md "Poststop") and passes the container's state on
 * stdin.  When `phoenix delete` itself is running, it holds the
 * container's lock and reaps after the runtime: the hook then does nothing
 * (waiting for the lock would deadlock, since delete waits for the
 * runtime, which waits for the hook). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aa_env.h"
#include "aa_names.h"
#include "commands.h"
#include "confine.h"
#include "file.h"
#include "json.h"
#include "log.h"
#include "reap.h"
#include "spec.h"
#include "state.h"

#define HOOK_STATE_MAX (1024 * 1024)

static int read_stdin(char **buf, size_t *len, ph_error_t *err)
{
	size_t cap = 4096;
	*len = 0;
	*buf = malloc(cap);
	if (*buf == NULL)
		return ph_error_make(err, ENOMEM, "read container state");
	for (;;) {
		if (*len + 1 >= cap) {
			if (cap >= HOOK_STATE_MAX)
				return ph_error_make(err, EFBIG,
						     "container state on stdin is larger "
						     "than 1 MiB");
			char *n = realloc(*buf, cap *= 2);
			if (n == NULL)
				return ph_error_make(err, ENOMEM, "read container state");
			*buf = n;
		}
		ssize_t r = read(STDIN_FILENO, *buf + *len, cap - *len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ph_error_make(err, errno, "read container state from stdin");
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	(*buf)[*len] = '\0';
	return 0;
}

static int poststop(struct ph_context *ctx, ph_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (read_stdin(&buf, &len, err) < 0)
		return -1;
	cleanup_json struct ph_json *state = NULL;
	if (ph_json_parse(buf, len, "container state", &state, err) < 0)
		return -1;
	const char *id = NULL;
	if (ph_json_get_string(state, "id", &id, err) < 0)
		return -1;
	if (ph_validate_id(id, err) < 0)
		return -1;
	const char *root = ph_cli_effective_root(&ctx->cli, ctx->runtime.path);
	char ns[PH_AA_NS_NAME_SIZE];
	if (ph_aa_ns_name(root, id, ns, sizeof(ns), err) < 0)
		return -1;
	cleanup_close int dirfd = -1;
	cleanup_close int lockfd = -1;
	if (ph_state_open(ctx->config.state_dir, &dirfd, err) < 0 ||
	    ph_state_trylock(dirfd, ns, &lockfd, err) < 0)
		return -1;
	if (lockfd < 0) {
		ph_debug("poststop %s: another phoenix command holds the lock and reaps", id);
		return 0;
	}
	struct ph_container_state st;
	bool found = false;
	if (ph_state_load_of(dirfd, ns, id, root, &st, &found, err) < 0)
		return -1;
	if (!found)
		return 0;
	ph_container_state_release(&st);
	struct ph_aa_env env;
	ph_aa_env_default(&env);
	/* the runtime has just killed the container's processes */
	struct ph_reap r = {
	    .env = &env, .ns = ns, .state_dirfd = dirfd, .wait_ms = PH_REAP_WAIT_MS};
	bool busy = false;
	if (ph_reap(&r, &busy, err) < 0)
		return -1;
	if (busy) {
		ph_warn("poststop %s: tasks still run in namespace %s: left for `phoenix gc`", id,
			ns);
		return 0;
	}
	ph_debug("poststop %s: namespace %s removed", id, ns);
	return 0;
}

int ph_cmd_hook(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	if (cli->id == NULL || strcmp(cli->id, "poststop") != 0 || cli->nargs != 1)
		return ph_error_make(err, EINVAL,
				     "usage: phoenix [--root DIR] hook poststop "
				     "(container state on stdin)");
	if (poststop(ctx, err) < 0)
		return ph_error_wrap(err, "hook poststop");
	return 0;
}

/* The hook entry create adds to config.json. */
int ph_hook_inject(struct ph_context *ctx, struct ph_spec *spec, const char *root, ph_error_t *err)
{
	cleanup_free char *self = NULL;
	const char *path = ctx->config.hook_path;
	if (path == NULL) {
		self = realpath("/proc/self/exe", NULL);
		if (self == NULL)
			return ph_error_make(err, errno,
					     "poststop hook: resolve phoenix's own path");
		path = self;
	}
	const char *args[] = {"phoenix", "--root", root, "hook", "poststop", NULL};
	cleanup_free char *config_env = NULL;
	const char *env[3] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			      NULL, NULL};
	const char *conf = getenv("PHOENIX_CONFIG");
	if (conf && *conf) {
		if (asprintf(&config_env, "PHOENIX_CONFIG=%s", conf) < 0)
			return ph_error_make(err, ENOMEM, "poststop hook");
		env[1] = config_env;
	}
	struct ph_spec_hook hook = {.path = path, .args = args, .env = env, .timeout = 30};
	if (ph_spec_append_hook(spec, "poststop", &hook, err) < 0)
		return ph_error_wrap(err, "add the poststop hook");
	return 0;
}
