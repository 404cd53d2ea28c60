/* Names that reach the kernel: validation, namespace naming, and reading
 * labels the way the kernel prints them. */
#include "aa_label.h"
#include "aa_names.h"
#include "t.h"

#include <errno.h>
#include <stdbool.h>

/* The documented output alphabet of ph_aa_ns_name(). */
static bool ns_name_shape_ok(const char *s)
{
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	size_t n = strlen(s);
	if (n > 255 || n > 114)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
		if (!ok)
			return false;
	}
	return ph_aa_name_valid(s) && ph_aa_ns_is_phoenix(s);
}

static void test_fnv(void)
{
	/* Reference values of FNV-1a (isthe.com test vectors). */
	CHECK(ph_aa_fnv1a32(PH_AA_FNV32_INIT, "", 0) == 0x811c9dc5u);
	CHECK(ph_aa_fnv1a32(PH_AA_FNV32_INIT, "a", 1) == 0xe40c292cu);
	CHECK(ph_aa_fnv1a32(PH_AA_FNV32_INIT, "foobar", 6) == 0xbf9cf968u);
	CHECK(ph_aa_fnv1a64(PH_AA_FNV64_INIT, "", 0) == 0xcbf29ce484222325ull);
	CHECK(ph_aa_fnv1a64(PH_AA_FNV64_INIT, "a", 1) == 0xaf63dc4c8601ec8cull);
	CHECK(ph_aa_fnv1a64(PH_AA_FNV64_INIT, "foobar", 6) == 0x85944171f73967e8ull);
}

static void test_name_valid(void)
{
	static const char *const good[] = {
	    "a", "Z9", "0abc", "phoenix-default", "docker_default", "a.b+c-d_e", "phx-0123abcd-c1"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(ph_aa_name_valid(good[i]));

	char long_ok[201], long_bad[202], huge[5001];
	memset(long_ok, 'a', 200);
	long_ok[200] = '\0';
	memset(long_bad, 'a', 201);
	long_bad[201] = '\0';
	memset(huge, 'x', 5000);
	huge[5000] = '\0';
	CHECK(ph_aa_name_valid(long_ok));
	static const char *const bad[] = {
	    "",
	    "&p",
	    "p&q",
	    ":ns:",
	    ":ns:p",
	    "ns:p",
	    "a//b",
	    "a/b",
	    "/abs",
	    "p\n",
	    "p\nq",
	    "p q",
	    " p",
	    "p\t",
	    "p^hat",
	    "p'",
	    "p\"",
	    "p`",
	    "-p",
	    ".p",
	    "_p",
	    "+p",
	    "..",
	    ".",
	    "p\\q",
	    "p*",
	    "p?",
	    "p[1]",
	    "p{a,b}",
	    "p=x",
	    "p,q",
	    "p;q",
	    "p\x7f",
	    "p\x01",
	    "p\xc3\xa9",
	    "p)",
	    "p (enforce)",
	    "unconfined//&:x:y",
	    "p!",
	    "p#",
	    "p$",
	    "p%",
	    "p@",
	    "p|",
	    "p<",
	    "p>",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ph_aa_name_valid(bad[i]))
			fprintf(stderr, "accepted hostile name #%zu \"%s\"\n", i, bad[i]);
		CHECK(!ph_aa_name_valid(bad[i]));
	}
	CHECK(!ph_aa_name_valid(long_bad));
	CHECK(!ph_aa_name_valid(huge));
	CHECK(!ph_aa_name_valid(NULL));
}

