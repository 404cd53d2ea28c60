/* phoenix exec: a new process in an existing container enters the same
 * namespace with the same profile.
 *
 * Docker sets process.apparmorProfile on every `docker exec` (to the
 * container's profile as Docker knows it, e.g. docker-default), so the
 * --process document is rewritten to the name phoenix chose at create.  A
 * request for a different profile is refused: an exec must not leave the
 * container's confinement.
 *
 * The --process file is read once, whatever it is: a regular file, a pipe
 * (bash's `-p <(…)` is /dev/fd/63) or /dev/stdin, through symbolic links
 * as the runtime opens it (runc: os.Open), since phoenix writes nothing
 * there; a device or a directory is refused before it is opened.  The
 * document phoenix checked and rewrote reaches the runtime as phoenix's
 * own copy: a sealed memfd (no write, grow or shrink, sealed for good),
 * inherited at a descriptor above the caller's preserved ones and named
 * /proc/self/fd/N in place of every --process value.  So the runtime
 * reads exactly what was checked (the caller's file may change after the
 * check, a pipe can be read only once), nothing is written next to the
 * caller's file, and nothing is left behind: the copy goes with the last
 * descriptor.  runc reads the file before it starts `runc init` and marks
 * every descriptor but stdio and the preserved ones close-on-exec first
 * (libcontainer/container_linux.go: CloseExecFrom(3)), so the copy does
 * not reach the container. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "commands.h"
#include "confine.h"
#include "file.h"
#include "init_pid.h"
#include "json.h"
#include "log.h"
#include "profile_choice.h"
#include "reap.h"
#include "spec.h"
#include "timing.h"

/* The profile an exec request maps to must be the container's. */
static int check_request(struct ph_context *ctx, const struct ph_container_state *st,
			 const char *requested, const char *what, ph_error_t *err)
{
	if (requested == NULL || strcmp(requested, st->profile) == 0)
		return 0;
	cleanup_choice struct ph_profile_choice choice = {0};
	if (ph_profile_choose(&ctx->config, requested, NULL, false, &choice, err) < 0)
		return ph_error_wrap(err, "%s", what);
	bool same = strcmp(choice.name, st->profile) == 0 ||
		    (ph_profile_is_default_alias(requested) &&
		     (strcmp(st->profile, ctx->config.default_profile) == 0 ||
		      strcmp(st->profile, ctx->config.gpu_profile) == 0));
	if (!same)
		return ph_error_make(
		    err, EPERM,
		    "%s asks for profile `%s`, but container `%s` runs under `%s`: "
		    "an exec cannot change the container's profile",
		    what, requested, st->id, st->profile);
	return 0;
}

static int rewrite_profile(struct ph_context *ctx, const struct ph_container_state *st,
			   struct ph_spec *proc, ph_error_t *err)
{
	const char *requested = NULL;
	if (ph_spec_get_apparmor_profile(proc, &requested, err) < 0)
		return -1;
	if (check_request(ctx, st, requested, ctx->cli.process, err) < 0)
		return -1;
	if (requested == NULL || strcmp(requested, st->profile) != 0)
		return ph_spec_set_apparmor_profile(proc, st->profile, err);
	return 0;
}

