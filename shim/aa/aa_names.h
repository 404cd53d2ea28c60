/* phoenix: names that reach the AppArmor kernel interface.
 *
 * The kernel accepts any mkdir name of up to 255 bytes in
 * policy/namespaces/, but a name with ':' breaks label parsing
 * (security/apparmor/lib.c, aa_splitn_fqname()), "//" separates
 * hierarchy levels, "&" starts a stack, whitespace ends a procattr
 * command, and apparmor_parser rejects names with spaces.  Every
 * namespace and profile name phoenix writes is therefore checked here.
 *
 * Namespace names (ph_aa_ns_name):
 *
 *     phx-<scope tag>-<id>            id matches [A-Za-z0-9][A-Za-z0-9_.-]{0,99}
 *     phx-<scope tag>-x<id hash>      any other id
 *
 * <scope tag> is 8 lowercase hex digits: FNV-1a 32 of the scope, which is
 * phoenix's --root directory with trailing slashes removed, so two
 * daemons with different state roots never share a namespace name.
 * <id hash> is 16 lowercase hex digits: FNV-1a 64 of the container id.
 * An id that itself has the form x<16 hex> is hashed too, so the two
 * forms never meet.  FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/)
 * is not collision resistant: distinct hostile ids may share a name; the
 * create then fails with EEXIST instead of sharing the namespace.
 */
#ifndef PHOENIX_AA_NAMES_H
#define PHOENIX_AA_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define PH_AA_NAME_MAX 200     /* longest namespace or profile name accepted */
#define PH_AA_NS_NAME_SIZE 128 /* a buffer this size always fits ph_aa_ns_name() */
#define PH_AA_NS_PREFIX "phx-"
#define PH_AA_SCOPE_PREFIX_LEN 13 /* strlen("phx-xxxxxxxx-") */

#define PH_AA_FNV32_INIT UINT32_C(0x811c9dc5)
#define PH_AA_FNV64_INIT UINT64_C(0xcbf29ce484222325)

/* FNV-1a over `len` bytes, continuing from `h` (start with *_INIT). */
uint32_t ph_aa_fnv1a32(uint32_t h, const void *data, size_t len);
uint64_t ph_aa_fnv1a64(uint64_t h, const void *data, size_t len);

/* A namespace or profile name phoenix may hand to the kernel:
 * [A-Za-z0-9][A-Za-z0-9_.+-]*, at most PH_AA_NAME_MAX bytes. */
bool ph_aa_name_valid(const char *name);

/* "phx-<scope tag>-": the prefix shared by every namespace of one scope,
 * for ph_aa_ns_list(). */
int ph_aa_ns_scope_prefix(const char *scope, char *out, size_t outlen, ph_error_t *err);

/* The policy namespace of container `container_id` under `scope` (see
 * above).  The result matches [A-Za-z][A-Za-z0-9_.-]* and is at most
 * 114 bytes; ERANGE if `outlen` is too small. */
int ph_aa_ns_name(const char *scope, const char *container_id, char *out, size_t outlen,
		  ph_error_t *err);

/* Whether `name` has the form ph_aa_ns_name() produces. */
bool ph_aa_ns_is_phoenix(const char *name);

#endif
