/* Safe file I/O: refusals of links and special files, size limits,
 * atomic replacement that keeps mode and owner and leaves no debris. */
#include "file.h"
#include "t.h"
#include "test_json_util.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>

static char *tmpdir;
static int dirfd_;

static void put(const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	CHECK(write_text(path, text, strlen(text)) == 0);
}

static char *path_of(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void test_read(void)
{
	ph_error_t err = NULL;
	char *buf = NULL;
	size_t len = 0;
	put("plain", "hello\n");
	CHECK(ph_file_read(dirfd_, "plain", 100, &buf, &len, &err) == 0);
	CHECK(len == 6 && buf != NULL && buf[6] == '\0');
	CHECK_STR(buf, "hello\n");
	free(buf);

	/* Exactly at the limit is fine, one byte over is not. */
	CHECK(ph_file_read(dirfd_, "plain", 6, &buf, &len, &err) == 0 && len == 6);
	free(buf);
	buf = (char *)1;
	CHECK(ph_file_read(dirfd_, "plain", 5, &buf, &len, &err) < 0 && buf == NULL && len == 0);
	CHECK_STR(err ? err->msg : NULL, "`plain` is larger than the limit of 5 bytes");
	ph_error_free(&err);

	put("empty", "");
	CHECK(ph_file_read(dirfd_, "empty", 100, &buf, &len, &err) == 0 && len == 0);
	CHECK_STR(buf, "");
	free(buf);

	/* Content with NUL bytes is read whole. */
	CHECK(write_text(path_of("binary"), "a\0b", 3) == 0);
	CHECK(ph_file_read(dirfd_, "binary", 100, &buf, &len, &err) == 0 && len == 3);
	CHECK(buf != NULL && memcmp(buf, "a\0b", 4) == 0);
	free(buf);

	/* A file larger than the initial buffer. */
	size_t big_len = 300000;
	char *big = malloc(big_len);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)('a' + i % 26);
	CHECK(write_text(path_of("big"), big, big_len) == 0);
	CHECK(ph_file_read(dirfd_, "big", big_len, &buf, &len, &err) == 0 && len == big_len);
	CHECK(buf != NULL && memcmp(buf, big, big_len) == 0);
	free(buf);
	free(big);

	/* AT_FDCWD works too. */
	CHECK(ph_file_read(AT_FDCWD, "Makefile", 1 << 20, &buf, &len, &err) == 0 && len > 0);
	free(buf);
	CHECK(err == NULL);
}

/* /proc files report size 0 and are regular: the limit still holds
 * while reading. */
static void test_read_limit_while_reading(void)
{
	ph_error_t err = NULL;
	char *buf = NULL;
	size_t len = 0;
	int proc = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	CHECK(proc >= 0 && fstatat(proc, "status", &st, 0) == 0 && st.st_size == 0);
	CHECK(ph_file_read(proc, "status", 16, &buf, &len, &err) < 0 && buf == NULL);
	CHECK_STR(err ? err->msg : NULL, "`status` is larger than the limit of 16 bytes");
	ph_error_free(&err);
	CHECK(ph_file_read(proc, "status", 1 << 20, &buf, &len, &err) == 0 && len > 16);
	CHECK(buf != NULL && strncmp(buf, "Name:", 5) == 0 && strlen(buf) == len);
	free(buf);
	close(proc);
}

static void expect_read_error(int dir, const char *name, const char *message)
{
	ph_error_t err = NULL;
	char *buf = (char *)1;
	size_t len = 1;
	CHECK(ph_file_read(dir, name, 1 << 20, &buf, &len, &err) < 0);
	CHECK(buf == NULL && len == 0);
	CHECK_STR(err ? err->msg : NULL, message);
	ph_error_free(&err);
}

static void test_read_refusals(void)
{
	put("target", "{}");
	CHECK(symlink("target", path_of("link")) == 0);
	expect_read_error(dirfd_, "link", "`link` is a symbolic link");
	CHECK(symlink("nowhere", path_of("dangling")) == 0);
	expect_read_error(dirfd_, "dangling", "`dangling` is a symbolic link");
	CHECK(mkdir(path_of("dir"), 0755) == 0);
	expect_read_error(dirfd_, "dir", "`dir` is not a regular file");
	CHECK(symlink("dir", path_of("dirlink")) == 0);
	expect_read_error(dirfd_, "dirlink", "`dirlink` is a symbolic link");
	/* A FIFO with no writer: refused at once, never waited on (the
	 * alarm ends the test if it blocks). */
	CHECK(mkfifo(path_of("fifo"), 0644) == 0);
	alarm(10);
	expect_read_error(dirfd_, "fifo", "`fifo` is not a regular file");
	alarm(0);
	int dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	expect_read_error(dev, "null", "`null` is not a regular file");
	close(dev);
	expect_read_error(dirfd_, "missing", "open `missing`: No such file or directory");
	expect_read_error(dirfd_, "dir/x", "`dir/x`: expected a file name, not a path");
	expect_read_error(dirfd_, "..", "`..`: expected a file name, not a path");
	expect_read_error(dirfd_, "", "``: expected a file name, not a path");
}

