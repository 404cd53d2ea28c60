/* phoenix check [--json]: can a container be confined here, and if not,
 * why and how to fix it.
 *
 * Every step phoenix needs is tried for real where that is safe: a scratch
 * policy namespace is created and removed, a trivial profile is compiled
 * and loaded into it, a child process writes the transition phoenix would
 * write (and exits without exec'ing, so the pending label is dropped).
 * Exit status 0 only when every required step works. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aa_attr.h"
#include "aa_label.h"
#include "aa_lsm.h"
#include "aa_onexec.h"
#include "aa_env.h"
#include "aa_ns.h"
#include "aa_policy.h"
#include "aa_probe.h"
#include "commands.h"
#include "confine.h"
#include "file.h"
#include "json.h"

enum outcome { OK, FAIL, WARN, SKIP };

struct step {
	const char *name;
	enum outcome outcome;
	char *detail; /* what was found */
	char *fix;    /* how to fix it, for FAIL and WARN */
};

struct report {
	struct step steps[32];
	int n;
	bool failed;
};

__attribute__((format(printf, 5, 6))) static void
add(struct report *r, const char *name, enum outcome o, const char *fix, const char *fmt, ...)
{
	if (r->n >= (int)(sizeof(r->steps) / sizeof(r->steps[0])))
		return;
	struct step *s = &r->steps[r->n++];
	s->name = name;
	s->outcome = o;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s->detail, fmt, ap) < 0)
		s->detail = NULL;
	va_end(ap);
	s->fix = fix ? strdup(fix) : NULL;
	if (o == FAIL)
		r->failed = true;
}

static void add_error(struct report *r, const char *name, ph_error_t *e, const char *fix)
{
	add(r, name, FAIL, fix, "%s", (*e) ? (*e)->msg : "failed");
	ph_error_free(e);
}

/* Which interface the transition goes through (aa_lsm.h), and why. */
static void check_exec_interface(struct report *r, const struct ph_aa_probe *p)
{
	if (p->lsm.iface == PH_AA_EXEC_SYSCALL) {
		add(r, "exec-interface", OK, NULL,
		    "lsm_set_self_attr(2) (LSM_ATTR_EXEC, LSM_ID_APPARMOR): AppArmor is listed by "
		    "lsm_list_modules(2) and answers");
		return;
	}
	char why[160];
	if (p->lsm.list_errno != 0)
		snprintf(why, sizeof(why), "%s: %s", p->lsm.why_not,
			 strerrorname_np(p->lsm.list_errno) ? strerrorname_np(p->lsm.list_errno)
							    : "?");
	else if (p->lsm.set_errno > 0 && p->lsm.apparmor_listed)
		snprintf(why, sizeof(why), "%s: %s", p->lsm.why_not,
			 strerrorname_np(p->lsm.set_errno) ? strerrorname_np(p->lsm.set_errno)
							   : "?");
	else
		snprintf(why, sizeof(why), "%s", p->lsm.why_not ? p->lsm.why_not : "?");
	add(r, "exec-interface", OK, NULL, "procfs (/proc/thread-self/%s/exec): %s",
	    p->attr_apparmor_dir ? "attr/apparmor" : "attr", why);
}

static void check_kernel(struct report *r, const struct ph_aa_probe *p)
{
	if (p->enabled)
		add(r, "apparmor-enabled", OK, NULL, "AppArmor is enabled in the kernel");
	else
		add(r, "apparmor-enabled", FAIL,
		    "boot a kernel with AppArmor (CONFIG_SECURITY_APPARMOR) and `apparmor=1 "
		    "security=apparmor` or `lsm=...,apparmor` on its command line",
		    "AppArmor is not enabled (/sys/module/apparmor/parameters/enabled is not Y)");
	if (p->securityfs)
		add(r, "securityfs", OK, NULL, "securityfs is mounted at %s", p->securityfs);
	else
		add(r, "securityfs", FAIL,
		    "mount -t securityfs securityfs /sys/kernel/security (inside an LXC container: "
		    "lxc.mount.entry = /sys/kernel/security sys/kernel/security none "
		    "rbind,optional 0 0; hooks/phoenix-lxc-config writes it)",
		    "securityfs is not mounted");
	if (p->enabled && p->securityfs && !p->apparmorfs)
		add(r, "apparmorfs", FAIL, "AppArmor must be enabled at boot",
		    "%s/apparmor is missing", p->securityfs);
	add(r, "attr-interface", p->attr_apparmor_dir ? OK : WARN,
	    p->attr_apparmor_dir ? NULL
				 : "Linux >= 5.8 has /proc/<pid>/attr/apparmor/; with the legacy "
				   "files another LSM listed first may own them",
	    "%s",
	    p->attr_apparmor_dir ? "/proc/self/attr/apparmor/ (Linux >= 5.8)"
				 : "legacy /proc/self/attr/ only");
	check_exec_interface(r, p);
	if (p->lsm_stacked && p->lsm.iface == PH_AA_EXEC_SYSCALL) {
		add(r, "display-lsm", OK, NULL,
		    "LSMs stacked (%s): lsm_set_self_attr(2) addresses AppArmor by its id, no "
		    "display LSM needed",
		    p->lsm_list);
	} else if (p->lsm_stacked) {
		if (p->display_attr)
			add(r, "display-lsm", OK, NULL,
			    "LSMs stacked (%s): display LSM set through %s", p->lsm_list,
			    p->display_attr);
		else
			add(r, "display-lsm", FAIL,
			    "a kernel with the LSM stacking patches (attr/display or "
			    "attr/interface_lsm) is needed to address AppArmor's attributes",
			    "LSMs stacked (%s) but no display-LSM interface", p->lsm_list);
	} else {
		add(r, "display-lsm", OK, NULL, "no other major LSM: nothing to set");
	}
}

