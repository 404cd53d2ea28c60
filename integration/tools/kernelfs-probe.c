/* kernelfs-probe: the access patterns of detached kernel filesystems, by
 * themselves, for the host-profile tests (integration/tests/phoenix-lxc.bats).
 *
 *   kernelfs-probe detached FSTYPE PATH VALUE [KEY[=VAL]...]
 *       fsopen(FSTYPE), each KEY as an fsconfig flag or KEY=VAL as a string,
 *       create, fsmount; then openat(mount fd, PATH, O_WRONLY) and write
 *       VALUE.  The mount is never attached: AppArmor names PATH from the
 *       mount's root (security/apparmor/path.c, d_namespace_path).
 *   kernelfs-probe attach FSTYPE TARGET PATH VALUE
 *       the same mount attached at TARGET with move_mount() (not mediated
 *       by AppArmor before Linux 6.6, security/apparmor/lsm.c
 *       apparmor_move_mount), then TARGET/PATH opened and written.
 *   kernelfs-probe clone SRC PATH VALUE
 *       open_tree(SRC, OPEN_TREE_CLONE), the same openat and write.
 *   kernelfs-probe sysctl fsopen|clone KEY VALUE
 *       a sysctl as runc >= 1.3.3 writes it (libpathrs procfs,
 *       CVE-2025-52881): a detached procfs (fsopen("proc"), or a clone of
 *       /proc), sys/KEY opened O_PATH, then reopened for writing through
 *       /proc/thread-self/fd/N.
 *   kernelfs-probe sealed-exec overlay TMPDIR | memfd | bind
 *       runc's sealed re-exec of itself, run with execveat(AT_EMPTY_PATH):
 *       overlay is runc >= 1.2's first choice (libcontainer/exeseal,
 *       overlayfs_linux.go), a read-only overlay of this binary's directory
 *       and TMPDIR made with fsopen("overlay") and never attached, the
 *       binary opened O_PATH in it; memfd is its fallback
 *       (cloned_binary_linux.go), a sealed memfd copy; bind is runc 1.1's
 *       read-only bind of the binary, here a detached clone of the file
 *       (open_tree(OPEN_TREE_CLONE)), whose root is the file itself.
 *       The copy prints its AppArmor label.
 *
 * Prints "ok" and exits 0 when the last step (the write, or the exec)
 * succeeded; prints the step and errno and exits 1 when that step failed;
 * exits 2 when something before it failed (the test then proves nothing).
 * bookworm's glibc 2.36 has no wrappers for the new mount API: raw
 * syscall() throughout.  <sys/mount.h> is not included: with glibc 2.36 it
 * conflicts with <linux/mount.h>.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

#define EXIT_REFUSED 1
#define EXIT_SETUP 2

static void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define cleanup_close __attribute__((cleanup(closep)))

static int sys_fsopen(const char *fstype)
{
	return (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
}

static int sys_fsconfig(int fd, unsigned int cmd, const char *key, const char *value)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, 0);
}

static int sys_fsmount(int fd, unsigned int attrs)
{
	return (int)syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, attrs);
}

static int sys_open_tree(const char *path)
{
	return (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
}

/* fail STATUS STEP ARG: report the failed step with errno, return STATUS */
static int fail(int status, const char *step, const char *arg)
{
	int err = errno;

	printf("%s %s: %s\n", step, arg, strerror(err));
	return status;
}

/* A detached mount of FSTYPE with OPTS applied (KEY flags, KEY=VAL
 * strings); returns the mount fd, or -1 with the failure printed. */
