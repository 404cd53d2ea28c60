/* phoenix: the container's init process (see init_pid.h). */
#include "init_pid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* how /proc/<pid>/exe names the memfd copy runc 1.1 runs itself from
 * when it cannot bind-mount its binary (nsenter/cloned_binary.c) */
#define RUNC_CLONE "/memfd:runc_cloned"

int ph_pid_file_read(const char *path, pid_t *pid, ph_error_t *err)
{
	*pid = 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return ph_error_make(err, errno, "open pid file `%s`", path);
	}
	char buf[32];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return ph_error_make(err, errno, "read pid file `%s`", path);
	buf[n] = '\0';
	char *end = NULL;
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\0' && *end != '\n') || v <= 0 || v > 4194304)
		return 0;
	*pid = (pid_t)v;
	return 0;
}

int ph_pid_start_time(const char *proc, pid_t pid, unsigned long long *start, ph_error_t *err)
{
	*start = 0;
	char path[64];
	snprintf(path, sizeof(path), "%s/%d/stat", proc, (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return 0;
		return ph_error_make(err, errno, "open `%s`", path);
	}
	char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		if (errno == ESRCH)
			return 0;
		return ph_error_make(err, errno, "read `%s`", path);
	}
	buf[n] = '\0';
	/* the command name (field 2) may hold spaces and parentheses: the
	 * fields after it start after the last ')' (fs/proc/array.c) */
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return ph_error_make(err, EINVAL, "`%s`: unexpected format", path);
	p++;
	/* field 3 (state) follows; start time is field 22 */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (p == NULL)
			return ph_error_make(err, EINVAL, "`%s`: unexpected format", path);
	}
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

enum ph_init_exe ph_pid_exe_kind(const char *proc, pid_t pid, const char *runtime_path)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%d/exe", proc, (int)pid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return PH_INIT_EXE_UNKNOWN;
	char target[128];
	ssize_t len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return PH_INIT_EXE_UNKNOWN;
	target[len] = '\0';
	if (strncmp(target, RUNC_CLONE, strlen(RUNC_CLONE)) == 0)
		return PH_INIT_EXE_RUNTIME;
	/* stat, not lstat: the magic link leads to the file the task runs,
	 * whatever its path looks like from here */
	struct stat exe;
	struct stat runtime;
	if (stat(path, &exe) < 0)
		return PH_INIT_EXE_UNKNOWN;
	if (runtime_path == NULL || stat(runtime_path, &runtime) < 0)
		return PH_INIT_EXE_OTHER;
	if (exe.st_dev == runtime.st_dev && exe.st_ino == runtime.st_ino)
		return PH_INIT_EXE_RUNTIME;
	struct statfs fs;
	if (statfs(path, &fs) == 0 && ph_exe_is_sealed_overlay(target, &exe, fs.f_type, &runtime))
		return PH_INIT_EXE_RUNTIME;
	return PH_INIT_EXE_OTHER;
}

bool ph_exe_is_sealed_overlay(const char *target, const struct stat *exe, long fs_type,
			      const struct stat *runtime)
{
	/* one component below the overlay's root: the binary's directory */
	bool one_component =
	    target[0] == '/' && target[1] != '\0' && strchr(target + 1, '/') == NULL;
	return one_component && fs_type == OVERLAYFS_SUPER_MAGIC &&
	       exe->st_ino == runtime->st_ino && exe->st_size == runtime->st_size &&
	       exe->st_mtim.tv_sec == runtime->st_mtim.tv_sec &&
	       exe->st_mtim.tv_nsec == runtime->st_mtim.tv_nsec;
}
