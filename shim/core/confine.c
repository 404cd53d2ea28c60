/* phoenix: confining one container (see confine.h). */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aa_attr.h"
#include "aa_cache.h"
#include "aa_names.h"
#include "aa_ns.h"
#include "aa_onexec.h"
#include "aa_policy.h"
#include "init_pid.h"
#include "json.h"
#include "log.h"
#include "reap.h"
#include "timing.h"

int ph_validate_id(const char *id, ph_error_t *err)
{
	if (id == NULL || *id == '\0')
		return ph_error_make(err, EINVAL, "container id is missing");
	size_t len = strlen(id);
	if (len > PH_ID_MAX)
		return ph_error_make(err, EINVAL,
				     "container id is %zu bytes long: at most %d allowed", len,
				     PH_ID_MAX);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return ph_error_make(err, EINVAL, "invalid container id `%s`", id);
	for (const char *p = id; *p; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' || ch == '-' ||
			  ch == '.';
		if (!ok)
			return ph_error_make(
			    err, EINVAL,
			    "invalid container id: byte 0x%02x at offset %zu (allowed: "
			    "letters, digits, `_`, `+`, `-`, `.`)",
			    (unsigned char)ch, (size_t)(p - id));
	}
	return 0;
}

/* Why AppArmor cannot be used here, or NULL when it can. */
static const char *unusable_reason(const struct ph_aa_probe *p)
{
	if (!p->enabled)
		return "AppArmor is not enabled in this kernel (boot with `apparmor=1 "
		       "security=apparmor`, or `lsm=…,apparmor`)";
	if (p->apparmorfs == NULL)
		return "securityfs is not mounted: mount -t securityfs securityfs "
		       "/sys/kernel/security";
	return NULL;
}

/* Which transition this caller needs (see README "The transition"). */
static int choose_transition(struct ph_context *ctx, struct ph_confinement *c, ph_error_t *err)
{
	const struct ph_config *conf = &ctx->config;
	switch (conf->transition) {
	case PH_TRANSITION_EXEC:
		c->stack = false;
		return 0;
	case PH_TRANSITION_STACK:
		c->stack = true;
		return 0;
	case PH_TRANSITION_AUTO:
	default:
		break;
	}
	switch (c->probe.caller_kind) {
	case PH_CALLER_ROOT_UNCONFINED:
	case PH_CALLER_OWN_NS:
		/* Only the members in the caller's namespace are replaced
		 * (security/apparmor/domain.c: aa_change_profile), so an
		 * enclosing host profile stays on the stack. */
		c->stack = false;
		return 0;
	case PH_CALLER_NO_APPARMOR:
	case PH_CALLER_UNKNOWN:
		return ph_error_make(
		    err, EACCES,
		    "cannot read this process's own AppArmor label (%s%s%s): phoenix "
		    "cannot tell which transition would keep the caller's "
		    "confinement",
		    c->probe.apparmorfs ? c->probe.apparmorfs : "no apparmorfs",
		    c->probe.label_error ? ": " : "",
		    c->probe.label_error ? c->probe.label_error : "");
	case PH_CALLER_CONFINED_ROOT:
	default:
		if (!conf->allow_root_ns_stack)
			return ph_error_make(
			    err, EPERM,
			    "the caller is confined by `%s` in the root policy namespace: "
			    "phoenix would have to stack under it, which needs `capability "
			    "mac_admin` in a root-namespace profile and lets containers load "
			    "policy into the host's root namespace. Run this container in a "
			    "policy namespace of its own instead (lxc.apparmor.profile = "
			    "<profile>//&:<ns>:unconfined, see hooks/phoenix-lxc-config), or set "
			    "`allowRootNamespaceStack` in %s to accept that risk",
			    c->probe.label ? c->probe.label : "?",
			    conf->path ? conf->path : PH_CONFIG_DEFAULT_PATH);
		ph_warn("stacking under root-namespace profile `%s` (allowRootNamespaceStack): "
			"this container's host can load policy into the root namespace",
			c->probe.label ? c->probe.label : "?");
		c->stack = true;
		return 0;
	}
}

