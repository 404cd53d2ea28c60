/* phoenix: the container's init process, found without asking the runtime.
 *
 * Verifying a container's label after `start` needs its init pid.  Asking
 * the runtime (`runc state`) costs a whole runtime execution; the clients
 * (containerd-shim, conmon, dockerd) pass `--pid-file` to create, so phoenix
 * reads that file after create, records the pid together with the
 * process's start time (field 22 of /proc/<pid>/stat, which tells a reused
 * pid apart), and at `start` uses it while the start time still matches. */
#ifndef PHOENIX_INIT_PID_H
#define PHOENIX_INIT_PID_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "error.h"

/* The pid in a runtime's --pid-file; 0 when the file is missing or holds
 * no pid (the runtime failed: nothing to verify). */
int ph_pid_file_read(const char *path, pid_t *pid, ph_error_t *err);

/* The start time of process `pid` in clock ticks since boot, read from
 * <proc>/<pid>/stat; 0 when the process is gone. */
int ph_pid_start_time(const char *proc, pid_t pid, unsigned long long *start, ph_error_t *err);

/* What process `pid` is running right now, told by /proc/<pid>/exe. */
enum ph_init_exe {
	PH_INIT_EXE_UNKNOWN, /* gone, or not readable (ptrace policy): no opinion */
	PH_INIT_EXE_RUNTIME, /* still the runtime: crun's fork, `runc init` or its clone */
	PH_INIT_EXE_OTHER,   /* the container's own program */
};

/* Whether `pid` still runs the runtime `runtime_path`: the same file (by
 * device and inode: crun's fork, and Debian 12's runc 1.1.5, which runs a
 * detached read-only bind mount of its binary whose path reads as "/"),
 * the sealed memfd copy runc takes otherwise ("runc_cloned:/proc/self/exe",
 * against CVE-2019-5736: Debian 13's runc 1.1.15), or runc 1.2+'s binary in
 * a detached overlayfs (see ph_exe_is_sealed_overlay: unstable's 1.3.6).  A
 * path alone is never trusted (a container's program may have any name);
 * a program exec'd from a memfd of that name only gets the longer wait
 * before the label check fails.
 * Never fails: anything that cannot be read is PH_INIT_EXE_UNKNOWN. */
enum ph_init_exe ph_pid_exe_kind(const char *proc, pid_t pid, const char *runtime_path);

/* runc 1.2+ runs `runc init` from its binary in a detached, read-only
 * overlayfs whose first lower layer is the binary's directory, xino off
 * (libcontainer/exeseal/overlayfs_linux.go): /proc/<pid>/exe reads
 * "/runc", on the overlay's device, and overlayfs keeps the lower file's
 * inode number (fs/overlayfs/inode.c, ovl_map_dev_ino).  So a file named
 * by one component on an overlayfs (`fs_type`, statfs(2)) with the
 * runtime's inode number, size and modification time is taken for the
 * runtime.  A match only lengthens the wait for the execve: the label
 * still decides. */
bool ph_exe_is_sealed_overlay(const char *target, const struct stat *exe, long fs_type,
			      const struct stat *runtime);

#endif
