/* phoenix: small-file primitives of the AppArmor module (see aa_io.h). */
#include "aa_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ph_aa_pathf(ph_error_t *err, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		ph_error_make(err, ENOMEM, "build path");
		return NULL;
	}
	return s;
}

int ph_aa_read_fd(int fd, size_t max, char **out, size_t *len)
{
	return ph_aa_read_fd_sized(fd, max, 0, out, len);
}

int ph_aa_read_fd_sized(int fd, size_t max, size_t expected, char **out, size_t *len)
{
	size_t size = 0, cap = 512;
	if (expected >= cap)
		cap = expected < max ? expected + 2 : max + 1;
	char *buf = malloc(cap);
	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		if (cap - size < 2) {
			if (cap >= max + 1) {
				free(buf);
				return -EFBIG;
			}
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *n = realloc(buf, ncap);
			if (n == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = n;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + size, cap - size - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return -e;
		}
		if (r == 0)
			break;
		size += (size_t)r;
	}
	buf[size] = '\0';
	*out = buf;
	if (len != NULL)
		*len = size;
	return 0;
}

int ph_aa_read_attr_fd(int fd, size_t max, char **out)
{
	char *buf = malloc(max + 1);
	if (buf == NULL)
		return -ENOMEM;
	ssize_t r;
	do
		r = read(fd, buf, max + 1);
	while (r < 0 && errno == EINTR);
	if (r < 0 || (size_t)r > max) {
		int e = r < 0 ? errno : EFBIG;
		free(buf);
		return -e;
	}
	buf[r] = '\0';
	*out = buf;
	return 0;
}

int ph_aa_read_file(const char *path, size_t max, char **out, size_t *len)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	return ph_aa_read_fd(fd, max, out, len);
}

int ph_aa_read_line(const char *path, char **out)
{
	size_t len = 0;
	int r = ph_aa_read_file(path, 64 * 1024, out, &len);
	if (r < 0)
		return r;
	while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\0'))
		(*out)[--len] = '\0';
	return 0;
}

int ph_aa_read_bool(const char *path, bool *value)
{
	cleanup_free char *s = NULL;
	int r = ph_aa_read_line(path, &s);
	if (r < 0)
		return r;
	if (strcmp(s, "Y") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "1") == 0)
		*value = true;
	else if (strcmp(s, "N") == 0 || strcmp(s, "no") == 0 || strcmp(s, "0") == 0)
		*value = false;
	else
		return -EINVAL;
	return 0;
}

int ph_aa_write_once(int fd, const void *buf, size_t len)
{
	ssize_t w;
	do
		w = write(fd, buf, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if ((size_t)w != len)
		return -EPROTO;
	return 0;
}

int ph_aa_is_dir(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}