int ph_confine_prepare(struct ph_context *ctx, const char *id, bool confining,
		       struct ph_confinement *c, ph_error_t *err)
{
	memset(c, 0, sizeof(*c));
	c->state_dirfd = -1;
	c->lockfd = -1;
	c->id = id;
	c->root = ph_cli_effective_root(&ctx->cli, ctx->runtime.path);
	c->runtime_path = ctx->runtime.path;
	ph_aa_env_default(&c->env);
	/* start and delete find, verify and remove; only create and exec
	 * need the caller's label and the kernel's features */
	if ((confining ? ph_aa_probe : ph_aa_probe_basic)(&c->env, &c->probe, err) < 0)
		return ph_error_wrap(err, "probe AppArmor");
	c->probed = true;
	ph_timing_mark("probe");
	/* found once: later steps need not look for it again */
	c->env.securityfs = c->probe.securityfs;
	const char *why = unusable_reason(&c->probe);
	if (why && !confining) {
		c->apparmor_off = true;
		return 0;
	}
	if (why) {
		if (ctx->config.require_apparmor)
			return ph_error_make(err, ENOTSUP,
					     "cannot confine container `%s`: %s (to run containers "
					     "without AppArmor, set `requireApparmor` to false)",
					     id, why);
		enum ph_command cmd = ctx->cli.command;
		if (cmd == PH_CMD_CREATE || cmd == PH_CMD_RUN || cmd == PH_CMD_RESTORE ||
		    cmd == PH_CMD_EXEC)
			ph_warn("container `%s` runs WITHOUT AppArmor confinement: %s "
				"(requireApparmor is false)",
				id, why);
		c->apparmor_off = true;
		return 0;
	}
	if (ctx->runtime.is_crun && !c->probe.enabled)
		return ph_error_make(err, ENOTSUP,
				     "crun skips AppArmor when "
				     "/sys/module/apparmor/parameters/enabled is not Y");
	if (confining && choose_transition(ctx, c, err) < 0)
		return -1;
	if (ph_aa_ns_name(c->root, id, c->ns, sizeof(c->ns), err) < 0)
		return -1;
	snprintf(c->target, sizeof(c->target), ":%s:unconfined", c->ns);
	if (ph_state_open(ctx->config.state_dir, &c->state_dirfd, err) < 0)
		return -1;
	if (ph_state_lock(c->state_dirfd, c->ns, &c->lockfd, err) < 0)
		return -1;
	ph_timing_mark("lock");
	if (confining)
		ph_debug("container %s: namespace %s, transition `%s %s`, caller `%s`", id, c->ns,
			 c->stack ? "stack" : "exec", c->target,
			 c->probe.label ? c->probe.label : "?");
	else
		ph_debug("container %s: namespace %s", id, c->ns);
	return 0;
}

void ph_confine_release(struct ph_confinement *c)
{
	if (c->probed)
		ph_aa_probe_release(&c->probe);
	if (c->lockfd >= 0)
		close(c->lockfd);
	if (c->state_dirfd >= 0)
		close(c->state_dirfd);
	c->probed = false;
	c->lockfd = c->state_dirfd = -1;
}

/* Inside a user namespace (an unprivileged LXC container) the
 * per-namespace .replace files are root-owned 0640 and refused by plain
 * file permissions, while the top-level .replace (0666) acts on the
 * caller's own namespace: a policy compiled for `:<ns>:` loaded there
 * creates the child namespace and its profile in one write. */
static bool use_toplevel(const struct ph_confinement *c, const ph_error_t e)
{
	return c->probe.in_userns && e && (e->status == EACCES || e->status == EPERM);
}

