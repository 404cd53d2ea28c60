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
#include <sys/types.h>

#include "error.h"

/* The pid in a runtime's --pid-file; 0 when the file is missing or holds
 * no pid (the runtime failed: nothing to verify). */
int ph_pid_file_read(const char *path, pid_t *pid, ph_error_t *err);

/* The start time of process `pid` in clock ticks since boot, read from
 * <proc>/<pid>/stat; 0 when the process is gone. */
int ph_pid_start_time(const char *proc, pid_t pid, unsigned long long *start, ph_error_t *err);

#endif
