/* phoenix: the real runtime (see runtime.h). */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* phoenix's own executable, as (device, inode) pairs: the kernel's
 * /proc/self/exe and the file the link names.  Both count: under valgrind
 * the former is the tool's binary and only readlink() (which valgrind
 * intercepts) gives phoenix's.  Read once per process. */
static struct {
	bool read;
	int n;
	dev_t dev[2];
	ino_t ino[2];
} self_ids;

static void self_ids_add(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return;
	for (int i = 0; i < self_ids.n; i++)
		if (self_ids.dev[i] == st.st_dev && self_ids.ino[i] == st.st_ino)
			return;
	self_ids.dev[self_ids.n] = st.st_dev;
	self_ids.ino[self_ids.n] = st.st_ino;
	self_ids.n++;
}

/* Whether the file `st` describes is phoenix's own executable. */
static bool is_self(const struct stat *st)
{
	if (!self_ids.read) {
		self_ids.read = true;
		self_ids_add("/proc/self/exe");
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0) {
			self[n] = '\0';
			self_ids_add(self);
		}
	}
	for (int i = 0; i < self_ids.n; i++)
		if (self_ids.dev[i] == st->st_dev && self_ids.ino[i] == st->st_ino)
			return true;
	return false;
}

static int set_runtime(struct ph_runtime *rt, const char *path, ph_error_t *err)
{
	char *resolved = realpath(path, NULL);
	if (resolved == NULL)
		return ph_error_make(err, errno, "runtime `%s`", path);
	struct stat st;
	if (stat(resolved, &st) < 0 || !S_ISREG(st.st_mode) || access(resolved, X_OK) < 0) {
		free(resolved);
		return ph_error_make(err, EACCES, "runtime `%s` is not an executable file", path);
	}
	if (is_self(&st)) {
		free(resolved);
		return ph_error_make(err, ELOOP,
				     "runtime `%s` is phoenix itself: set PHOENIX_RUNTIME or the "
				     "config key `runtime` to the real runc or crun",
				     path);
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	rt->path = resolved;
	rt->name = strdup(base);
	if (rt->name == NULL) {
		ph_runtime_release(rt);
		return ph_error_make(err, ENOMEM, "runtime name");
	}
	const char *rbase = strrchr(resolved, '/');
	rt->is_crun = strcmp(base, "crun") == 0 || (rbase && strcmp(rbase + 1, "crun") == 0);
	return 0;
}

/* Search $PATH for `name`, skipping phoenix itself. */
static int search_path(const char *name, char **found)
{
	const char *path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = DEFAULT_PATH;
	char *copy = strdup(path);
	if (copy == NULL)
		return -ENOMEM;
	int ret = -ENOENT;
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char candidate[PATH_MAX];
		if (snprintf(candidate, sizeof(candidate), "%s/%s", *dir ? dir : ".", name) >=
		    (int)sizeof(candidate))
			continue;
		struct stat st;
		if (access(candidate, X_OK) != 0 || stat(candidate, &st) < 0 || is_self(&st))
			continue;
		*found = strdup(candidate);
		ret = *found ? 0 : -ENOMEM;
		break;
	}
	free(copy);
	return ret;
}

int ph_runtime_find(const char *configured, struct ph_runtime *rt, ph_error_t *err)
{
	memset(rt, 0, sizeof(*rt));
	const char *env = getenv("PHOENIX_RUNTIME");
	if (env && *env) {
		if (set_runtime(rt, env, err) < 0)
			return ph_error_wrap(err, "PHOENIX_RUNTIME");
		return 0;
	}
	if (configured && *configured) {
		if (set_runtime(rt, configured, err) < 0)
			return ph_error_wrap(err, "config key `runtime`");
		return 0;
	}
	static const char *const names[] = {"runc", "crun"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *found = NULL;
		int r = search_path(names[i], &found);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return ph_error_make(err, -r, "search $PATH for %s", names[i]);
		r = set_runtime(rt, found, err);
		free(found);
		return r;
	}
	return ph_error_make(err, ENOENT,
			     "no OCI runtime found: neither runc nor crun is on $PATH (other than "
			     "phoenix itself); install runc or set PHOENIX_RUNTIME");
}

void ph_runtime_release(struct ph_runtime *rt)
{
	free(rt->path);
	free(rt->name);
	rt->path = rt->name = NULL;
}

int ph_runtime_exec(const struct ph_runtime *rt, char **argv, ph_error_t *err)
{
	char *saved = argv[0];
	argv[0] = rt->path;
	execve(rt->path, argv, environ);
	int e = errno;
	argv[0] = saved;
	return ph_error_make(err, e, "exec runtime `%s`", rt->path);
}

/* --- running the runtime as a child ------------------------------------ */

static volatile sig_atomic_t child_pid;

