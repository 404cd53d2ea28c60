/* phoenix: libseccomp support in the runtime-spec's vocabulary. */
#include "seccomp_support.h"

#include <ctype.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

/* API levels, cumulative (seccomp_api_get(3); level 7 is libseccomp 2.6's):
 *   1  base: KILL, TRAP, ERRNO, TRACE, ALLOW; all comparison operators
 *   2  the seccomp(2) syscall and SECCOMP_FILTER_FLAG_TSYNC
 *   3  SCMP_ACT_LOG, SECCOMP_FILTER_FLAG_LOG, and SCMP_ACT_KILL_PROCESS
 *      (libseccomp's probe for level 3 requires all three)
 *   4  SECCOMP_FILTER_FLAG_SPEC_ALLOW
 *   5  SCMP_ACT_NOTIFY and the notify API
 *   6  TSYNC together with notify (no name of its own in the spec)
 *   7  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
const struct ph_seccomp_name ph_seccomp_actions[] = {
    {"SCMP_ACT_KILL", 1},	  {"SCMP_ACT_KILL_THREAD", 1},
    {"SCMP_ACT_KILL_PROCESS", 3}, {"SCMP_ACT_TRAP", 1},
    {"SCMP_ACT_ERRNO", 1},	  {"SCMP_ACT_TRACE", 1},
    {"SCMP_ACT_ALLOW", 1},	  {"SCMP_ACT_LOG", 3},
    {"SCMP_ACT_NOTIFY", 5},	  {NULL, 0},
};

const struct ph_seccomp_name ph_seccomp_operators[] = {
    {"SCMP_CMP_NE", 1}, {"SCMP_CMP_LT", 1}, {"SCMP_CMP_LE", 1},	       {"SCMP_CMP_EQ", 1},
    {"SCMP_CMP_GE", 1}, {"SCMP_CMP_GT", 1}, {"SCMP_CMP_MASKED_EQ", 1}, {NULL, 0},
};

const struct ph_seccomp_name ph_seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 2},
    {"SECCOMP_FILTER_FLAG_LOG", 3},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 7},
    {NULL, 0},
};

/* The runtime-spec's names; which of them this libseccomp knows is asked
 * of the library (ph_seccomp_arch_token). */
const char *const ph_seccomp_archs[] = {
    "SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",		"SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",	"SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	"SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	"SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",	 "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",	NULL,
};

unsigned ph_seccomp_api(void)
{
	return seccomp_api_get();
}

void ph_seccomp_version(char *buf, size_t len)
{
	const struct scmp_version *v = seccomp_version();
	snprintf(buf, len, "libseccomp %u.%u.%u", v->major, v->minor, v->micro);
}

void ph_seccomp_describe_library(char *buf, size_t len)
{
	char version[48];
	ph_seccomp_version(version, sizeof(version));
	snprintf(buf, len, "%s, API level %u", version, ph_seccomp_api());
}

const struct ph_seccomp_name *ph_seccomp_find(const struct ph_seccomp_name *table, const char *name)
{
	for (const struct ph_seccomp_name *e = table; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

void ph_seccomp_list_names(const struct ph_seccomp_name *table, char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return;
	buf[0] = '\0';
	for (const struct ph_seccomp_name *e = table; e->name && used < len; e++) {
		int n = snprintf(buf + used, len - used, "%s%s", e == table ? "" : ", ", e->name);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

bool ph_seccomp_arch_in_spec(const char *oci_name)
{
	for (int i = 0; ph_seccomp_archs[i]; i++)
		if (strcmp(ph_seccomp_archs[i], oci_name) == 0)
			return true;
	return false;
}

uint32_t ph_seccomp_arch_token(const char *oci_name)
{
	if (!ph_seccomp_arch_in_spec(oci_name))
		return 0;
	/* libseccomp names architectures in lower case: "x86_64" */
	char lower[32];
	size_t i = 0;
	for (const char *p = oci_name + strlen("SCMP_ARCH_"); *p && i < sizeof(lower) - 1; p++)
		lower[i++] = (char)tolower((unsigned char)*p);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

const char *ph_seccomp_arch_name(uint32_t token)
{
	if (token == 0)
		return NULL;
	for (int i = 0; ph_seccomp_archs[i]; i++)
		if (ph_seccomp_arch_token(ph_seccomp_archs[i]) == token)
			return ph_seccomp_archs[i];
	return NULL;
}

const char *ph_seccomp_native_arch(void)
{
	return ph_seccomp_arch_name(seccomp_arch_native());
}
