/* phoenix: compiling and loading AppArmor policy (see aa_policy.h). */
#include "aa_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aa_blob.h"
#include "aa_fault.h"
#include "aa_io.h"
#include "aa_names.h"
#include "aa_ns.h"
#include "aa_probe.h"

#define PARSER_OUTPUT_MAX (64 * 1024)
#define EXEC_FAILED_STATUS 127

/* In the child: stdin and stdout on /dev/null, stderr into the pipe. */
static void __attribute__((noreturn))
exec_parser(const char *parser, char *const argv[], int stderr_fd)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0 ||
	    dup2(stderr_fd, STDERR_FILENO) < 0)
		_exit(EXEC_FAILED_STATUS);
	if (strchr(parser, '/') != NULL)
		execv(parser, argv);
	else
		execvp(parser, argv);
	static const char msg[] = "cannot execute the policy compiler\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(EXEC_FAILED_STATUS);
	_exit(EXEC_FAILED_STATUS);
}

/* Run the parser with `argv`; its stderr becomes the message on failure. */
static int run_parser(const char *parser, char *const argv[], const char *what, ph_error_t *err)
{
	int fds[2];
	if (PH_AA_CALL(PH_AA_OP_COMPILE, pipe2(fds, O_CLOEXEC)) < 0)
		return ph_error_make(err, errno, "%s: run `%s`", what, parser);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return ph_error_make(err, e, "%s: fork", what);
	}
	if (pid == 0)
		exec_parser(parser, argv, fds[1]);
	close(fds[1]);
	cleanup_free char *output = NULL;
	size_t out_len = 0;
	int r = ph_aa_read_fd(fds[0], PARSER_OUTPUT_MAX, &output, &out_len);
	if (r == -EFBIG) { /* keep the pipe drained so the parser can finish */
		char sink[4096];
		while (read(fds[0], sink, sizeof(sink)) > 0)
			;
	}
	close(fds[0]);
	int status = 0;
	pid_t w;
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return ph_error_make(err, errno, "%s: wait for `%s`", what, parser);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	while (output != NULL && out_len > 0 &&
	       (output[out_len - 1] == '\n' || output[out_len - 1] == ' '))
		output[--out_len] = '\0';
	const char *text = output != NULL && out_len > 0 ? output : "(no output)";
	if (WIFEXITED(status))
		return ph_error_make(err, 0, "%s: `%s` failed with exit status %d: %s", what,
				     parser, WEXITSTATUS(status), text);
	return ph_error_make(err, 0, "%s: `%s` killed by signal %d: %s", what, parser,
			     WTERMSIG(status), text);
}

int ph_aa_policy_compile_flags(const char *parser, const char *profile_path,
			       const char *include_dir, const char *features_path, const char *ns,
			       unsigned flags, const char *out_path, ph_error_t *err)
{
	return ph_aa_policy_compile_conf(parser, NULL, profile_path, include_dir, features_path, ns,
					 flags, out_path, err);
}

int ph_aa_policy_compile_conf(const char *parser, const char *config_file, const char *profile_path,
			      const char *include_dir, const char *features_path, const char *ns,
			      unsigned flags, const char *out_path, ph_error_t *err)
{
	if (parser == NULL || profile_path == NULL || out_path == NULL)
		return ph_error_make(err, EINVAL,
				     "compile policy: missing parser, profile or output");
	if (ns != NULL && !ph_aa_name_valid(ns))
		return ph_error_make(err, EINVAL, "compile `%s`: invalid namespace name `%s`",
				     profile_path, ns);
	const char *argv[20];
	size_t n = 0;
	argv[n++] = parser;
	if (config_file != NULL) { /* first: the parser reads it before the rest */
		argv[n++] = "--config-file";
		argv[n++] = config_file;
	}
	argv[n++] = "-Q"; /* compile only: never load */
	argv[n++] = "-K"; /* no cache of the parser's own */
	argv[n++] = "-o";
	argv[n++] = out_path;
	if (include_dir != NULL) {
		argv[n++] = "-I";
		argv[n++] = include_dir;
	}
	if (features_path != NULL) {
		argv[n++] = "--kernel-features";
		argv[n++] = features_path;
	}
	if (ns != NULL) {
		argv[n++] = "-n";
		argv[n++] = ns;
	}
	if (flags & PH_AA_COMPILE_COMPLAIN)
		argv[n++] = "-C"; /* every profile in complain mode */
	argv[n++] = "--";
	argv[n++] = profile_path;
	argv[n] = NULL;
	cleanup_free char *what = ph_aa_pathf(err, "compile `%s`", profile_path);
	if (what == NULL)
		return -1;
	return run_parser(parser, (char *const *)argv, what, err);
}

