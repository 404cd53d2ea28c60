/* Compiling with the real apparmor_parser, the compiled-policy cache,
 * and loading into a simulated apparmorfs (the written bytes are read
 * back from the simulated .replace/.remove files). */
#include "aa-fixtures/sim.h"
#include "aa_blob.h"
#include "aa_cache.h"
#include "aa_names.h"
#include "aa_ns.h"
#include "aa_policy.h"
#include "t.h"

#include <dirent.h>
#include <glob.h>

/* Shipped with apparmor_parser (Debian's `apparmor` package). */
#define FEATURES_FILE "/usr/share/apparmor-features/features"
#define NS "phx-0123abcd-c1"
#define NS_DIR "sec/apparmor/policy/namespaces/" NS

static const char *parser;

static const char profile_text[] =
    "profile phoenix-test flags=(attach_disconnected,mediate_deleted) {\n"
    "  include <local/phoenix-test-base>\n"
    "  file,\n"
    "  deny /proc/sys/kernel/** w,\n"
    "  signal (receive) peer=unconfined,\n"
    "}\n";

static const char *find_parser(void)
{
	static const char *const candidates[] = {"/usr/sbin/apparmor_parser",
						 "/sbin/apparmor_parser"};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

/* A simulated kernel whose features are the parser's reference set, and
 * a profiles directory with one profile and its local include. */
static void setup(struct sim *s)
{
	sim_init(s);
	sim_apparmor(s, "unconfined", 0, false, "root");
	sim_remove_tree(s, "sec/apparmor/features");
	char *features = NULL;
	size_t len = 0;
	FILE *f = fopen(FEATURES_FILE, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		features = calloc(1, 65536);
		len = fread(features, 1, 65535, f);
		fclose(f);
	}
	CHECK(len > 0);
	sim_write(s, "sec/apparmor/features", features ? features : "");
	free(features);
	sim_write(s, "profiles/phoenix-test", profile_text);
	sim_write(s, "profiles/local/phoenix-test-base", "  network,\n");
}

static void sim_abs(const struct sim *s, char *out, const char *rel)
{
	sim_path(s, out, rel);
}

static bool starts_with_header(const char *blob, size_t len)
{
	static const char header[] = "\x04\x08\x00version";
	return len > sizeof(header) && memcmp(blob, header, sizeof(header) - 1) == 0;
}

static void test_compile(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char src[PATH_MAX], inc[PATH_MAX], out[PATH_MAX], bad[PATH_MAX];
	setup(&s);
	sim_abs(&s, src, "profiles/phoenix-test");
	sim_abs(&s, inc, "profiles");
	sim_abs(&s, out, "out.bin");
	CHECK(ph_aa_policy_compile(parser, src, inc, FEATURES_FILE, out, &err) == 0);
	size_t len = 0;
	char *blob = sim_read_len(&s, "out.bin", &len);
	CHECK(blob != NULL && starts_with_header(blob, len));
	size_t count = 99;
	CHECK(ph_aa_blob_count_ns(blob, len, NULL, &count, &err) == 0 && count == 0);
	free(blob);

	CHECK(ph_aa_policy_compile_in_ns(parser, src, inc, FEATURES_FILE, NS, out, &err) == 0);
	blob = sim_read_len(&s, "out.bin", &len);
	CHECK(blob != NULL && ph_aa_blob_count_ns(blob, len, NS, &count, &err) == 0 && count == 1);
	free(blob);

	/* The parser's complaint is the message. */
	sim_write(&s, "profiles/broken", "profile broken { this is not a rule }\n");
	sim_abs(&s, bad, "profiles/broken");
	CHECK(ph_aa_policy_compile(parser, bad, inc, FEATURES_FILE, out, &err) < 0);
	CHECK_ERR(err, "compile `");
	CHECK_ERR(err, "failed with exit status 1: ");
	CHECK_ERR(err, "syntax error");
	ph_error_free(&err);

	/* A missing include. */
	CHECK(ph_aa_policy_compile(parser, src, NULL, FEATURES_FILE, out, &err) < 0);
	CHECK_ERR(err, "phoenix-test-base");
	ph_error_free(&err);

	CHECK(ph_aa_policy_compile("/nonexistent/apparmor_parser", src, inc, FEATURES_FILE, out,
				   &err) < 0);
	CHECK_ERR(err, "exit status 127: cannot execute the policy compiler");
	ph_error_free(&err);

	CHECK(ph_aa_policy_compile_in_ns(parser, src, inc, FEATURES_FILE, ":x:", out, &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	ph_error_free(&err);
	sim_cleanup(&s);
}

static size_t count_entries(const struct sim *s, const char *pattern)
{
	char path[PATH_MAX];
	glob_t g;
	sim_path(s, path, pattern);
	if (glob(path, 0, NULL, &g) != 0)
		return 0;
	size_t n = g.gl_pathc;
	globfree(&g);
	return n;
}

static void test_cache(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char cache[PATH_MAX], profiles[PATH_MAX];
	char *blob = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	bool hit = true;
	struct stat st;
	setup(&s);
	sim_abs(&s, cache, "cache");
	sim_abs(&s, profiles, "profiles");

	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &blob, &len,
				  &hit, &err) == 0);
	CHECK(!hit);
	CHECK(blob != NULL && starts_with_header(blob, len));
	CHECK(stat(cache, &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(count_entries(&s, "cache/phoenix-test.*.bin") == 1);
	CHECK(count_entries(&s, "cache/.phoenix-test.*") == 0); /* no temporaries left */

	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &again, &len2,
				  &hit, &err) == 0);
	CHECK(hit);
	CHECK(len2 == len && again != NULL && memcmp(blob, again, len) == 0);
	free(again);

	/* The parser found through PATH is the same binary: still a hit. */
	char *saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", "/nonexistent:/usr/sbin:/sbin", 1);
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &again, &len2,
				  &hit, &err) == 0);
	CHECK(hit);
	free(again);
	CHECK(ph_aa_policy_cached(&s.env, cache, "apparmor_parser", profiles, "phoenix-test",
				  &again, &len2, &hit, &err) == 0);
	CHECK(hit);
	free(again);
	setenv("PATH", "/nonexistent", 1);
	CHECK(ph_aa_policy_cached(&s.env, cache, "apparmor_parser", profiles, "phoenix-test",
				  &again, &len2, &hit, &err) < 0);
	CHECK_ERR(err, "policy compiler `apparmor_parser` not found in PATH");
	ph_error_free(&err);
	if (saved_path != NULL)
		setenv("PATH", saved_path, 1);
	else
		unsetenv("PATH");
	free(saved_path);

	/* Editing the local include changes the key: compiled again, to a
	 * different policy. */
	sim_write(&s, "profiles/local/phoenix-test-base", "  network inet stream,\n");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &again, &len2,
				  &hit, &err) == 0);
	CHECK(!hit);
	CHECK(len2 != len || memcmp(blob, again, len) != 0);
	CHECK(count_entries(&s, "cache/phoenix-test.*.bin") == 2);
	free(again);

	/* Other kernel features, another key. */
	char *features = sim_read(&s, "sec/apparmor/features");
	sim_remove_tree(&s, "sec/apparmor/features");
	sim_mkdir(&s, "sec/apparmor/features/domain");
	sim_write(&s, "sec/apparmor/features/domain/stack", "yes\n");
	sim_write(&s, "sec/apparmor/features/policy/set_load", "yes\n");
	sim_write(&s, "sec/apparmor/features/policy/versions/v8", "yes\n");
	sim_write(&s, "sec/apparmor/features/file/mask",
		  "create read write exec append mmap_exec link lock\n");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &again, &len2,
				  &hit, &err) == 0);
	CHECK(!hit);
	free(again);
	sim_remove_tree(&s, "sec/apparmor/features");
	sim_write(&s, "sec/apparmor/features", features);
	free(features);

	/* What a package or `install -d` makes (root, 0755) is accepted:
	 * only root can write it.  One group or others can write is not. */
	CHECK(chmod(cache, 0755) == 0);
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &again, &len2,
				  &hit, &err) == 0);
	CHECK(hit);
	free(again);
	CHECK(chmod(cache, 0775) == 0);
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &again, &len2,
				  &hit, &err) < 0);
	CHECK(err != NULL && err->status == EPERM);
	CHECK_ERR(err, "must belong to root and not be writable by group or others");
	ph_error_free(&err);
	CHECK(chmod(cache, 0700) == 0);

	/* A symlink as the cache directory is refused. */
	char link[PATH_MAX];
	sim_abs(&s, link, "cache-link");
	CHECK(symlink(cache, link) == 0);
	CHECK(ph_aa_policy_cached(&s.env, link, parser, profiles, "phoenix-test", &again, &len2,
				  &hit, &err) < 0);
	CHECK_ERR(err, "is a symbolic link");
	ph_error_free(&err);

	/* Missing parents are made (0755), the cache itself 0700. */
	char deep[PATH_MAX];
	sim_abs(&s, deep, "var/cache/phoenix");
	CHECK(ph_aa_policy_cached(&s.env, deep, parser, profiles, "phoenix-test", &again, &len2,
				  &hit, &err) == 0);
	free(again);
	struct stat dst;
	CHECK(stat(deep, &dst) == 0 && (dst.st_mode & 07777) == 0700);
	sim_abs(&s, deep, "var/cache");
	CHECK(stat(deep, &dst) == 0 && (dst.st_mode & 07777) == 0755);

	/* Hostile profile names. */
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "../etc/passwd", &again, &len2,
				  &hit, &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	ph_error_free(&err);
	free(blob);
	sim_cleanup(&s);
}

