/* Reading whole files (aa_io.h): the size hint changes the reads, never
 * the result. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aa_io.h"
#include "t.h"

static int read_back(const char *path, size_t max, size_t expected, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = ph_aa_read_fd_sized(fd, max, expected, out, len);
	close(fd);
	return r;
}

int main(void)
{
	char path[] = "/tmp/phoenix-test-io.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	static char data[5000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	CHECK(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data));
	close(fd);

	/* the right size, none, too small, too large: the same bytes */
	const size_t hints[] = {5000, 0, 100, 4999, 5001, 70000};
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		char *out = NULL;
		size_t len = 0;
		CHECK(read_back(path, 64 * 1024, hints[i], &out, &len) == 0);
		CHECK(len == sizeof(data) && out && memcmp(out, data, len) == 0 && out[len] == 0);
		free(out);
	}
	/* the limit holds whatever the hint says */
	char *out = NULL;
	CHECK(read_back(path, 4096, 5000, &out, NULL) == -EFBIG);
	CHECK(read_back(path, 4096, 0, &out, NULL) == -EFBIG);
	CHECK(read_back(path, 5001, 5000, &out, NULL) == 0);
	free(out);
	unlink(path);

	/* A procattr file is read in one read(2): the kernel serves every
	 * read from a text it builds anew, so what a second read returns
	 * belongs to another label (a task that exec'd in between).  A
	 * SOCK_SEQPACKET pair stands in for it: each read returns exactly
	 * one message. */
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	const char before[] = ":phx-1-a:unconfined\n", after[] = "ault (enforce)\n";
	CHECK(write(sv[1], before, strlen(before)) == (ssize_t)strlen(before));
	CHECK(write(sv[1], after, strlen(after)) == (ssize_t)strlen(after));
	close(sv[1]);
	char *label = NULL;
	CHECK(ph_aa_read_attr_fd(sv[0], 4096, &label) == 0);
	CHECK_STR(label, before);
	free(label);
	close(sv[0]);
	/* a text that fills the buffer is refused, not cut */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, data, sizeof(data)) == (ssize_t)sizeof(data));
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(ph_aa_read_attr_fd(fd, 4096, &label) == -EFBIG);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(ph_aa_read_attr_fd(fd, sizeof(data), &label) == 0 && strlen(label) == sizeof(data));
	free(label);
	close(fd);
	unlink(path);
	T_DONE();
}
