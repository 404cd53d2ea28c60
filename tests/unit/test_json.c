/* The JSON tree: round trips of the corpus, numbers and strings kept
 * verbatim, rejections and their messages, typed getters, changes. */
#include "json.h"
#include "t.h"
#include "test_json_util.h"

#include <inttypes.h>

static const char *const corpus_documents[] = {
    "runc-spec.json",	    "runc-spec-rootless.json",
    "docker.json",	    "podman.json",
    "containerd.json",	    "process-exec.json",
    "process-minimal.json", "numbers.json",
    "unicode.json",	    "deep-64.json",
    "empty.json",
};

static char *serialize(const struct ph_json *node)
{
	ph_error_t err = NULL;
	char *text = NULL;
	size_t len = 0;
	if (ph_json_serialize(node, &text, &len, &err) < 0) {
		fprintf(stderr, "serialize: %s\n", err->msg);
		ph_error_free(&err);
		return NULL;
	}
	CHECK(strlen(text) == len);
	return text;
}

static struct ph_json *parse_text(const char *text)
{
	ph_error_t err = NULL;
	struct ph_json *root = NULL;
	if (ph_json_parse(text, strlen(text), "t.json", &root, &err) < 0) {
		fprintf(stderr, "parse: %s\n", err->msg);
		ph_error_free(&err);
		return NULL;
	}
	return root;
}

/* parse -> serialize -> parse -> serialize gives the same text twice,
 * and jq sees the same document as the original. */
static void test_round_trip(const char *tmpdir, const char *name)
{
	char path[4096], out_path[4096];
	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), name);
	snprintf(out_path, sizeof(out_path), "%s/%s", tmpdir, name);
	size_t len = 0;
	char *orig = slurp(path, &len);
	CHECK(orig != NULL);
	if (orig == NULL)
		return;
	ph_error_t err = NULL;
	struct ph_json *first = NULL, *second = NULL;
	CHECK(ph_json_parse(orig, len, name, &first, &err) == 0);
	if (err != NULL)
		fprintf(stderr, "%s\n", err->msg);
	CHECK_STR(first != NULL ? first->origin : NULL, name);
	char *text1 = first != NULL ? serialize(first) : NULL;
	CHECK(text1 != NULL && ph_json_parse(text1, strlen(text1), name, &second, &err) == 0);
	char *text2 = second != NULL ? serialize(second) : NULL;
	CHECK(text1 != NULL && text2 != NULL && strcmp(text1, text2) == 0);
	CHECK(text1 != NULL && text1[strlen(text1) - 1] == '\n');

	CHECK(text1 != NULL && write_text(out_path, text1, strlen(text1)) == 0);
	char *canon_orig = jq_canonical(path);
	char *canon_out = jq_canonical(out_path);
	CHECK(canon_orig != NULL && canon_out != NULL);
	if (canon_orig != NULL && canon_out != NULL && strcmp(canon_orig, canon_out) != 0) {
		t_failures++;
		fprintf(stderr, "%s: jq sees a different document after the round trip\n", name);
	}
	free(canon_orig);
	free(canon_out);
	free(text1);
	free(text2);
	ph_json_free(first);
	ph_json_free(second);
	free(orig);
}

/* runc writes config.json indented with tabs, as phoenix does: a
 * document without empty containers comes back byte for byte. */
static void test_runc_format_kept(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/runc-spec.json", corpus_dir());
	size_t len = 0;
	char *orig = slurp(path, &len);
	struct ph_json *root = NULL;
	ph_error_t err = NULL;
	CHECK(orig != NULL && ph_json_parse(orig, len, "runc-spec.json", &root, &err) == 0);
	char *text = root != NULL ? serialize(root) : NULL;
	/* runc does not end the file with a newline. */
	CHECK(text != NULL && len + 1 == strlen(text) && strncmp(orig, text, len) == 0);
	free(text);
	ph_json_free(root);
	free(orig);
}

static struct ph_json *parse_corpus(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), name);
	size_t len = 0;
	char *text = slurp(path, &len);
	struct ph_json *root = NULL;
	ph_error_t err = NULL;
	CHECK(text != NULL && ph_json_parse(text, len, name, &root, &err) == 0);
	free(text);
	ph_error_free(&err);
	return root;
}

