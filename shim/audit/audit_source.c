/* phoenix: reading AppArmor audit records (see audit_source.h). */
#include "audit_source.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "relay.h"

#define BUF_SIZE (256 * 1024) /* a /dev/kmsg record is at most a few KiB */
#define FOLLOW_INTERVAL_MS 250

extern char **environ;

static const struct ph_source_paths system_paths = {
    PH_AUDIT_LOG_PATH,
    PH_AUDITD_PID_PATH,
    PH_KMSG_PATH,
    PH_RELAY_HOST_RECORDS,
};

static const char *const journalctl_paths[] = {"/usr/bin/journalctl", "/bin/journalctl", NULL};

/* ---- names ------------------------------------------------------------------ */

enum ph_source_kind ph_source_kind_from_name(const char *name)
{
	if (strcmp(name, "kmsg") == 0)
		return PH_SOURCE_KMSG;
	if (strcmp(name, "audit") == 0)
		return PH_SOURCE_AUDIT;
	if (strcmp(name, "journal") == 0)
		return PH_SOURCE_JOURNAL;
	if (strcmp(name, "relay") == 0)
		return PH_SOURCE_RELAY;
	if (strcmp(name, "auto") == 0)
		return PH_SOURCE_AUTO;
	return PH_SOURCE_FILE;
}

const char *ph_source_kind_name(enum ph_source_kind kind)
{
	switch (kind) {
	case PH_SOURCE_AUTO:
		return "auto";
	case PH_SOURCE_KMSG:
		return "kmsg";
	case PH_SOURCE_AUDIT:
		return "audit";
	case PH_SOURCE_JOURNAL:
		return "journal";
	case PH_SOURCE_FILE:
		return "file";
	case PH_SOURCE_RELAY:
		return "relay";
	}
	return "?";
}

/* ---- SIGINT and SIGTERM while following -------------------------------------
 *
 * They are blocked while records are handled and unblocked only inside
 * ppoll(), so that a signal can never slip in between a check of
 * `stop_requested` and the wait. */

static volatile sig_atomic_t stop_requested;
static bool signals_taken;
static sigset_t saved_mask;
static struct sigaction saved_int, saved_term;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int take_signals(ph_error_t *err)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	stop_requested = 0;
	if (sigprocmask(SIG_BLOCK, &stop, &saved_mask) < 0)
		return ph_error_make(err, errno, "block SIGINT and SIGTERM");
	if (sigaction(SIGINT, &sa, &saved_int) < 0 || sigaction(SIGTERM, &sa, &saved_term) < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		return ph_error_make(err, e, "handle SIGINT and SIGTERM");
	}
	signals_taken = true;
	return 0;
}

static void give_back_signals(void)
{
	if (!signals_taken)
		return;
	if (stop_requested) {
		/* phoenix is stopping already, and a second stop signal may
		 * be pending or still on its way (timeout(1) sends SIGTERM to
		 * the command and then to its process group; a terminal's ^C
		 * reaches the whole group): drop what is pending and keep
		 * the handler, so that one arriving later only sets the flag
		 * again instead of killing phoenix with the default action */
		sigset_t stop;
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		const struct timespec now = {0, 0};
		while (sigtimedwait(&stop, NULL, &now) > 0)
			;
	} else {
		sigaction(SIGINT, &saved_int, NULL);
		sigaction(SIGTERM, &saved_term, NULL);
	}
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	signals_taken = false;
}

/* Wait up to `timeout_ms` (-1: no limit) for `fd` (-1: none) to become
 * readable.  Returns 1 when it is (or may be), 0 on a timeout, 2 when
 * SIGINT or SIGTERM arrived, -1 with *err set. */
static int wait_readable(int fd, int timeout_ms, ph_error_t *err)
{
	if (stop_requested)
		return 2;
	sigset_t during = saved_mask;
	sigdelset(&during, SIGINT);
	sigdelset(&during, SIGTERM);
	struct pollfd pfd = {fd, POLLIN, 0};
	struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
	int r = ppoll(fd >= 0 ? &pfd : NULL, fd >= 0 ? 1 : 0, timeout_ms < 0 ? NULL : &ts,
		      signals_taken ? &during : NULL);
	if (stop_requested)
		return 2;
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0)
		return ph_error_make(err, errno, "wait for audit records");
	return r > 0 ? 1 : 0;
}

/* ---- opening ----------------------------------------------------------------- */

/* For messages that put the errno text before advice: ph_error_make()
 * appends it at the end, so they are composed with status 0 and get it
 * here (an out-of-memory error keeps its own). */
static void set_status(ph_error_t e, int status)
{
	if (e->status == 0)
		e->status = status;
}

static const char *kmsg_hint(int e)
{
	if (e == EPERM || e == EACCES)
		return ": run `phoenix denials` as root, or allow unprivileged reads of the kernel "
		       "log with `sysctl kernel.dmesg_restrict=0`";
	return "";
}

