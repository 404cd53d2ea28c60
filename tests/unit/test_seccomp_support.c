/* libseccomp's support in the runtime-spec's vocabulary, and the
 * `features` document built from it: the API levels of seccomp_api_get(3)
 * decide what is supported, libseccomp decides which architectures exist,
 * libcap names the capabilities. */
#include <seccomp.h>

#include "features_own.h"
#include "seccomp_support.h"
#include "t.h"

static bool listed(const struct ph_json *doc, const char *path, const char *name)
{
	const struct ph_json *arr = ph_json_lookup(doc, path);
	for (size_t i = 0; arr && arr->type == PH_JSON_ARRAY && i < arr->u.array.count; i++)
		if (strcmp(arr->u.array.items[i]->u.string.ptr, name) == 0)
			return true;
	return false;
}

static bool supported(const struct ph_seccomp_name *table, const char *name)
{
	const struct ph_seccomp_name *e = ph_seccomp_find(table, name);
	return e != NULL && e->min_api <= ph_seccomp_api();
}

/* seccomp_api_get(3): 1 base, 2 TSYNC, 3 LOG (and KILL_PROCESS, which
 * libseccomp probes with it), 4 SPEC_ALLOW, 5 NOTIFY, 6 TSYNC with
 * notify; 7 WAIT_KILLABLE_RECV (libseccomp 2.6). */
