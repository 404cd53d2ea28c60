/* phoenix create | run | restore: confine a new container.
 *
 *   1. read the bundle's config.json and choose the profile
 *   2. create the container's policy namespace, load the profile into it
 *   3. rewrite process.apparmorProfile to the in-namespace name
 *   4. fork; the child writes `exec :<ns>:unconfined` and execs the runtime
 *   5. on failure, or when `run` has finished, reap the namespace again
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "confine.h"
#include "caps.h"
#include "gpu.h"
#include "hook.h"
#include "init_pid.h"
#include "log.h"
#include "reap.h"
#include "seccomp_default.h"
#include "seccomp_validate.h"
#include "spec.h"
#include "timing.h"

static int annotation(const struct ph_config *conf, struct ph_spec *spec, const char *key,
		      const char **value, ph_error_t *err)
{
	*value = NULL;
	if (!ph_config_annotation_allowed(conf, key))
		return 0;
	char full[128];
	snprintf(full, sizeof(full), PH_ANNOTATION_PREFIX "%s", key);
	return ph_spec_get_annotation(spec, full, value, err) < 0 ? -1 : 0;
}

static int choose(struct ph_context *ctx, struct ph_spec *spec, struct ph_profile_choice *choice,
		  ph_error_t *err)
{
	const char *requested = NULL, *annotated = NULL, *gpu_annotation = NULL;
	if (ph_spec_get_apparmor_profile(spec, &requested, err) < 0)
		return -1;
	if (annotation(&ctx->config, spec, "profile", &annotated, err) < 0 ||
	    annotation(&ctx->config, spec, "gpu", &gpu_annotation, err) < 0)
		return -1;
	bool gpu = false;
	if (ph_spec_wants_gpu(spec, gpu_annotation, &gpu, err) < 0)
		return -1;
	if (ph_profile_choose(&ctx->config, requested, annotated, gpu, choice, err) < 0)
		return -1;
	ph_debug("profile: requested `%s`, chosen `%s`%s%s", requested ? requested : "",
		 choice->name, gpu ? " (GPU devices)" : "", choice->complain ? " (complain)" : "");
	return 0;
}

/* Privileges that would undo the confinement, and a seccomp section the
 * runtime would only reject deep inside container init (caps.c,
 * seccomp_validate.c). */
static int harden(struct ph_context *ctx, struct ph_spec *spec, const char **caps_annotation,
		  ph_error_t *err)
{
	*caps_annotation = NULL;
	if (ph_spec_get_annotation(spec, PH_CAPS_ANNOTATION, caps_annotation, err) < 0)
		return -1;
	struct ph_caps_report report;
	if (ph_caps_apply(&ctx->config, spec, *caps_annotation, &report, err) < 0)
		return -1;
	bool inserted = false;
	if (ctx->config.seccomp_default && ph_seccomp_insert_default(spec, &inserted, err) < 0)
		return -1;
	if (inserted)
		ph_debug("no linux.seccomp in the spec: phoenix's default filter inserted");
	if (ctx->config.seccomp_validate && ph_seccomp_validate(spec, err) < 0)
		return -1;
	return 0;
}

/* The container's record (state.h); its strings are borrowed. */
static struct ph_container_state record_of(struct ph_context *ctx, struct ph_confinement *c,
					   const struct ph_profile_choice *choice,
					   const char *bundle, const char *caps_annotation)
{
	struct ph_container_state st = {
	    .id = (char *)c->id,
	    .root = (char *)c->root,
	    .ns = c->ns,
	    .profile = choice->name,
	    .transition = (char *)(c->stack ? "stack" : "exec"),
	    .bundle = (char *)bundle,
	    .runtime = ctx->runtime.path,
	    .caps = (char *)caps_annotation,
	    .created = (long long)time(NULL),
	};
	return st;
}

/* Keep the init pid of a created container in its record, so that `start`
 * can verify it without running the runtime (init_pid.h).  Best effort:
 * without it, start asks the runtime. */
static int save_init_pid(struct ph_confinement *c, struct ph_container_state *record,
			 const char *pid_file, ph_error_t *err)
{
	pid_t pid = 0;
	unsigned long long start = 0;
	if (ph_pid_file_read(pid_file, &pid, err) < 0 || pid <= 0)
		return -1;
	if (ph_pid_start_time(c->env.proc, pid, &start, err) < 0 || start == 0)
		return -1;
	record->init_pid = pid;
	record->init_start = start;
	if (ph_state_save(c->state_dirfd, record, err) < 0)
		return -1;
	ph_debug("init of %s: pid %d (start time %llu)", c->id, (int)pid, start);
	return 0;
}