int ph_aa_policy_compile_in_ns(const char *parser, const char *profile_path,
			       const char *include_dir, const char *features_path, const char *ns,
			       const char *out_path, ph_error_t *err)
{
	return ph_aa_policy_compile_flags(parser, profile_path, include_dir, features_path, ns, 0,
					  out_path, err);
}

int ph_aa_policy_compile(const char *parser, const char *profile_path, const char *include_dir,
			 const char *features_path, const char *out_path, ph_error_t *err)
{
	return ph_aa_policy_compile_in_ns(parser, profile_path, include_dir, features_path, NULL,
					  out_path, err);
}

/* libapparmor's interface to `dir`, with the kernel's features: from
 * `features_text` when the caller has them (aa_features.h), else read
 * from <apparmorfs>/features. */
static int kernel_interface_open(const struct ph_aa_env *env, const char *dir,
				 const char *features_text, aa_kernel_interface **ki,
				 ph_error_t *err)
{
	aa_features *features = NULL;
	if (features_text != NULL) {
		if (aa_features_new_from_string(&features, features_text, strlen(features_text)) <
		    0)
			return ph_error_make(err, errno, "parse the kernel's features");
	} else {
		cleanup_free char *aafs = NULL;
		if (ph_aa_env_apparmorfs(env, &aafs, err) < 0)
			return -1;
		cleanup_free char *features_path = ph_aa_pathf(err, "%s/features", aafs);
		if (features_path == NULL)
			return -1;
		if (aa_features_new(&features, AT_FDCWD, features_path) < 0)
			return ph_error_make(err, errno, "read kernel features `%s`",
					     features_path);
	}
	int r = aa_kernel_interface_new(ki, features, dir);
	int e = errno;
	aa_features_unref(features);
	if (r < 0)
		return ph_error_make(err, e, "open `%s`", dir);
	return 0;
}

static int load_error(const struct ph_aa_env *env, int e, const char *what, const char *ns,
		      const char *dir, ph_error_t *err)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return ph_aa_admin_error(env, e, err, what);
	case EPROTO:
	case EINVAL:
		return ph_error_make(
		    err, e, "%s: compiled policy does not match this kernel: stale cache", what);
	case ENOENT:
		return ph_error_make(err, e, "%s: policy namespace `%s` does not exist", what, ns);
	default:
		return ph_error_make(err, e, "%s: write `%s/.replace`", what, dir);
	}
}

/* Write `blob` to <dir>/.replace. */
static int replace_in_dir(const struct ph_aa_env *env, const char *features, const char *dir,
			  const char *ns, const char *blob, size_t len, const char *what,
			  ph_error_t *err)
{
	int fault = ph_aa_fault(PH_AA_OP_POLICY_LOAD);
	if (fault != 0)
		return load_error(env, fault, what, ns, dir, err);
	int r = ph_aa_is_dir(dir);
	if (r < 0)
		return load_error(env, -r, what, ns, dir, err);
	aa_kernel_interface *ki = NULL;
	if (kernel_interface_open(env, dir, features, &ki, err) < 0)
		return ph_error_wrap(err, "%s", what);
	r = aa_kernel_interface_replace_policy(ki, blob, len);
	int e = errno;
	aa_kernel_interface_unref(ki);
	if (r < 0)
		return load_error(env, e, what, ns, dir, err);
	return 0;
}

int ph_aa_policy_load_ns(const struct ph_aa_env *env, const char *ns, const char *blob, size_t len,
			 ph_error_t *err)
{
	return ph_aa_policy_load_ns_features(env, NULL, ns, blob, len, err);
}

