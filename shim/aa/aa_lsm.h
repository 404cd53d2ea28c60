/* phoenix: AppArmor's process attributes through the LSM system calls.
 *
 * Linux 6.8 added lsm_list_modules(2), lsm_get_self_attr(2) and
 * lsm_set_self_attr(2) (security/lsm_syscalls.c).  lsm_set_self_attr()
 * with LSM_ATTR_EXEC and a context whose id is LSM_ID_APPARMOR reaches
 * AppArmor's own hook (security/security.c, security_setselfattr(): the
 * LSM is picked by lctx->id), so no display LSM has to be set, whatever
 * else is stacked.  The hook, apparmor_setselfattr() in
 * security/apparmor/lsm.c, hands the context to the same do_setattr() as
 * a write to attr/apparmor/exec: the same "exec <label>" / "stack
 * <label>" commands, NUL termination optional (do_setattr() copies and
 * terminates an unterminated buffer), EOPNOTSUPP for any attribute but
 * current and exec.  It acts on the calling task, the thread, as a write
 * to /proc/thread-self does: AppArmor keeps the pending exec label in
 * the task's context (security/apparmor/domain.c, aa_change_profile()).
 *
 * Debian 12's headers (linux-libc-dev 6.1) have neither the system call
 * numbers nor <linux/lsm.h>: what phoenix needs is defined below, from
 * include/uapi/linux/lsm.h and arch/x86/entry/syscalls/syscall_64.tbl of
 * Linux 6.8 (the numbers are those of the table shared by every
 * architecture but alpha, include/uapi/asm-generic/unistd.h).
 *
 * Which interface phoenix uses is decided by ph_aa_lsm_probe(), once per
 * process (each command probes once): two system calls, cheaper than
 * reading a cache file, and not kept per boot because what answers them
 * can differ between processes of one boot (a seccomp filter of the
 * service manager or of an enclosing container).
 */
#ifndef PHOENIX_AA_LSM_H
#define PHOENIX_AA_LSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aa_env.h"
#include "error.h"

#ifndef __NR_lsm_get_self_attr
#define __NR_lsm_get_self_attr 459
#endif
#ifndef __NR_lsm_set_self_attr
#define __NR_lsm_set_self_attr 460
#endif
#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules 461
#endif

/* include/uapi/linux/lsm.h (Linux 6.8) */
#define PH_LSM_ID_APPARMOR 104
#define PH_LSM_ATTR_CURRENT 100
#define PH_LSM_ATTR_EXEC 101
#define PH_LSM_FLAG_SINGLE 0x0001

/* struct lsm_ctx without its flexible ctx[]: the context follows it. */
struct ph_lsm_ctx_head {
	uint64_t id;	  /* LSM_ID_* */
	uint64_t flags;	  /* LSM-specific; AppArmor ignores it */
	uint64_t len;	  /* this head, the context and any padding */
	uint64_t ctx_len; /* the context's bytes */
};
_Static_assert(sizeof(struct ph_lsm_ctx_head) == 32, "struct lsm_ctx head is 4 u64");

/* How the exec attribute is written. */
enum ph_aa_exec_iface {
	PH_AA_EXEC_PROCFS = 0, /* <proc>/thread-self/attr/apparmor/exec (or attr/exec) */
	PH_AA_EXEC_SYSCALL,    /* lsm_set_self_attr(LSM_ATTR_EXEC, LSM_ID_APPARMOR) */
};

struct ph_aa_lsm_probe {
	enum ph_aa_exec_iface iface;
	/* lsm_list_modules(2): errno of its failure (ENOSYS before 6.8), or 0 */
	int list_errno;
	/* AppArmor is among the active LSMs it lists */
	bool apparmor_listed;
	/* what lsm_set_self_attr(LSM_ATTR_EXEC) answered to an empty
	 * AppArmor context: EINVAL from AppArmor's do_setattr() means the
	 * call reaches AppArmor; -1 when not tried */
	int set_errno;
	/* why the system calls are not used, NULL when they are (static text) */
	const char *why_not;
};

/* Decide from what the kernel answered (pure: the unit tests call it
 * with the answers of each kernel). */
void ph_aa_lsm_decide(int list_errno, const uint64_t *ids, size_t n_ids, int set_errno,
		      struct ph_aa_lsm_probe *out);

/* Ask the kernel: lsm_list_modules(2), then lsm_set_self_attr(2) with an
 * empty AppArmor context, which AppArmor refuses with EINVAL before it
 * changes or audits anything (do_setattr(): no command).  ENOSYS (Linux
 * before 6.8), EOPNOTSUPP (no AppArmor hook), a seccomp filter's errno,
 * or AppArmor not listed: the procfs files.  env->lsm_syscalls false (the
 * unit tests' simulated trees): the procfs files, without asking. */
void ph_aa_lsm_probe(const struct ph_aa_env *env, struct ph_aa_lsm_probe *out);

/* "lsm_set_self_attr(2)" or "procfs". */
const char *ph_aa_exec_iface_name(enum ph_aa_exec_iface iface);

/* Build the context of `text` (a command, NUL-terminated, the NUL
 * included in ctx_len as libapparmor sends it) into buf: -ENAMETOOLONG
 * when it does not fit, else the size to pass to lsm_set_self_attr. */
long ph_aa_lsm_ctx_build(void *buf, size_t cap, const char *text);

/* lsm_set_self_attr(LSM_ATTR_EXEC, ctx, size, 0): 0 or -errno.  A plain
 * system call: safe between fork and execve. */
int ph_aa_lsm_set_exec(const void *ctx, uint32_t size);

/* AppArmor's value of attribute `attr` (PH_LSM_ATTR_EXEC, ..._CURRENT)
 * of the calling thread by lsm_get_self_attr(2), as attr/current prints
 * it ("label (mode)", no newline): 0, or -errno (-ENOENT: no pending
 * exec label). */
int ph_aa_lsm_get_self(unsigned int attr, char **text);

#endif
