/* phoenix: root-only directories (see private_dir.h). */
#include "private_dir.h"
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_PARENT_MODE 0755
#define DIR_FINAL_MODE 0700

/* In a user namespace, a file whose owner is not mapped into it shows the
 * overflow uid (kernel/user_namespace.c: from_kuid_munged), which
 * may also be a uid of the namespace (Proxmox maps 0-65535).  The kernel
 * tells them apart: root of the namespace has CAP_DAC_OVERRIDE only over
 * inodes whose owner and group are mapped (fs/namei.c,
 * capable_wrt_inode_uidgid), so a write check that fails on a 0755
 * directory means an owner outside the namespace -- in an unprivileged
 * LXC container, the host's root, whom no process of the container can
 * act as. */
static bool owner_outside_userns(int fd, const struct stat *st, char *why, size_t why_len)
{
	cleanup_free char *ov = NULL;
	size_t len = 0;
	ph_error_t e = NULL;
	if (ph_file_read_path("/proc/sys/kernel/overflowuid", 64, &ov, &len, &e) < 0) {
		snprintf(why, why_len, " (the overflow uid is unknown: %s)", e->msg);
		ph_error_free(&e);
		return false;
	}
	if (strtoul(ov, NULL, 10) != st->st_uid) /* NUL-terminated by ph_file_read */
		return false;
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	/* EROFS: a read-only mount, which no one in the container can write
	 * either */
	int rc = faccessat(AT_FDCWD, self, W_OK, AT_EACCESS);
	int werr = rc < 0 ? errno : 0;
	if (werr == EACCES || werr == EROFS)
		return true;
	snprintf(why, why_len,
		 " (uid %u is the overflow uid, but the kernel's write check %s: its owner is "
		 "a uid of this user namespace)",
		 (unsigned)st->st_uid, werr == 0 ? "passes" : strerror(werr));
	return false;
}

static bool owner_ok(int fd, const struct stat *st, bool final, char *why, size_t why_len)
{
	return st->st_uid == 0 || st->st_uid == geteuid() ||
	       (!final && geteuid() == 0 && owner_outside_userns(fd, st, why, why_len));
}

/* Check the directory `fd` opened as `shown` (a prefix of `path`). */
static int check_dir(int fd, const char *path, const char *shown, bool final, const char *what,
		     ph_error_t *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ph_error_make(err, errno, "%s `%s`: stat `%s`", what, path, shown);
	if (!S_ISDIR(st.st_mode))
		return ph_error_make(err, ENOTDIR, "%s `%s`: `%s` is not a directory", what, path,
				     shown);
	bool others_write = (st.st_mode & 022) != 0;
	bool sticky = (st.st_mode & S_ISVTX) != 0;
	char why[256] = "";
	if (owner_ok(fd, &st, final, why, sizeof(why)) && !(others_write && (final || !sticky)))
		return 0;
	const char *role = final ? "" : " (a parent)";
	return ph_error_make(err, EPERM,
			     "%s `%s`: `%s`%s belongs to uid %u with mode %04o: it must belong "
			     "to root and not be writable by group or others%s%s",
			     what, path, shown, role, (unsigned)st.st_uid,
			     (unsigned)(st.st_mode & 07777),
			     final ? "" : " (unless it has the sticky bit, like /tmp)", why);
}

/* Open component `name` below `parent` (made first with `create`). */
static int open_component(int parent, const char *name, bool create, bool final, const char *path,
			  const char *shown, const char *what, int *out, ph_error_t *err)
{
	mode_t mode = final ? DIR_FINAL_MODE : DIR_PARENT_MODE;
	bool made = false;
	if (create) {
		if (mkdirat(parent, name, mode) == 0)
			made = true;
		else if (errno != EEXIST)
			return ph_error_make(err, errno, "create %s `%s` (at `%s`)", what, path,
					     shown);
	}
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	/* with O_DIRECTORY, a symlink gives ENOTDIR, not ELOOP */
	if (fd < 0 && errno == ENOTDIR && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		errno = ELOOP;
	if (fd < 0 && errno == ELOOP)
		return ph_error_make(err, ELOOP,
				     "%s `%s`: `%s` is a symbolic link (phoenix does not follow "
				     "links to its own directories: give the real path)",
				     what, path, shown);
	if (fd < 0 && errno == ENOTDIR)
		return ph_error_make(err, ENOTDIR, "%s `%s`: `%s` is not a directory", what, path,
				     shown);
	if (fd < 0)
		return ph_error_make(err, errno, "open %s `%s` (at `%s`)", what, path, shown);
	/* the mode asked for, whatever the umask; the parent is already
	 * known to be writable by root alone, so this is still the
	 * directory just made */
	if (made && fchmod(fd, mode) < 0) {
		int e = errno;
		close(fd);
		return ph_error_make(err, e, "chmod %s `%s` (at `%s`)", what, path, shown);
	}
	*out = fd;
	return 0;
}

int ph_private_dir_open(const char *path, const char *what, bool create, int *dirfd,
			ph_error_t *err)
{
	*dirfd = -1;
	if (path == NULL || path[0] != '/')
		return ph_error_make(err, EINVAL, "%s `%s` is not an absolute path", what,
				     path ? path : "(null)");
	size_t plen = strlen(path);
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ph_error_make(err, errno, "%s `%s`: open `/`", what, path);
	cleanup_free char *shown = malloc(plen + 2);
	if (shown == NULL) {
		close(fd);
		return ph_error_make(err, ENOMEM, "%s `%s`", what, path);
	}
	strcpy(shown, "/");
	size_t shown_len = 1;
	const char *p = path;
	bool final = strspn(p, "/") == plen;
	if (check_dir(fd, path, shown, final, what, err) < 0)
		goto fail;
	while (!final) {
		p += strspn(p, "/");
		size_t n = strcspn(p, "/");
		char name[256];
		if (n >= sizeof(name)) {
			ph_error_make(err, ENAMETOOLONG, "%s `%s`", what, path);
			goto fail;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		final = p[strspn(p, "/")] == '\0';
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			ph_error_make(err, EINVAL, "%s `%s`: `.` and `..` are refused", what, path);
			goto fail;
		}
		if (shown_len > 1)
			shown[shown_len++] = '/';
		memcpy(shown + shown_len, name, n + 1);
		shown_len += n;
		int next = -1;
		int r = open_component(fd, name, create, final, path, shown, what, &next, err);
		close(fd);
		fd = next;
		if (r < 0 || check_dir(fd, path, shown, final, what, err) < 0)
			goto fail;
	}
	*dirfd = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}