static void test_load(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char cache[PATH_MAX], profiles[PATH_MAX];
	char *blob = NULL;
	size_t len = 0, wlen = 0;
	bool hit = false;
	setup(&s);
	sim_abs(&s, cache, "cache");
	sim_abs(&s, profiles, "profiles");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &blob, &len,
				  &hit, &err) == 0);

	/* Into a namespace that does not exist. */
	CHECK(ph_aa_policy_load_ns(&s.env, NS, blob, len, &err) < 0);
	CHECK(err != NULL && err->status == ENOENT);
	CHECK_ERR(err,
		  "load policy into namespace `" NS "`: policy namespace `" NS "` does not exist");
	ph_error_free(&err);

	/* Into its .replace, in one write of the whole blob. */
	CHECK(ph_aa_ns_create(&s.env, NS, &err) == 0);
	sim_write(&s, NS_DIR "/.replace", "");
	sim_write(&s, NS_DIR "/.remove", "");
	CHECK(ph_aa_policy_load_ns(&s.env, NS, blob, len, &err) == 0);
	char *written = sim_read_len(&s, NS_DIR "/.replace", &wlen);
	CHECK(wlen == len && written != NULL && memcmp(written, blob, len) == 0);
	free(written);

	/* The cached way, end to end. */
	sim_write(&s, NS_DIR "/.replace", "");
	CHECK(ph_aa_policy_load_cached(&s.env, cache, parser, profiles, "phoenix-test", NS, &err) ==
	      0);
	written = sim_read_len(&s, NS_DIR "/.replace", &wlen);
	CHECK(wlen == len && written != NULL && memcmp(written, blob, len) == 0);
	free(written);

	CHECK(ph_aa_policy_load_ns(&s.env, NS, blob, 0, &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	ph_error_free(&err);

	/* Removing a profile writes its name, NUL included, to .remove. */
	CHECK(ph_aa_policy_remove_ns(&s.env, NS, "phoenix-test", &err) == 0);
	written = sim_read_len(&s, NS_DIR "/.remove", &wlen);
	CHECK(wlen == strlen("phoenix-test") + 1 && written != NULL &&
	      memcmp(written, "phoenix-test", wlen) == 0);
	free(written);
	CHECK(ph_aa_policy_remove_ns(&s.env, "phx-0123abcd-gone", "phoenix-test", &err) == 0);
	CHECK(ph_aa_policy_remove_ns(&s.env, NS, "bad/name", &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	ph_error_free(&err);

	/* The kernel interface needs the feature set. */
	sim_remove_tree(&s, "sec/apparmor/features");
	CHECK(ph_aa_policy_load_ns(&s.env, NS, blob, len, &err) < 0);
	CHECK_ERR(err, "read kernel features");
	ph_error_free(&err);
	free(blob);
	sim_cleanup(&s);
}

static void test_toplevel(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char cache[PATH_MAX], profiles[PATH_MAX], src[PATH_MAX], out[PATH_MAX];
	char *blob = NULL, *direct = NULL, *plain = NULL;
	size_t len = 0, dlen = 0, plen = 0, wlen = 0, count = 0;
	bool hit = true;
	setup(&s);
	sim_abs(&s, cache, "cache");
	sim_abs(&s, profiles, "profiles");
	sim_abs(&s, src, "profiles/phoenix-test");
	sim_abs(&s, out, "direct.bin");

	/* A template filled in for NS is what the parser compiles for NS. */
	CHECK(ph_aa_policy_cached_for_ns(&s.env, cache, parser, profiles, "phoenix-test", NS, &blob,
					 &len, &hit, &err) == 0);
	CHECK(!hit);
	CHECK(count_entries(&s, "cache/phoenix-test.*.nstpl") == 1);
	char features[PATH_MAX];
	sim_abs(&s, features, "sec/apparmor/features");
	CHECK(ph_aa_policy_compile_in_ns(parser, src, profiles, features, NS, out, &err) == 0);
	direct = sim_read_len(&s, "direct.bin", &dlen);
	CHECK(direct != NULL && dlen == len && memcmp(direct, blob, len) == 0);
	free(direct);
	free(blob);

	/* Another name of the same length: a hit, patched. */
	const char *ns2 = "phx-0123abcd-c2";
	CHECK(ph_aa_policy_cached_for_ns(&s.env, cache, parser, profiles, "phoenix-test", ns2,
					 &blob, &len, &hit, &err) == 0);
	CHECK(hit);
	CHECK(ph_aa_blob_count_ns(blob, len, ns2, &count, &err) == 0 && count == 1);
	CHECK(ph_aa_policy_compile_in_ns(parser, src, profiles, features, ns2, out, &err) == 0);
	direct = sim_read_len(&s, "direct.bin", &dlen);
	CHECK(direct != NULL && dlen == len && memcmp(direct, blob, len) == 0);
	free(direct);

	/* Through the top-level .replace. */
	CHECK(ph_aa_policy_load_via_toplevel(&s.env, ns2, blob, len, &err) == 0);
	char *written = sim_read_len(&s, "sec/apparmor/.replace", &wlen);
	CHECK(wlen == len && written != NULL && memcmp(written, blob, len) == 0);
	free(written);
	/* ... but only for the namespace the blob names. */
	CHECK(ph_aa_policy_load_via_toplevel(&s.env, NS, blob, len, &err) < 0);
	CHECK(err != NULL && err->status == EPROTO);
	CHECK_ERR(err, "names namespace `phx-0123abcd-c2`, not `" NS "`");
	ph_error_free(&err);
	free(blob);

	/* A blob without a namespace would replace the caller's own
	 * profiles: refused. */
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-test", &plain, &plen,
				  &hit, &err) == 0);
	sim_write(&s, "sec/apparmor/.replace", "");
	CHECK(ph_aa_policy_load_via_toplevel(&s.env, NS, plain, plen, &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	CHECK_ERR(err, "names no namespace");
	ph_error_free(&err);
	written = sim_read(&s, "sec/apparmor/.replace");
	CHECK_STR(written, "");
	free(written);
	free(plain);

	/* Cached and loaded in one call; then the namespace removed through
	 * the top-level .remove as ":<ns>:". */
	CHECK(ph_aa_policy_load_cached_via_toplevel(&s.env, cache, parser, profiles, "phoenix-test",
						    NS, &err) == 0);
	written = sim_read_len(&s, "sec/apparmor/.replace", &wlen);
	CHECK(written != NULL && ph_aa_blob_count_ns(written, wlen, NS, &count, &err) == 0 &&
	      count == 1);
	free(written);
	CHECK(ph_aa_ns_remove_via_toplevel(&s.env, NS, &err) == 0);
	written = sim_read_len(&s, "sec/apparmor/.remove", &wlen);
	CHECK(wlen == strlen(":" NS ":") + 1 && written != NULL &&
	      memcmp(written, ":" NS ":", wlen) == 0);
	free(written);
	CHECK(ph_aa_ns_remove_via_toplevel(&s.env, "a:b", &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	ph_error_free(&err);
	sim_cleanup(&s);
}

/* Namespace fields: patching rules, and a profile whose rules name its
 * own namespace, which no header patch can serve. */
static void test_blob(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char src_a[PATH_MAX], src_b[PATH_MAX], out_a[PATH_MAX], out_b[PATH_MAX];
	size_t la = 0, lb = 0;
	bool ok = true;
	setup(&s);
	sim_write(&s, "profiles/self-a",
		  "profile p { file, change_profile -> :aaaaaaaa:other, }\n");
	sim_write(&s, "profiles/self-b",
		  "profile p { file, change_profile -> :bbbbbbbb:other, }\n");
	sim_abs(&s, src_a, "profiles/self-a");
	sim_abs(&s, src_b, "profiles/self-b");
	sim_abs(&s, out_a, "a.bin");
	sim_abs(&s, out_b, "b.bin");
	CHECK(ph_aa_policy_compile_in_ns(parser, src_a, NULL, FEATURES_FILE, "aaaaaaaa", out_a,
					 &err) == 0);
	CHECK(ph_aa_policy_compile_in_ns(parser, src_b, NULL, FEATURES_FILE, "bbbbbbbb", out_b,
					 &err) == 0);
	char *a = sim_read_len(&s, "a.bin", &la), *b = sim_read_len(&s, "b.bin", &lb);
	CHECK(ph_aa_blob_ns_only_diff(a, la, b, lb, "aaaaaaaa", "bbbbbbbb", &ok, &err) == 0);
	CHECK(!ok);

	/* Same source, two names: only the header differs. */
	sim_write(&s, "profiles/neutral", "profile p { file, change_profile -> other, }\n");
	sim_abs(&s, src_a, "profiles/neutral");
	CHECK(ph_aa_policy_compile_in_ns(parser, src_a, NULL, FEATURES_FILE, "bbbbbbbb", out_b,
					 &err) == 0);
	CHECK(ph_aa_policy_compile_in_ns(parser, src_a, NULL, FEATURES_FILE, "aaaaaaaa", out_a,
					 &err) == 0);
	free(a);
	free(b);
	a = sim_read_len(&s, "a.bin", &la);
	b = sim_read_len(&s, "b.bin", &lb);
	CHECK(ph_aa_blob_ns_only_diff(a, la, b, lb, "aaaaaaaa", "bbbbbbbb", &ok, &err) == 0);
	CHECK(ok);
	CHECK(ph_aa_blob_set_ns(a, la, "aaaaaaaa", "bbbbbbbb", &err) == 0);
	CHECK(la == lb && memcmp(a, b, la) == 0);

	/* Another length, an invalid name, a wrong `from`. */
	CHECK(ph_aa_blob_set_ns(a, la, "bbbbbbbb", "ccc", &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	ph_error_free(&err);
	CHECK(ph_aa_blob_set_ns(a, la, "bbbbbbbb", "cccc:ccc", &err) < 0);
	ph_error_free(&err);
	CHECK(ph_aa_blob_set_ns(a, la, "aaaaaaaa", "cccccccc", &err) < 0);
	CHECK(err != NULL && err->status == EPROTO);
	ph_error_free(&err);
	/* A truncated field is malformed, not read past. */
	size_t count = 0;
	CHECK(ph_aa_blob_count_ns(a, 30, NULL, &count, &err) < 0);
	CHECK_ERR(err, "malformed namespace field");
	ph_error_free(&err);
	free(a);
	free(b);
	sim_cleanup(&s);
}

/* The key covers what the parser reads from its base directory too
 * (abstractions, tunables, `include if exists`), and parser.conf: the
 * test points the parser at a base of its own through a parser.conf of
 * its own, as phoenix passes it (--config-file). */
static void test_cache_includes(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char cache[PATH_MAX], profiles[PATH_MAX], base[PATH_MAX], conf[PATH_MAX];
	char *blob = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	bool hit = true;
	setup(&s);
	sim_abs(&s, cache, "cache");
	sim_abs(&s, profiles, "profiles");
	sim_abs(&s, base, "base");
	sim_abs(&s, conf, "parser.conf");
	char conf_text[PATH_MAX + 200];
	snprintf(conf_text, sizeof(conf_text),
		 "# the test's own\nbase %s\npolicy-features=" FEATURES_FILE "\n", base);
	sim_write(&s, "parser.conf", conf_text);
	s.env.parser_conf = conf;
	sim_write(&s, "base/tunables/phx-vars", "@{PHX_SRV}=/srv\n");
	sim_write(&s, "base/abstractions/phx-abs", "  include <abstractions/phx-abs.d>\n");
	sim_write(&s, "base/abstractions/phx-abs.d/net", "  network,\n");
	sim_write(&s, "base/abstractions/unrelated", "  capability,\n");
	sim_write(&s, "profiles/phoenix-inc",
		  "include <tunables/phx-vars>\n"
		  "profile phoenix-inc {\n"
		  "  #include <abstractions/phx-abs>\n"
		  "  include if exists <local/phx-extra>\n"
		  "  @{PHX_SRV}/** r,\n"
		  "}\n");

	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &blob, &len, &hit,
				  &err) == 0);
	if (err)
		fprintf(stderr, "%s\n", err->msg);
	ph_error_free(&err);
	CHECK(!hit);
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(hit);
	free(again);

	/* a file of the base nothing includes: still a hit */
	sim_write(&s, "base/abstractions/unrelated", "  capability chown,\n");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(hit);
	free(again);

	/* an abstraction of the base, included through a directory, edited:
	 * compiled again, to another policy */
	sim_write(&s, "base/abstractions/phx-abs.d/net", "  network inet stream,\n");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(!hit);
	CHECK(len2 != len || memcmp(blob, again, len) != 0);
	free(again);

	/* a file added to that directory, and a tunable edited: again */
	sim_write(&s, "base/abstractions/phx-abs.d/more", "  capability kill,\n");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(!hit);
	free(again);
	sim_write(&s, "base/tunables/phx-vars", "@{PHX_SRV}=/srv /opt\n");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(!hit);
	free(again);

	/* `include if exists` of a file that appears, in the base or in the
	 * profiles directory: again */
	sim_write(&s, "base/local/phx-extra", "  capability chown,\n");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(!hit);
	free(again);
	sim_write(&s, "profiles/local/phx-extra", "  capability fowner,\n");
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(!hit);
	free(again);
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(hit);
	free(again);

	/* parser.conf edited: again */
	strcat(conf_text, "# edited\n");
	sim_write(&s, "parser.conf", conf_text);
	CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "phoenix-inc", &again, &len2,
				  &hit, &err) == 0);
	CHECK(!hit);
	free(again);
	free(blob);
	sim_cleanup(&s);
}

int main(void)
{
	parser = find_parser();
	if (parser == NULL || access(FEATURES_FILE, R_OK) != 0) {
		printf("%s: skipped: apparmor_parser or %s not installed\n", __FILE__,
		       FEATURES_FILE);
		return 0;
	}
	test_compile();
	test_cache();
	test_cache_includes();
	test_load();
	test_toplevel();
	test_blob();
	T_DONE();
}