static void check_caller(struct report *r, struct ph_context *ctx, const struct ph_aa_probe *p)
{
	add(r, "caller-label", p->label ? OK : WARN, NULL, "%s%s%s%s (%s, namespace level %d%s)",
	    p->label ? p->label : "(unreadable)", p->mode ? " (" : "", p->mode ? p->mode : "",
	    p->mode ? ")" : "", ph_aa_caller_kind_name(p->caller_kind), p->ns_level,
	    p->ns_stacked ? ", stacked" : "");
	if (p->caller_kind == PH_CALLER_CONFINED_ROOT) {
		if (ctx->config.allow_root_ns_stack)
			add(r, "transition-shape", WARN,
			    "run the container in a policy namespace of its own (see "
			    "hooks/phoenix-lxc-config)",
			    "confined by `%s` in the root namespace: allowRootNamespaceStack lets "
			    "phoenix stack, and this container can load policy into the root "
			    "namespace",
			    p->label);
		else
			add(r, "transition-shape", FAIL,
			    "run this container in a policy namespace of its own: "
			    "lxc.apparmor.profile = <profile>//&:<ns>:unconfined (see "
			    "hooks/phoenix-lxc-config); or accept the risk with "
			    "allowRootNamespaceStack",
			    "confined by `%s` in the root policy namespace: phoenix refuses to "
			    "stack there",
			    p->label);
	} else if (p->caller_kind == PH_CALLER_OWN_NS) {
		add(r, "transition-shape", OK, NULL,
		    "in a policy namespace of its own (level %d): `exec :<ns>:unconfined` keeps "
		    "the enclosing profiles on the stack",
		    p->ns_level);
	} else if (p->caller_kind == PH_CALLER_ROOT_UNCONFINED) {
		add(r, "transition-shape", OK, NULL, "unconfined in the root namespace");
	}
	add(r, "cap-mac-admin", p->cap_mac_admin ? OK : FAIL,
	    p->cap_mac_admin ? NULL
			     : "run phoenix as root with CAP_MAC_ADMIN (LXC: do not drop "
			       "mac_admin: lxc.cap.drop must not list it)",
	    "CAP_MAC_ADMIN %s", p->cap_mac_admin ? "present" : "missing from the effective set");
	if (p->lock_policy)
		add(r, "policy-lock", FAIL, "reboot without apparmor.lock_policy=1",
		    "policy is locked (lock_policy=Y): no policy can be loaded");
	if (p->in_userns && p->unprivileged_userns_policy == 0)
		add(r, "userns-policy", FAIL,
		    "sysctl -w kernel.unprivileged_userns_apparmor_policy=1 on the host",
		    "in a user namespace and unprivileged_userns_apparmor_policy is 0");
}

/* The child of check_transition: plan as create does, apply, and read the
 * pending label back where the system call set it.  Writes what it found
 * (the error, or the label read back) to `fd`; exits 0 when it worked. */
