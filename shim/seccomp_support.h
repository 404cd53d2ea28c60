/* phoenix: what the installed libseccomp and the running kernel support,
 * in the runtime-spec's vocabulary (SCMP_ACT_*, SCMP_CMP_*, SCMP_ARCH_*,
 * SECCOMP_FILTER_FLAG_*).  Shared by `features` and the spec validator. */
#ifndef PHOENIX_SECCOMP_SUPPORT_H
#define PHOENIX_SECCOMP_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

struct ph_seccomp_name {
	const char *name;
	unsigned min_api; /* libseccomp API level needed (seccomp_api_get) */
};

extern const struct ph_seccomp_name ph_seccomp_actions[];
extern const struct ph_seccomp_name ph_seccomp_operators[];
extern const struct ph_seccomp_name ph_seccomp_flags[];
extern const char *const ph_seccomp_archs[];

/* libseccomp's API level: what the library and this kernel support. */
unsigned ph_seccomp_api(void);

/* NULL when unknown; otherwise the entry (check min_api against the level). */
const struct ph_seccomp_name *ph_seccomp_find(const struct ph_seccomp_name *table,
					      const char *name);

/* The libseccomp token of an OCI architecture name (SCMP_ARCH_X86_64), 0
 * when libseccomp does not know it. */
uint32_t ph_seccomp_arch_token(const char *oci_name);

#endif
