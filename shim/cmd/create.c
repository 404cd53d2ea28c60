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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "confine.h"
#include "caps.h"
#include "gpu.h"
#include "init_pid.h"
#include "log.h"
#include "reap.h"
#include "seccomp_default.h"
#include "seccomp_validate.h"
#include "spec.h"
#include "timing.h"

struct create_child {
	struct ph_confinement *confinement;
	int bundle_fd;
	const char *bundle_path;
};

/* In the runtime's child, right before execve (system calls only): the bundle
 * the runtime is about to read must still be the directory phoenix
 * rewrote; then the AppArmor writes. */
#define STEP_BUNDLE_REPLACED 100

static int before_runtime(void *data, int *errnum)
{
	struct create_child *cc = data;
	struct stat a, b;
	if (fstat(cc->bundle_fd, &a) < 0 || stat(cc->bundle_path, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		*errnum = ESTALE;
		return STEP_BUNDLE_REPLACED;
	}
	return ph_confine_enter_apply(cc->confinement, errnum);
}

static int explain_before_runtime(void *data, int step, int errnum, ph_error_t *err)
{
	struct create_child *cc = data;
	if (step == STEP_BUNDLE_REPLACED)
		return ph_error_make(err, errnum, "bundle `%s` was replaced during create",
				     cc->bundle_path);
	return ph_confine_enter_explain(cc->confinement, step, errnum, err);
}

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
static void record_init_pid(struct ph_confinement *c, struct ph_container_state *record,
			    const char *pid_file)
{
	ph_error_t err = NULL;
	pid_t pid = 0;
	unsigned long long start = 0;
	if (ph_pid_file_read(pid_file, &pid, &err) < 0 || pid <= 0 ||
	    ph_pid_start_time(c->env.proc, pid, &start, &err) < 0 || start == 0)
		goto out;
	record->init_pid = pid;
	record->init_start = start;
	if (ph_state_save(c->state_dirfd, record, &err) == 0)
		ph_debug("init of %s: pid %d (start time %llu)", c->id, (int)pid, start);
out:
	if (err != NULL) {
		ph_debug("init pid of %s not recorded: %s", c->id, err->msg);
		ph_error_free(&err);
	}
}

/* The runtime's command line.  When the caller passed no --pid-file and
 * phoenix will need the init pid (start's label check, or run --detach's
 * own), phoenix asks the runtime for one in its state directory
 * (<stateDir>/<ns>.pid, removed with the record): knowing the pid saves a
 * `<runtime> state` later.  *argv is cli->argv or a new vector (free it,
 * not its strings); *pid_file is the pid file to read, or NULL. */
static int runtime_argv(struct ph_context *ctx, const struct ph_confinement *c, char ***argv,
			const char **pid_file, char **own_pid_file, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	*argv = cli->argv;
	*pid_file = cli->pid_file;
	*own_pid_file = NULL;
	bool wanted = ctx->config.verify && (cli->command == PH_CMD_CREATE ||
					     (cli->command == PH_CMD_RUN && cli->detach));
	if (cli->pid_file != NULL || !wanted || cli->command_index <= 0)
		return 0;
	if (asprintf(own_pid_file, "%s/%s.pid", ctx->config.state_dir, c->ns) < 0) {
		*own_pid_file = NULL;
		return ph_error_make(err, ENOMEM, "pid file path");
	}
	char **v = calloc((size_t)cli->argc + 3, sizeof(char *));
	if (v == NULL) {
		free(*own_pid_file);
		*own_pid_file = NULL;
		return ph_error_make(err, ENOMEM, "runtime command line");
	}
	int n = 0;
	for (int i = 0; i < cli->argc; i++) {
		v[n++] = cli->argv[i];
		if (i == cli->command_index) {
			v[n++] = (char *)"--pid-file";
			v[n++] = *own_pid_file;
		}
	}
	v[n] = NULL;
	*argv = v;
	*pid_file = *own_pid_file;
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
	if (ph_runtime_container_pid(ctx, c->id, &pid, &exists, err) < 0)
		return -1;
	if (!exists || pid <= 0)
		return 0; /* already gone: nothing ran unconfined for long */
	return ph_confine_verify_pid(c, pid, choice->name, choice->complain, err);
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

	struct ph_confinement c;
	struct ph_profile_choice choice = {0};
	struct ph_spec *spec = NULL;
	char **runtime_args = NULL;
	const char *pid_file = NULL;
	char *own_pid_file = NULL;
	bool recorded = false;
	int status = -1;

	/* the spec first: a bad one is reported as such on any machine */
	memset(&c, 0, sizeof(c));
	c.lockfd = c.state_dirfd = -1;
	if (ph_spec_load(bundle_fd, "config.json", "config.json", &spec, err) < 0)
		goto fail;
	ph_timing_mark("parse");
	if (choose(ctx, spec, &choice, err) < 0)
		goto fail;
	const char *caps_annotation = NULL;
	if (harden(ctx, spec, &caps_annotation, err) < 0)
		goto fail;
	ph_timing_mark("choose");
	if (ph_confine_prepare(ctx, cli->id, true, &c, err) < 0)
		goto fail;
	if (c.apparmor_off) {
		/* no AppArmor, by the operator's choice: the capability and
		 * seccomp hardening still applies */
		int r = ph_spec_save(spec, err);
		ph_confine_release(&c);
		ph_profile_choice_release(&choice);
		ph_spec_free(spec);
		return r < 0 ? -1 : ph_runtime_exec(&ctx->runtime, cli->argv, err);
	}

	bool found = false;
	struct ph_container_state old;
	/* a record of this name for another id (their namespace names
	 * collide) is that container's: refused, never replaced */
	if (ph_state_load_of(c.state_dirfd, c.ns, cli->id, c.root, &old, &found, err) < 0)
		goto fail;
	if (found) {
		ph_container_state_release(&old);
		pid_t pid;
		bool exists = false;
		if (ph_runtime_container_pid(ctx, cli->id, &pid, &exists, err) < 0)
			goto fail;
		if (exists) {
			ph_error_make(err, EEXIST, "container `%s` already exists", cli->id);
			goto fail;
		}
		ph_debug("stale record of %s found: replaced", cli->id);
	}

	/* the record comes first, so that `phoenix gc` finds every namespace
	 * phoenix made, even when it is killed right after mkdir */
	struct ph_container_state record = record_of(ctx, &c, &choice, bundle, caps_annotation);
	if (ph_state_save(c.state_dirfd, &record, err) < 0)
		goto fail;
	recorded = true;
	ph_timing_mark("record");
	if (ph_confine_setup(ctx, &c, &choice, err) < 0)
		goto fail;
	if (ph_spec_set_apparmor_profile(spec, choice.name, err) < 0)
		goto fail;
	if (ctx->config.poststop_hook && ph_hook_inject(ctx, spec, c.root, err) < 0)
		goto fail;
	if (ph_spec_save(spec, err) < 0)
		goto fail;
	ph_timing_mark("rewrite");

	if (runtime_argv(ctx, &c, &runtime_args, &pid_file, &own_pid_file, err) < 0)
		goto fail;
	if (ph_confine_enter_prepare(&c, err) < 0)
		goto fail;
	ph_timing_mark("plan");
	struct create_child cc = {&c, bundle_fd, bundle};
	struct ph_before_exec before = {before_runtime, explain_before_runtime, &cc};
	int rstatus = 0;
	if (ph_runtime_run(&ctx->runtime, runtime_args, &before, &rstatus, err) < 0)
		goto fail;
	ph_timing_mark("runtime");
	if (rstatus != 0) {
		ph_debug("%s exited with status %d: reaping %s", ctx->runtime.name, rstatus, c.ns);
		goto reap_with_status;
	}
	bool finished_run = ctx->cli.command == PH_CMD_RUN && !cli->detach;
	if (finished_run) {
		/* `run` without --detach returns when the container has
		 * exited; runc deleted it unless --keep */
		if (cli->keep)
			goto done;
		goto reap_with_status;
	}
	if (ctx->cli.command == PH_CMD_CREATE && ctx->config.verify && pid_file) {
		record_init_pid(&c, &record, pid_file);
		ph_timing_mark("init-pid");
	}
	if (ctx->cli.command != PH_CMD_CREATE && ctx->config.verify &&
	    verify_started(ctx, &c, &choice, pid_file, err) < 0) {
		ph_kill_unverified(&ctx->runtime, c.root, cli->id, 0, PH_KILL_CONTAINER_DELETE,
				   err);
		goto fail;
	}
	if (ctx->cli.command != PH_CMD_CREATE && ctx->config.verify)
		ph_timing_mark("verify");
done:
	status = 0;
	goto out;
reap_with_status : {
	ph_error_t rerr = NULL;
	if (ph_confine_reap(&c, &rerr) < 0) {
		ph_log_error(rerr);
		ph_error_free(&rerr);
	}
	status = rstatus;
	goto out;
}
fail:
	if (c.ns_created || recorded) {
		ph_error_t rerr = NULL;
		if (ph_confine_reap(&c, &rerr) < 0) {
			ph_warn("after failure: %s", rerr->msg);
			ph_error_free(&rerr);
		}
	}
	ph_error_wrap(err, "%s %s", cmd, cli->id ? cli->id : "");
	status = -1;
out:
	if (runtime_args != cli->argv)
		free(runtime_args);
	free(own_pid_file);
	ph_confine_release(&c);
	ph_profile_choice_release(&choice);
	ph_spec_free(spec);
	return status;
}