static int detached_mount(const char *fstype, char **opts, int nopts, unsigned int attrs)
{
	cleanup_close int ctx = sys_fsopen(fstype);

	if (ctx < 0)
		return fail(-1, "fsopen", fstype);
	for (int i = 0; i < nopts; i++) {
		char key[256];
		const char *eq = strchr(opts[i], '=');
		int rc;

		if (!eq) {
			rc = sys_fsconfig(ctx, FSCONFIG_SET_FLAG, opts[i], NULL);
		} else {
			size_t n = (size_t)(eq - opts[i]);

			if (n >= sizeof(key)) {
				errno = ENAMETOOLONG;
				return fail(-1, "fsconfig", opts[i]);
			}
			memcpy(key, opts[i], n);
			key[n] = '\0';
			rc = sys_fsconfig(ctx, FSCONFIG_SET_STRING, key, eq + 1);
		}
		if (rc < 0)
			return fail(-1, "fsconfig", opts[i]);
	}
	if (sys_fsconfig(ctx, FSCONFIG_CMD_CREATE, NULL, NULL) < 0)
		return fail(-1, "fsconfig create", fstype);
	int mnt = sys_fsmount(ctx, attrs);
	if (mnt < 0)
		return fail(-1, "fsmount", fstype);
	return mnt;
}

/* write_value FD PATH VALUE: one write(2) of VALUE, as sysctl(8) does */
static int write_value(int fd, const char *path, const char *value)
{
	size_t n = strlen(value);
	ssize_t w = write(fd, value, n);

	if (w < 0)
		return fail(EXIT_REFUSED, "write", path);
	if ((size_t)w != n) {
		errno = EIO;
		return fail(EXIT_REFUSED, "short write", path);
	}
	printf("ok\n");
	return 0;
}

static int write_at(int dirfd, const char *path, const char *value)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return fail(EXIT_REFUSED, "open", path);
	return write_value(fd, path, value);
}

static int cmd_detached(int argc, char **argv)
{
	if (argc < 5)
		return EXIT_SETUP;
	cleanup_close int mnt = detached_mount(argv[2], argv + 5, argc - 5, 0);
	if (mnt < 0)
		return EXIT_SETUP;
	return write_at(mnt, argv[3], argv[4]);
}

static int cmd_attach(int argc, char **argv)
{
	char path[PATH_MAX];

	if (argc != 6)
		return EXIT_SETUP;
	cleanup_close int mnt = detached_mount(argv[2], NULL, 0, 0);
	if (mnt < 0)
		return EXIT_SETUP;
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, argv[3], MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return fail(EXIT_SETUP, "move_mount", argv[3]);
	int n = snprintf(path, sizeof(path), "%s/%s", argv[3], argv[4]);
	if (n < 0 || (size_t)n >= sizeof(path))
		return EXIT_SETUP;
	return write_at(AT_FDCWD, path, argv[5]);
}

static int cmd_clone(int argc, char **argv)
{
	if (argc != 5)
		return EXIT_SETUP;
	cleanup_close int tree = sys_open_tree(argv[2]);
	if (tree < 0)
		return fail(EXIT_SETUP, "open_tree", argv[2]);
	return write_at(tree, argv[3], argv[4]);
}