static void test_ns_name(void)
{
	ph_error_t err = NULL;
	char a[PH_AA_NS_NAME_SIZE], b[PH_AA_NS_NAME_SIZE], prefix[PH_AA_SCOPE_PREFIX_LEN + 1];
	char expect[64];

	/* A usable id is kept; the scope tag is FNV-1a 32 of the scope. */
	CHECK(ph_aa_ns_name("/run/phoenix", "c1", a, sizeof(a), &err) == 0);
	snprintf(expect, sizeof(expect), "phx-%08x-c1",
		 ph_aa_fnv1a32(PH_AA_FNV32_INIT, "/run/phoenix", strlen("/run/phoenix")));
	CHECK_STR(a, expect);
	CHECK(ns_name_shape_ok(a));
	CHECK(ph_aa_ns_scope_prefix("/run/phoenix", prefix, sizeof(prefix), &err) == 0);
	CHECK(strncmp(a, prefix, strlen(prefix)) == 0);
	CHECK(strlen(prefix) == PH_AA_SCOPE_PREFIX_LEN);

	/* Trailing slashes do not make another scope; another root does. */
	CHECK(ph_aa_ns_name("/run/phoenix//", "c1", b, sizeof(b), &err) == 0);
	CHECK_STR(a, b);
	CHECK(ph_aa_ns_name("/run/phoenix-other", "c1", b, sizeof(b), &err) == 0);
	CHECK(strcmp(a, b) != 0);
	CHECK(strncmp(b, prefix, strlen(prefix)) != 0);

	/* A Docker id (64 hex) is kept as is. */
	const char *docker = "4f8c1b0e9d2a7c3b5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5";
	CHECK(ph_aa_ns_name("/run/docker/runtime-runc/moby", docker, a, sizeof(a), &err) == 0);
	CHECK(strlen(a) == PH_AA_SCOPE_PREFIX_LEN + 64);
	CHECK(strcmp(a + PH_AA_SCOPE_PREFIX_LEN, docker) == 0);
	CHECK(ns_name_shape_ok(a));

	/* Odd ids are hashed: FNV-1a 64, prefixed with x. */
	static const char *const odd[] = {"a b",     "../../etc", "ns:x",  "x//&y", "-leading",
					  ".hidden", "tab\there", "nl\n",  "é",	    "&",
					  ":",	     "/",	  "_under"};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		CHECK(ph_aa_ns_name("/run/phoenix", odd[i], a, sizeof(a), &err) == 0);
		snprintf(
		    expect, sizeof(expect), "x%016llx",
		    (unsigned long long)ph_aa_fnv1a64(PH_AA_FNV64_INIT, odd[i], strlen(odd[i])));
		CHECK_STR(a + PH_AA_SCOPE_PREFIX_LEN, expect);
		CHECK(ns_name_shape_ok(a));
	}
	/* 100 usable bytes are kept, 101 are hashed. */
	char id[102];
	memset(id, 'k', 101);
	id[100] = '\0';
	CHECK(ph_aa_ns_name("/s", id, a, sizeof(a), &err) == 0);
	CHECK(strcmp(a + PH_AA_SCOPE_PREFIX_LEN, id) == 0);
	CHECK(strlen(a) == 113 && ns_name_shape_ok(a));
	id[100] = 'k';
	id[101] = '\0';
	CHECK(ph_aa_ns_name("/s", id, a, sizeof(a), &err) == 0);
	CHECK(a[PH_AA_SCOPE_PREFIX_LEN] == 'x' && strlen(a) == PH_AA_SCOPE_PREFIX_LEN + 17);
	CHECK(ns_name_shape_ok(a));
	/* An id of the hashed form is hashed, so it cannot pose as one. */
	CHECK(ph_aa_ns_name("/s", "x0123456789abcdef", a, sizeof(a), &err) == 0);
	CHECK(strcmp(a + PH_AA_SCOPE_PREFIX_LEN, "x0123456789abcdef") != 0);
	CHECK(ns_name_shape_ok(a));
	CHECK(ph_aa_ns_name("/s", "x0123456789abcdeg", a, sizeof(a), &err) == 0);
	CHECK_STR(a + PH_AA_SCOPE_PREFIX_LEN, "x0123456789abcdeg");
	/* Different ids, different names. */
	CHECK(ph_aa_ns_name("/s", "c1", a, sizeof(a), &err) == 0);
	CHECK(ph_aa_ns_name("/s", "c2", b, sizeof(b), &err) == 0);
	CHECK(strcmp(a, b) != 0);

	/* Errors. */
	CHECK(ph_aa_ns_name("/s", "", a, sizeof(a), &err) < 0);
	CHECK(err->status == EINVAL);
	ph_error_free(&err);
	CHECK(ph_aa_ns_name("", "c1", a, sizeof(a), &err) < 0);
	CHECK(err->status == EINVAL);
	ph_error_free(&err);
	CHECK(ph_aa_ns_name("/s", "c1", a, 10, &err) < 0);
	CHECK(err->status == ERANGE);
	ph_error_free(&err);

	CHECK(ph_aa_ns_is_phoenix("phx-0123abcd-c1"));
	CHECK(!ph_aa_ns_is_phoenix("phx-0123abcd-"));
	CHECK(!ph_aa_ns_is_phoenix("phx-0123ABCD-c1"));
	CHECK(!ph_aa_ns_is_phoenix("phx-0123abc-c1"));
	CHECK(!ph_aa_ns_is_phoenix("lxc-c1_<-var-lib-lxc>"));
	CHECK(!ph_aa_ns_is_phoenix("phx-0123abcd-c 1"));
	CHECK(!ph_aa_ns_is_phoenix("phx-0123abcd-:x"));
	CHECK(!ph_aa_ns_is_phoenix(NULL));
}

