/* phoenix exec: a new process in an existing container enters the same
 * namespace with the same profile.
 *
 * Docker sets process.apparmorProfile on every `docker exec` (to the
 * container's profile as Docker knows it, e.g. docker-default), so the
 * --process file is rewritten to the name phoenix chose at create.  A
 * request for a different profile is refused: an exec must not leave the
 * container's confinement. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "caps.h"
#include "commands.h"
#include "confine.h"
#include "init_pid.h"
#include "log.h"
#include "spec.h"
#include "timing.h"

/* The profile an exec request maps to must be the container's. */
static int check_request(struct ph_context *ctx, const struct ph_container_state *st,
			 const char *requested, const char *what, ph_error_t *err)
{
	if (requested == NULL || strcmp(requested, st->profile) == 0)
		return 0;
	struct ph_profile_choice choice;
	if (ph_profile_choose(&ctx->config, requested, NULL, false, &choice, err) < 0)
		return ph_error_wrap(err, "%s", what);
	bool same = strcmp(choice.name, st->profile) == 0 ||
		    (ph_profile_is_default_alias(requested) &&
		     (strcmp(st->profile, ctx->config.default_profile) == 0 ||
		      strcmp(st->profile, ctx->config.gpu_profile) == 0));
	ph_profile_choice_release(&choice);
	if (!same)
		return ph_error_make(
		    err, EPERM,
		    "%s asks for profile `%s`, but container `%s` runs under `%s`: "
		    "an exec cannot change the container's profile",
		    what, requested, st->id, st->profile);
	return 0;
}

static int rewrite_process_file(struct ph_context *ctx, const struct ph_container_state *st,
				struct ph_spec *proc, ph_error_t *err)
{
	const char *requested = NULL;
	if (ph_spec_get_apparmor_profile(proc, &requested, err) < 0)
		return -1;
	if (check_request(ctx, st, requested, ctx->cli.process, err) < 0)
		return -1;
	if (requested == NULL || strcmp(requested, st->profile) != 0)
		if (ph_spec_set_apparmor_profile(proc, st->profile, err) < 0)
			return -1;
	return ph_spec_save(proc, err);
}

static int verify_exec_pid(struct ph_context *ctx, struct ph_confinement *c,
			   const struct ph_container_state *st, const char *pid_file,
			   ph_error_t *err)
{
	pid_t pid = 0;
	if (ph_pid_file_read(pid_file, &pid, err) < 0)
		return -1;
	if (pid <= 0)
		return 0; /* the runtime failed to start it */
	bool complain = ph_config_complain(&ctx->config, st->profile);
	if (ph_confine_verify_pid(c, pid, st->profile, complain, err) < 0) {
		kill(pid, SIGKILL);
		return ph_error_wrap(err, "confinement check failed, process killed");
	}
	return 0;
}

/* `exec --cap CAP_X` adds a capability to the process: the MAC ones are
 * refused unless the container's rule keeps them (the argument vector is
 * never rewritten, so "drop" cannot be honoured by removing them). */
static int check_cap_options(struct ph_context *ctx, const struct ph_container_state *st,
			     ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	enum ph_cap_policy policy = ctx->config.mac_caps;
	if (st->caps && ph_config_annotation_allowed(&ctx->config, "capabilities") &&
	    ph_caps_policy_parse(st->caps, &policy, err) < 0)
		return -1;
	if (policy == PH_CAP_KEEP)
		return 0;
	int end = cli->first_arg_index ? cli->first_arg_index : cli->argc;
	for (int i = cli->command_index + 1; i < end; i++) {
		const char *a = cli->argv[i], *v = NULL;
		if (strcmp(a, "--cap") == 0 || strcmp(a, "-cap") == 0 || strcmp(a, "-c") == 0)
			v = i + 1 < end ? cli->argv[i + 1] : NULL;
		else if (strncmp(a, "--cap=", 6) == 0 || strncmp(a, "-cap=", 5) == 0 ||
			 strncmp(a, "-c=", 3) == 0)
			v = strchr(a, '=') + 1;
		if (v &&
		    (strcasecmp(v, "CAP_MAC_ADMIN") == 0 || strcasecmp(v, "CAP_MAC_OVERRIDE") == 0))
			return ph_error_make(
			    err, EPERM,
			    "--cap %s: the MAC capabilities are not given to "
			    "processes of container `%s` (macCapabilities is \"%s\")",
			    v, st->id, ph_caps_policy_name(policy));
	}
	return 0;
}

int ph_cmd_exec(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	if (ph_validate_id(cli->id, err) < 0)
		return ph_error_wrap(err, "exec");
	struct ph_confinement c;
	struct ph_container_state st = {0};
	cleanup_spec struct ph_spec *proc = NULL;
	int status = -1;
	memset(&c, 0, sizeof(c));
	c.lockfd = c.state_dirfd = -1;
	/* the process file first: a bad one is reported as such anywhere */
	if (cli->process) {
		const char *requested = NULL;
		if (ph_spec_load_process(cli->process, &proc, err) < 0 ||
		    ph_spec_get_apparmor_profile(proc, &requested, err) < 0)
			goto fail;
	}
	if (ph_confine_prepare(ctx, cli->id, true, &c, err) < 0)
		goto fail;
	if (c.apparmor_off) {
		ph_confine_release(&c);
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	}
	bool found = false;
	if (ph_state_load(c.state_dirfd, c.ns, &st, &found, err) < 0)
		goto fail;
	ph_timing_mark("record");
	if (!found) {
		ph_error_make(err, ENOENT,
			      "container `%s` was not created through phoenix (no record in %s): "
			      "phoenix does not exec into a container it did not confine",
			      cli->id, ctx->config.state_dir);
		goto fail;
	}
	c.stack = strcmp(st.transition, "stack") == 0;
	if (cli->apparmor && check_request(ctx, &st, cli->apparmor, "--apparmor", err) < 0)
		goto fail;
	if (check_cap_options(ctx, &st, err) < 0)
		goto fail;
	if (proc) {
		/* the exec'd process keeps the container's capability rule */
		struct ph_caps_report report;
		if (ph_caps_apply(&ctx->config, proc, st.caps, &report, err) < 0)
			goto fail;
	}
	if (proc && rewrite_process_file(ctx, &st, proc, err) < 0)
		goto fail;
	ph_timing_mark("rewrite");
	bool verify = ctx->config.verify && cli->detach && cli->pid_file;
	/* the lock is close-on-exec: the runtime does not hold it */
	if (!verify) {
		if (ph_confine_enter(&c, err) < 0)
			goto fail;
		ph_runtime_exec(&ctx->runtime, cli->argv, err);
		goto fail;
	}
	if (ph_confine_enter_prepare(&c, err) < 0)
		goto fail;
	ph_timing_mark("plan");
	struct ph_before_exec before = {ph_confine_enter_apply, ph_confine_enter_explain, &c};
	int rstatus = 0;
	if (ph_runtime_run(&ctx->runtime, cli->argv, &before, &rstatus, err) < 0)
		goto fail;
	ph_timing_mark("runtime");
	if (rstatus == 0 && verify_exec_pid(ctx, &c, &st, cli->pid_file, err) < 0)
		goto fail;
	ph_timing_mark("verify");
	status = rstatus;
	goto out;
fail:
	ph_error_wrap(err, "exec %s", cli->id ? cli->id : "");
	status = -1;
out:
	ph_container_state_release(&st);
	ph_confine_release(&c);
	return status;
}
