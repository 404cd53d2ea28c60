/* phoenix: a seccomp filter of phoenix's own, for a config.json that has
 * none (`docker run --privileged`, `--security-opt seccomp=unconfined`,
 * runtimes started by hand).  Whether to insert it is the operator's
 * choice (config key "seccompDefault"); this file only builds it.
 *
 * It is a deny-list: defaultAction SCMP_ACT_ALLOW, and rules that make
 * the syscalls below fail with EPERM (errno 1), or clone3 with ENOSYS
 * (errno 38) so that the C library falls back to clone(2), whose flags
 * seccomp can read.  A deny-list suits nested containers: it cannot
 * break a workload by missing a syscall it needs, and each entry is
 * a deliberate decision.  The denied syscalls and the reason for each are
 * the table in seccomp_default.c, printed for the documentation by
 * ph_seccomp_default_describe().  In short: kernel modules, kexec, bpf,
 * perf_event_open, new user namespaces (unshare and clone with
 * CLONE_NEWUSER, clone3), keyrings, ptrace, the mount family, swap,
 * reboot, acct, setting the clock, open_by_handle_at, userfaultfd,
 * lookup_dcookie, quotactl, nfsservctl, iopl/ioperm and vm86.
 *
 * Architectures: the native one and those its processes can also run
 * as (x86_64: x86_64, x86, x32; aarch64: aarch64, arm; s390x: s390x,
 * s390); elsewhere the native one alone.  A syscall that exists on none
 * of them (iopl on aarch64) is left out; one that exists on some
 * (vm86 on x86 only) is listed and the runtime skips it where it has no
 * number.  The filter passes ph_seccomp_validate().
 */
#ifndef PHOENIX_SECCOMP_DEFAULT_H
#define PHOENIX_SECCOMP_DEFAULT_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "json.h"
#include "spec.h"

enum ph_seccomp_deny_when {
	PH_DENY_ALWAYS,
	/* only when argument 0, unshare(2)'s flags, holds CLONE_NEWUSER
	 * (SCMP_CMP_MASKED_EQ) */
	PH_DENY_NEWUSER,
	/* the same for clone(2)'s flags: argument 0, but 1 on s390 */
	PH_DENY_CLONE_NEWUSER,
};

struct ph_seccomp_deny {
	const char *const *names; /* NULL-terminated */
	int errno_ret;
	enum ph_seccomp_deny_when when;
	const char *reason;
};

/* The rules, ended by an entry whose names is NULL. */
extern const struct ph_seccomp_deny ph_seccomp_default_rules[];

/* The filter (the value of linux.seccomp) for this machine. */
int ph_seccomp_default_build(struct ph_json **filter, ph_error_t *err);

/* Set linux.seccomp of a config.json to the filter when it is absent (or
 * null); *inserted tells whether it was.  A seccomp section already there
 * is never touched.  A process document is an error. */
int ph_seccomp_insert_default(struct ph_spec *spec, bool *inserted, ph_error_t *err);

/* The table as Markdown: syscalls | errno | reason. */
void ph_seccomp_default_describe(FILE *out);

#endif
