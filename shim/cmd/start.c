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

int ph_cmd_start(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	if (ph_validate_id(cli->id, err) < 0)
		return ph_error_wrap(err, "start");
	if (!ctx->config.verify)
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	struct ph_confinement c;
	struct ph_container_state st = {0};
	int status = -1;
	if (ph_confine_prepare(ctx, cli->id, false, &c, err) < 0)
		goto fail;
	bool found = false;
	if (!c.apparmor_off &&
	    ph_state_load_of(c.state_dirfd, c.ns, cli->id, c.root, &st, &found, err) < 0)
		goto fail;
	ph_timing_mark("record");
	if (!found) {
		/* not a container phoenix confined: plain pass-through */
		ph_confine_release(&c);
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	}
	int rstatus = 0;
	if (ph_runtime_run(&ctx->runtime, cli->argv, NULL, &rstatus, err) < 0)
		goto fail;
	ph_timing_mark("runtime");
	if (rstatus != 0) {
		status = rstatus;
		goto out;
	}
	pid_t pid = 0;
	bool exists = false;
	if (recorded_init(&c, &st, &pid)) {
		exists = true;
	} else if (ph_runtime_container_pid(ctx, cli->id, &pid, &exists, err) < 0) {
		goto fail;
	}
	if (exists && pid > 0 &&
	    ph_confine_verify_pid(&c, pid, st.profile, ph_config_complain(&ctx->config, st.profile),
				  err) < 0) {
		ph_kill_unverified(&ctx->runtime, c.root, cli->id, pid, PH_KILL_CONTAINER, err);
		goto fail;
	}
	ph_timing_mark("verify");
	status = 0;
	goto out;
fail:
	ph_error_wrap(err, "start %s", cli->id ? cli->id : "");
	status = -1;
out:
	ph_container_state_release(&st);
	ph_confine_release(&c);
	return status;
}
