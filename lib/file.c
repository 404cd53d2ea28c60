/* phoenix: safe reading and atomic replacement of files (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* `name` must be a single component: O_NOFOLLOW only guards the last one. */
static int check_name(const char *name, ph_error_t *err)
{
	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return ph_error_make(err, 0, "`%s`: expected a file name, not a path", name);
	return 0;
}

/* Refuse anything but a regular file, in the words of file.h. */
static int check_type(const char *name, const struct stat *st, ph_error_t *err)
{
	if (S_ISLNK(st->st_mode))
		return ph_error_make(err, 0, "`%s` is a symbolic link", name);
	if (!S_ISREG(st->st_mode))
		return ph_error_make(err, 0, "`%s` is not a regular file", name);
	return 0;
}

static int too_big(const char *name, size_t max_size, ph_error_t *err)
{
	return ph_error_make(err, 0, "`%s` is larger than the limit of %zu bytes", name, max_size);
}

/* Read all of fd, failing once more than max_size bytes arrive. */
static int read_limited(int fd, const char *name, size_t size_hint, size_t max_size, char **out,
			size_t *out_len, ph_error_t *err)
{
	/* Keep max_size + 2 (one byte to notice excess, one NUL) in range. */
	if (max_size > SIZE_MAX / 2)
		max_size = SIZE_MAX / 2;
	/* A procfs or sysfs file shows size 0, and a sysctl must be read in
	 * one read(): an integer sysctl read at a non-zero offset returns
	 * EOF (kernel/sysctl.c, __do_proc_dointvec: `*ppos && !write`), so
	 * "65534" read a byte at a time reads as "6". */
	if (size_hint == 0)
		size_hint = 4096;
	size_t cap = (size_hint < max_size ? size_hint : max_size) + 2;
	size_t len = 0;
	cleanup_free char *buf = malloc(cap);
	if (buf == NULL)
		return ph_error_make(err, ENOMEM, "read `%s`", name);
	for (;;) {
		if (len + 1 == cap) {
			if (cap >= max_size + 2)
				return too_big(name, max_size, err);
			size_t new_cap = cap * 2 < max_size + 2 ? cap * 2 : max_size + 2;
			char *p = realloc(buf, new_cap);
			if (p == NULL)
				return ph_error_make(err, ENOMEM, "read `%s`", name);
			buf = p;
			cap = new_cap;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ph_error_make(err, errno, "read `%s`", name);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_size)
			return too_big(name, max_size, err);
	}
	buf[len] = '\0';
	*out = ph_steal(buf);
	*out_len = len;
	return 0;
}

int ph_file_read(int dirfd, const char *name, size_t max_size, char **buf, size_t *len,
		 ph_error_t *err)
{
	struct stat st;
	*buf = NULL;
	*len = 0;
	if (check_name(name, err) < 0)
		return -1;
	/* Look before opening, so that no device is ever opened ... */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ph_error_make(err, errno, "open `%s`", name);
	if (check_type(name, &st, err) < 0)
		return -1;
	/* O_NONBLOCK: should a FIFO take the file's place meanwhile, opening
	 * it must not wait for a writer. */
	cleanup_close int fd =
	    openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 && errno == ELOOP)
		return ph_error_make(err, 0, "`%s` is a symbolic link", name);
	if (fd < 0)
		return ph_error_make(err, errno, "open `%s`", name);
	/* ... and look again at what was opened. */
	if (fstat(fd, &st) < 0)
		return ph_error_make(err, errno, "stat `%s`", name);
	if (check_type(name, &st, err) < 0)
		return -1;
	if (st.st_size < 0 || (uintmax_t)st.st_size > max_size)
		return too_big(name, max_size, err);
	return read_limited(fd, name, (size_t)st.st_size, max_size, buf, len, err);
}

/* ---- writing ----------------------------------------------------------------- */

int ph_file_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create `.name.XXXXXX` in dirfd; returns the fd and fills tmp. */
static int create_temp(int dirfd, const char *name, char *tmp, size_t tmp_size, ph_error_t *err)
{
	static const char chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char rnd[6];
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return ph_error_make(err, errno ? errno : EIO, "getrandom");
		char suffix[sizeof(rnd) + 1];
		for (size_t i = 0; i < sizeof(rnd); i++)
			suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		suffix[sizeof(rnd)] = '\0';
		/* Shorten long names so that the temporary name fits NAME_MAX. */
		snprintf(tmp, tmp_size, ".%.200s.%s", name, suffix);
		int fd =
		    openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return ph_error_make(err, errno, "create `%s`", tmp);
	}
	return ph_error_make(err, EEXIST, "create a temporary file for `%s`", name);
}