static _Noreturn void transition_child(int fd, const struct ph_aa_env *env,
				       const struct ph_aa_probe *p, const char *target, bool stack,
				       const char *ns)
{
	ph_error_t ce = NULL;
	struct ph_aa_onexec plan;
	ph_aa_onexec_init(&plan);
	int e = 0;
	enum ph_aa_onexec_step step = PH_AA_ONEXEC_OK;
	if (ph_aa_onexec_plan_probed(env, p, target, stack, &plan, &ce) < 0 ||
	    ((step = ph_aa_onexec_apply(&plan, &e)) != PH_AA_ONEXEC_OK &&
	     ph_aa_onexec_explain(&plan, step, e, &ce) < 0)) {
		dprintf(fd, "%s", ce->msg);
		_exit(1);
	}
	if (plan.iface != PH_AA_EXEC_SYSCALL)
		_exit(0);
	/* read back what the system call left pending for the next exec */
	cleanup_free char *text = NULL, *label = NULL, *mode = NULL;
	int r = ph_aa_lsm_get_self(PH_LSM_ATTR_EXEC, &text);
	if (r < 0) {
		dprintf(fd, "lsm_get_self_attr(LSM_ATTR_EXEC): %s", strerror(-r));
		_exit(1);
	}
	if (ph_aa_label_split(text, &label, &mode, &ce) < 0 ||
	    !ph_label_matches(label, mode, ns, "unconfined", false)) {
		dprintf(fd,
			"lsm_get_self_attr(LSM_ATTR_EXEC) reads `%s`, not the namespace's "
			"unconfined",
			text);
		_exit(1);
	}
	dprintf(fd, "%s", text);
	_exit(0);
}

