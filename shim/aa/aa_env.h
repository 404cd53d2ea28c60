/* phoenix: where the AppArmor kernel interfaces live.
 *
 * shim/aa/ is the only code in phoenix that touches /proc/<pid>/attr and
 * apparmorfs, and it never spells those paths itself: every path starts
 * at one of these roots, so that the unit tests can point the whole
 * module at a simulated tree in a temporary directory. */
#ifndef PHOENIX_AA_ENV_H
#define PHOENIX_AA_ENV_H

#include <stdbool.h>

#include "error.h"

struct ph_aa_env {
	const char *proc;	/* "/proc" */
	const char *sys;	/* "/sys": sys/module/apparmor/parameters/{enabled,lock_policy} */
	const char *mountinfo;	/* "/proc/self/mountinfo": where securityfs is mounted */
	const char *securityfs; /* NULL: find it in mountinfo; else used as is */
	const char *securityfs_usual; /* tried before mountinfo when not NULL */
	/* apparmor_parser's configuration file: NULL for its own default
	 * (PH_AA_PARSER_CONF); any other is passed to it as --config-file, so
	 * that the compiled-policy cache key and the parser read the same
	 * base directory and include path (aa_cache.h) */
	const char *parser_conf;
	/* whether the LSM system calls (aa_lsm.h) may be used where the
	 * kernel has them: true for the real system, false for a simulated
	 * tree, which they would bypass */
	bool lsm_syscalls;
};

#define PH_AA_PARSER_CONF "/etc/apparmor/parser.conf"

/* The real system: /proc, /sys, /proc/self/mountinfo, securityfs at
 * /sys/kernel/security when it is mounted there, else from mountinfo. */
void ph_aa_env_default(struct ph_aa_env *env);

/* Where securityfs is mounted: env->securityfs if set, else
 * env->securityfs_usual if securityfs is mounted there (statfs), else the
 * first securityfs mount in env->mountinfo.  *path is NULL (and 0 returned)
 * when it is not mounted. */
int ph_aa_env_securityfs(const struct ph_aa_env *env, char **path, ph_error_t *err);

/* The apparmor directory of securityfs.  Fails with a message that says
 * what is missing and how to fix it: securityfs not mounted (ENOENT),
 * AppArmor disabled or absent (ENOENT). */
int ph_aa_env_apparmorfs(const struct ph_aa_env *env, char **path, ph_error_t *err);

#endif
