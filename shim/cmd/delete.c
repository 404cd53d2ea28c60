/* phoenix delete: the runtime deletes the container, then phoenix removes
 * its policy namespace and record.  Removing the namespace first would
 * send still-running tasks to unconfined, so it always comes after.
 * containerd-shim-runc-v2 calls delete twice (the second time for a
 * container already gone): reaping is idempotent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "confine.h"
#include "log.h"
#include "timing.h"

/* delete once the id is valid: every error is wrapped by ph_cmd_delete.
 * *handover: AppArmor is off, plain pass-through. */
static int delete (struct ph_context *ctx, bool *handover, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	cleanup_confinement struct ph_confinement c = PH_CONFINEMENT_INIT;
	const char *root = ph_cli_effective_root(cli, ctx->runtime.path);
	if (ph_confine_prepare(&ctx->config, &ctx->runtime, root, cli->id, false, &c, err) < 0)
		return -1;
	if (c.apparmor_off) {
		*handover = true;
		return 0;
	}
	int rstatus = 0;
	if (ph_runtime_run(&ctx->runtime, cli->argv, NULL, &rstatus, err) < 0)
		return -1;
	ph_timing_mark("runtime");
	if (rstatus != 0) {
		/* reap only what the runtime no longer knows */
		pid_t pid;
		bool exists = true;
		if (ph_runtime_container_pid(&ctx->runtime, c.root, cli->id, &pid, &exists, err) <
		    0)
			return -1;
		if (exists)
			return rstatus;
	}
	if (ph_confine_reap(&c, err) < 0)
		return -1;
	return rstatus;
}

int ph_cmd_delete(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	if (ph_validate_id(cli->id, err) < 0)
		return ph_error_wrap(err, "delete");
	bool handover = false;
	int status = delete (ctx, &handover, err);
	if (status < 0)
		return ph_error_wrap(err, "delete %s", cli->id);
	if (handover)
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	return status;
}
