/* phoenix: compiled-policy cache.
 *
 * Compiling a profile costs 50-700 ms; a create must not pay it each
 * time.  A cache entry is keyed by FNV-1a 64 over
 *   - the profile's name and what apparmor_parser reads for it: the
 *     profile file and every file its `include`, `#include` and `abi`
 *     rules name, recursively (directories entry by entry, `include if
 *     exists` of a missing file as absent), each name looked up in every
 *     directory of the parser's include path — parser.conf's `Include`
 *     directories, `profiles_dir` (passed as -I) and the base directory
 *     (parser.conf's `base`, else /etc/apparmor.d) — with its path and
 *     content; plus parser.conf itself and the feature files it names.
 *     An edited abstraction or tunable of the system's base directory is
 *     a new key, and a file nothing includes is not part of it;
 *   - the kernel's feature set (<apparmorfs>/features, flattened by
 *     libapparmor's aa_features_write_to_fd());
 *   - the parser's identity (device, inode, size, mtime of the resolved
 *     binary), which changes with every upgrade of apparmor_parser and
 *     costs a stat(2) instead of running `apparmor_parser --version`.
 * The walk reads some 25 files for phoenix-default on Debian 12 (about
 * 150 system calls per lookup), in-process: running the parser to ask it
 * (`apparmor_parser -p`) would cost what the cache saves.
 *
 * Entries live in `cache_dir` (made 0700 with parents 0755; refused
 * unless root alone can write it and its parents, see private_dir.h), named <profile>.<key>.bin, or
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
int ph_aa_cache_load_profile(const struct ph_aa_env *env, const char *cache_dir, const char *parser,
			     const char *profiles_dir, const char *profile_name, const char *ns,
			     bool toplevel, bool complain, bool *hit, ph_error_t *err);

#endif
