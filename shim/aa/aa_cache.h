/* phoenix: compiled-policy cache.
 *
 * Compiling a profile costs 50-700 ms; a create must not pay it each
 * time.  A cache entry is keyed by FNV-1a 64 over
 *   - the profile's name and every regular file below `profiles_dir`
 *     (relative path, size and content, in sorted order): the profile
 *     source and its local includes (`profiles_dir` is passed as -I);
 *   - the kernel's feature set (<apparmorfs>/features, flattened by
 *     libapparmor's aa_features_write_to_fd());
 *   - the parser's identity (device, inode, size, mtime of the resolved
 *     binary), which changes with every upgrade of apparmor_parser and
 *     costs a stat(2) instead of running `apparmor_parser --version`.
 * Files outside `profiles_dir` (system abstractions, parser.conf) are
 * not part of the key: phoenix's profiles include only their own files.
 *
 * Entries live in `cache_dir` (created 0700, must be owned by the caller
 * and not accessible to others), named <profile>.<key>.bin, or
 * <profile>.<key>.nstpl for namespace templates (see aa_blob.h).  They
 * are written to a temporary file, fsync'ed and renamed into place, and
 * opened with O_NOFOLLOW.  A stale entry (one the kernel refuses with
 * EPROTO or EINVAL) is recompiled once by the ph_aa_policy_load_cached*
 * functions.  Entries whose key no longer matches are not reclaimed.
 */
#ifndef PHOENIX_AA_CACHE_H
#define PHOENIX_AA_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "aa_env.h"
#include "error.h"

/* The compiled form of <profiles_dir>/<profile_name> for this kernel:
 * from the cache (*hit = true) or compiled now and cached.  *blob is a
 * heap buffer of *len bytes. */
int ph_aa_policy_cached(const struct ph_aa_env *env, const char *cache_dir, const char *parser,
			const char *profiles_dir, const char *profile_name, char **blob,
			size_t *len, bool *hit, ph_error_t *err);

/* The same, compiled into namespace `ns` (as with -n <ns>) for loading
 * through the top-level .replace.  One template per length of `ns` is
 * compiled with a placeholder name and checked against a second
 * placeholder (ph_aa_blob_ns_only_diff()); each call fills in `ns`.  A
 * profile whose compiled form depends on its namespace name is compiled
 * for `ns` every time instead (*hit = false). */
int ph_aa_policy_cached_for_ns(const struct ph_aa_env *env, const char *cache_dir,
			       const char *parser, const char *profiles_dir,
			       const char *profile_name, const char *ns, char **blob, size_t *len,
			       bool *hit, ph_error_t *err);

/* ph_aa_policy_cached() + ph_aa_policy_load_ns(): load the profile into
 * existing namespace `ns`, recompiling once when the cached form is
 * refused as stale. */
int ph_aa_policy_load_cached(const struct ph_aa_env *env, const char *cache_dir, const char *parser,
			     const char *profiles_dir, const char *profile_name, const char *ns,
			     ph_error_t *err);

/* ph_aa_policy_cached_for_ns() + ph_aa_policy_load_via_toplevel(): the
 * unprivileged way, which also creates namespace `ns`. */
int ph_aa_policy_load_cached_via_toplevel(const struct ph_aa_env *env, const char *cache_dir,
					  const char *parser, const char *profiles_dir,
					  const char *profile_name, const char *ns,
					  ph_error_t *err);

/* The one entry point phoenix's commands use: load <profiles_dir>/<name>
 * into namespace `ns` — through the namespace's own .replace, or with
 * `toplevel` through the top-level one (user namespaces) — compiled in
 * complain mode when `complain`; *hit (may be NULL) tells whether the
 * compiled form came from the cache.  A cached form the kernel refuses as
 * stale is compiled again once. */
int ph_aa_policy_load_profile(const struct ph_aa_env *env, const char *cache_dir,
			      const char *parser, const char *profiles_dir,
			      const char *profile_name, const char *ns, bool toplevel,
			      bool complain, bool *hit, ph_error_t *err);

#endif
