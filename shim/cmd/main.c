/* phoenix: an OCI runtime shim that confines each container in an AppArmor
 * policy namespace of its own.
 *
 * main() reads runc's command line, hands every command phoenix does not
 * change to the real runtime with execve(2) (same argv but argv[0], same
 * environment, descriptors and cwd), and dispatches the others to one
 * function each (create.c, exec.c, start.c, delete.c, …).  Failures are
 * reported once, in runc's --log format. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "runtime.h"
#include "timing.h"

/* The container lifecycle, whose steps the --debug trace times (timing.h). */
static bool lifecycle_command(enum ph_command cmd)
{
	return cmd == PH_CMD_CREATE || cmd == PH_CMD_RUN || cmd == PH_CMD_RESTORE ||
	       cmd == PH_CMD_EXEC || cmd == PH_CMD_START || cmd == PH_CMD_DELETE;
}

static int dispatch(struct ph_context *ctx, ph_error_t *err)
{
	struct ph_cli *cli = &ctx->cli;
	if (cli->command == PH_CMD_NONE && cli->version)
		return ph_cmd_version(ctx, err);
	enum ph_command cmd = cli->command_help ? PH_CMD_UNKNOWN : cli->command;
	if (lifecycle_command(cmd)) {
		ph_timing_command(cli->command_name);
		ph_timing_mark("startup");
	}
	switch (cmd) {
	case PH_CMD_CREATE:
	case PH_CMD_RUN:
	case PH_CMD_RESTORE:
		return ph_cmd_create(ctx, err);
	case PH_CMD_EXEC:
		return ph_cmd_exec(ctx, err);
	case PH_CMD_START:
		return ph_cmd_start(ctx, err);
	case PH_CMD_DELETE:
		return ph_cmd_delete(ctx, err);
	case PH_CMD_FEATURES:
		return ph_cmd_features(ctx, err);
	case PH_CMD_CHECK:
		return ph_cmd_check(ctx, err);
	case PH_CMD_GC:
		return ph_cmd_gc(ctx, err);
	case PH_CMD_HOOK:
		return ph_cmd_hook(ctx, err);
	case PH_CMD_DENIALS:
		return ph_cmd_denials(ctx, err);
	case PH_CMD_LEARN:
		return ph_cmd_learn(ctx, err);
	default:
		/* pass-through: never returns on success */
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	}
}

/* The exit status of phoenix's own failure of a command, as runc has it:
 * fatal() exits 1, but exec exits 255 once its arguments are read
 * (exec.go: fatalWithCode(…, 255)), so that a caller can tell a failed
 * exec from the status of the process it ran.  crun exits 1 for its own
 * exec failures too. */
static int failure_status(const struct ph_context *ctx)
{
	if (ctx->cli.command == PH_CMD_EXEC && !ctx->cli.command_help && !ctx->runtime.is_crun)
		return 255;
	return 1;
}

int main(int argc, char **argv)
{
	struct ph_context ctx;
	ph_error_t err = NULL;
	int status = 1;

	ph_timing_begin();
	memset(&ctx, 0, sizeof(ctx));
	/* a command line runc would not take (urfave's "Incorrect Usage", or
	 * checkArgs) fails with 1, for exec too */
	if (ph_cli_parse(argc, argv, &ctx.cli, &err) < 0) {
		ph_log_setup(&ctx.cli); /* whatever --log was read before the error */
		goto usage;
	}
	ph_log_setup(&ctx.cli);
	if (ph_cli_check_args(&ctx.cli, &err) < 0)
		goto usage;
	if (ph_config_load(&ctx.config, &err) < 0)
		goto fail;
	if (ctx.config.debug)
		ph_log_enable_debug();
	if (ph_runtime_find(ctx.config.runtime, &ctx.runtime, &err) < 0)
		goto fail;
	status = dispatch(&ctx, &err);
	ph_timing_end();
	if (status >= 0)
		goto out;
fail:
	status = failure_status(&ctx);
	goto report;
usage:
	status = 1;
report:
	ph_log_error(err);
	ph_error_free(&err);
out:
	ph_runtime_release(&ctx.runtime);
	ph_config_release(&ctx.config);
	ph_cli_release(&ctx.cli);
	return status;
}