int ph_aa_policy_load_ns_features(const struct ph_aa_env *env, const char *features, const char *ns,
				  const char *blob, size_t len, ph_error_t *err)
{
	if (blob == NULL || len == 0)
		return ph_error_make(err, EINVAL, "load policy into namespace `%s`: empty policy",
				     ns ? ns : "(null)");
	cleanup_free char *dir = NULL;
	if (ph_aa_ns_dir(env, ns, &dir, err) < 0)
		return ph_error_wrap(err, "load policy");
	cleanup_free char *what = ph_aa_pathf(err, "load policy into namespace `%s`", ns);
	if (what == NULL)
		return -1;
	return replace_in_dir(env, features, dir, ns, blob, len, what, err);
}

int ph_aa_policy_load_via_toplevel(const struct ph_aa_env *env, const char *ns, const char *blob,
				   size_t len, ph_error_t *err)
{
	return ph_aa_policy_load_via_toplevel_features(env, NULL, ns, blob, len, err);
}

int ph_aa_policy_load_via_toplevel_features(const struct ph_aa_env *env, const char *features,
					    const char *ns, const char *blob, size_t len,
					    ph_error_t *err)
{
	if (ns == NULL || !ph_aa_name_valid(ns))
		return ph_error_make(err, EINVAL, "load policy: invalid namespace name `%s`",
				     ns ? ns : "(null)");
	cleanup_free char *what =
	    ph_aa_pathf(err, "load policy into namespace `%s` (top level)", ns);
	if (what == NULL)
		return -1;
	size_t count = 0;
	if (blob == NULL || len == 0)
		return ph_error_make(err, EINVAL, "%s: empty policy", what);
	if (ph_aa_blob_count_ns(blob, len, ns, &count, err) < 0)
		return ph_error_wrap(err, "%s", what);
	if (count == 0)
		return ph_error_make(err, EINVAL,
				     "%s: the compiled policy names no namespace and would replace "
				     "profiles of the caller's own",
				     what);
	cleanup_free char *aafs = NULL;
	if (ph_aa_env_apparmorfs(env, &aafs, err) < 0)
		return ph_error_wrap(err, "%s", what);
	return replace_in_dir(env, features, aafs, ns, blob, len, what, err);
}

/* A missing `dir` (ENOENT) is success too: removal is idempotent. */
int ph_aa_policy_remove_in_dir(const struct ph_aa_env *env, const char *dir, const char *name,
			       const char *op, const char *what, ph_error_t *err)
{
	int r = PH_AA_CALL(op, ph_aa_is_dir(dir) == -ENOENT ? (errno = ENOENT, -1) : 0);
	if (r == 0) {
		aa_kernel_interface *ki = NULL;
		if (kernel_interface_open(env, dir, NULL, &ki, err) < 0)
			return ph_error_wrap(err, "%s", what);
		r = aa_kernel_interface_remove_policy(ki, name);
		int e = errno;
		aa_kernel_interface_unref(ki);
		errno = e;
	}
	if (r == 0 || errno == ENOENT)
		return 0;
	int e = errno;
	if (e == EACCES || e == EPERM)
		return ph_aa_admin_error(env, e, err, what);
	return ph_error_make(err, e, "%s: write `%s/.remove`", what, dir);
}

int ph_aa_policy_remove_ns(const struct ph_aa_env *env, const char *ns, const char *profile_name,
			   ph_error_t *err)
{
	if (profile_name == NULL || !ph_aa_name_valid(profile_name))
		return ph_error_make(err, EINVAL, "remove profile: invalid profile name `%s`",
				     profile_name ? profile_name : "(null)");
	cleanup_free char *dir = NULL;
	if (ph_aa_ns_dir(env, ns, &dir, err) < 0)
		return ph_error_wrap(err, "remove profile `%s`", profile_name);
	cleanup_free char *what =
	    ph_aa_pathf(err, "remove profile `%s` from namespace `%s`", profile_name, ns);
	if (what == NULL)
		return -1;
	return ph_aa_policy_remove_in_dir(env, dir, profile_name, PH_AA_OP_POLICY_LOAD, what, err);
}
