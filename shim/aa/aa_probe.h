/* phoenix: what the AppArmor of this kernel, seen from this process, can do.
 *
 * Feature probing, not version guessing: every field is read from the
 * file the kernel provides for it, and a missing file leaves the field at
 * its "absent" value.  Only an unexpected error (out of memory, an
 * unreadable mountinfo) fails the probe.
 */
#ifndef PHOENIX_AA_PROBE_H
#define PHOENIX_AA_PROBE_H

#include <stdbool.h>

#include "aa_env.h"
#include "aa_lsm.h"
#include "error.h"

enum ph_aa_caller_kind {
	PH_CALLER_NO_APPARMOR,	   /* AppArmor absent or disabled */
	PH_CALLER_UNKNOWN,	   /* enabled, but apparmorfs or the label cannot be read */
	PH_CALLER_ROOT_UNCONFINED, /* `unconfined` in the root policy namespace */
	PH_CALLER_OWN_NS,	   /* in a policy namespace of its own (.ns_level >= 1 or
				      .ns_stacked): e.g. an LXC container running
				      host//&:ct:unconfined, which sees itself as `unconfined` */
	PH_CALLER_CONFINED_ROOT,   /* confined by a profile of the root namespace */
};

struct ph_aa_probe {
	/* <sys>/module/apparmor/parameters/enabled reads Y */
	bool enabled;
	/* where securityfs is mounted, NULL when it is not */
	char *securityfs;
	/* <securityfs>/apparmor, NULL when absent */
	char *apparmorfs;
	/* <proc>/self/attr/apparmor/ exists (Linux >= 5.8) */
	bool attr_apparmor_dir;
	/* <apparmorfs>/features/domain/stack reads yes */
	bool stack_supported;
	/* <apparmorfs>/.ns_stacked reads yes: the caller's label has members
	 * in more than one namespace */
	bool ns_stacked;
	/* <apparmorfs>/.ns_level: depth of the caller's namespace, -1 unknown */
	int ns_level;
	/* <apparmorfs>/.ns_name: the caller's namespace ("root" at the top) */
	char *ns_name;
	/* <sys>/module/apparmor/parameters/lock_policy reads Y (unreadable
	 * without policy-view rights: then false) */
	bool lock_policy;
	/* CAP_MAC_ADMIN in the effective set (libcap) */
	bool cap_mac_admin;
	/* user namespaces above the caller's that the caller can see, by
	 * NS_GET_PARENT on <proc>/self/ns/user; the walk stops with EPERM at
	 * the top of the caller's view (fs/nsfs.c, ns_get_owner()), so from
	 * inside a container it is 0; -1 when it cannot be read */
	int userns_visible_depth;
	/* <proc>/self/uid_map is not the identity map "0 0 4294967295": the
	 * caller runs in a user namespace other than the initial one */
	bool in_userns;
	/* /proc/sys/kernel/unprivileged_userns_apparmor_policy, -1 absent */
	int unprivileged_userns_policy;
	/* the caller's label and mode (<proc>/thread-self/attr/.../current),
	 * NULL when unreadable */
	char *label;
	char *mode;
	char *label_error; /* why the label could not be read, or NULL */
	/* display-LSM interface (<proc>/self/attr/interface_lsm or display),
	 * NULL when absent */
	char *display_attr;
	/* <securityfs>/lsm ("lockdown,capability,apparmor"), NULL when absent */
	char *lsm_list;
	/* why the LSM list could not be read (not ENOENT), or 0: the
	 * display-LSM plan then fails rather than guess */
	int lsm_list_errno;
	/* the LSM list has smack or selinux besides apparmor */
	bool lsm_stacked;
	/* whether the exec attribute is written by lsm_set_self_attr(2) or
	 * through procfs (aa_lsm.h); ph_aa_probe() only */
	struct ph_aa_lsm_probe lsm;
	enum ph_aa_caller_kind caller_kind;
};

/* Whether <proc>/self/uid_map is other than the identity map: the
 * caller runs in a user namespace (probe.in_userns, alone). */
bool ph_aa_in_userns(const struct ph_aa_env *env);

int ph_aa_probe(const struct ph_aa_env *env, struct ph_aa_probe *out, ph_error_t *err);
/* Only what finding and removing namespaces and reading labels need
 * (start, delete): enabled, securityfs, apparmorfs, in_userns.  The rest
 * keeps its "unknown" value; caller_kind is PH_CALLER_UNKNOWN (or
 * PH_CALLER_NO_APPARMOR). */
int ph_aa_probe_basic(const struct ph_aa_env *env, struct ph_aa_probe *out, ph_error_t *err);

void ph_aa_probe_release(struct ph_aa_probe *probe);

/* "root-unconfined", "own-namespace", ... */
const char *ph_aa_caller_kind_name(enum ph_aa_caller_kind kind);

/* Why the kernel may have refused policy administration to this process,
 * as a sentence naming the likely causes and their fixes (heap string,
 * NULL on allocation failure). */
char *ph_aa_admin_denial_hint(const struct ph_aa_probe *probe);

/* Set *err to "<what>: not policy admin: <hint>" with `status` (EACCES or
 * EPERM from the kernel), probing `env` for the hint.  Returns -1. */
int ph_aa_admin_error(const struct ph_aa_env *env, int status, ph_error_t *err, const char *what);

#endif