static int sync_dir(int dirfd, ph_error_t *err)
{
	cleanup_close int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ph_error_make(err, errno, "open directory");
	if (fsync(fd) < 0)
		return ph_error_make(err, errno, "fsync directory");
	return 0;
}

/* Write a temporary file with the content and metadata wanted, then
 * rename it over `name`.  uid/gid of (uid_t)-1 keep ours. */
static int write_and_rename(int dirfd, const char *name, const char *buf, size_t len, mode_t mode,
			    uid_t uid, gid_t gid, ph_error_t *err)
{
	char tmp[256];
	int fd = create_temp(dirfd, name, tmp, sizeof(tmp), err);
	if (fd < 0)
		return -1;
	int r = 0;
	if (ph_file_write_all(fd, buf, len) < 0)
		r = ph_error_make(err, errno, "write `%s`", tmp);
	else if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) < 0)
		r = ph_error_make(err, errno, "chown `%s`", tmp);
	else if (fchmod(fd, mode) < 0)
		r = ph_error_make(err, errno, "chmod `%s`", tmp);
	else if (fsync(fd) < 0)
		r = ph_error_make(err, errno, "fsync `%s`", tmp);
	if (close(fd) < 0 && r == 0)
		r = ph_error_make(err, errno, "close `%s`", tmp);
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = ph_error_make(err, errno, "rename `%s` to `%s`", tmp, name);
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	return sync_dir(dirfd, err);
}

/* stat `name` for replacing it; *exists tells whether it is there. */
static int stat_for_replace(int dirfd, const char *name, struct stat *st, bool *exists,
			    ph_error_t *err)
{
	*exists = false;
	if (check_name(name, err) < 0)
		return -1;
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return ph_error_make(err, errno, "stat `%s`", name);
	}
	*exists = true;
	if (check_type(name, st, err) < 0)
		return ph_error_wrap(err, "refusing to replace `%s`", name);
	return 0;
}

int ph_file_write_atomic(int dirfd, const char *name, const char *buf, size_t len, mode_t mode,
			 ph_error_t *err)
{
	struct stat st;
	bool exists = false;
	if (stat_for_replace(dirfd, name, &st, &exists, err) < 0)
		return -1;
	return write_and_rename(dirfd, name, buf, len, mode, (uid_t)-1, (gid_t)-1, err);
}

int ph_file_replace(int dirfd, const char *name, const char *buf, size_t len, ph_error_t *err)
{
	struct stat st;
	bool exists = false;
	if (stat_for_replace(dirfd, name, &st, &exists, err) < 0)
		return -1;
	if (!exists)
		return ph_error_make(err, ENOENT, "replace `%s`", name);
	uid_t uid = st.st_uid != geteuid() ? st.st_uid : (uid_t)-1;
	gid_t gid = st.st_gid != getegid() ? st.st_gid : (gid_t)-1;
	return write_and_rename(dirfd, name, buf, len, st.st_mode & 07777, uid, gid, err);
}

/* ---- paths ------------------------------------------------------------------- */

int ph_file_open_parent(const char *path, char **base, ph_error_t *err)
{
	*base = NULL;
	const char *slash = strrchr(path, '/');
	const char *last = slash != NULL ? slash + 1 : path;
	if (*last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return ph_error_make(err, 0, "`%s` does not name a file", path);
	cleanup_free char *dir = NULL;
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return ph_error_make(err, ENOMEM, "open `%s`", path);
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ph_error_make(err, errno, "open directory `%s`", dir);
	*base = strdup(last);
	if (*base == NULL) {
		close(fd);
		return ph_error_make(err, ENOMEM, "open `%s`", path);
	}
	return fd;
}

int ph_file_read_path(const char *path, size_t max_size, char **buf, size_t *len, ph_error_t *err)
{
	cleanup_free char *base = NULL;
	*buf = NULL;
	*len = 0;
	cleanup_close int dirfd = ph_file_open_parent(path, &base, err);
	if (dirfd < 0)
		return -1;
	if (ph_file_read(dirfd, base, max_size, buf, len, err) < 0)
		return ph_error_wrap(err, "%s", path);
	return 0;
}