static int open_kmsg(struct ph_audit_source *src, const char *path, ph_error_t *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		/* the errno text before the advice: composed here, status kept */
		ph_error_make(err, 0, "cannot read the kernel log `%s`: %s%s", path, strerror(e),
			      kmsg_hint(e));
		set_status(*err, e);
		return -1;
	}
	/* from the first record still in the buffer after the last `dmesg -C`
	 * (/dev/kmsg refuses offsets, SEEK_DATA means exactly that) */
	(void)lseek(fd, 0, SEEK_DATA);
	src->fd = fd;
	src->kind = PH_SOURCE_KMSG;
	src->path = strdup(path);
	return src->path ? 0 : ph_error_make(err, ENOMEM, "audit source");
}

/* A file of the relay's directory, or -1 with errno (ENOENT: not there). */
static int open_relayed(int dirfd, const char *name, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* The relay's directory: `records.1` (the older), then `records`, which
 * is followed.  `records` is opened first, so that a rotation between the
 * two opens shows as the same file twice, read once.  Before the relay
 * has written anything there is no `records`: /dev/null stands in for it
 * until check_rotation() finds it. */
static int open_relay(struct ph_audit_source *src, const char *dir, ph_error_t *err)
{
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return ph_error_make(err, errno, "cannot read the relayed records `%s`", dir);
	if (asprintf(&src->path, "%s/%s", dir, PH_RELAY_RECORDS) < 0) {
		src->path = NULL;
		return ph_error_make(err, ENOMEM, "audit source");
	}
	struct stat cur, old;
	int fd = open_relayed(dirfd, PH_RELAY_RECORDS, &cur);
	if (fd < 0 && errno == ENOENT && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0 &&
	    fstat(fd, &cur) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		return ph_error_make(err, errno, "cannot read `%s`", src->path);
	src->kind = PH_SOURCE_RELAY;
	src->regular = true;
	src->dev = cur.st_dev;
	src->ino = cur.st_ino;
	src->fd = fd;
	int ofd = open_relayed(dirfd, PH_RELAY_ROTATED, &old);
	if (ofd >= 0 && old.st_dev == cur.st_dev && old.st_ino == cur.st_ino) {
		close(ofd);
	} else if (ofd >= 0) {
		src->next_fd = fd;
		src->fd = ofd;
	}
	return 0;
}

static int open_file(struct ph_audit_source *src, enum ph_source_kind kind, const char *path,
		     ph_error_t *err)
{
	int fd;
	if (strcmp(path, "-") == 0) {
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		struct stat st;
		/* a FIFO is opened without waiting for a writer when following
		 * (the wait must stay interruptible), then made blocking */
		bool fifo = stat(path, &st) == 0 && S_ISFIFO(st.st_mode);
		fd = open(path, O_RDONLY | O_CLOEXEC | (fifo && src->follow ? O_NONBLOCK : 0));
		if (fd >= 0 && fifo && src->follow)
			(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	if (fd < 0) {
		int e = errno;
		if (kind == PH_SOURCE_AUDIT) {
			ph_error_make(
			    err, 0,
			    "cannot read the audit log `%s`, where auditd writes AppArmor "
			    "records: %s%s",
			    path, strerror(e),
			    e == EACCES || e == EPERM ? ": run `phoenix denials` as root" : "");
			set_status(*err, e);
			return -1;
		}
		return ph_error_make(err, e, "cannot read `%s`", path);
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		if (kind == PH_SOURCE_FILE)
			return open_relay(src, path, err);
		return ph_error_make(err, EISDIR, "cannot read `%s`", path);
	}
	src->fd = fd;
	src->kind = kind;
	src->dev = st.st_dev;
	src->ino = st.st_ino;
	src->regular = S_ISREG(st.st_mode);
	src->path = strdup(path);
	return src->path ? 0 : ph_error_make(err, ENOMEM, "audit source");
}

static const char *find_journalctl(void)
{
	for (size_t i = 0; journalctl_paths[i]; i++)
		if (access(journalctl_paths[i], X_OK) == 0)
			return journalctl_paths[i];
	return NULL;
}

static int open_journal(struct ph_audit_source *src, ph_error_t *err)
{
	const char *bin = find_journalctl();
	if (bin == NULL)
		return ph_error_make(err, ENOENT, "cannot read the journal: journalctl not found");
	static char *const once[] = {"journalctl", "-k", "-o", "cat", "--no-pager", "-a", NULL};
	static char *const follow[] = {"journalctl", "-k", "-o", "cat", "--no-pager",
				       "-a",	     "-f", "-n", "all", NULL};
	char *const *argv = src->follow ? follow : once;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return ph_error_make(err, errno, "journalctl: pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return ph_error_make(err, e, "journalctl: fork");
	}
	if (pid == 0) {
		if (signals_taken) {
			sigaction(SIGINT, &saved_int, NULL);
			sigaction(SIGTERM, &saved_term, NULL);
			sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		}
		int devnull = open("/dev/null", O_RDONLY);
		if (dup2(pfd[1], STDOUT_FILENO) < 0 || devnull < 0 ||
		    dup2(devnull, STDIN_FILENO) < 0)
			_exit(127);
		execve(bin, argv, environ);
		_exit(127);
	}
	close(pfd[1]);
	src->fd = pfd[0];
	src->child = pid;
	src->kind = PH_SOURCE_JOURNAL;
	src->path = strdup(bin);
	return src->path ? 0 : ph_error_make(err, ENOMEM, "audit source");
}

/* auditd runs: its pid file names a live process. */
static bool auditd_running(const char *pid_path)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	ph_error_t e = NULL;
	if (ph_file_read_path(pid_path, 64, &buf, &len, &e) < 0) {
		ph_error_free(&e);
		return false;
	}
	long pid = strtol(buf, NULL, 10);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%ld", pid);
	return pid > 0 && access(proc, F_OK) == 0;
}

static int open_auto(struct ph_audit_source *src, const struct ph_source_paths *paths,
		     ph_error_t *err)
{
	struct stat st;
	if (paths->relay_dir && stat(paths->relay_dir, &st) == 0 && S_ISDIR(st.st_mode))
		return open_relay(src, paths->relay_dir, err);
	if (auditd_running(paths->auditd_pid))
		return open_file(src, PH_SOURCE_AUDIT, paths->audit_log, err);
	ph_error_t kmsg_err = NULL;
	if (open_kmsg(src, paths->kmsg, &kmsg_err) == 0)
		return 0;
	if (find_journalctl() == NULL) {
		ph_error_move(err, &kmsg_err);
		return -1;
	}
	ph_error_free(&kmsg_err);
	return open_journal(src, err);
}

int ph_audit_source_open(struct ph_audit_source *src, enum ph_source_kind kind, const char *file,
			 const struct ph_source_paths *paths, bool follow, ph_error_t *err)
{
	memset(src, 0, sizeof(*src));
	src->fd = -1;
	src->next_fd = -1;
	src->follow = follow;
	if (paths == NULL)
		paths = &system_paths;
	src->buf = malloc(BUF_SIZE);
	if (src->buf == NULL)
		return ph_error_make(err, ENOMEM, "audit source");
	src->cap = BUF_SIZE;
	if (follow && take_signals(err) < 0)
		goto fail;
	int r;
	switch (kind) {
	case PH_SOURCE_KMSG:
		r = open_kmsg(src, paths->kmsg, err);
		break;
	case PH_SOURCE_AUDIT:
		r = open_file(src, PH_SOURCE_AUDIT, paths->audit_log, err);
		break;
	case PH_SOURCE_JOURNAL:
		r = open_journal(src, err);
		break;
	case PH_SOURCE_FILE:
		r = open_file(src, PH_SOURCE_FILE, file, err);
		break;
	case PH_SOURCE_RELAY:
		r = paths->relay_dir ? open_relay(src, paths->relay_dir, err)
				     : ph_error_make(err, ENOENT, "no relayed records");
		break;
	default:
		r = open_auto(src, paths, err);
		break;
	}
	if (r == 0)
		return 0;
fail:
	give_back_signals();
	if (src->fd >= 0)
		close(src->fd);
	if (src->next_fd >= 0)
		close(src->next_fd);
	src->fd = src->next_fd = -1;
	free(src->buf);
	free(src->path);
	src->buf = src->path = NULL;
	return -1;
}

/* ---- reading ------------------------------------------------------------------ */

static int next_kmsg(struct ph_audit_source *src, const char **line, size_t *len, ph_error_t *err)
{
	for (;;) {
		ssize_t n = read(src->fd, src->buf, src->cap - 1);
		if (n > 0) {
			src->buf[n] = '\0';
			*line = src->buf;
			*len = (size_t)n;
			return 1;
		}
		if (n < 0 && errno == EPIPE)
			continue; /* overwritten before we read them: go on with the next */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return ph_error_make(err, errno, "read `%s`", src->path);
		if (!src->follow)
			return 0;
		int w = wait_readable(src->fd, -1, err);
		if (w < 0)
			return -1;
		if (w == 2)
			return 0;
	}
}

/* A followed regular file that was rotated (a new file under the name) is
 * reopened, one that was truncated is read again from the start.  Returns
 * 1 when there may be more to read at once.  The old file is read to its
 * end once more after the new one is seen: what the writer appended
 * between our last read and its rename would be lost otherwise. */
static int check_rotation(struct ph_audit_source *src, ph_error_t *err)
{
	struct stat now, cur;
	if (!src->regular || strcmp(src->path, "-") == 0 || fstat(src->fd, &cur) < 0)
		return 0;
	off_t pos = lseek(src->fd, 0, SEEK_CUR);
	if (stat(src->path, &now) == 0 && (now.st_ino != src->ino || now.st_dev != src->dev)) {
		if (!src->draining) {
			src->draining = true;
			return 1;
		}
		int fd = open(src->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 0; /* not there yet: keep the old one */
		close(src->fd);
		src->fd = fd;
		src->dev = now.st_dev;
		src->ino = now.st_ino;
		src->draining = false;
		return 1;
	}
	if (pos >= 0 && cur.st_size < pos) {
		if (lseek(src->fd, 0, SEEK_SET) < 0)
			return ph_error_make(err, errno, "rewind `%s`", src->path);
		return 1;
	}
	return 0;
}

static int stopped(struct ph_audit_source *src)
{
	src->eof = true;
	src->len = src->start = 0; /* a partial line is dropped */
	return 0;
}

/* More bytes into the buffer: 1, or 0 at the end (src->eof is set). */
static int fill(struct ph_audit_source *src, ph_error_t *err)
{
	for (;;) {
		/* a pipe or FIFO would block in read(2), where SIGINT and
		 * SIGTERM cannot reach us: wait for it first */
		int w = src->follow && !src->regular ? wait_readable(src->fd, -1, err) : 1;
		if (w < 0)
			return -1;
		if (w == 2)
			return stopped(src);
		ssize_t n = read(src->fd, src->buf + src->len, src->cap - 1 - src->len);
		if (n > 0) {
			src->len += (size_t)n;
			return 1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return ph_error_make(err, errno, "read `%s`", src->path);
		bool end = n == 0;
		if (end && src->next_fd >= 0) {
			close(src->fd); /* `records.1` read: on to `records` */
			src->fd = src->next_fd;
			src->next_fd = -1;
			continue;
		}
		if (end && (!src->follow || src->kind == PH_SOURCE_JOURNAL)) {
			src->eof = true;
			return 0;
		}
		int again = end ? check_rotation(src, err) : 0;
		if (again < 0)
			return -1;
		if (again)
			continue;
		w = wait_readable(end ? -1 : src->fd, end ? FOLLOW_INTERVAL_MS : -1, err);
		if (w < 0)
			return -1;
		if (w == 2)
			return stopped(src);
	}
}

static int next_line(struct ph_audit_source *src, const char **line, size_t *len, ph_error_t *err)
{
	for (;;) {
		char *begin = src->buf + src->start;
		char *nl = memchr(begin, '\n', src->len - src->start);
		bool full = src->start == 0 && src->len == src->cap - 1;
		if (nl || full || (src->eof && src->start < src->len)) {
			char *end = nl ? nl : src->buf + src->len;
			*end = '\0';
			*line = begin;
			*len = (size_t)(end - begin);
			src->start = nl ? (size_t)(nl + 1 - src->buf) : src->len;
			return 1;
		}
		if (src->eof)
			return 0;
		memmove(src->buf, begin, src->len - src->start);
		src->len -= src->start;
		src->start = 0;
		int r = fill(src, err);
		if (r < 0)
			return -1;
	}
}

int ph_audit_source_next(struct ph_audit_source *src, const char **line, size_t *len,
			 ph_error_t *err)
{
	if (src->kind == PH_SOURCE_KMSG)
		return next_kmsg(src, line, len, err);
	return next_line(src, line, len, err);
}

/* ---- closing ----------------------------------------------------------------- */

static int reap_journal(struct ph_audit_source *src, ph_error_t *err)
{
	bool stopped = stop_requested || !src->eof;
	if (stopped)
		kill(src->child, SIGTERM);
	int status = 0;
	while (waitpid(src->child, &status, 0) < 0) {
		if (errno != EINTR)
			return ph_error_make(err, errno, "wait for journalctl");
	}
	src->child = 0;
	if (stopped || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return 0;
	if (WIFEXITED(status))
		return ph_error_make(err, 0, "journalctl exited with status %d%s",
				     WEXITSTATUS(status),
				     WEXITSTATUS(status) == 127 ? " (could not be run)" : "");
	return ph_error_make(err, 0, "journalctl was killed by signal %d", WTERMSIG(status));
}

int ph_audit_source_close(struct ph_audit_source *src, ph_error_t *err)
{
	int ret = 0;
	if (src->fd >= 0)
		close(src->fd);
	if (src->next_fd >= 0)
		close(src->next_fd);
	src->fd = src->next_fd = -1;
	if (src->child > 0)
		ret = reap_journal(src, err);
	give_back_signals();
	free(src->buf);
	free(src->path);
	src->buf = src->path = NULL;
	return ret;
}