/* The transition, written by a child that then exits without exec. */
static void check_transition(struct report *r, const struct ph_aa_env *env,
			     const struct ph_aa_probe *p, const char *ns)
{
	char target[128];
	snprintf(target, sizeof(target), ":%s:unconfined", ns);
	bool stack = p->caller_kind == PH_CALLER_CONFINED_ROOT;
	const char *verb = stack ? "stack" : "exec";
	const char *fix = stack ? "the caller's profile needs `change_profile -> &:phx-*:**`"
				: "the caller's profile needs `change_profile -> :phx-*:**`";
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return add(r, "transition", FAIL, NULL, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		transition_child(fds[1], env, p, target, stack, ns);
	}
	close(fds[1]);
	char msg[1024];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(msg) - 1 && ((n = read(fds[0], msg + len, sizeof(msg) - 1 - len)) > 0 ||
					 (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	msg[len] = '\0';
	close(fds[0]);
	int ws = 0;
	bool ok = pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
	if (!ok)
		add(r, "transition", FAIL, fix, "`%s %s` refused through %s: %s", verb, target,
		    ph_aa_exec_iface_name(p->lsm.iface), len ? msg : "the child failed");
	else if (p->lsm.iface == PH_AA_EXEC_SYSCALL)
		add(r, "transition", OK, NULL,
		    "`%s %s` accepted through lsm_set_self_attr(2), read back with "
		    "lsm_get_self_attr(2): `%s`",
		    verb, target, msg);
	else
		add(r, "transition", OK, NULL, "`%s %s` accepted through procfs", verb, target);
}

/* The real operations, on a scratch namespace. */
static void check_operations(struct report *r, struct ph_context *ctx, const struct ph_aa_env *env,
			     const struct ph_aa_probe *p)
{
	if (!p->apparmorfs)
		return;
	ph_error_t e = NULL;
	char ns[64];
	snprintf(ns, sizeof(ns), "phx-check-%d", (int)getpid());
	if (ph_aa_ns_create(env, ns, &e) < 0)
		return add_error(r, "namespace-create", &e,
				 "see the message; `phoenix check` runs as the container "
				 "engine does (root)");
	add(r, "namespace-create", OK, NULL, "scratch namespace %s created", ns);

	if (access(ctx->config.parser, X_OK) != 0) {
		add(r, "parser", FAIL, "apt-get install apparmor", "%s: %s", ctx->config.parser,
		    strerror(errno));
	} else {
		char dir[] = "/tmp/phoenix-check.XXXXXX";
		if (mkdtemp(dir) == NULL) {
			add(r, "profile-load", FAIL, NULL, "mkdtemp: %s", strerror(errno));
		} else {
			char src[128], out[128];
			snprintf(src, sizeof(src), "%s/phoenix-check", dir);
			snprintf(out, sizeof(out), "%s/phoenix-check.bin", dir);
			static const char text[] = "profile phoenix-check flags=(complain) {\n}\n";
			cleanup_free char *blob = NULL;
			size_t len = 0;
			int dfd = open(dir, O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0 ||
			    ph_file_write_atomic(dfd, "phoenix-check", text, sizeof(text) - 1, 0600,
						 &e) < 0 ||
			    ph_aa_policy_compile(ctx->config.parser, src, NULL, NULL, out, &e) <
				0) {
				add_error(r, "profile-compile", &e,
					  "check that apparmor_parser matches the kernel");
			} else if (ph_file_read(dfd, "phoenix-check.bin", 1 << 20, &blob, &len,
						&e) < 0 ||
				   ph_aa_policy_load_ns(env, ns, blob, len, &e) < 0) {
				add(r, "profile-compile", OK, NULL, "%s compiles",
				    ctx->config.parser);
				add_error(r, "profile-load", &e, NULL);
			} else {
				add(r, "profile-compile", OK, NULL, "%s compiles",
				    ctx->config.parser);
				add(r, "profile-load", OK, NULL, "a profile loads into %s", ns);
				if (ph_aa_policy_remove_ns(env, ns, "phoenix-check", &e) < 0)
					add_error(r, "profile-remove", &e, NULL);
			}
			if (dfd >= 0) {
				unlinkat(dfd, "phoenix-check", 0);
				unlinkat(dfd, "phoenix-check.bin", 0);
				close(dfd);
			}
			rmdir(dir);
		}
	}

	check_transition(r, env, p, ns);

	if (ph_aa_ns_remove(env, ns, &e) < 0)
		add_error(r, "namespace-remove", &e, NULL);
	else
		add(r, "namespace-remove", OK, NULL, "scratch namespace removed");
}

static void check_runtime(struct report *r, struct ph_context *ctx)
{
	char *argv[] = {ctx->runtime.path, (char *)"--version", NULL};
	cleanup_free char *out = NULL;
	size_t len = 0;
	int status = 0;
	ph_error_t e = NULL;
	if (ph_runtime_capture(&ctx->runtime, argv, &out, &len, &status, &e) < 0 || status != 0)
		return add(r, "runtime", FAIL, "install runc (apt-get install runc)",
			   "%s --version failed", ctx->runtime.path),
		       ph_error_free(&e);
	char *nl = out ? strchr(out, '\n') : NULL;
	if (nl)
		*nl = '\0';
	add(r, "runtime", OK, NULL, "%s: %s", ctx->runtime.path, out ? out : "");
}

static const char *outcome_name(enum outcome o)
{
	return o == OK ? "ok" : o == FAIL ? "fail" : o == WARN ? "warn" : "skip";
}

static int print_json(const struct report *r, ph_error_t *err)
{
	cleanup_json struct ph_json *doc = ph_json_new_object(err);
	if (doc == NULL || ph_json_set_bool(doc, "ok", !r->failed, err) < 0)
		return -1;
	struct ph_json *arr = ph_json_ensure_array(doc, "checks", err);
	if (arr == NULL)
		return -1;
	for (int i = 0; i < r->n; i++) {
		struct ph_json *o = ph_json_new_object(err);
		if (o == NULL || ph_json_set_string(o, "name", r->steps[i].name, err) < 0 ||
		    ph_json_set_string(o, "result", outcome_name(r->steps[i].outcome), err) < 0 ||
		    ph_json_set_string(o, "detail", r->steps[i].detail ? r->steps[i].detail : "",
				       err) < 0 ||
		    (r->steps[i].fix && ph_json_set_string(o, "fix", r->steps[i].fix, err) < 0)) {
			ph_json_free(o);
			return -1;
		}
		if (ph_json_array_append(arr, o, err) < 0)
			return -1;
	}
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (ph_json_serialize(doc, &text, &len, err) < 0)
		return -1;
	fwrite(text, 1, len, stdout);
	return 0;
}

static void print_human(const struct report *r)
{
	for (int i = 0; i < r->n; i++) {
		const struct step *s = &r->steps[i];
		printf("%-5s %-18s %s\n", outcome_name(s->outcome), s->name,
		       s->detail ? s->detail : "");
		if (s->fix && s->outcome != OK)
			printf("      %-18s fix: %s\n", "", s->fix);
	}
	printf("\n%s\n", r->failed
			     ? "phoenix cannot confine containers here (see the failures above)"
			     : "phoenix can confine containers here");
}

int ph_cmd_check(struct ph_context *ctx, ph_error_t *err)
{
	bool json = false;
	for (int i = ctx->cli.command_index + 1; i < ctx->cli.argc; i++) {
		if (strcmp(ctx->cli.argv[i], "--json") == 0)
			json = true;
		else
			return ph_error_make(err, EINVAL, "check: unknown argument `%s`",
					     ctx->cli.argv[i]);
	}
	struct report r;
	memset(&r, 0, sizeof(r));
	struct ph_aa_env env;
	ph_aa_env_default(&env);
	struct ph_aa_probe p;
	if (ph_aa_probe(&env, &p, err) < 0)
		return ph_error_wrap(err, "check");
	check_kernel(&r, &p);
	if (p.enabled && p.apparmorfs) {
		check_caller(&r, ctx, &p);
		check_operations(&r, ctx, &env, &p);
	}
	check_runtime(&r, ctx);
	ph_aa_probe_release(&p);
	int ret = json ? print_json(&r, err) : (print_human(&r), 0);
	fflush(stdout);
	for (int i = 0; i < r.n; i++) {
		free(r.steps[i].detail);
		free(r.steps[i].fix);
	}
	if (ret < 0)
		return -1;
	return r.failed ? 1 : 0;
}
