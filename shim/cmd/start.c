/* phoenix start: the runtime starts the container's process, then phoenix
 * reads the label that process really carries and fails closed — kills
 * the container — when it is not the one planned at create. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "confine.h"
#include "init_pid.h"
#include "log.h"
#include "profile_choice.h"
#include "reap.h"
#include "timing.h"

/* The init pid create recorded, when that process is still the same one
 * (its start time matches: the pid was not reused). */
static bool recorded_init(struct ph_confinement *c, const struct ph_container_state *st, pid_t *pid)
{
	if (st->init_pid <= 0 || st->init_start == 0)
		return false;
	unsigned long long start = 0;
	ph_error_t err = NULL;
	if (ph_pid_start_time(c->env.proc, (pid_t)st->init_pid, &start, &err) < 0) {
		ph_error_free(&err);
		return false;
	}
	if (start != st->init_start)
		return false;
	*pid = (pid_t)st->init_pid;
	ph_debug("init of %s from the record: pid %d", st->id, (int)*pid);
	return true;
}

/* The container's init: from the record when it is still that process,
 * else as the runtime knows it (*exists false when it does not). */
static int init_pid(struct ph_context *ctx, struct ph_confinement *c,
		    const struct ph_container_state *st, pid_t *pid, bool *exists, ph_error_t *err)
{
	*exists = recorded_init(c, st, pid);
	if (*exists)
		return 0;
	return ph_runtime_container_pid(&ctx->runtime, c->root, c->id, pid, exists, err);
}

/* start once the id is valid: every error is wrapped by ph_cmd_start.
 * *handover: not a container phoenix confined, plain pass-through. */
static int start(struct ph_context *ctx, bool *handover, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	cleanup_confinement struct ph_confinement c = PH_CONFINEMENT_INIT;
	const char *root = ph_cli_effective_root(cli, ctx->runtime.path);
	if (ph_confine_prepare(&ctx->config, &ctx->runtime, root, cli->id, false, &c, err) < 0)
		return -1;
	cleanup_state struct ph_container_state st = {0};
	bool found = false;
	if (!c.apparmor_off &&
	    ph_state_load_of(c.state_dirfd, c.ns, cli->id, c.root, &st, &found, err) < 0)
		return -1;
	ph_timing_mark("record");
	if (!found) {
		*handover = true;
		return 0;
	}
	int rstatus = 0;
	if (ph_runtime_run(&ctx->runtime, cli->argv, NULL, &rstatus, err) < 0)
		return -1;
	ph_timing_mark("runtime");
	if (rstatus != 0)
		return rstatus;
	pid_t pid = 0;
	bool exists = false;
	if (init_pid(ctx, &c, &st, &pid, &exists, err) < 0)
		return -1;
	bool complain = ph_profile_complain(&ctx->config, st.profile);
	if (exists && pid > 0 && ph_confine_verify_pid(&c, pid, st.profile, complain, err) < 0)
		return ph_kill_unverified(&ctx->runtime, c.root, cli->id, pid, PH_KILL_CONTAINER,
					  err);
	ph_timing_mark("verify");
	return 0;
}

int ph_cmd_start(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	if (ph_validate_id(cli->id, err) < 0)
		return ph_error_wrap(err, "start");
	if (!ctx->config.verify)
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	bool handover = false;
	int status = start(ctx, &handover, err);
	if (status < 0)
		return ph_error_wrap(err, "start %s", cli->id);
	if (handover)
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	return status;
}