static void split(const char *text, const char *label, const char *mode)
{
	ph_error_t err = NULL;
	char *l = NULL, *m = NULL;
	CHECK(ph_aa_label_split(text, &l, &m, &err) == 0);
	CHECK_STR(l, label);
	CHECK_STR(m, mode);
	free(l);
	free(m);
}

static void test_label_split(void)
{
	split("unconfined\n", "unconfined", "unconfined");
	split("lxc-foo (enforce)\n", "lxc-foo", "enforce");
	split(":phx-1:unconfined\n", ":phx-1:unconfined", "unconfined");
	split("host//&:ct//phx:p (enforce)\n", "host//&:ct//phx:p", "enforce");
	split("a (b) (complain)", "a (b)", "complain");
	split("p//&:ns:q (mixed)\n", "p//&:ns:q", "mixed");
	ph_error_t err = NULL;
	char *l = NULL, *m = NULL;
	CHECK(ph_aa_label_split("\n", &l, &m, &err) < 0);
	CHECK(err != NULL && err->status == EPROTO);
	ph_error_free(&err);
}

static void test_label_in_ns(void)
{
	/* Read from the namespace that holds phx-1 as a child. */
	CHECK(ph_aa_label_in_ns(":phx-1:unconfined", "phx-1"));
	CHECK(ph_aa_label_in_ns(":phx-1:docker-default", "phx-1"));
	CHECK(ph_aa_label_in_ns("lxc-host//&:phx-1:p", "phx-1"));
	CHECK(ph_aa_label_in_ns(":phx-1//deeper:p", "phx-1"));
	CHECK(ph_aa_label_in_ns(":phx-0:a//&b//&:phx-1:c", "phx-1"));
	/* prev_ns: `b` is in phx-1 because the member before it was. */
	CHECK(ph_aa_label_in_ns(":phx-1:a//&b", "phx-1"));
	CHECK(!ph_aa_label_in_ns("a//&b", "phx-1"));
	CHECK(!ph_aa_label_in_ns("unconfined", "phx-1"));
	CHECK(!ph_aa_label_in_ns("phx-1", "phx-1")); /* a profile named so */
	CHECK(!ph_aa_label_in_ns("lxc-foo", "phx-1"));
	CHECK(!ph_aa_label_in_ns(":phx-10:p", "phx-1"));
	CHECK(!ph_aa_label_in_ns(":phx-1x//phx-1:p", "phx-1"));
	CHECK(!ph_aa_label_in_ns(":other:phx-1", "phx-1"));
	/* Read from the root while phx-1 sits below the LXC namespace ct:
	 * the path is ct//phx-1, which is inside ct, not a root child phx-1. */
	CHECK(ph_aa_label_in_ns("host//&:ct//phx-1:p", "ct"));
	CHECK(!ph_aa_label_in_ns("host//&:ct//phx-1:p", "phx-1"));
	/* Not what the kernel prints. */
	CHECK(!ph_aa_label_in_ns(":phx-1", "phx-1"));
	CHECK(!ph_aa_label_in_ns("", "phx-1"));
	CHECK(!ph_aa_label_in_ns(":phx-1:p", ""));
}

int main(void)
{
	test_fnv();
	test_name_valid();
	test_ns_name();
	test_label_split();
	test_label_in_ns();
	T_DONE();
}
