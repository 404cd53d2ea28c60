/* phoenix: the namespace field of compiled AppArmor policy.
 *
 * apparmor_parser writes each profile of a compiled policy behind a
 * header of tagged fields (parser/parser_interface.c, and the kernel's
 * unpack_header() in security/apparmor/policy_unpack.c):
 *
 *     04 <u16le 8>  "version\0"    02 <u32le>
 *     04 <u16le 10> "namespace\0"  05 <u16le n+1> <n bytes> 00   (with -n or :ns:)
 *     04 <u16le 8>  "profile\0"    ...
 *
 * The DFA tables that follow are aligned to 8 bytes from the start of
 * the stream, and lengths are embedded: a namespace name of another
 * length cannot be spliced in.  One of the SAME length can: compiling a
 * profile with `-n aaaa` and `-n bbbb` gives blobs that differ only in
 * those bytes (checked with apparmor_parser 3.0.8; a profile whose rules
 * name its own namespace differs in its DFA too, which
 * ph_aa_blob_ns_only_diff() detects).  So phoenix compiles once per
 * namespace-name length with a placeholder, verifies the blob with a
 * second placeholder, and fills in each container's name.
 */
#ifndef PHOENIX_AA_BLOB_H
#define PHOENIX_AA_BLOB_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Number of namespace fields in the profile headers of `blob`, each of
 * which must equal `ns` (NULL: any).  -1 with EPROTO when one differs. */
int ph_aa_blob_count_ns(const char *blob, size_t len, const char *ns, size_t *count,
			ph_error_t *err);

/* Replace the namespace `from` in every profile header of `blob` by `to`
 * (same length, valid name).  Fails when the blob names no namespace or
 * another one. */
int ph_aa_blob_set_ns(char *blob, size_t len, const char *from, const char *to, ph_error_t *err);

/* *ok = whether blobs `a` and `b` (compiled from one source with the
 * same-length namespaces `ns_a` and `ns_b`) differ only inside their
 * namespace fields, so that ph_aa_blob_set_ns() yields what the parser
 * would have compiled for another name. */
int ph_aa_blob_ns_only_diff(const char *a, size_t alen, const char *b, size_t blen,
			    const char *ns_a, const char *ns_b, bool *ok, ph_error_t *err);

#endif