static void levels(void)
{
	CHECK(seccomp_api_set(1) == 0);
	CHECK(supported(ph_seccomp_actions, "SCMP_ACT_ERRNO"));
	CHECK(supported(ph_seccomp_actions, "SCMP_ACT_KILL"));
	CHECK(supported(ph_seccomp_operators, "SCMP_CMP_MASKED_EQ"));
	CHECK(!supported(ph_seccomp_flags, "SECCOMP_FILTER_FLAG_TSYNC"));
	CHECK(seccomp_api_set(2) == 0);
	CHECK(supported(ph_seccomp_flags, "SECCOMP_FILTER_FLAG_TSYNC"));
	CHECK(!supported(ph_seccomp_actions, "SCMP_ACT_LOG"));
	CHECK(!supported(ph_seccomp_actions, "SCMP_ACT_KILL_PROCESS"));
	CHECK(seccomp_api_set(3) == 0);
	CHECK(supported(ph_seccomp_actions, "SCMP_ACT_LOG"));
	CHECK(supported(ph_seccomp_actions, "SCMP_ACT_KILL_PROCESS"));
	CHECK(supported(ph_seccomp_flags, "SECCOMP_FILTER_FLAG_LOG"));
	CHECK(!supported(ph_seccomp_flags, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
	CHECK(seccomp_api_set(4) == 0);
	CHECK(supported(ph_seccomp_flags, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
	CHECK(!supported(ph_seccomp_actions, "SCMP_ACT_NOTIFY"));
	CHECK(seccomp_api_set(5) == 0);
	CHECK(supported(ph_seccomp_actions, "SCMP_ACT_NOTIFY"));
	CHECK(seccomp_api_set(6) == 0);
	CHECK(!supported(ph_seccomp_flags, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
	CHECK(ph_seccomp_find(ph_seccomp_actions, "SCMP_ACT_FOO") == NULL);

	char buf[128];
	ph_seccomp_describe_library(buf, sizeof(buf));
	CHECK(strncmp(buf, "libseccomp 2.", 13) == 0 && strstr(buf, ", API level 6") != NULL);
	ph_seccomp_list_names(ph_seccomp_operators, buf, sizeof(buf));
	CHECK_STR(buf, "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, "
		       "SCMP_CMP_GT, SCMP_CMP_MASKED_EQ");
	ph_seccomp_list_names(ph_seccomp_operators, buf, 16);
	CHECK_STR(buf, "SCMP_CMP_NE, SC");
}

static void architectures(void)
{
	CHECK(ph_seccomp_arch_token("SCMP_ARCH_X86_64") == SCMP_ARCH_X86_64);
	CHECK(ph_seccomp_arch_token("SCMP_ARCH_X32") == SCMP_ARCH_X32);
	CHECK(ph_seccomp_arch_token("SCMP_ARCH_AARCH64") == SCMP_ARCH_AARCH64);
	CHECK(ph_seccomp_arch_token("SCMP_ARCH_MIPSEL64N32") == SCMP_ARCH_MIPSEL64N32);
	CHECK(ph_seccomp_arch_token("SCMP_ARCH_PPC64LE") == SCMP_ARCH_PPC64LE);
	/* only the spec's spelling */
	CHECK(ph_seccomp_arch_token("x86_64") == 0);
	CHECK(ph_seccomp_arch_token("SCMP_ARCH_x86_64") == 0);
	CHECK(ph_seccomp_arch_token("SCMP_ARCH_AMD64") == 0);
	CHECK(ph_seccomp_arch_token("SCMP_ARCH_") == 0);
	CHECK(ph_seccomp_arch_in_spec("SCMP_ARCH_LOONGARCH64"));
	CHECK(!ph_seccomp_arch_in_spec("SCMP_ARCH_FOO"));
	CHECK_STR(ph_seccomp_arch_name(SCMP_ARCH_AARCH64), "SCMP_ARCH_AARCH64");
	CHECK(ph_seccomp_arch_name(0) == NULL);
	const char *native = ph_seccomp_native_arch();
	CHECK(native != NULL && ph_seccomp_arch_token(native) == seccomp_arch_native());
	/* each name maps to its own token */
	for (int i = 0; ph_seccomp_archs[i]; i++) {
		uint32_t token = ph_seccomp_arch_token(ph_seccomp_archs[i]);
		if (token != 0)
			CHECK_STR(ph_seccomp_arch_name(token), ph_seccomp_archs[i]);
	}
}

static void features(void)
{
	struct ph_json *doc = NULL;
	ph_error_t err = NULL;
	CHECK(seccomp_api_set(4) == 0);
	CHECK(ph_features_own(&doc, &err) == 0);
	if (doc == NULL)
		return;
	const struct ph_json *enabled = ph_json_lookup(doc, "linux.seccomp.enabled");
	CHECK(enabled != NULL && enabled->type == PH_JSON_TRUE);
	CHECK(listed(doc, "linux.seccomp.actions", "SCMP_ACT_LOG"));
	CHECK(!listed(doc, "linux.seccomp.actions", "SCMP_ACT_NOTIFY"));
	CHECK(listed(doc, "linux.seccomp.operators", "SCMP_CMP_MASKED_EQ"));
	CHECK(listed(doc, "linux.seccomp.knownFlags", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
	CHECK(listed(doc, "linux.seccomp.supportedFlags", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
	CHECK(
	    !listed(doc, "linux.seccomp.supportedFlags", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
	CHECK(listed(doc, "linux.seccomp.archs", ph_seccomp_native_arch()));
	/* an architecture is listed exactly when libseccomp knows it */
	for (int i = 0; ph_seccomp_archs[i]; i++)
		CHECK(listed(doc, "linux.seccomp.archs", ph_seccomp_archs[i]) ==
		      (ph_seccomp_arch_token(ph_seccomp_archs[i]) != 0));
	/* capabilities as the spec writes them */
	CHECK(listed(doc, "linux.capabilities", "CAP_MAC_ADMIN"));
	CHECK(listed(doc, "linux.capabilities", "CAP_CHOWN"));
	const struct ph_json *caps = ph_json_lookup(doc, "linux.capabilities");
	for (size_t i = 0; caps && i < caps->u.array.count; i++)
		CHECK(strncmp(caps->u.array.items[i]->u.string.ptr, "CAP_", 4) == 0);
	ph_json_free(doc);
	CHECK(seccomp_api_set(6) == 0);
}

int main(void)
{
	levels();
	architectures();
	features();
	T_DONE();
}
