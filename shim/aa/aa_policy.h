/* phoenix: compiling AppArmor policy and loading it into a namespace.
 *
 * Policy is compiled by the real apparmor_parser (fork + exec, no
 * shell) and written to the kernel with libapparmor's kernel interface:
 * aa_kernel_interface_new(&ki, features, dir) opens `dir` and writes
 * policy to dir/.replace and names to dir/.remove, in one write(2) when
 * `features` has policy/set_load (libraries/libapparmor/src/
 * kernel_interface.c, 3.0.8).  `dir` may be any namespace directory, and
 * `features` is read from <apparmorfs>/features so that nothing reaches
 * for the real /sys when the environment points elsewhere.
 *
 * Two ways in:
 *  - a namespace's own <apparmorfs>/policy/namespaces/<ns>/.replace,
 *    root-owned 0640: the privileged way;
 *  - the top-level <apparmorfs>/.replace (0666), which acts on the
 *    caller's own namespace; policy whose profiles are named
 *    `:<ns>:<name>` (compiled with -n <ns>) lands in child namespace
 *    <ns>, created on the way (security/apparmor/policy.c,
 *    aa_replace_profiles()).  The way for a caller in a user namespace.
 */
#ifndef PHOENIX_AA_POLICY_H
#define PHOENIX_AA_POLICY_H

#include <stddef.h>

#include "aa_env.h"
#include "error.h"

/* Compile `profile_path` into `out_path` with
 *   <parser> -Q -K -o <out_path> [-I <include_dir>]
 *            [--kernel-features <features_path>] -- <profile_path>
 * `features_path` (a features directory or flattened file) stands for the
 * kernel's, read by the parser itself when NULL; the policy ABI stays the
 * parser's (policy-features in parser.conf, or the profile's `abi` rule).
 * `parser` is a path, or a name looked up in PATH.  The parser's stderr
 * becomes the message of a failure. */
int ph_aa_policy_compile(const char *parser, const char *profile_path, const char *include_dir,
			 const char *features_path, const char *out_path, ph_error_t *err);

/* The same, placing every profile in namespace `ns` (-n <ns>). */
/* ph_aa_policy_compile_in_ns() with flags: PH_AA_COMPILE_COMPLAIN loads
 * every profile of the file in complain mode (apparmor_parser -C). */
#define PH_AA_COMPILE_COMPLAIN 1u
int ph_aa_policy_compile_flags(const char *parser, const char *profile_path,
			       const char *include_dir, const char *features_path, const char *ns,
			       unsigned flags, const char *out_path, ph_error_t *err);
/* The same, with the parser's configuration file `config_file` (NULL: the
 * parser's default) passed first as --config-file. */
int ph_aa_policy_compile_conf(const char *parser, const char *config_file, const char *profile_path,
			      const char *include_dir, const char *features_path, const char *ns,
			      unsigned flags, const char *out_path, ph_error_t *err);

int ph_aa_policy_compile_in_ns(const char *parser, const char *profile_path,
			       const char *include_dir, const char *features_path, const char *ns,
			       const char *out_path, ph_error_t *err);

/* Load (or replace) compiled policy into existing namespace `ns`
 * through its own .replace. */
int ph_aa_policy_load_ns(const struct ph_aa_env *env, const char *ns, const char *blob, size_t len,
			 ph_error_t *err);

/* Load compiled policy through the top-level .replace.  Every profile of
 * `blob` must be in namespace `ns` (compiled with -n, or patched with
 * ph_aa_blob_set_ns()): a blob without one would replace profiles of the
 * caller's own namespace. */
int ph_aa_policy_load_via_toplevel(const struct ph_aa_env *env, const char *ns, const char *blob,
				   size_t len, ph_error_t *err);

/* The two above with the kernel's features text at hand
 * (ph_aa_features_text()); NULL: read them from apparmorfs. */
int ph_aa_policy_load_ns_features(const struct ph_aa_env *env, const char *features, const char *ns,
				  const char *blob, size_t len, ph_error_t *err);
int ph_aa_policy_load_via_toplevel_features(const struct ph_aa_env *env, const char *features,
					    const char *ns, const char *blob, size_t len,
					    ph_error_t *err);

/* Write `name` (a profile's, or `:<ns>:` for a child namespace) to
 * `dir`/.remove: a namespace's directory, or apparmorfs itself for the
 * top-level .remove.  `op` is the operation PHOENIX_FAULT names
 * (aa_fault.h), `what` begins the error message.  A missing profile or
 * namespace is success. */
int ph_aa_policy_remove_in_dir(const struct ph_aa_env *env, const char *dir, const char *name,
			       const char *op, const char *what, ph_error_t *err);

/* Remove profile `profile_name` from namespace `ns` (its .remove).  A
 * missing profile is success. */
int ph_aa_policy_remove_ns(const struct ph_aa_env *env, const char *ns, const char *profile_name,
			   ph_error_t *err);

#endif