/* Read all of fd, at most PH_SPEC_MAX_SIZE bytes. */
static int read_bounded(int fd, const char *path, char **out, size_t *out_len, ph_error_t *err)
{
	size_t cap = 4096, len = 0;
	cleanup_free char *buf = malloc(cap);
	if (buf == NULL)
		return ph_error_make(err, ENOMEM, "read `%s`", path);
	for (;;) {
		if (len + 1 == cap) {
			if (cap > PH_SPEC_MAX_SIZE)
				return ph_error_make(err, EFBIG,
						     "`%s` is larger than the limit of %u bytes",
						     path, PH_SPEC_MAX_SIZE);
			char *p = realloc(buf, cap * 2);
			if (p == NULL)
				return ph_error_make(err, ENOMEM, "read `%s`", path);
			buf = p;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ph_error_make(err, errno, "read `%s`", path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > PH_SPEC_MAX_SIZE)
			return ph_error_make(err, EFBIG,
					     "`%s` is larger than the limit of %u bytes", path,
					     PH_SPEC_MAX_SIZE);
	}
	buf[len] = '\0';
	*out = ph_steal(buf);
	*out_len = len;
	return 0;
}

static bool process_file_type(mode_t mode)
{
	return S_ISREG(mode) || S_ISFIFO(mode);
}

/* The --process document, read once (see the top of this file). */
static int read_process_file(const char *path, struct ph_spec **out, ph_error_t *err)
{
	struct stat st;
	*out = NULL;
	if (stat(path, &st) < 0)
		return ph_error_make(err, errno, "open `%s`", path);
	if (!process_file_type(st.st_mode))
		return ph_error_make(err, EINVAL, "`%s` is not a regular file or a pipe", path);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ph_error_make(err, errno, "open `%s`", path);
	if (fstat(fd, &st) < 0)
		return ph_error_make(err, errno, "stat `%s`", path);
	if (!process_file_type(st.st_mode))
		return ph_error_make(err, EINVAL, "`%s` is not a regular file or a pipe", path);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (read_bounded(fd, path, &buf, &len, err) < 0)
		return -1;
	return ph_spec_parse(buf, len, path, true, out, err);
}

/* The runtime's command line with the checked document in place of every
 * --process value (runc takes the last; all are replaced). */
struct handover {
	int fd;	      /* the memfd, at its inherited number; -1 */
	char **argv;  /* the runtime's command line: the caller's, or in `words` */
	char **words; /* the words phoenix made (freed with it) */
	int nwords;
};

#define HANDOVER_INIT(cli)                                                                         \
	{                                                                                          \
		-1, (cli)->argv, NULL, 0                                                           \
	}

static void handover_release(struct handover *h)
{
	if (h->fd >= 0)
		close(h->fd);
	for (int i = 0; i < h->nwords; i++)
		free(h->words[i]);
	free(h->words);
	h->fd = -1;
	h->words = NULL;
	h->nwords = 0;
}
#define cleanup_handover __attribute__((cleanup(handover_release)))

/* The sealed copy, at a descriptor the runtime inherits (not
 * close-on-exec) above the ones it passes on with --preserve-fds
 * (3 … 2+N: utils_linux.go), so that it never becomes one of them. */
static int sealed_copy(const struct ph_spec *proc, int min_fd, int *out, ph_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (ph_json_serialize(proc->root, &text, &len, err) < 0)
		return -1;
	cleanup_close int fd =
	    memfd_create("phoenix-process.json", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return ph_error_make(err, errno, "memfd_create");
	if (ph_file_write_all(fd, text, len) < 0)
		return ph_error_make(err, errno, "write the process document");
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return ph_error_make(err, errno, "seal the process document");
	*out = fcntl(fd, F_DUPFD, min_fd);
	if (*out < 0)
		return ph_error_make(err, errno, "descriptor %d or above for the process document",
				     min_fd);
	return 0;
}

static int hand_over(const struct ph_cli *cli, const struct ph_spec *proc, struct handover *h,
		     ph_error_t *err)
{
	h->fd = -1;
	h->argv = cli->argv;
	h->words = NULL;
	h->nwords = 0;
	if (proc == NULL)
		return 0;
	if (sealed_copy(proc, 3 + cli->preserve_fds, &h->fd, err) < 0)
		return ph_error_wrap(err, "%s", proc->origin);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", h->fd);
	h->words = calloc((size_t)cli->argc + (size_t)cli->nprocess + 1, sizeof(char *));
	if (h->words == NULL)
		return ph_error_make(err, ENOMEM, "runtime command line");
	char **argv = h->words + cli->nprocess; /* the words first, then the vector */
	memcpy(argv, cli->argv, (size_t)cli->argc * sizeof(char *));
	argv[cli->argc] = NULL;
	for (int i = 0; i < cli->nprocess; i++) {
		const struct ph_cli_value *v = &cli->process_at[i];
		char *word = NULL;
		if (asprintf(&word, "%.*s%s", v->offset, cli->argv[v->index], path) < 0)
			return ph_error_make(err, ENOMEM, "runtime command line");
		h->words[h->nwords++] = word;
		argv[v->index] = word;
	}
	h->argv = argv;
	return 0;
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
	bool complain = ph_profile_complain(&ctx->config, st->profile);
	if (ph_confine_verify_pid(c, pid, st->profile, complain, err) < 0)
		return ph_kill_unverified(&ctx->runtime, c->root, c->id, pid, PH_KILL_PROCESS, err);
	return 0;
}

/* One `exec --cap` value, read as both runtimes read it: runc takes the
 * runtime-spec name ("CAP_MAC_ADMIN") and ignores any other word, crun
 * asks libcap's cap_from_name(), which also takes any case, a number
 * ("33") and a known name followed by more text.  As in a process
 * document (caps.c), the value must be the runtime-spec name of a
 * capability libcap knows; *cap is that capability. */
static int check_cap_value(const char *v, cap_value_t *cap, ph_error_t *err)
{
	if (cap_from_name(v, cap) == 0) {
		char *name = cap_to_name(*cap);
		bool canonical =
		    name != NULL && strncmp(name, "cap_", 4) == 0 && strcasecmp(name, v) == 0;
		char upper[64] = "";
		for (size_t i = 0; canonical && name[i] && i < sizeof(upper) - 1; i++)
			upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A'
									   : name[i]);
		cap_free(name);
		if (canonical && strcmp(upper, v) == 0)
			return 0;
		if (canonical)
			return ph_error_make(err, EINVAL,
					     "--cap %s: capability must be written `%s`", v, upper);
	}
	return ph_error_make(err, EINVAL, "--cap %s: unknown capability", v);
}

/* `exec --cap CAP_X` adds a capability to the process (runc: every --cap
 * and -c value, in order): the MAC ones are refused unless the
 * container's rule keeps them (the command line is not rewritten, so
 * "drop" cannot be honoured by removing them). */
static int check_cap_options(const struct ph_context *ctx, enum ph_cap_policy policy,
			     const char *id, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	for (int i = 0; i < cli->ncaps; i++) {
		cap_value_t cap;
		if (check_cap_value(cli->caps[i], &cap, err) < 0)
			return -1;
		if (policy != PH_CAP_KEEP && (cap == CAP_MAC_ADMIN || cap == CAP_MAC_OVERRIDE))
			return ph_error_make(
			    err, EPERM,
			    "--cap %s: the MAC capabilities are not given to "
			    "processes of container `%s` (macCapabilities is \"%s\")",
			    cli->caps[i], id, ph_caps_policy_name(policy));
	}
	return 0;
}

/* The container's capability rule, for the --cap values and the process
 * document alike: macCapabilities, or the container's allowed
 * org.phoenix.capabilities annotation (`annotation`, from its record;
 * NULL without one). */
static int apply_caps_rule(struct ph_context *ctx, const char *annotation, struct ph_spec *proc,
			   ph_error_t *err)
{
	enum ph_cap_policy policy = ctx->config.mac_caps;
	if (annotation && ph_config_annotation_allowed(&ctx->config, "capabilities") &&
	    ph_caps_policy_parse(annotation, &policy, err) < 0)
		return -1;
	if (check_cap_options(ctx, policy, ctx->cli.id, err) < 0)
		return -1;
	struct ph_caps_report report;
	if (proc && ph_caps_apply(&ctx->config, proc, annotation, &report, err) < 0)
		return -1;
	return 0;
}

/* Without AppArmor (requireApparmor false) there is no namespace and no
 * record, but the capability rule is about the nested container, not
 * about AppArmor: it applies all the same, by macCapabilities (the
 * container's annotation is in no record). */
static int exec_without_apparmor(struct ph_context *ctx, struct ph_confinement *c,
				 struct ph_spec *proc, ph_error_t *err)
{
	ph_confine_release(c);
	if (apply_caps_rule(ctx, NULL, proc, err) < 0)
		return -1;
	cleanup_handover struct handover h = HANDOVER_INIT(&ctx->cli);
	if (hand_over(&ctx->cli, proc, &h, err) < 0)
		return -1;
	return ph_runtime_exec(&ctx->runtime, h.argv, err);
}

/* The runtime runs as phoenix's child only when phoenix checks the new
 * process's label after it returns (exec --detach --pid-file); else
 * phoenix writes the transition itself and becomes the runtime (the lock
 * is close-on-exec: the runtime does not hold it). */
static int run_runtime(struct ph_context *ctx, struct ph_confinement *c,
		       const struct ph_container_state *st, char **argv, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	if (!(ctx->config.verify && cli->detach && cli->pid_file)) {
		if (ph_confine_enter(c, err) < 0)
			return -1;
		return ph_runtime_exec(&ctx->runtime, argv, err);
	}
	if (ph_confine_enter_prepare(c, err) < 0)
		return -1;
	ph_timing_mark("plan");
	int rstatus = 0;
	if (ph_runtime_run(&ctx->runtime, argv, &c->child, &rstatus, err) < 0)
		return -1;
	ph_timing_mark("runtime");
	if (rstatus == 0 && verify_exec_pid(ctx, c, st, cli->pid_file, err) < 0)
		return -1;
	ph_timing_mark("verify");
	return rstatus;
}

/* exec once the id is valid: every error is wrapped by ph_cmd_exec. */
static int exec_process(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	cleanup_spec struct ph_spec *proc = NULL;
	/* the process file first: a bad one is reported as such anywhere */
	if (cli->process) {
		const char *requested = NULL;
		if (read_process_file(cli->process, &proc, err) < 0 ||
		    ph_spec_get_apparmor_profile(proc, &requested, err) < 0)
			return -1;
	}
	cleanup_confinement struct ph_confinement c = PH_CONFINEMENT_INIT;
	const char *root = ph_cli_effective_root(cli, ctx->runtime.path);
	if (ph_confine_prepare(&ctx->config, &ctx->runtime, root, cli->id, true, &c, err) < 0)
		return -1;
	if (c.apparmor_off)
		return exec_without_apparmor(ctx, &c, proc, err);
	cleanup_state struct ph_container_state st = {0};
	bool found = false;
	if (ph_state_load(c.state_dirfd, c.ns, &st, &found, err) < 0)
		return -1;
	ph_timing_mark("record");
	if (!found)
		return ph_error_make(
		    err, ENOENT,
		    "container `%s` was not created through phoenix (no record in "
		    "%s): phoenix does not exec into a container it did not confine",
		    cli->id, ctx->config.state_dir);
	c.stack = strcmp(st.transition, "stack") == 0;
	if (cli->apparmor && check_request(ctx, &st, cli->apparmor, "--apparmor", err) < 0)
		return -1;
	/* the exec'd process keeps the container's capability rule */
	if (apply_caps_rule(ctx, st.caps, proc, err) < 0)
		return -1;
	if (proc && rewrite_profile(ctx, &st, proc, err) < 0)
		return -1;
	cleanup_handover struct handover h = HANDOVER_INIT(cli);
	if (hand_over(cli, proc, &h, err) < 0)
		return -1;
	ph_timing_mark("rewrite");
	return run_runtime(ctx, &c, &st, h.argv, err);
}

int ph_cmd_exec(struct ph_context *ctx, ph_error_t *err)
{
	const struct ph_cli *cli = &ctx->cli;
	if (ph_validate_id(cli->id, err) < 0)
		return ph_error_wrap(err, "exec");
	int status = exec_process(ctx, err);
	if (status < 0)
		return ph_error_wrap(err, "exec %s", cli->id);
	return status;
}