/* jq may round big numbers the same way on both sides, so the numbers'
 * text is compared directly. */
static void test_numbers_verbatim(void)
{
	struct ph_json *root = parse_corpus("numbers.json");
	if (root == NULL)
		return;
	static const struct {
		const char *path, *text;
	} expect[] = {
	    {"max_uint64", "18446744073709551615"},
	    {"min_int64", "-9223372036854775808"},
	    {"beyond_double", "1e400"},
	    {"tenth", "0.1"},
	    {"negative_zero", "-0.0"},
	    {"exponent", "1E+2"},
	    {"linux.resources.memory.limit", "9223372036854775807"},
	    {"linux.resources.memory.swap", "-1"},
	};
	char *text = serialize(root);
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const char *got = NULL;
		ph_error_t err = NULL;
		CHECK(ph_json_get_number(root, expect[i].path, &got, &err) == 1);
		CHECK_STR(got, expect[i].text);
		CHECK(text != NULL && strstr(text, expect[i].text) != NULL);
	}
	const char *many[] = {"1.5e-10",
			      "123456789012345678901234567890",
			      "2.2250738585072014e-308",
			      "-1E-400",
			      "0E0",
			      "9007199254740993",
			      "3.141592653589793238462643383279"};
	struct ph_json *arr = ph_json_lookup(root, "many");
	CHECK(arr != NULL && arr->type == PH_JSON_ARRAY && arr->u.array.count == 9);
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		CHECK(text != NULL && strstr(text, many[i]) != NULL);
	CHECK_STR(arr->u.array.items[3]->u.number.text, "123456789012345678901234567890");

	uint64_t v = 0;
	ph_error_t err = NULL;
	CHECK(ph_json_get_uint64(root, "max_uint64", &v, &err) == 1 && v == UINT64_MAX);
	CHECK(ph_json_get_uint64(root, "min_int64", &v, &err) < 0);
	CHECK_ERR(err, "numbers.json: min_int64: expected an integer in 0..18446744073709551615, "
		       "got -9223372036854775808");
	ph_error_free(&err);
	CHECK(ph_json_get_uint64(root, "exponent", &v, &err) < 0);
	CHECK_ERR(err, "got 1E+2");
	ph_error_free(&err);
	CHECK(ph_json_get_uint64(root, "absent", &v, &err) == 0 && v == 0 && err == NULL);
	free(text);
	ph_json_free(root);
}