static int cmd_sysctl(int argc, char **argv)
{
	char path[PATH_MAX], fdpath[64];
	cleanup_close int proc = -1;

	if (argc != 5)
		return EXIT_SETUP;
	if (strcmp(argv[2], "fsopen") == 0)
		proc = detached_mount("proc", NULL, 0,
				      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	else if (strcmp(argv[2], "clone") == 0)
		proc = sys_open_tree("/proc");
	if (proc < 0)
		return fail(EXIT_SETUP, "procfs", argv[2]);
	int n = snprintf(path, sizeof(path), "sys/%s", argv[3]);
	if (n < 0 || (size_t)n >= sizeof(path))
		return EXIT_SETUP;
	for (char *p = path; *p; p++)
		if (*p == '.')
			*p = '/';
	cleanup_close int opath = openat(proc, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (opath < 0)
		return fail(EXIT_SETUP, "open O_PATH", path);
	/* runc reopens the O_PATH handle through procfs's fd links */
	snprintf(fdpath, sizeof(fdpath), "/proc/thread-self/fd/%d", opath);
	cleanup_close int fd = open(fdpath, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(EXIT_REFUSED, "reopen", path);
	return write_value(fd, path, argv[4]);
}

/* exec_fd FD NAME ARGV0: run FD as the probe's sealed-child */
static int exec_fd(int fd, const char *name, char *argv0)
{
	char *child[] = {argv0, "sealed-child", NULL};

	syscall(SYS_execveat, fd, "", child, environ, AT_EMPTY_PATH);
	return fail(EXIT_REFUSED, "execveat", name);
}

static int sealed_overlay(const char *self, const char *tmpdir, char *argv0)
{
	char dir[PATH_MAX], base[PATH_MAX], opt[2 * PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s", self);
	snprintf(base, sizeof(base), "%s", self);
	/* overlayfs needs two lower layers for a lower-only (read-only) mount;
	 * the binary's directory on top.  (runc escapes ':' and '\'; the
	 * paths here have neither.) */
	snprintf(opt, sizeof(opt), "lowerdir=%s:%s", dirname(dir), tmpdir);
	char *opts[] = {opt};
	cleanup_close int mnt = detached_mount(
	    "overlay", opts, 1, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	if (mnt < 0)
		return EXIT_SETUP;
	cleanup_close int exe = openat(mnt, basename(base), O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (exe < 0)
		return fail(EXIT_SETUP, "open O_PATH", basename(base));
	return exec_fd(exe, basename(base), argv0);
}

static int sealed_memfd(const char *self, char *argv0)
{
	char buf[65536];
	cleanup_close int src = open(self, O_RDONLY | O_CLOEXEC);
	cleanup_close int mfd = (int)syscall(SYS_memfd_create, "runc_cloned:/proc/self/exe",
					     MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (src < 0 || mfd < 0)
		return fail(EXIT_SETUP, "memfd", self);
	for (;;) {
		ssize_t n = read(src, buf, sizeof(buf));
		if (n < 0)
			return fail(EXIT_SETUP, "read", self);
		if (n == 0)
			break;
		if (write(mfd, buf, (size_t)n) != n)
			return fail(EXIT_SETUP, "write", "memfd");
	}
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return fail(EXIT_SETUP, "seal", "memfd");
	return exec_fd(mfd, "memfd", argv0);
}

static int sealed_bind(const char *self, char *argv0)
{
	cleanup_close int tree = sys_open_tree(self);

	if (tree < 0)
		return fail(EXIT_SETUP, "open_tree", self);
	return exec_fd(tree, "bind", argv0);
}

static int cmd_sealed_exec(int argc, char **argv)
{
	char self[PATH_MAX];

	if (argc < 3)
		return EXIT_SETUP;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return fail(EXIT_SETUP, "readlink", "/proc/self/exe");
	self[n] = '\0';
	if (strcmp(argv[2], "overlay") == 0 && argc == 4)
		return sealed_overlay(self, argv[3], argv[0]);
	if (strcmp(argv[2], "memfd") == 0 && argc == 3)
		return sealed_memfd(self, argv[0]);
	if (strcmp(argv[2], "bind") == 0 && argc == 3)
		return sealed_bind(self, argv[0]);
	return EXIT_SETUP;
}

static int cmd_sealed_child(void)
{
	char label[512] = "";
	FILE *f = fopen("/proc/self/attr/current", "re");

	if (f) {
		if (!fgets(label, sizeof(label), f))
			label[0] = '\0';
		fclose(f);
	}
	label[strcspn(label, "\n")] = '\0';
	printf("ok label=%s\n", label);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = EXIT_SETUP;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		rc = EXIT_SETUP;
	else if (strcmp(argv[1], "detached") == 0)
		rc = cmd_detached(argc, argv);
	else if (strcmp(argv[1], "attach") == 0)
		rc = cmd_attach(argc, argv);
	else if (strcmp(argv[1], "clone") == 0)
		rc = cmd_clone(argc, argv);
	else if (strcmp(argv[1], "sysctl") == 0)
		rc = cmd_sysctl(argc, argv);
	else if (strcmp(argv[1], "sealed-exec") == 0)
		rc = cmd_sealed_exec(argc, argv);
	else if (strcmp(argv[1], "sealed-child") == 0)
		rc = cmd_sealed_child();
	if (rc == EXIT_SETUP && argc < 3)
		fprintf(stderr,
			"usage: kernelfs-probe detached|attach|clone|sysctl|sealed-exec ... (see "
			"the source)\n");
	return rc;
}