static void record_init_pid(struct ph_confinement *c, struct ph_container_state *record,
			    const char *pid_file)
{
	cleanup_error ph_error_t err = NULL;
	if (save_init_pid(c, record, pid_file, &err) < 0 && err != NULL)
		ph_debug("init pid of %s not recorded: %s", c->id, err->msg);
}

/* The runtime's command line.  When the caller passed no --pid-file and
 * phoenix will need the init pid (start's label check, or run --detach's
 * own), phoenix asks the runtime for one in its state directory
 * (<stateDir>/<ns>.pid, removed with the record): knowing the pid saves a
 * `<runtime> state` later.  Then *argv is a new vector (free it, not its
 * strings) and *pid_file that pid file; else both stay NULL: the caller's
 * command line and --pid-file are used as they are. */
static int runtime_argv(struct ph_context *ctx, const struct ph_confinement *c, char ***argv,
			char **pid_file, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	*argv = NULL;
	*pid_file = NULL;
	bool wanted = ctx->config.verify && (cli->command == PH_CMD_CREATE ||
					     (cli->command == PH_CMD_RUN && cli->detach));
	if (cli->pid_file != NULL || !wanted || cli->command_index <= 0)
		return 0;
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/%s.pid", ctx->config.state_dir, c->ns) < 0) {
		path = NULL;
		return ph_error_make(err, ENOMEM, "pid file path");
	}
	char **v = calloc((size_t)cli->argc + 3, sizeof(char *));
	if (v == NULL)
		return ph_error_make(err, ENOMEM, "runtime command line");
	int n = 0;
	for (int i = 0; i < cli->argc; i++) {
		v[n++] = cli->argv[i];
		if (i == cli->command_index) {
			v[n++] = (char *)"--pid-file";
			v[n++] = path;
		}
	}
	v[n] = NULL;
	*argv = v;
	*pid_file = ph_steal(path);
	return 0;
}

static int verify_started(struct ph_context *ctx, struct ph_confinement *c,
			  const struct ph_profile_choice *choice, const char *pid_file,
			  ph_error_t *err)
{
	pid_t pid = 0;
	bool exists = false;
	/* the runtime wrote the pid file before it returned: no need to ask it */
	if (pid_file && ph_pid_file_read(pid_file, &pid, err) < 0)
		return -1;
	if (pid > 0)
		return ph_confine_verify_pid(c, pid, choice->name, choice->complain, err);
	if (ph_runtime_container_pid(&ctx->runtime, c->root, c->id, &pid, &exists, err) < 0)
		return -1;
	if (!exists || pid <= 0)
		return 0; /* already gone: nothing ran unconfined for long */
	return ph_confine_verify_pid(c, pid, choice->name, choice->complain, err);
}

/* A record of this name for another id (their namespace names collide)
 * is that container's: refused, never replaced; a record of this id is
 * stale when the runtime no longer knows the container. */
static int refuse_existing(struct ph_context *ctx, struct ph_confinement *c, ph_error_t *err)
{
	cleanup_state struct ph_container_state old = {0};
	bool found = false;
	if (ph_state_load_of(c->state_dirfd, c->ns, c->id, c->root, &old, &found, err) < 0)
		return -1;
	if (!found)
		return 0;
	pid_t pid;
	bool exists = false;
	if (ph_runtime_container_pid(&ctx->runtime, c->root, c->id, &pid, &exists, err) < 0)
		return -1;
	if (exists)
		return ph_error_make(err, EEXIST, "container `%s` already exists", c->id);
	ph_debug("stale record of %s found: replaced", c->id);
	return 0;
}

/* The spec the runtime reads: the profile's in-namespace name, phoenix's
 * poststop hook. */
static int rewrite_spec(struct ph_context *ctx, struct ph_confinement *c, struct ph_spec *spec,
			const struct ph_profile_choice *choice, ph_error_t *err)
{
	if (ph_spec_set_apparmor_profile(spec, choice->name, err) < 0)
		return -1;
	if (ctx->config.poststop_hook && ph_hook_inject(ctx, spec, c->root, err) < 0)
		return -1;
	if (ph_spec_save(spec, err) < 0)
		return -1;
	ph_timing_mark("rewrite");
	return 0;
}

/* Reap after the runtime ran, keeping its exit status: a failure is logged,
 * not returned. */
static void reap_after_runtime(struct ph_confinement *c)
{
	cleanup_error ph_error_t rerr = NULL;
	if (ph_confine_reap(c, &rerr) < 0)
		ph_log_error(rerr);
}