static int load_profile(struct ph_context *ctx, struct ph_confinement *c, const char *name,
			bool toplevel, bool complain, ph_error_t *err)
{
	const struct ph_config *conf = &ctx->config;
	const char *dir = ph_config_profile_dir(conf, name);
	if (dir == NULL)
		return ph_error_make(err, ENOENT,
				     "profile `%s` not found in %s or %s (put the profile file, "
				     "named after the profile, in %s)",
				     name, conf->local_profiles_dir, conf->profiles_dir,
				     conf->local_profiles_dir);
	bool hit = false;
	if (ph_aa_policy_load_profile(&c->env, conf->cache_dir, conf->parser, dir, name, c->ns,
				      toplevel, complain, &hit, err) < 0)
		return ph_error_wrap(err, "load into namespace `%s`", c->ns);
	ph_timing_mark("load"); /* the time: the trace's timing record */
	ph_debug("profile %s%s loaded into %s%s (compiled policy: cache %s)", name,
		 complain ? " (complain)" : "", c->ns,
		 toplevel ? " through the top-level .replace" : "", hit ? "hit" : "miss");
	return 0;
}

int ph_confine_setup(struct ph_context *ctx, struct ph_confinement *c,
		     const struct ph_profile_choice *choice, ph_error_t *err)
{
	ph_error_t cerr = NULL;
	if (ph_aa_ns_create(&c->env, c->ns, &cerr) < 0) {
		if (use_toplevel(c, cerr)) {
			ph_debug("mkdir refused in a user namespace (%s): loading through the "
				 "top-level interface",
				 cerr->msg);
			ph_error_free(&cerr);
			c->toplevel = true;
			c->ns_created = true;
			/* the load creates the namespace; an unconfined
			 * container still needs one, so load the default */
			return load_profile(
			    ctx, c, choice->unconfined ? ctx->config.default_profile : choice->name,
			    true, choice->complain, err);
		}
		if (cerr->status != EEXIST) {
			ph_error_move(err, &cerr);
			return ph_error_wrap(err, "create policy namespace `%s`", c->ns);
		}
		ph_error_free(&cerr);
		/* Left behind by a phoenix killed mid-create or a lost
		 * delete: reuse it only when nothing runs in it. */
		bool busy = false;
		if (ph_aa_ns_has_tasks(&c->env, c->ns, &busy, err) < 0)
			return -1;
		if (busy)
			return ph_error_make(
			    err, EEXIST,
			    "policy namespace `%s` of container `%s` already exists "
			    "and tasks run in it: is the container already created?",
			    c->ns, c->id);
		ph_debug("reusing leftover namespace %s", c->ns);
	}
	c->ns_created = true;
	ph_timing_mark("namespace");
	if (choice->unconfined)
		return 0;
	return load_profile(ctx, c, choice->name, false, choice->complain, err);
}

int ph_confine_enter_prepare(struct ph_confinement *c, ph_error_t *err)
{
	ph_aa_onexec_init(&c->onexec);
	if (c->apparmor_off)
		return 0;
	if (ph_aa_onexec_plan_probed(&c->env, &c->probe, c->target, c->stack, &c->onexec, err) < 0)
		return ph_error_wrap(err, "enter policy namespace `%s`", c->ns);
	ph_debug("container %s: transition `%s` through %s%s%s", c->id, c->onexec.cmd,
		 ph_aa_onexec_interface(&c->onexec), c->probe.lsm.why_not ? ": " : "",
		 c->probe.lsm.why_not ? c->probe.lsm.why_not : "");
	return 0;
}

int ph_confine_enter_apply(void *confinement, int *errnum)
{
	const struct ph_confinement *c = confinement;
	return (int)ph_aa_onexec_apply(&c->onexec, errnum);
}

int ph_confine_enter_explain(void *confinement, int step, int errnum, ph_error_t *err)
{
	const struct ph_confinement *c = confinement;
	ph_aa_onexec_explain(&c->onexec, (enum ph_aa_onexec_step)step, errnum, err);
	if (step == PH_AA_ONEXEC_EXEC_OPEN || step == PH_AA_ONEXEC_EXEC_WRITE ||
	    step == PH_AA_ONEXEC_EXEC_SYSCALL)
		return ph_error_wrap(err, "enter policy namespace `%s`", c->ns);
	return -1;
}

int ph_confine_enter(struct ph_confinement *c, ph_error_t *err)
{
	if (ph_confine_enter_prepare(c, err) < 0)
		return -1;
	int errnum = 0;
	int step = ph_confine_enter_apply(c, &errnum);
	return step == 0 ? 0 : ph_confine_enter_explain(c, step, errnum, err);
}

