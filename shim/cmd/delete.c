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

int ph_cmd_delete(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	if (ph_validate_id(cli->id, err) < 0)
		return ph_error_wrap(err, "delete");
	struct ph_confinement c;
	int status = -1;
	if (ph_confine_prepare(ctx, cli->id, false, &c, err) < 0)
		goto fail;
	if (c.apparmor_off) {
		ph_confine_release(&c);
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	}
	int rstatus = 0;
	if (ph_runtime_run(&ctx->runtime, cli->argv, NULL, &rstatus, err) < 0)
		goto fail;
	ph_timing_mark("runtime");
	if (rstatus != 0) {
		/* reap only what the runtime no longer knows */
		pid_t pid;
		bool exists = true;
		if (ph_runtime_container_pid(ctx, cli->id, &pid, &exists, err) < 0)
			goto fail;
		if (exists) {
			status = rstatus;
			goto out;
		}
	}
	if (ph_confine_reap(&c, err) < 0)
		goto fail;
	status = rstatus;
	goto out;
fail:
	ph_error_wrap(err, "delete %s", cli->id ? cli->id : "");
	status = -1;
out:
	ph_confine_release(&c);
	return status;
}