static mode_t mode_of(const char *name)
{
	struct stat st;
	if (lstat(path_of(name), &st) < 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static char *content_of(const char *name)
{
	size_t len = 0;
	return slurp(path_of(name), &len);
}

static void test_write_atomic(void)
{
	ph_error_t err = NULL;
	int entries = count_entries(tmpdir);

	/* The mode is exactly what was asked, whatever the umask. */
	mode_t old_umask = umask(077);
	CHECK(ph_file_write_atomic(dirfd_, "new", "one\n", 4, 0644, &err) == 0);
	umask(old_umask);
	CHECK(mode_of("new") == 0644);
	char *text = content_of("new");
	CHECK_STR(text, "one\n");
	free(text);
	CHECK(count_entries(tmpdir) == entries + 1);

	/* Replacing gives a new inode: readers of the old one see it whole. */
	struct stat before, after;
	CHECK(lstat(path_of("new"), &before) == 0);
	CHECK(ph_file_write_atomic(dirfd_, "new", "two\n", 4, 0600, &err) == 0);
	CHECK(lstat(path_of("new"), &after) == 0 && after.st_ino != before.st_ino);
	CHECK(mode_of("new") == 0600);
	text = content_of("new");
	CHECK_STR(text, "two\n");
	free(text);
	CHECK(ph_file_write_atomic(dirfd_, "new", "", 0, 0600, &err) == 0);
	text = content_of("new");
	CHECK_STR(text, "");
	free(text);
	CHECK(count_entries(tmpdir) == entries + 1); /* no temporary file left */
	CHECK(err == NULL);

	/* A symbolic link, a directory, a FIFO are not replaced. */
	put("victim", "precious");
	CHECK(symlink("victim", path_of("wlink")) == 0);
	CHECK(ph_file_write_atomic(dirfd_, "wlink", "x", 1, 0644, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "refusing to replace `wlink`: `wlink` is a symbolic link");
	ph_error_free(&err);
	char target[64] = {0};
	CHECK(readlink(path_of("wlink"), target, sizeof(target) - 1) == 6);
	CHECK_STR(target, "victim");
	text = content_of("victim");
	CHECK_STR(text, "precious");
	free(text);
	CHECK(mkdir(path_of("wdir"), 0755) == 0);
	CHECK(ph_file_write_atomic(dirfd_, "wdir", "x", 1, 0644, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "refusing to replace `wdir`: `wdir` is not a regular file");
	ph_error_free(&err);
	CHECK(mkfifo(path_of("wfifo"), 0644) == 0);
	CHECK(ph_file_write_atomic(dirfd_, "wfifo", "x", 1, 0644, &err) < 0);
	CHECK_ERR(err, "`wfifo` is not a regular file");
	ph_error_free(&err);
	CHECK(ph_file_write_atomic(dirfd_, "a/b", "x", 1, 0644, &err) < 0);
	CHECK_ERR(err, "expected a file name, not a path");
	ph_error_free(&err);
}

/* A failing write (here: beyond RLIMIT_FSIZE) leaves neither a
 * temporary file nor a changed target. */
static void test_write_failure_cleans_up(void)
{
	ph_error_t err = NULL;
	put("keep", "old content");
	int entries = count_entries(tmpdir);
	struct rlimit saved, small;
	CHECK(getrlimit(RLIMIT_FSIZE, &saved) == 0);
	small = saved;
	small.rlim_cur = 4;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
	int r = ph_file_write_atomic(dirfd_, "keep", "new content", 11, 0644, &err);
	CHECK(setrlimit(RLIMIT_FSIZE, &saved) == 0);
	signal(SIGXFSZ, old_handler);
	CHECK(r < 0);
	CHECK_ERR(err, "write `.keep.");
	CHECK_ERR(err, "File too large");
	CHECK(err != NULL && err->status == EFBIG);
	ph_error_free(&err);
	CHECK(count_entries(tmpdir) == entries);
	char *text = content_of("keep");
	CHECK_STR(text, "old content");
	free(text);
}

static void test_replace_keeps_mode_and_owner(void)
{
	ph_error_t err = NULL;
	put("owned", "before");
	CHECK(chmod(path_of("owned"), 0751) == 0);
	bool root = geteuid() == 0;
	if (root)
		CHECK(chown(path_of("owned"), 1234, 5678) == 0);
	CHECK(ph_file_replace(dirfd_, "owned", "after", 5, &err) == 0);
	struct stat st;
	CHECK(lstat(path_of("owned"), &st) == 0);
	CHECK((st.st_mode & 07777) == 0751);
	if (root)
		CHECK(st.st_uid == 1234 && st.st_gid == 5678);
	char *text = content_of("owned");
	CHECK_STR(text, "after");
	free(text);

	CHECK(ph_file_replace(dirfd_, "absent", "x", 1, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "replace `absent`: No such file or directory");
	ph_error_free(&err);
	CHECK(access(path_of("absent"), F_OK) < 0);
	CHECK(ph_file_replace(dirfd_, "wlink", "x", 1, &err) < 0);
	CHECK_ERR(err, "`wlink` is a symbolic link");
	ph_error_free(&err);
}

static void test_paths(void)
{
	ph_error_t err = NULL;
	char *base = NULL;
	int fd = ph_file_open_parent(path_of("plain"), &base, &err);
	CHECK(fd >= 0);
	CHECK_STR(base, "plain");
	char *buf = NULL;
	size_t len = 0;
	CHECK(fd >= 0 && ph_file_read(fd, base, 100, &buf, &len, &err) == 0);
	CHECK_STR(buf, "hello\n");
	free(buf);
	free(base);
	if (fd >= 0)
		close(fd);

	fd = ph_file_open_parent("Makefile", &base, &err);
	CHECK(fd >= 0);
	CHECK_STR(base, "Makefile");
	free(base);
	if (fd >= 0)
		close(fd);
	fd = ph_file_open_parent("/etc", &base, &err);
	CHECK(fd >= 0);
	CHECK_STR(base, "etc");
	free(base);
	if (fd >= 0)
		close(fd);

	static const char *const bad[] = {"dir/", "/", "", ".", "a/..", "a/."};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base = (char *)1;
		CHECK(ph_file_open_parent(bad[i], &base, &err) < 0 && base == NULL);
		CHECK_ERR(err, "does not name a file");
		ph_error_free(&err);
	}
	CHECK(ph_file_open_parent("/nonexistent-dir/x", &base, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "open directory `/nonexistent-dir`: No such file or directory");
	ph_error_free(&err);

	CHECK(ph_file_read_path(path_of("plain"), 100, &buf, &len, &err) == 0);
	CHECK_STR(buf, "hello\n");
	free(buf);
	CHECK(ph_file_read_path(path_of("link"), 100, &buf, &len, &err) < 0);
	CHECK_ERR(err, "/link: `link` is a symbolic link");
	ph_error_free(&err);
}

/* A sysctl shows size 0 and reads as EOF at a non-zero offset: it must
 * come whole from the first read (the kernel's own procfs, not a copy). */
static void test_read_sysctl(void)
{
	char want[64] = "";
	FILE *f = fopen("/proc/sys/kernel/overflowuid", "re");
	if (f == NULL) {
		printf("# skip: no /proc/sys/kernel/overflowuid\n");
		return;
	}
	CHECK(fgets(want, sizeof(want), f) != NULL);
	fclose(f);
	CHECK(strlen(want) > 1);
	ph_error_t err = NULL;
	char *buf = NULL;
	size_t len = 0;
	CHECK(ph_file_read_path("/proc/sys/kernel/overflowuid", 64, &buf, &len, &err) == 0);
	CHECK_STR(buf, want);
	free(buf);
}

int main(void)
{
	tmpdir = make_temp_dir();
	dirfd_ = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(dirfd_ >= 0);
	test_read();
	test_read_limit_while_reading();
	test_read_refusals();
	test_write_atomic();
	test_write_failure_cleans_up();
	test_replace_keeps_mode_and_owner();
	test_paths();
	test_read_sysctl();
	close(dirfd_);
	remove_tree(tmpdir);
	T_DONE();
}