/* The namespace is this container's, not that of another id whose
 * namespace name is the same (state.h): never reap another's. */
static int check_owner(struct ph_confinement *c, ph_error_t *err)
{
	struct ph_container_state st;
	bool found = false;
	if (c->state_dirfd < 0)
		return 0;
	if (ph_state_load_of(c->state_dirfd, c->ns, c->id, c->root, &st, &found, err) < 0)
		return ph_error_wrap(err, "namespace `%s` left in place", c->ns);
	if (found)
		ph_container_state_release(&st);
	return 0;
}

int ph_confine_reap(struct ph_confinement *c, ph_error_t *err)
{
	if (c->apparmor_off)
		return 0;
	if (check_owner(c, err) < 0)
		return -1;
	struct ph_reap r = {
	    .env = &c->env, .ns = c->ns, .state_dirfd = c->state_dirfd, .wait_ms = PH_REAP_WAIT_MS};
	bool busy = false;
	if (ph_reap(&r, &busy, err) < 0)
		return -1;
	if (busy)
		return ph_error_make(err, EBUSY,
				     "policy namespace `%s` still has tasks: left in place "
				     "(`phoenix gc` removes it once they are gone)",
				     c->ns);
	c->ns_created = false;
	ph_timing_mark("reap");
	ph_debug("namespace %s removed", c->ns);
	return 0;
}

/* A label as read is one or more members joined by "//&"; each member is
 * "profile", ":ns:profile" or ":ns//child:profile" depending on the
 * reader's namespace (security/apparmor/label.c, aa_label_snxprint). */
static bool member_matches(const char *m, size_t len, const char *ns, const char *profile)
{
	char want[600];
	int n = snprintf(want, sizeof(want), "%s:%s", ns, profile);
	if (n < 0 || (size_t)n >= sizeof(want) || len < (size_t)n)
		return false;
	if (memcmp(m + len - n, want, (size_t)n) != 0)
		return false;
	const char *before = m + len - n;
	/* the namespace must be a whole component: ":ns:" or "//ns:" */
	return (before - m == 1 && m[0] == ':') ||
	       (before - m >= 3 && m[0] == ':' && before[-1] == '/' && before[-2] == '/');
}

bool ph_label_matches(const char *label, const char *mode, const char *ns, const char *profile,
		      bool complain)
{
	if (label == NULL)
		return false;
	bool found = false;
	const char *p = label;
	for (;;) {
		const char *sep = strstr(p, "//&");
		size_t len = sep ? (size_t)(sep - p) : strlen(p);
		if (member_matches(p, len, ns, profile))
			found = true;
		if (!sep)
			break;
		p = sep + 3;
	}
	if (!found)
		return false;
	if (strcmp(profile, "unconfined") == 0)
		return true;
	if (mode == NULL)
		return false;
	if (complain)
		return strcmp(mode, "complain") == 0 || strcmp(mode, "mixed") == 0;
	return strcmp(mode, "enforce") == 0;
}

/* How long the container's process may still run the runtime (its init,
 * before the execve that applies the profile), and how long it may carry
 * the transition's label when what it runs cannot be told or is already
 * the container's program (see ph_confine_verify_pid), in milliseconds. */
#define VERIFY_RUNTIME_MS 60000
#define VERIFY_SETTLE_MS 5000

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The label of `pid`; *gone when the process no longer exists. */
static int read_label(struct ph_confinement *c, pid_t pid, char **label, char **mode, bool *gone,
		      ph_error_t *err)
{
	*gone = false;
	if (ph_aa_current_label(&c->env, pid, label, mode, err) == 0)
		return 0;
	/* A short-lived process (`docker exec c true`) may be gone, and
	 * reaped by the runtime's shim, before its label can be read: it
	 * ran under the transition written before the runtime's exec, and
	 * there is nothing left to check or to kill. */
	if ((*err)->status == ENOENT || (*err)->status == ESRCH) {
		ph_error_free(err);
		*gone = true;
		return 0;
	}
	return ph_error_wrap(err, "read the label of process %d", (int)pid);
}