/* Signals sent to phoenix (kill(2) from containerd, systemd, a user) are
 * passed to the runtime.  Those the kernel raises for a terminal's
 * foreground process group (Ctrl-C, window size) already reach the
 * runtime, which is in the same group: forwarding them too would deliver
 * them twice. */
static void forward_signal(int sig, siginfo_t *info, void *ucontext)
{
	(void)ucontext;
	if (info && info->si_code == SI_KERNEL)
		return;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static const int forwarded_signals[] = {SIGINT,	 SIGTERM, SIGHUP,  SIGQUIT,
					SIGUSR1, SIGUSR2, SIGWINCH};

static void install_forwarding(struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(int); i++)
		sigaction(forwarded_signals[i], &sa, &old[i]);
}

static void restore_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(int); i++)
		sigaction(forwarded_signals[i], &old[i], NULL);
}

/* What the child reports on its close-on-exec pipe when it does not reach
 * the runtime: the step of `before` that failed, or STEP_EXEC. */
struct child_report {
	int step;
	int errnum;
};
#define STEP_EXEC (-1)

static _Noreturn void child_fail(int fd, int step, int errnum)
{
	struct child_report r = {step, errnum};
	ssize_t w = write(fd, &r, sizeof(r));
	(void)w;
	_exit(127);
}

/* The runtime's child, between fork and execve: system calls only (no
 * allocation, no formatting), whatever `before` does. */
static _Noreturn void child_run(const struct ph_runtime *rt, char **argv,
				const struct ph_before_exec *before, int report_fd,
				const struct sigaction *old)
{
	restore_signals(old);
	int errnum = 0;
	int step = before ? before->apply(before->data, &errnum) : 0;
	if (step != 0)
		child_fail(report_fd, step, errnum);
	argv[0] = rt->path;
	execve(rt->path, argv, environ);
	child_fail(report_fd, STEP_EXEC, errno);
}

int ph_runtime_run(const struct ph_runtime *rt, char **argv, const struct ph_before_exec *before,
		   int *status, ph_error_t *err)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ph_error_make(err, errno, "pipe");
	struct sigaction old[sizeof(forwarded_signals) / sizeof(int)];
	install_forwarding(old);
	/* fork, not vfork: measured under TCG, vfork saved no time (README,
	 * "Benchmarks"), and a child with a copy of phoenix's memory cannot
	 * corrupt it */
	pid_t pid = fork();
	if (pid == 0)
		child_run(rt, argv, before, pipefd[1], old);
	int e = errno;
	close(pipefd[1]);
	if (pid < 0) {
		restore_signals(old);
		close(pipefd[0]);
		return ph_error_make(err, e, "fork");
	}
	child_pid = pid;
	struct child_report report = {0, 0};
	ssize_t n;
	while ((n = read(pipefd[0], &report, sizeof(report))) < 0 && errno == EINTR)
		;
	close(pipefd[0]);
	int wstatus = 0;
	pid_t w;
	while ((w = waitpid(pid, &wstatus, 0)) < 0 && errno == EINTR)
		;
	child_pid = 0;
	restore_signals(old);
	if (w < 0)
		return ph_error_make(err, errno, "wait for runtime");
	if (n == (ssize_t)sizeof(report) && report.step == STEP_EXEC)
		return ph_error_make(err, report.errnum, "exec runtime `%s`", rt->path);
	if (n == (ssize_t)sizeof(report) && before != NULL)
		return before->explain(before->data, report.step, report.errnum, err);
	if (n != 0)
		return ph_error_make(err, EIO, "the runtime's child failed before exec");
	if (WIFEXITED(wstatus))
		*status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		*status = 128 + WTERMSIG(wstatus);
	else
		*status = 1;
	return 0;
}

int ph_runtime_capture(const struct ph_runtime *rt, char *const argv[], char **out, size_t *len,
		       int *status, ph_error_t *err)
{
	int pipefd[2];
	*out = NULL;
	*len = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ph_error_make(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return ph_error_make(err, e, "fork");
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (dup2(pipefd[1], STDOUT_FILENO) < 0 ||
		    (devnull >= 0 && dup2(devnull, STDERR_FILENO) < 0))
			_exit(127);
		execve(rt->path, argv, environ);
		_exit(127);
	}
	close(pipefd[1]);
	size_t cap = 0;
	char *buf = NULL;
	int ret = 0;
	for (;;) {
		if (cap - *len < 4096) {
			char *nb = realloc(buf, cap + 65536);
			if (nb == NULL) {
				ret = ph_error_make(err, ENOMEM, "read runtime output");
				break;
			}
			buf = nb;
			cap += 65536;
		}
		ssize_t n = read(pipefd[0], buf + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(pipefd[0]);
	int wstatus = 0;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (ret < 0) {
		free(buf);
		*len = 0;
		return ret;
	}
	if (buf)
		buf[*len] = '\0';
	*out = buf;
	*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return 0;
}