/* create, run, restore once the id and the bundle are open: every error
 * is wrapped by ph_cmd_create.  *handover: AppArmor is off, exec the
 * runtime with the caller's command line. */
static int create(struct ph_context *ctx, const char *bundle, int bundle_fd, bool *handover,
		  ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	cleanup_spec struct ph_spec *spec = NULL;
	cleanup_choice struct ph_profile_choice choice = {0};
	cleanup_confinement struct ph_confinement c = PH_CONFINEMENT_INIT;

	/* the spec first: a bad one is reported as such on any machine */
	if (ph_spec_load(bundle_fd, "config.json", "config.json", &spec, err) < 0)
		return -1;
	ph_timing_mark("parse");
	const char *caps_annotation = NULL;
	if (choose(ctx, spec, &choice, err) < 0 || harden(ctx, spec, &caps_annotation, err) < 0)
		return -1;
	ph_timing_mark("choose");
	const char *root = ph_cli_effective_root(cli, ctx->runtime.path);
	if (ph_confine_prepare(&ctx->config, &ctx->runtime, root, cli->id, true, &c, err) < 0)
		return -1;
	if (c.apparmor_off) {
		/* no AppArmor, by the operator's choice: the capability and
		 * seccomp hardening still applies */
		*handover = true;
		return ph_spec_save(spec, err);
	}
	if (refuse_existing(ctx, &c, err) < 0)
		return -1;

	/* from here on, a failure takes down what this command made */
	cleanup_rollback struct ph_confinement *undo = &c;
	struct ph_container_state record = record_of(ctx, &c, &choice, bundle, caps_annotation);
	if (ph_confine_save_record(&c, &record, err) < 0)
		return -1;
	if (ph_confine_setup(&c, &choice, err) < 0 || rewrite_spec(ctx, &c, spec, &choice, err) < 0)
		return -1;

	cleanup_free char **own_argv = NULL;
	cleanup_free char *own_pid_file = NULL;
	if (runtime_argv(ctx, &c, &own_argv, &own_pid_file, err) < 0)
		return -1;
	const char *pid_file = own_pid_file ? own_pid_file : cli->pid_file;
	if (ph_confine_enter_prepare(&c, err) < 0)
		return -1;
	ph_timing_mark("plan");
	/* the runtime must read the bundle phoenix rewrote */
	ph_child_plan_bundle(&c.child, bundle_fd, bundle);
	int rstatus = 0;
	if (ph_runtime_run(&ctx->runtime, own_argv ? own_argv : cli->argv, &c.child, &rstatus,
			   err) < 0)
		return -1;
	ph_timing_mark("runtime");

	/* `run` without --detach returns when the container has exited;
	 * runc deleted it unless --keep */
	bool finished_run = cli->command == PH_CMD_RUN && !cli->detach;
	if (rstatus != 0 || (finished_run && !cli->keep)) {
		if (rstatus != 0)
			ph_debug("%s exited with status %d: reaping %s", ctx->runtime.name, rstatus,
				 c.ns);
		ph_disarm(undo);
		reap_after_runtime(&c);
		return rstatus;
	}
	if (cli->command == PH_CMD_CREATE && ctx->config.verify && pid_file) {
		record_init_pid(&c, &record, pid_file);
		ph_timing_mark("init-pid");
	}
	if (!finished_run && cli->command != PH_CMD_CREATE && ctx->config.verify) {
		if (verify_started(ctx, &c, &choice, pid_file, err) < 0)
			return ph_kill_unverified(&ctx->runtime, c.root, cli->id, 0,
						  PH_KILL_CONTAINER_DELETE, err);
		ph_timing_mark("verify");
	}
	ph_disarm(undo);
	return 0;
}

int ph_cmd_create(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	const char *cmd = cli->command_name;
	if (ph_validate_id(cli->id, err) < 0)
		return ph_error_wrap(err, "%s", cmd);

	const char *bundle = cli->bundle && *cli->bundle ? cli->bundle : ".";
	cleanup_close int bundle_fd = open(bundle, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (bundle_fd < 0)
		return ph_error_make(err, errno, "%s %s: open bundle `%s`", cmd, cli->id, bundle);
	bool handover = false;
	int status = create(ctx, bundle, bundle_fd, &handover, err);
	if (status < 0)
		return ph_error_wrap(err, "%s %s", cmd, cli->id);
	if (handover)
		return ph_runtime_exec(&ctx->runtime, cli->argv, err);
	return status;
}
