/* phoenix: what the installed libseccomp and the running kernel support,
 * in the runtime-spec's vocabulary (SCMP_ACT_*, SCMP_CMP_*, SCMP_ARCH_*,
 * SECCOMP_FILTER_FLAG_*).  Shared by `features`, the spec validator and
 * the default filter.
 *
 * Support is told by libseccomp's API level (seccomp_api_get(3)), which
 * the library computes by probing the kernel once; it is a property of
 * this library on this kernel, not of the library alone. */
#ifndef PHOENIX_SECCOMP_SUPPORT_H
#define PHOENIX_SECCOMP_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ph_seccomp_name {
	const char *name;
	unsigned min_api; /* libseccomp API level needed (seccomp_api_get) */
};

/* NULL-terminated tables of the names the runtime-spec defines. */
extern const struct ph_seccomp_name ph_seccomp_actions[];
extern const struct ph_seccomp_name ph_seccomp_operators[];
extern const struct ph_seccomp_name ph_seccomp_flags[];
extern const char *const ph_seccomp_archs[];

/* libseccomp's API level: what the library and this kernel support. */
unsigned ph_seccomp_api(void);

/* "libseccomp 2.5.4", and with the level "libseccomp 2.5.4, API level 6",
 * for messages. */
void ph_seccomp_version(char *buf, size_t len);
void ph_seccomp_describe_library(char *buf, size_t len);

/* NULL when unknown; otherwise the entry (check min_api against the level). */
const struct ph_seccomp_name *ph_seccomp_find(const struct ph_seccomp_name *table,
					      const char *name);

/* The names of a table separated by ", ", for messages ("known: ..."). */
void ph_seccomp_list_names(const struct ph_seccomp_name *table, char *buf, size_t len);

/* Is `oci_name` one of the runtime-spec's architectures? */
bool ph_seccomp_arch_in_spec(const char *oci_name);

/* The libseccomp token of an OCI architecture name (SCMP_ARCH_X86_64), 0
 * when it is not a runtime-spec name or libseccomp does not know it. */
uint32_t ph_seccomp_arch_token(const char *oci_name);

/* The OCI name of a libseccomp token, NULL when there is none. */
const char *ph_seccomp_arch_name(uint32_t token);

/* The OCI name of the architecture phoenix runs on ("SCMP_ARCH_X86_64"),
 * NULL when the runtime-spec has no name for it. */
const char *ph_seccomp_native_arch(void);

#endif