static void test_unicode(void)
{
	struct ph_json *root = parse_corpus("unicode.json");
	if (root == NULL)
		return;
	ph_error_t err = NULL;
	const char *s = NULL;
	size_t len = 0;

	CHECK(ph_json_get_stringn(root, "nul", &s, &len, &err) == 1);
	CHECK(len == 3 && memcmp(s, "a\0b", 3) == 0);
	CHECK(ph_json_get_string(root, "nul", &s, &err) < 0 && s == NULL);
	CHECK_STR(err ? err->msg : NULL, "unicode.json: nul: string contains a NUL character");
	ph_error_free(&err);

	CHECK(ph_json_get_string(root, "escaped_pair", &s, &err) == 1);
	CHECK_STR(s, "\xf0\x9f\x98\x80");
	CHECK(ph_json_get_string(root, "emoji", &s, &err) == 1);
	CHECK(s != NULL && strncmp(s, "\xf0\x9f\x98\x80 ", 5) == 0);
	CHECK(ph_json_get_string(root, "solidus", &s, &err) == 1);
	CHECK_STR(s, "a/b/c");
	CHECK(ph_json_get_string(root, "controls", &s, &err) == 1);
	CHECK_STR(s, "\t\n\r\b\f\x1f\x7f");
	CHECK(ph_json_get_string(root, "bmp_escapes", &s, &err) == 1);
	CHECK_STR(s, "\xc3\xa9\xe4\xb8\xad\xef\xbf\xbd");
	CHECK(ph_json_get_string(root, "rtl", &s, &err) == 1);
	CHECK(s != NULL && strstr(s, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d") == s);

	const struct ph_json *keys = ph_json_lookup(root, "keys");
	const struct ph_json *nulkey = ph_json_object_getn(keys, "\0key", 4);
	CHECK(nulkey != NULL && nulkey->type == PH_JSON_STRING);
	CHECK(ph_json_object_get(keys, "") == NULL); /* "\0key" is not "" */
	CHECK(ph_json_object_get(keys, "\xf0\x9f\x90\xa7") != NULL);
	const struct ph_json *annotations = ph_json_lookup(root, "annotations");
	CHECK(ph_json_object_get(annotations, "org.example/\xe5\x90\x8d\xe5\x89\x8d") != NULL);

	char *text = serialize(root);
	CHECK(text != NULL && strstr(text, "\"a\\u0000b\"") != NULL);
	CHECK(text != NULL && strstr(text, "\"\\u0000key\"") != NULL);
	CHECK(text != NULL && strstr(text, "\"\\t\\n\\r\\b\\f\\u001F\x7f\"") != NULL);
	free(text);
	ph_json_free(root);
}

static char *nested(size_t depth, bool objects)
{
	char *text = malloc(depth * 8 + 16);
	size_t n = 0;
	for (size_t i = 0; i < depth; i++)
		n += (size_t)sprintf(text + n, "%s", objects ? "{\"k\":" : "[");
	n += (size_t)sprintf(text + n, "1");
	for (size_t i = 0; i < depth; i++)
		text[n++] = objects ? '}' : ']';
	text[n] = '\0';
	return text;
}

static void test_depth_limit(void)
{
	ph_error_t err = NULL;
	struct ph_json *root = NULL;
	char *ok = nested(PH_JSON_MAX_DEPTH, false);
	CHECK(ph_json_parse(ok, strlen(ok), "t.json", &root, &err) == 0);
	ph_json_free(root);
	free(ok);

	char *deep = nested(PH_JSON_MAX_DEPTH + 1, false);
	root = NULL;
	CHECK(ph_json_parse(deep, strlen(deep), "t.json", &root, &err) < 0 && root == NULL);
	CHECK_ERR(err, "t.json: [0][0][0]");
	CHECK_ERR(err, "[0]: nesting deeper than 64 levels");
	ph_error_free(&err);
	free(deep);

	char *objects = nested(PH_JSON_MAX_DEPTH + 1, true);
	CHECK(ph_json_parse(objects, strlen(objects), "t.json", &root, &err) < 0);
	CHECK_ERR(err,
		  "t.json: k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k."
		  "k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k: nesting deeper "
		  "than 64 levels");
	ph_error_free(&err);
	free(objects);

	/* The corpus document at the limit, wrapped once more. */
	char path[4096];
	snprintf(path, sizeof(path), "%s/deep-64.json", corpus_dir());
	size_t len = 0;
	char *text = slurp(path, &len);
	char *wrapped = NULL;
	CHECK(text != NULL && asprintf(&wrapped, "{\"x\":%s}", text) > 0);
	CHECK(ph_json_parse(wrapped, strlen(wrapped), "t.json", &root, &err) < 0);
	CHECK_ERR(err, "t.json: x.level0[0].level2[0].level4[0]");
	ph_error_free(&err);
	free(wrapped);
	free(text);
}

static void test_empty_containers(void)
{
	struct ph_json *root = parse_corpus("empty.json");
	if (root == NULL)
		return;
	ph_error_t err = NULL;
	struct ph_json *obj = NULL, *arr = NULL;
	CHECK(ph_json_get_object(root, "object", &obj, &err) == 1 && obj->u.object.count == 0);
	CHECK(ph_json_get_array(root, "array", &arr, &err) == 1 && arr->u.array.count == 0);
	char **strv = NULL;
	CHECK(ph_json_get_strv(root, "process.env", &strv, &err) == 1 && strv[0] == NULL);
	ph_strv_free(strv);
	const char *s = NULL;
	CHECK(ph_json_get_string(root, "string", &s, &err) == 1);
	CHECK_STR(s, "");
	ph_json_free(root);
}

static void expect_reject(const char *text, size_t len, const char *needle)
{
	ph_error_t err = NULL;
	struct ph_json *root = (struct ph_json *)1;
	int r = ph_json_parse(text, len, "t.json", &root, &err);
	CHECK(r < 0 && root == NULL);
	CHECK_ERR(err, needle);
	if (r == 0)
		ph_json_free(root);
	ph_error_free(&err);
}
#define REJECT(lit, needle) expect_reject(lit, sizeof(lit) - 1, needle)

static void test_rejections(void)
{
	REJECT("", "t.json: empty document");
	REJECT(" \n\t ", "t.json: empty document");
	REJECT("not json",
	       "t.json: not valid JSON at byte 1: lexical error: invalid string in json text");
	REJECT("{\"a\": 1", "t.json: not valid JSON at byte 7: parse error: premature EOF");
	REJECT("{\"process\": {\"args\": [\"sh\"", "premature EOF");
	REJECT("{\"a\": 1} x", "t.json: not valid JSON at byte 10: parse error: trailing garbage");
	REJECT("{}{}", "trailing garbage");
	REJECT("{\"a\": 1,}", "parse error: invalid object key (must be a string)");
	REJECT("[1 2]", "parse error: after array element, I expect ',' or ']'");
	REJECT("/* c */ {}", "comments are not enabled");
	REJECT("{\"a\": NaN}", "not valid JSON");
	REJECT("{\"a\": 01}", "not valid JSON");
	REJECT("{\"a\": \"x\ty\"}", "invalid character inside string");
	REJECT("{\"a\": \"\\q\"}", "'\\' occurs before a character which it may not");
	REJECT("{\"a\": \"\\u12\"}", "not valid JSON");
	/* Invalid UTF-8: bytes yajl refuses itself, and forms only our check finds. */
	REJECT("{\"a\": \"\xff\"}",
	       "t.json: not valid JSON at byte 8: lexical error: invalid bytes in UTF8 string");
	REJECT("{\"a\": \"\xc3\"}", "invalid bytes in UTF8 string");
	REJECT("{\"a\": \"\xc0\x80\"}", "t.json: invalid UTF-8 at byte 7");
	REJECT("{\"a\": \"\xed\xa0\x80\"}", "t.json: invalid UTF-8 at byte 7");
	REJECT("{\"a\": \"\xf4\x90\x80\x80\"}", "t.json: invalid UTF-8 at byte 7");
	REJECT("{\"\xe0\x80\xaf\": 1}", "t.json: invalid UTF-8 at byte 2");
	REJECT("{\"a\": \"\\ud800\"}", "t.json: unpaired UTF-16 surrogate escape at byte 7");
	REJECT("{\"a\": \"x\\udc00\"}", "t.json: unpaired UTF-16 surrogate escape at byte 8");
	REJECT("{\"a\": \"\\ud83d\\u0041\"}", "unpaired UTF-16 surrogate escape at byte 7");
	REJECT("{\"a\": \"\\ud83d\"}", "unpaired UTF-16 surrogate escape");
	/* Duplicate keys, named by their path. */
	REJECT("{\"a\": 1, \"b\": 2, \"a\": 3}", "t.json: a: duplicate key");
	REJECT("{\"process\": {\"env\": [], \"cwd\": \"/\", \"env\": []}}",
	       "t.json: process.env: duplicate key");
	REJECT("{\"mounts\": [{}, {\"type\": \"bind\", \"type\": \"tmpfs\"}]}",
	       "t.json: mounts[1].type: duplicate key");
	REJECT("{\"a\\u0000b\": 1, \"a\\u0000b\": 2}", "t.json: a\\x00b: duplicate key");
	REJECT("[{\"k\": 1, \"k\": 1}]", "t.json: [0].k: duplicate key");
}

static void test_accepts_edge_cases(void)
{
	ph_error_t err = NULL;
	struct ph_json *root = NULL;
	/* Keys that differ only after a NUL are different keys. */
	const char text[] = "{\"a\\u0000b\": 1, \"a\\u0000c\": 2, \"a\": 3}";
	CHECK(ph_json_parse(text, sizeof(text) - 1, "t.json", &root, &err) == 0);
	CHECK(root != NULL && root->u.object.count == 3);
	ph_json_free(root);
	/* A top-level scalar is JSON, as is a document ending in a number. */
	CHECK(ph_json_parse("42", 2, "t.json", &root, &err) == 0);
	CHECK(root != NULL && root->type == PH_JSON_NUMBER);
	char *out = root != NULL ? serialize(root) : NULL;
	CHECK_STR(out, "42\n");
	free(out);
	ph_json_free(root);
	/* The origin is optional. */
	CHECK(ph_json_parse("{", 1, NULL, &root, &err) < 0);
	CHECK_ERR(err, "JSON: not valid JSON at byte 1");
	ph_error_free(&err);
	/* Duplicate detection copes with large objects. */
	size_t n = 100000;
	char *big = malloc(n * 16 + 32);
	size_t len = 0;
	big[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(big + len, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	len += (size_t)sprintf(big + len, "}");
	CHECK(ph_json_parse(big, len, "big.json", &root, &err) == 0);
	CHECK(root != NULL && root->u.object.count == n);
	ph_json_free(root);
	len -= 1;
	len += (size_t)sprintf(big + len, ",\"k77777\":0}");
	CHECK(ph_json_parse(big, len, "big.json", &root, &err) < 0);
	CHECK_ERR(err, "big.json: k77777: duplicate key");
	ph_error_free(&err);
	free(big);
}

static void test_getters(void)
{
	struct ph_json *root =
	    parse_text("{\"process\": {\"apparmorProfile\": 5, \"noNewPrivileges\": \"yes\","
		       " \"capabilities\": [], \"env\": [\"A=1\", 2], \"user\": null,"
		       " \"terminal\": false, \"cwd\": \"/\"}, \"annotations\": [], \"s\": \"x\","
		       " \"root\": {\"path\": \"rootfs\"}}");
	if (root == NULL)
		return;
	ph_error_t err = NULL;
	const char *s = "unchanged";
	bool b = true;
	struct ph_json *node = (struct ph_json *)1;
	char **strv = (char **)1;

	CHECK(ph_json_get_string(root, "process.apparmorProfile", &s, &err) < 0 && s == NULL);
	CHECK_STR(err ? err->msg : NULL,
		  "t.json: process.apparmorProfile: expected a string, got number");
	ph_error_free(&err);
	CHECK(ph_json_get_bool(root, "process.noNewPrivileges", &b, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "t.json: process.noNewPrivileges: expected a boolean, got string");
	ph_error_free(&err);
	CHECK(ph_json_get_object(root, "process.capabilities", &node, &err) < 0 && node == NULL);
	CHECK_STR(err ? err->msg : NULL,
		  "t.json: process.capabilities: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_json_get_array(root, "s", &node, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "t.json: s: expected an array, got string");
	ph_error_free(&err);
	CHECK(ph_json_get_strv(root, "process.env", &strv, &err) < 0 && strv == NULL);
	CHECK_STR(err ? err->msg : NULL, "t.json: process.env[1]: expected a string, got number");
	ph_error_free(&err);
	CHECK(ph_json_get_object(root, "annotations", &node, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "t.json: annotations: expected an object, got array");
	ph_error_free(&err);
	/* A parent of the wrong type is named, not the leaf. */
	CHECK(ph_json_get_string(root, "s.x", &s, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "t.json: s: expected an object, got string");
	ph_error_free(&err);
	CHECK(ph_json_get_string(root, "process.cwd.x.y", &s, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "t.json: process.cwd: expected an object, got string");
	ph_error_free(&err);
	CHECK(ph_json_get_number(root, "process.cwd", &s, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "t.json: process.cwd: expected a number, got string");
	ph_error_free(&err);

	/* Absent and null: 0, value cleared, no error. */
	s = "unchanged";
	CHECK(ph_json_get_string(root, "process.absent", &s, &err) == 0 && s == NULL);
	CHECK(ph_json_get_string(root, "absent.deeper.still", &s, &err) == 0 && s == NULL);
	CHECK(ph_json_get_object(root, "process.user", &node, &err) == 0 && node == NULL);
	CHECK(ph_json_get_string(root, "process.user.name", &s, &err) == 0);
	CHECK(ph_json_get_bool(root, "process.absent", &b, &err) == 0 && !b);
	CHECK(err == NULL);

	/* Present and right. */
	CHECK(ph_json_get_bool(root, "process.terminal", &b, &err) == 1 && !b);
	CHECK(ph_json_get_string(root, "root.path", &s, &err) == 1);
	CHECK_STR(s, "rootfs");
	CHECK(ph_json_get_object(root, "", &node, &err) == 1 && node == root);
	CHECK(ph_json_lookup(root, "") == root);
	CHECK(ph_json_lookup(root, "process.cwd.x") == NULL);
	CHECK(ph_json_lookup(root, "process.cwd") != NULL);
	CHECK(err == NULL);

	/* Without an origin the message starts with the path. */
	struct ph_json *process = ph_json_lookup(root, "process");
	CHECK(ph_json_get_string(process, "apparmorProfile", &s, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "apparmorProfile: expected a string, got number");
	ph_error_free(&err);
	ph_json_free(root);
}

static void check_serialized(const struct ph_json *root, const char *expect)
{
	char *text = serialize(root);
	CHECK_STR(text, expect);
	free(text);
}

static void test_changes(void)
{
	ph_error_t err = NULL;
	struct ph_json *root = parse_text("{\"b\": 1, \"process\": {\"apparmorProfile\": \"x\","
					  " \"args\": [\"sh\"]}, \"z\": null}");
	if (root == NULL)
		return;
	/* Replaced in place: the order stays. */
	CHECK(ph_json_set_string(root, "process.apparmorProfile", "phoenix", &err) == 0);
	/* New keys go last; missing parents are created. */
	CHECK(ph_json_set_bool(root, "process.noNewPrivileges", true, &err) == 0);
	CHECK(ph_json_set_string(root, "linux.seccomp.defaultAction", "SCMP_ACT_ERRNO", &err) == 0);
	/* A null parent becomes an object. */
	CHECK(ph_json_set(root, "z.k", ph_json_new_int(-7, &err), &err) == 0);
	CHECK(ph_json_array_append_string(ph_json_lookup(root, "process.args"), "-c", &err) == 0);
	CHECK(err == NULL);
	check_serialized(root, "{\n"
			       "\t\"b\": 1,\n"
			       "\t\"process\": {\n"
			       "\t\t\"apparmorProfile\": \"phoenix\",\n"
			       "\t\t\"args\": [\n"
			       "\t\t\t\"sh\",\n"
			       "\t\t\t\"-c\"\n"
			       "\t\t],\n"
			       "\t\t\"noNewPrivileges\": true\n"
			       "\t},\n"
			       "\t\"z\": {\n"
			       "\t\t\"k\": -7\n"
			       "\t},\n"
			       "\t\"linux\": {\n"
			       "\t\t\"seccomp\": {\n"
			       "\t\t\t\"defaultAction\": \"SCMP_ACT_ERRNO\"\n"
			       "\t\t}\n"
			       "\t}\n"
			       "}\n");

	/* A parent of another type is an error and nothing changes. */
	CHECK(ph_json_set_string(root, "b.c", "x", &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "t.json: b: expected an object, got number");
	ph_error_free(&err);
	CHECK(ph_json_set_string(root, "process.args.x", "x", &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "t.json: process.args: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_json_ensure_object(root, "process.args", &err) == NULL);
	CHECK_STR(err ? err->msg : NULL, "t.json: process.args: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_json_ensure_array(root, "process.args", &err) ==
	      ph_json_lookup(root, "process.args"));

	/* Removing. */
	CHECK(ph_json_remove(root, "process.apparmorProfile") == 1);
	CHECK(ph_json_remove(root, "process.apparmorProfile") == 0);
	CHECK(ph_json_remove(root, "nothing.here") == 0);
	CHECK(ph_json_remove(root, "b") == 1);
	CHECK(ph_json_remove(root, "linux") == 1);
	struct ph_json *args = ph_json_lookup(root, "process.args");
	CHECK(ph_json_array_remove(args, 0, &err) == 0);
	CHECK(ph_json_array_remove(args, 5, &err) < 0);
	CHECK_ERR(err, "no array element 5");
	ph_error_free(&err);
	/* Arrays of strings. */
	const char *const caps[] = {"CAP_KILL", "CAP_CHOWN", NULL};
	CHECK(ph_json_set(root, "process.capabilities.bounding", ph_json_new_strv(caps, &err),
			  &err) == 0);
	struct ph_json *hooks = ph_json_ensure_array(root, "hooks.poststop", &err);
	CHECK(hooks != NULL && hooks->type == PH_JSON_ARRAY && hooks->u.array.count == 0);
	CHECK(ph_json_ensure_array(root, "hooks.poststop", &err) == hooks);
	check_serialized(root, "{\n"
			       "\t\"process\": {\n"
			       "\t\t\"args\": [\n"
			       "\t\t\t\"-c\"\n"
			       "\t\t],\n"
			       "\t\t\"noNewPrivileges\": true,\n"
			       "\t\t\"capabilities\": {\n"
			       "\t\t\t\"bounding\": [\n"
			       "\t\t\t\t\"CAP_KILL\",\n"
			       "\t\t\t\t\"CAP_CHOWN\"\n"
			       "\t\t\t]\n"
			       "\t\t}\n"
			       "\t},\n"
			       "\t\"z\": {\n"
			       "\t\t\"k\": -7\n"
			       "\t},\n"
			       "\t\"hooks\": {\n"
			       "\t\t\"poststop\": [\n"
			       "\n"
			       "\t\t]\n"
			       "\t}\n"
			       "}\n");
	ph_json_free(root);
}

static void test_constructors(void)
{
	ph_error_t err = NULL;
	static const char *const good[] = {
	    "0", "-1", "1.5", "1e400", "-0.0", "1E+2", "18446744073709551615"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ph_json *n = ph_json_new_number(good[i], &err);
		CHECK(n != NULL && n->type == PH_JSON_NUMBER);
		CHECK_STR(n ? n->u.number.text : NULL, good[i]);
		ph_json_free(n);
	}
	static const char *const bad[] = {"",	 "01",	"1.",	 ".5",	"+1", "0x10",
					  "NaN", "1 2", "\"1\"", "[1]", "-"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ph_json *n = ph_json_new_number(bad[i], &err);
		CHECK(n == NULL);
		CHECK_ERR(err, "is not a JSON number");
		ph_error_free(&err);
	}
	struct ph_json *s = ph_json_new_stringn("a\0b", 3, &err);
	CHECK(s != NULL && s->u.string.len == 3);
	check_serialized(s, "\"a\\u0000b\"\n");
	ph_json_free(s);

	/* Strings a caller builds are checked when written. */
	struct ph_json *obj = ph_json_new_object(&err);
	CHECK(ph_json_object_set(obj, "bad", ph_json_new_string("\xff", &err), &err) == 0);
	char *text = NULL;
	size_t len = 0;
	CHECK(ph_json_serialize(obj, &text, &len, &err) < 0 && text == NULL);
	CHECK_ERR(err, "serialize JSON: string is not valid UTF-8");
	ph_error_free(&err);
	/* object_set replaces; setting on a non-object frees the value. */
	CHECK(ph_json_object_set(obj, "bad", ph_json_new_null(&err), &err) == 0);
	CHECK(obj->u.object.count == 1 && obj->u.object.members[0].value->type == PH_JSON_NULL);
	CHECK(ph_json_object_remove(obj, "bad") == 1 && obj->u.object.count == 0);
	struct ph_json *arr = ph_json_new_array(&err);
	CHECK(ph_json_object_set(arr, "k", ph_json_new_bool(false, &err), &err) < 0);
	CHECK_ERR(err, "expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_json_array_append(obj, ph_json_new_bool(true, &err), &err) < 0);
	CHECK_ERR(err, "expected an array, got object");
	ph_error_free(&err);
	CHECK(ph_json_array_append(arr, ph_json_new_bool(true, &err), &err) == 0);
	check_serialized(arr, "[\n\ttrue\n]\n");
	CHECK(ph_json_is_bool(arr->u.array.items[0]) && !ph_json_is_bool(arr));
	CHECK_STR(ph_json_type_name(PH_JSON_TRUE), "boolean");
	CHECK(ph_strv_len(NULL) == 0);
	ph_json_free(arr);
	ph_json_free(obj);
	ph_json_free(NULL);
}

int main(void)
{
	char *tmpdir = make_temp_dir();
	for (size_t i = 0; i < sizeof(corpus_documents) / sizeof(corpus_documents[0]); i++)
		test_round_trip(tmpdir, corpus_documents[i]);
	test_runc_format_kept();
	test_numbers_verbatim();
	test_unicode();
	test_depth_limit();
	test_empty_containers();
	test_rejections();
	test_accepts_edge_cases();
	test_getters();
	test_changes();
	test_constructors();
	remove_tree(tmpdir);
	T_DONE();
}
