/* phoenix: the real runtime (runc or crun) and handing over to it. */
#ifndef PHOENIX_RUNTIME_H
#define PHOENIX_RUNTIME_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"

struct ph_runtime {
	char *path; /* absolute path of the runtime binary */
	char *name; /* its base name, "runc" or "crun" (or whatever the operator chose) */
	bool is_crun;
};

/* Find the runtime: $PHOENIX_RUNTIME, then `configured` (the config file's
 * "runtime" key, may be NULL), then runc and crun on $PATH.  A candidate
 * that is phoenix itself (the same file as /proc/self/exe, whatever its
 * name) is never chosen. */
int ph_runtime_find(const char *configured, struct ph_runtime *rt, ph_error_t *err);
void ph_runtime_release(struct ph_runtime *rt);

/* Replace this process with the runtime: execve(rt->path, argv) where only
 * argv[0] is replaced; environment, descriptors and cwd are untouched.
 * Returns only on failure. */
int ph_runtime_exec(const struct ph_runtime *rt, char **argv, ph_error_t *err);

/* What the runtime's child does right before its execve.  `apply` makes
 * system calls only (no allocation, no stdio: everything it needs was
 * prepared before the fork); it returns 0, or a step number (> 0) and
 * *errnum.  phoenix then calls `explain` with them to build the error. */
struct ph_before_exec {
	int (*apply)(void *data, int *errnum);
	int (*explain)(void *data, int step, int errnum, ph_error_t *err);
	void *data;
};

/* Run the runtime as a child with the same argv and wait for it.
 * `before` (may be NULL) runs in the child right before execve; if it
 * fails the child exits 127 and phoenix returns its explained error.
 * While waiting, SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGUSR1/SIGUSR2/SIGWINCH
 * received by phoenix are forwarded to the child.  *status is the child's
 * exit status (128+signal when killed by a signal, as a shell reports it). */
int ph_runtime_run(const struct ph_runtime *rt, char **argv, const struct ph_before_exec *before,
		   int *status, ph_error_t *err);

/* Run the runtime with an argument vector of phoenix's own (for `state`,
 * `--version`, `features`), capturing stdout.  stderr is discarded. */
int ph_runtime_capture(const struct ph_runtime *rt, char *const argv[], char **out, size_t *len,
		       int *status, ph_error_t *err);

#endif
