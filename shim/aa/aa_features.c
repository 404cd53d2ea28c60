/* phoenix: the kernel's policy features, read once per boot (see aa_features.h). */
#include "aa_features.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aa_io.h"
#include "file.h"

#define FEATURES_PREFIX "features."
#define FEATURES_MAX (1024 * 1024)
#define BOOT_ID_LEN 36 /* a UUID: 8-4-4-4-12 hex digits */

/* The boot id, checked to be a UUID so that it can name a file. */
static int read_boot_id(const struct ph_aa_env *env, char id[BOOT_ID_LEN + 1])
{
	cleanup_free char *path = NULL, *line = NULL;
	if (asprintf(&path, "%s/sys/kernel/random/boot_id", env->proc) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	int r = ph_aa_read_line(path, &line);
	if (r < 0)
		return r;
	if (strlen(line) != BOOT_ID_LEN || strspn(line, "0123456789abcdef-") != BOOT_ID_LEN)
		return -EPROTO;
	memcpy(id, line, BOOT_ID_LEN + 1);
	return 0;
}

/* The stored text, if the file is one phoenix wrote: 0 and *text NULL
 * when there is none to trust. */
static int read_stored(int dirfd, const char *name, char **text, size_t *len)
{
	*text = NULL;
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? 0 : -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0 ||
	    st.st_size == 0)
		return 0;
	return ph_aa_read_fd_sized(fd, FEATURES_MAX, (size_t)st.st_size, text, len);
}

/* libapparmor's walk of the tree, flattened into text. */
static int read_kernel(const char *features_path, char **text, size_t *len, ph_error_t *err)
{
	aa_features *features = NULL;
	if (aa_features_new(&features, AT_FDCWD, features_path) < 0)
		return ph_error_make(err, errno, "read kernel features `%s`", features_path);
	cleanup_close int fd = memfd_create("phoenix-features", MFD_CLOEXEC);
	int r = fd < 0 ? -errno : 0;
	if (r == 0 && aa_features_write_to_fd(features, fd) < 0)
		r = -errno;
	aa_features_unref(features);
	if (r == 0 && lseek(fd, 0, SEEK_SET) < 0)
		r = -errno;
	if (r == 0)
		r = ph_aa_read_fd(fd, FEATURES_MAX, text, len);
	if (r < 0)
		return ph_error_make(err, -r, "flatten kernel features `%s`", features_path);
	return 0;
}

/* Files of earlier boots are of no use any more. */
static void remove_other_boots(int dirfd, const char *keep)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, FEATURES_PREFIX, strlen(FEATURES_PREFIX)) == 0 &&
		    strcmp(e->d_name, keep) != 0)
			unlinkat(dirfd, e->d_name, 0);
	}
	closedir(d);
}

/* Store the text for the next caller.  Best effort: a cache that cannot
 * be written only costs the next caller the walk. */
static void store(int dirfd, const char *name, const char *text, size_t len)
{
	ph_error_t err = NULL;
	if (ph_file_write_atomic(dirfd, name, text, len, 0600, &err) < 0) {
		ph_error_free(&err);
		return;
	}
	remove_other_boots(dirfd, name);
}

int ph_aa_features_text(const struct ph_aa_env *env, const char *features_path, int cache_dirfd,
			char **text, size_t *len, ph_error_t *err)
{
	*text = NULL;
	*len = 0;
	char boot_id[BOOT_ID_LEN + 1];
	char name[sizeof(FEATURES_PREFIX) + BOOT_ID_LEN];
	bool keyed = cache_dirfd >= 0 && read_boot_id(env, boot_id) == 0;
	if (keyed) {
		snprintf(name, sizeof(name), FEATURES_PREFIX "%s", boot_id);
		if (read_stored(cache_dirfd, name, text, len) == 0 && *text != NULL)
			return 0;
		free(*text);
		*text = NULL;
	}
	if (read_kernel(features_path, text, len, err) < 0)
		return -1;
	if (keyed)
		store(cache_dirfd, name, *text, *len);
	return 0;
}
