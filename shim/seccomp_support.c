/* phoenix: libseccomp support in the runtime-spec's vocabulary. */
#include "seccomp_support.h"

#include <ctype.h>
#include <seccomp.h>
#include <string.h>

/* API levels (seccomp_api_get(3)): 2 = SECCOMP_FILTER_FLAG_LOG and
 * SCMP_ACT_LOG... see the man page; levels are cumulative. */
const struct ph_seccomp_name ph_seccomp_actions[] = {
	{ "SCMP_ACT_KILL", 1 },        { "SCMP_ACT_KILL_THREAD", 1 },
	{ "SCMP_ACT_KILL_PROCESS", 3 }, { "SCMP_ACT_TRAP", 1 },
	{ "SCMP_ACT_ERRNO", 1 },       { "SCMP_ACT_TRACE", 1 },
	{ "SCMP_ACT_ALLOW", 1 },       { "SCMP_ACT_LOG", 3 },
	{ "SCMP_ACT_NOTIFY", 5 },      { NULL, 0 },
};

const struct ph_seccomp_name ph_seccomp_operators[] = {
	{ "SCMP_CMP_NE", 1 }, { "SCMP_CMP_LT", 1 }, { "SCMP_CMP_LE", 1 },
	{ "SCMP_CMP_EQ", 1 }, { "SCMP_CMP_GE", 1 }, { "SCMP_CMP_GT", 1 },
	{ "SCMP_CMP_MASKED_EQ", 1 }, { NULL, 0 },
};

const struct ph_seccomp_name ph_seccomp_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 2 },
	{ "SECCOMP_FILTER_FLAG_LOG", 3 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 7 },
	{ NULL, 0 },
};

const char *const ph_seccomp_archs[] = {
	"SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",
	"SCMP_ARCH_ARM",      "SCMP_ARCH_AARCH64",   "SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",   "SCMP_ARCH_S390",
	"SCMP_ARCH_S390X",    "SCMP_ARCH_PARISC",    "SCMP_ARCH_PARISC64",
	"SCMP_ARCH_RISCV64",  NULL,
};

unsigned ph_seccomp_api(void)
{
	return seccomp_api_get();
}

const struct ph_seccomp_name *ph_seccomp_find(const struct ph_seccomp_name *table,
					      const char *name)
{
	for (const struct ph_seccomp_name *e = table; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

uint32_t ph_seccomp_arch_token(const char *oci_name)
{
	if (strncmp(oci_name, "SCMP_ARCH_", 10) != 0)
		return 0;
	bool known = false;
	for (int i = 0; ph_seccomp_archs[i]; i++)
		if (strcmp(ph_seccomp_archs[i], oci_name) == 0)
			known = true;
	if (!known)
		return 0;
	/* libseccomp names architectures in lower case: "x86_64" */
	char lower[32];
	size_t i = 0;
	for (const char *p = oci_name + 10; *p && i < sizeof(lower) - 1; p++)
		lower[i++] = (char)tolower((unsigned char)*p);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}