int ph_confine_verify_pid(struct ph_confinement *c, pid_t pid, const char *profile, bool complain,
			  ph_error_t *err)
{
	/* The runtime returns from `start` and `exec --detach` before its
	 * init process has exec'd the container's program: runc applies the
	 * profile by writing the exec attribute, and only the execve makes
	 * it the label (libcontainer's standard_init_linux.go and
	 * setns_init_linux.go).  Until then the process carries the
	 * namespace's unconfined, the label phoenix's transition gave the
	 * runtime: wait for the execve, a bounded time. */
	bool planned_unconfined = strcmp(profile, "unconfined") == 0;
	long long started = monotonic_ms();
	long long other_since = -1; /* first seen running something else */
	int announced = 0;
	for (;;) {
		/* exe before label: a process seen running the runtime and then
		 * carrying the transition's label had not exec'd at the first
		 * read.  The reverse order would misread an execve that came
		 * in between. */
		enum ph_init_exe exe = ph_pid_exe_kind(c->env.proc, pid, c->runtime_path);
		cleanup_free char *label = NULL;
		cleanup_free char *mode = NULL;
		bool gone = false;
		if (read_label(c, pid, &label, &mode, &gone, err) < 0)
			return -1;
		if (gone) {
			ph_debug("process %d exited before its label could be read", (int)pid);
			return 0;
		}
		if (ph_label_matches(label, mode, c->ns, profile, complain)) {
			ph_debug("process %d verified: %s (%s)", (int)pid, label,
				 mode ? mode : "-");
			return 0;
		}
		/* Still the runtime's init: wait as long as a loaded machine
		 * may take to reach the execve.  Running something else: the
		 * execve switches the mm before it commits the new creds
		 * (fs/exec.c begin_new_exec), so allow that short window too,
		 * bounded, as when what it runs cannot be read. */
		bool carries_transition = !planned_unconfined &&
					  ph_label_matches(label, mode, c->ns, "unconfined", false);
		long long now = monotonic_ms();
		if (exe != PH_INIT_EXE_RUNTIME && other_since < 0)
			other_since = now;
		bool may_wait = carries_transition &&
				(exe == PH_INIT_EXE_RUNTIME ? now - started < VERIFY_RUNTIME_MS
							    : now - other_since < VERIFY_SETTLE_MS);
		if (!may_wait && carries_transition && exe == PH_INIT_EXE_RUNTIME)
			return ph_error_make(
			    err, ETIMEDOUT,
			    "process %d still runs %s after %d s: the container's "
			    "program was not started, its profile `%s` not applied",
			    (int)pid, c->runtime_path, VERIFY_RUNTIME_MS / 1000, profile);
		if (!may_wait)
			return ph_error_make(err, EPERM,
					     "process %d carries `%s%s%s%s`, not profile `%s` of "
					     "namespace `%s`",
					     (int)pid, label, mode ? " (" : "", mode ? mode : "",
					     mode ? ")" : "", profile, c->ns);
		if (exe == PH_INIT_EXE_RUNTIME && !announced++)
			ph_debug("process %d still runs the runtime: waiting for its execve",
				 (int)pid);
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

int ph_runtime_container_pid(struct ph_context *ctx, const char *id, pid_t *pid, bool *exists,
			     ph_error_t *err)
{
	const char *root = ph_cli_effective_root(&ctx->cli, ctx->runtime.path);
	char *argv[] = {ctx->runtime.path, (char *)"--root", (char *)root,
			(char *)"state",   (char *)id,	     NULL};
	cleanup_free char *out = NULL;
	size_t len = 0;
	int status = 0;
	*pid = 0;
	*exists = false;
	if (ph_runtime_capture(&ctx->runtime, argv, &out, &len, &status, err) < 0)
		return ph_error_wrap(err, "%s state %s", ctx->runtime.name, id);
	if (status != 0 || out == NULL)
		return 0;
	cleanup_json struct ph_json *doc = NULL;
	if (ph_json_parse(out, len, "runtime state", &doc, err) < 0)
		return -1;
	uint64_t v = 0;
	int r = ph_json_get_uint64(doc, "pid", &v, err);
	if (r < 0)
		return -1;
	*exists = true;
	*pid = (pid_t)v;
	return 0;
}
