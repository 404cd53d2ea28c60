/* phoenix: AppArmor policy namespaces below the caller's own.
 *
 * <apparmorfs>/policy is a magic link to the caller's own namespace
 * directory (security/apparmor/apparmorfs.c, policy_get_link()), and its
 * namespaces/ lists that namespace's children: mkdir there creates one
 * (ns_mkdir_op()), rmdir removes it with everything below it
 * (ns_rmdir_op()).  Both need policy-admin rights (see
 * ph_aa_admin_denial_hint()).
 *
 * rmdir succeeds while tasks still run in the namespace: their labels
 * fall back to the parent namespace's `unconfined` (policy_ns.c,
 * destroy_ns()).  Callers check ph_aa_ns_has_tasks() before reaping.
 */
#ifndef PHOENIX_AA_NS_H
#define PHOENIX_AA_NS_H

#include <stdbool.h>
#include <stddef.h>

#include "aa_env.h"
#include "error.h"

/* <apparmorfs>/policy/namespaces/<name> (name validated). */
int ph_aa_ns_dir(const struct ph_aa_env *env, const char *name, char **path, ph_error_t *err);

/* Create namespace `name`.  An existing one fails with status EEXIST. */
int ph_aa_ns_create(const struct ph_aa_env *env, const char *name, ph_error_t *err);

/* Remove namespace `name` and everything in it; a missing one is success
 * (reaping is idempotent: containerd deletes twice). */
int ph_aa_ns_remove(const struct ph_aa_env *env, const char *name, ph_error_t *err);

/* Remove namespace `name` by writing ":<name>:" to the top-level
 * <apparmorfs>/.remove (0666), which acts on the caller's own namespace:
 * the way for a caller in a user namespace, where rmdir is refused by
 * file permissions.  A missing namespace is success. */
int ph_aa_ns_remove_via_toplevel(const struct ph_aa_env *env, const char *name, ph_error_t *err);

/* *exists = whether namespace `name` exists. */
int ph_aa_ns_exists(const struct ph_aa_env *env, const char *name, bool *exists, ph_error_t *err);

/* The child namespaces whose names start with `prefix` (NULL: all), in
 * directory order.  Free with ph_aa_ns_list_free(). */
int ph_aa_ns_list(const struct ph_aa_env *env, const char *prefix, char ***names, size_t *n,
		  ph_error_t *err);
void ph_aa_ns_list_free(char **names, size_t n);

/* *has = whether any task (any thread of any process in <proc>) has a
 * label with a member in namespace `ns` or below it.  Tasks that exit
 * during the scan, or whose label the caller cannot see (EACCES from the
 * read: they are in no namespace below ours), are skipped. */
int ph_aa_ns_has_tasks(const struct ph_aa_env *env, const char *ns, bool *has, ph_error_t *err);

#endif
