/* The OCI documents: loading, the accessors on documents as runc,
 * Docker, Podman and containerd write them, changes that touch only
 * what they should, saving, and the refusals. */
#include "spec.h"
#include "t.h"
#include "test_json_util.h"

#include <signal.h>
#include <sys/sysmacros.h>

static int corpus;
static char *tmpdir;

static struct ph_spec *load(const char *name)
{
	struct ph_spec *spec = NULL;
	ph_error_t err = NULL;
	if (ph_spec_load(corpus, name, NULL, &spec, &err) < 0) {
		fprintf(stderr, "load %s: %s\n", name, err->msg);
		ph_error_free(&err);
		t_failures++;
		return NULL;
	}
	return spec;
}

static struct ph_spec *parse(const char *text, bool is_process)
{
	struct ph_spec *spec = NULL;
	ph_error_t err = NULL;
	if (ph_spec_parse(text, strlen(text), is_process ? "process.json" : "config.json",
			  is_process, &spec, &err) < 0) {
		fprintf(stderr, "parse: %s\n", err->msg);
		ph_error_free(&err);
		t_failures++;
		return NULL;
	}
	return spec;
}

/* Copy a corpus document into tmpdir as `name` with `mode`. */
static void copy_to_tmp(const char *corpus_name, const char *name, mode_t mode)
{
	char src[4096], dst[4096];
	snprintf(src, sizeof(src), "%s/%s", corpus_dir(), corpus_name);
	snprintf(dst, sizeof(dst), "%s/%s", tmpdir, name);
	size_t len = 0;
	char *text = slurp(src, &len);
	CHECK(text != NULL && write_text(dst, text, len) == 0 && chmod(dst, mode) == 0);
	free(text);
}

static size_t strv_count(char **strv)
{
	size_t n = ph_strv_len(strv);
	ph_strv_free(strv);
	return n;
}

static int count_annotation(const char *key, const char *value, void *data, ph_error_t *err)
{
	(void)err;
	char **seen = data;
	size_t n = 0;
	while (seen[n] != NULL)
		n++;
	if (asprintf(&seen[n], "%s=%s", key, value) < 0)
		seen[n] = NULL;
	return 0;
}

static int collect_device(const char *path, const struct ph_json *device, void *data,
			  ph_error_t *err)
{
	(void)err;
	char *list = data;
	CHECK(device != NULL && device->type == PH_JSON_OBJECT);
	strcat(list, path);
	strcat(list, " ");
	return 0;
}

static int stop_at_second(const char *entry, void *data, ph_error_t *err)
{
	(void)err;
	(void)entry;
	int *calls = data;
	return ++*calls == 2 ? 7 : 0;
}

static int fail_in_callback(const char *entry, void *data, ph_error_t *err)
{
	(void)data;
	return ph_error_make(err, 0, "refused `%s`", entry);
}

static void test_docker(void)
{
	struct ph_spec *spec = load("docker.json");
	if (spec == NULL)
		return;
	ph_error_t err = NULL;
	const char *s = NULL;
	bool b = true;
	CHECK(!spec->is_process);
	CHECK_STR(spec->origin, "docker.json");
	CHECK(ph_spec_get_apparmor_profile(spec, &s, &err) == 1);
	CHECK_STR(s, "docker-default");
	CHECK(ph_spec_get_no_new_privileges(spec, &b, &err) == 0 && !b);
	CHECK(ph_spec_get_root_path(spec, &s, &err) == 1);
	CHECK(s != NULL && strstr(s, "/var/lib/docker/overlay2/") == s);
	CHECK(ph_spec_get_env(spec, "HOSTNAME", &s, &err) == 1);
	CHECK_STR(s, "3f4e1b7c9a2d");
	CHECK(ph_spec_get_env(spec, "HOST", &s, &err) == 0 && s == NULL);

	char **caps = NULL;
	CHECK(ph_spec_get_capabilities(spec, PH_CAP_BOUNDING, &caps, &err) == 1);
	CHECK(caps != NULL && ph_strv_len(caps) == 14);
	CHECK_STR(caps ? caps[0] : NULL, "CAP_CHOWN");
	ph_strv_free(caps);
	CHECK(ph_spec_get_capabilities(spec, PH_CAP_AMBIENT, &caps, &err) == 0 && caps == NULL);
	unsigned sets = 99;
	CHECK(ph_spec_capability_sets(spec, "CAP_NET_RAW", &sets, &err) == 0);
	CHECK(sets == (PH_CAP_BOUNDING | PH_CAP_EFFECTIVE | PH_CAP_PERMITTED));
	CHECK(ph_spec_capability_sets(spec, "CAP_SYS_ADMIN", &sets, &err) == 0 && sets == 0);

	CHECK(ph_spec_get_annotation(spec, "org.opencontainers.image.ref.name", &s, &err) == 1);
	CHECK_STR(s, "ubuntu");
	CHECK(ph_spec_get_annotation(spec, "org.opencontainers", &s, &err) == 0 && s == NULL);
	char *seen[8] = {0};
	CHECK(ph_spec_foreach_annotation(spec, count_annotation, seen, &err) == 0);
	CHECK_STR(seen[0], "org.opencontainers.image.ref.name=ubuntu");
	CHECK_STR(seen[1], "org.opencontainers.image.version=22.04");
	CHECK_STR(seen[2], "com.example.team=platform");
	CHECK(seen[3] == NULL);
	for (size_t i = 0; seen[i] != NULL; i++)
		free(seen[i]);

	struct ph_json *seccomp = NULL;
	CHECK(ph_spec_get_seccomp(spec, &seccomp, &err) == 1);
	CHECK(ph_json_get_string(seccomp, "defaultAction", &s, &err) == 1);
	CHECK_STR(s, "SCMP_ACT_ERRNO");
	struct ph_json *syscalls = ph_json_lookup(seccomp, "syscalls");
	CHECK(syscalls != NULL && syscalls->u.array.count == 12);
	struct ph_json *first = syscalls->u.array.items[0];
	CHECK(ph_json_lookup(first, "names")->u.array.count > 300);

	char devices[256] = "";
	CHECK(ph_spec_foreach_device(spec, collect_device, devices, &err) == 0);
	CHECK_STR(devices, ""); /* Docker lists none by default */

	int calls = 0;
	CHECK(ph_spec_foreach_env(spec, stop_at_second, &calls, &err) == 7 && calls == 2);
	CHECK(ph_spec_foreach_env(spec, fail_in_callback, NULL, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "refused `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`");
	ph_error_free(&err);
	CHECK(err == NULL);
	ph_spec_free(spec);
}

static void test_podman_and_containerd(void)
{
	ph_error_t err = NULL;
	const char *s = NULL;
	bool b = false;
	struct ph_spec *spec = load("podman.json");
	if (spec != NULL) {
		CHECK(ph_spec_get_apparmor_profile(spec, &s, &err) == 1);
		CHECK_STR(s, "containers-default-0.50.1");
		/* PATH is set twice: the last one counts. */
		CHECK(ph_spec_get_env(spec, "PATH", &s, &err) == 1);
		CHECK_STR(s, "/opt/app/bin:/usr/bin:/bin");
		CHECK(ph_spec_get_env(spec, "container", &s, &err) == 1);
		CHECK_STR(s, "podman");
		char **caps = NULL;
		CHECK(ph_spec_get_capabilities(spec, PH_CAP_INHERITABLE, &caps, &err) == 1);
		CHECK(caps != NULL && caps[0] == NULL);
		ph_strv_free(caps);
		char devices[256] = "";
		CHECK(ph_spec_foreach_device(spec, collect_device, devices, &err) == 0);
		CHECK_STR(devices, "/dev/fuse /dev/net/tun ");
		CHECK(ph_spec_get_annotation(spec, "io.container.manager", &s, &err) == 1);
		CHECK_STR(s, "libpod");
		ph_spec_free(spec);
	}
	spec = load("containerd.json");
	if (spec != NULL) {
		CHECK(ph_spec_get_apparmor_profile(spec, &s, &err) == 0 && s == NULL);
		CHECK(ph_spec_get_no_new_privileges(spec, &b, &err) == 1 && b);
		CHECK(ph_spec_get_root_path(spec, &s, &err) == 1);
		CHECK_STR(s, "rootfs");
		char devices[256] = "";
		CHECK(ph_spec_foreach_device(spec, collect_device, devices, &err) == 0);
		CHECK_STR(devices, "/dev/fuse ");
		char *seen[2] = {0};
		CHECK(ph_spec_foreach_annotation(spec, count_annotation, seen, &err) == 0);
		CHECK(seen[0] == NULL);
		struct ph_json *seccomp = (struct ph_json *)1;
		CHECK(ph_spec_get_seccomp(spec, &seccomp, &err) == 0 && seccomp == NULL);
		ph_spec_free(spec);
	}
	spec = load("runc-spec-rootless.json");
	if (spec != NULL) {
		unsigned sets = 0;
		CHECK(ph_spec_capability_sets(spec, "CAP_KILL", &sets, &err) == 0);
		CHECK(sets ==
		      (PH_CAP_BOUNDING | PH_CAP_EFFECTIVE | PH_CAP_PERMITTED | PH_CAP_AMBIENT));
		CHECK(ph_spec_get_env(spec, "TERM", &s, &err) == 1);
		CHECK_STR(s, "xterm");
		ph_spec_free(spec);
	}
	CHECK(err == NULL);
}

/* Serialize `spec` to tmpdir/out.json and compare its leaves with those
 * of the corpus document: `removed` leaves of the original must be gone
 * and `added` new ones present, nothing else. */
static void check_leaf_changes(const struct ph_spec *spec, const char *corpus_name, size_t removed,
			       size_t added, const char *expect_added)
{
	char orig[4096], out[4096];
	snprintf(orig, sizeof(orig), "%s/%s", corpus_dir(), corpus_name);
	snprintf(out, sizeof(out), "%s/out.json", tmpdir);
	char *text = NULL;
	size_t len = 0;
	ph_error_t err = NULL;
	CHECK(ph_json_serialize(spec->root, &text, &len, &err) == 0);
	CHECK(text != NULL && write_text(out, text, len) == 0);
	free(text);
	struct leaves a, b;
	CHECK(jq_leaves(orig, &a) == 0);
	CHECK(jq_leaves(out, &b) == 0);
	const char *gone = NULL, *new_leaf = NULL;
	size_t n_removed = leaves_missing(&a, &b, &gone);
	size_t n_added = leaves_missing(&b, &a, &new_leaf);
	CHECK(n_removed == removed);
	CHECK(n_added == added);
	if (n_removed != removed || n_added != added)
		fprintf(stderr, "%s: removed %zu (e.g. %s), added %zu (e.g. %s)\n", corpus_name,
			n_removed, gone ? gone : "-", n_added, new_leaf ? new_leaf : "-");
	if (expect_added != NULL)
		CHECK_STR(new_leaf, expect_added);
	CHECK(a.count - removed + added == b.count);
	leaves_free(&a);
	leaves_free(&b);
}

static void test_change_only_the_profile(void)
{
	ph_error_t err = NULL;
	struct ph_spec *spec = load("docker.json");
	if (spec != NULL) {
		CHECK(ph_spec_set_apparmor_profile(spec, "phoenix-default", &err) == 0);
		check_leaf_changes(spec, "docker.json", 1, 1,
				   "[[\"process\",\"apparmorProfile\"],\"phoenix-default\"]");
		/* Replaced where it stood: between capabilities and oomScoreAdj. */
		struct ph_json *process = NULL;
		CHECK(ph_spec_process(spec, &process, &err) == 1);
		CHECK_STR(process->u.object.members[5].key, "apparmorProfile");
		CHECK_STR(process->u.object.members[6].key, "oomScoreAdj");
		ph_spec_free(spec);
	}
	/* runc spec has no profile: one leaf added, at the end of process. */
	spec = load("runc-spec.json");
	if (spec != NULL) {
		CHECK(ph_spec_set_apparmor_profile(spec, "phoenix-default", &err) == 0);
		check_leaf_changes(spec, "runc-spec.json", 0, 1,
				   "[[\"process\",\"apparmorProfile\"],\"phoenix-default\"]");
		struct ph_json *process = NULL;
		CHECK(ph_spec_process(spec, &process, &err) == 1);
		CHECK_STR(process->u.object.members[process->u.object.count - 1].key,
			  "apparmorProfile");
		ph_spec_free(spec);
	}
	spec = load("podman.json");
	if (spec != NULL) {
		CHECK(ph_spec_set_no_new_privileges(spec, true, &err) == 0);
		check_leaf_changes(spec, "podman.json", 0, 1,
				   "[[\"process\",\"noNewPrivileges\"],true]");
		ph_spec_free(spec);
	}
	spec = load("containerd.json");
	if (spec != NULL) {
		CHECK(ph_spec_set_annotation(spec, "org.example.phoenix/profile", "p", &err) == 0);
		check_leaf_changes(spec, "containerd.json", 0, 1,
				   "[[\"annotations\",\"org.example.phoenix/profile\"],\"p\"]");
		ph_spec_free(spec);
	}
	CHECK(err == NULL);
}

static void test_drop_capability(void)
{
	ph_error_t err = NULL;
	struct ph_spec *spec = load("podman.json");
	if (spec == NULL)
		return;
	unsigned removed = 0;
	CHECK(ph_spec_drop_capability(spec, "CAP_SETFCAP", &removed, &err) == 0);
	CHECK(removed == (PH_CAP_BOUNDING | PH_CAP_EFFECTIVE | PH_CAP_PERMITTED));
	/* Three leaves gone; the ones after them in each set moved up an
	 * index, so they count as changed too. */
	unsigned sets = 1;
	CHECK(ph_spec_capability_sets(spec, "CAP_SETFCAP", &sets, &err) == 0 && sets == 0);
	char **caps = NULL;
	CHECK(ph_spec_get_capabilities(spec, PH_CAP_EFFECTIVE, &caps, &err) == 1);
	CHECK(strv_count(caps) == 10);
	CHECK(ph_spec_get_capabilities(spec, PH_CAP_PERMITTED, &caps, &err) == 1);
	CHECK_STR(caps ? caps[6] : NULL, "CAP_SETGID"); /* the next one moved up */
	ph_strv_free(caps);
	/* Dropping what is not there changes nothing. */
	char *before = NULL, *after = NULL;
	size_t len = 0;
	CHECK(ph_json_serialize(spec->root, &before, &len, &err) == 0);
	CHECK(ph_spec_drop_capability(spec, "CAP_SETFCAP", &removed, &err) == 0 && removed == 0);
	CHECK(ph_spec_drop_capability(spec, "CAP_SYS_ADMIN", &removed, &err) == 0 && removed == 0);
	CHECK(ph_json_serialize(spec->root, &after, &len, &err) == 0);
	CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
	free(before);
	free(after);
	ph_spec_free(spec);

	/* Every occurrence goes, also a repeated one. */
	spec = parse("{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_A\", \"CAP_B\","
		     " \"CAP_A\"], \"ambient\": [\"CAP_A\"], \"effective\": null}}}",
		     false);
	if (spec != NULL) {
		CHECK(ph_spec_drop_capability(spec, "CAP_A", &removed, &err) == 0);
		CHECK(removed == (PH_CAP_BOUNDING | PH_CAP_AMBIENT));
		CHECK(ph_spec_get_capabilities(spec, PH_CAP_BOUNDING, &caps, &err) == 1);
		CHECK(caps != NULL && ph_strv_len(caps) == 1);
		CHECK_STR(caps ? caps[0] : NULL, "CAP_B");
		ph_strv_free(caps);
		ph_spec_free(spec);
	}
	/* A malformed set is reported before any set is changed. */
	spec = parse("{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_A\"],"
		     " \"ambient\": [\"CAP_A\", 7]}}}",
		     false);
	if (spec != NULL) {
		CHECK(ph_spec_drop_capability(spec, "CAP_A", &removed, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: process.capabilities.ambient[1]: expected a string, got "
			  "number");
		ph_error_free(&err);
		CHECK(ph_spec_get_capabilities(spec, PH_CAP_BOUNDING, &caps, &err) == 1);
		CHECK(strv_count(caps) == 1);
		ph_spec_free(spec);
	}
	CHECK_STR(ph_cap_set_name(PH_CAP_INHERITABLE), "inheritable");
	CHECK(ph_cap_set_name((enum ph_cap_set)3) == NULL);
}

static void test_hooks(void)
{
	ph_error_t err = NULL;
	const char *const args[] = {"phoenix-gc", "--bundle", "/b", NULL};
	const char *const env[] = {"PATH=/usr/bin", NULL};
	struct ph_spec_hook hook = {
	    .path = "/usr/libexec/phoenix/gc", .args = args, .env = env, .timeout = 10};
	struct ph_spec *spec = load("docker.json");
	if (spec != NULL) {
		CHECK(ph_spec_append_hook(spec, "poststop", &hook, &err) == 0);
		struct ph_json *poststop = ph_json_lookup(spec->root, "hooks.poststop");
		CHECK(poststop != NULL && poststop->u.array.count == 1);
		/* The existing phases are kept. */
		CHECK(ph_json_lookup(spec->root, "hooks.prestart")->u.array.count == 1);
		CHECK(ph_json_lookup(spec->root, "hooks.createRuntime")->u.array.count == 1);
		CHECK_STR(spec->root->u.object.members[5].key, "hooks");
		struct ph_json *h = poststop->u.array.items[0];
		const char *s = NULL, *n = NULL;
		CHECK(ph_json_get_string(h, "path", &s, &err) == 1);
		CHECK_STR(s, "/usr/libexec/phoenix/gc");
		char **strv = NULL;
		CHECK(ph_json_get_strv(h, "args", &strv, &err) == 1);
		CHECK(strv != NULL && ph_strv_len(strv) == 3);
		CHECK_STR(strv ? strv[2] : NULL, "/b");
		ph_strv_free(strv);
		CHECK(ph_json_get_strv(h, "env", &strv, &err) == 1 && strv_count(strv) == 1);
		CHECK(ph_json_get_number(h, "timeout", &n, &err) == 1);
		CHECK_STR(n, "10");
		/* A second hook goes after the first; without args, env and
		 * timeout those members are left out. */
		struct ph_spec_hook bare = {.path = "/bin/true"};
		CHECK(ph_spec_append_hook(spec, "poststop", &bare, &err) == 0);
		CHECK(poststop->u.array.count == 2);
		CHECK(poststop->u.array.items[1]->u.object.count == 1);
		check_leaf_changes(spec, "docker.json", 0, 7, NULL);
		ph_spec_free(spec);
	}
	/* No hooks at all yet: created. */
	spec = load("runc-spec.json");
	if (spec != NULL) {
		CHECK(ph_spec_append_hook(spec, "createRuntime", &hook, &err) == 0);
		CHECK(ph_json_lookup(spec->root, "hooks.createRuntime")->u.array.count == 1);
		ph_spec_free(spec);
	}
	spec = load("containerd.json");
	if (spec != NULL) {
		CHECK(ph_spec_append_hook(spec, "createRuntime", &hook, &err) == 0);
		struct ph_json *cr = ph_json_lookup(spec->root, "hooks.createRuntime");
		CHECK(cr != NULL && cr->u.array.count == 2);
		const char *s = NULL;
		CHECK(ph_json_get_string(cr->u.array.items[0], "path", &s, &err) == 1);
		CHECK_STR(s, "/usr/bin/nvidia-container-runtime-hook");
		CHECK(ph_spec_append_hook(spec, "afterwards", &hook, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "containerd.json: unknown hook phase `afterwards`");
		ph_error_free(&err);
		struct ph_spec_hook relative = {.path = "bin/gc"};
		CHECK(ph_spec_append_hook(spec, "poststop", &relative, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "containerd.json: hook path `bin/gc` is not absolute");
		ph_error_free(&err);
		struct ph_spec_hook negative = {.path = "/x", .timeout = -1};
		CHECK(ph_spec_append_hook(spec, "poststop", &negative, &err) < 0);
		CHECK_ERR(err, "hook timeout -1 is negative");
		ph_error_free(&err);
		ph_spec_free(spec);
	}
	spec = parse("{\"hooks\": {\"poststop\": {}}}", false);
	if (spec != NULL) {
		CHECK(ph_spec_append_hook(spec, "poststop", &hook, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: hooks.poststop: expected an array, got object");
		ph_error_free(&err);
		ph_spec_free(spec);
	}
	spec = parse("{\"hooks\": []}", false);
	if (spec != NULL) {
		CHECK(ph_spec_append_hook(spec, "poststop", &hook, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: hooks: expected an object, got array");
		ph_error_free(&err);
		ph_spec_free(spec);
	}
}

static void test_process_document(void)
{
	ph_error_t err = NULL;
	char path[4096];
	snprintf(path, sizeof(path), "%s/process-exec.json", corpus_dir());
	struct ph_spec *spec = NULL;
	CHECK(ph_spec_load_process(path, &spec, &err) == 0);
	if (spec == NULL)
		return;
	const char *s = NULL;
	bool b = true;
	CHECK(spec->is_process);
	CHECK_STR(spec->origin, path);
	CHECK(ph_spec_get_apparmor_profile(spec, &s, &err) == 1);
	CHECK_STR(s, "docker-default");
	CHECK(ph_spec_get_no_new_privileges(spec, &b, &err) == 1 && !b);
	CHECK(ph_spec_get_env(spec, "HOME", &s, &err) == 1);
	CHECK_STR(s, "/home/app");
	unsigned sets = 0;
	CHECK(ph_spec_capability_sets(spec, "CAP_KILL", &sets, &err) == 0);
	CHECK(sets == (PH_CAP_BOUNDING | PH_CAP_EFFECTIVE | PH_CAP_PERMITTED));
	struct ph_json *process = NULL;
	CHECK(ph_spec_process(spec, &process, &err) == 1 && process == spec->root);
	/* The config.json-only parts are simply absent ... */
	CHECK(ph_spec_get_annotation(spec, "a", &s, &err) == 0);
	CHECK(ph_spec_get_root_path(spec, &s, &err) == 0 && s == NULL);
	struct ph_json *seccomp = NULL;
	CHECK(ph_spec_get_seccomp(spec, &seccomp, &err) == 0);
	CHECK(err == NULL);
	/* ... and cannot be set. */
	CHECK(ph_spec_set_annotation(spec, "a", "b", &err) < 0);
	CHECK_ERR(err, "/process-exec.json: annotations: not part of a process document");
	ph_error_free(&err);
	struct ph_spec_hook hook = {.path = "/bin/true"};
	CHECK(ph_spec_append_hook(spec, "poststop", &hook, &err) < 0);
	CHECK_ERR(err, "hooks: not part of a process document");
	ph_error_free(&err);
	/* The process fields are at the top level. */
	CHECK(ph_spec_set_apparmor_profile(spec, "phoenix-exec", &err) == 0);
	CHECK(ph_spec_set_no_new_privileges(spec, true, &err) == 0);
	CHECK(ph_json_lookup(spec->root, "process") == NULL);
	CHECK_STR(ph_json_lookup(spec->root, "apparmorProfile")->u.string.ptr, "phoenix-exec");
	check_leaf_changes(spec, "process-exec.json", 2, 2, NULL);
	ph_spec_free(spec);

	/* A relative path, from the working directory. */
	CHECK(ph_spec_load_process("tests/unit/corpus/process-minimal.json", &spec, &err) == 0 ||
	      getenv("PHOENIX_TEST_CORPUS") != NULL);
	ph_spec_free(spec);
	spec = NULL;

	/* Wrong types are named without a "process." prefix. */
	spec = parse("{\"apparmorProfile\": [\"x\"], \"noNewPrivileges\": 1,"
		     " \"capabilities\": {\"bounding\": \"CAP_KILL\"}}",
		     true);
	if (spec != NULL) {
		CHECK(ph_spec_get_apparmor_profile(spec, &s, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "process.json: apparmorProfile: expected a string, got array");
		ph_error_free(&err);
		CHECK(ph_spec_get_no_new_privileges(spec, &b, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "process.json: noNewPrivileges: expected a boolean, got number");
		ph_error_free(&err);
		CHECK(ph_spec_capability_sets(spec, "CAP_KILL", &sets, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "process.json: capabilities.bounding: expected an array, got string");
		ph_error_free(&err);
		ph_spec_free(spec);
	}
}

static void test_wrong_types(void)
{
	ph_error_t err = NULL;
	const char *s = NULL;
	bool b = false;
	unsigned sets = 0;
	char **caps = NULL;
	struct ph_spec *spec =
	    parse("{\"process\": {\"apparmorProfile\": 5, \"noNewPrivileges\": \"true\","
		  " \"capabilities\": [\"CAP_KILL\"], \"env\": [\"A=1\", null]},"
		  " \"annotations\": [\"a\"], \"root\": {\"path\": 1},"
		  " \"linux\": {\"seccomp\": \"unconfined\", \"devices\": {}}}",
		  false);
	if (spec == NULL)
		return;
	CHECK(ph_spec_get_apparmor_profile(spec, &s, &err) < 0 && s == NULL);
	CHECK_STR(err ? err->msg : NULL,
		  "config.json: process.apparmorProfile: expected a string, got number");
	ph_error_free(&err);
	CHECK(ph_spec_get_no_new_privileges(spec, &b, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "config.json: process.noNewPrivileges: expected a boolean, got string");
	ph_error_free(&err);
	CHECK(ph_spec_get_capabilities(spec, PH_CAP_BOUNDING, &caps, &err) < 0 && caps == NULL);
	CHECK_STR(err ? err->msg : NULL,
		  "config.json: process.capabilities: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_spec_capability_sets(spec, "CAP_KILL", &sets, &err) < 0);
	CHECK_ERR(err, "process.capabilities: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_spec_drop_capability(spec, "CAP_KILL", &sets, &err) < 0);
	CHECK_ERR(err, "process.capabilities: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_spec_get_annotation(spec, "a", &s, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "config.json: annotations: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_spec_set_annotation(spec, "a", "b", &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "config.json: annotations: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_spec_get_root_path(spec, &s, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "config.json: root.path: expected a string, got number");
	ph_error_free(&err);
	struct ph_json *seccomp = NULL;
	CHECK(ph_spec_get_seccomp(spec, &seccomp, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "config.json: linux.seccomp: expected an object, got string");
	ph_error_free(&err);
	char devices[64] = "";
	CHECK(ph_spec_foreach_device(spec, collect_device, devices, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "config.json: linux.devices: expected an array, got object");
	ph_error_free(&err);
	CHECK(ph_spec_get_env(spec, "A", &s, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "config.json: process.env[1]: expected a string, got null");
	ph_error_free(&err);
	ph_spec_free(spec);

	/* process itself of the wrong type, for reading and for writing. */
	spec = parse("{\"process\": \"sh\"}", false);
	if (spec != NULL) {
		CHECK(ph_spec_get_apparmor_profile(spec, &s, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: process: expected an object, got string");
		ph_error_free(&err);
		CHECK(ph_spec_set_apparmor_profile(spec, "p", &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: process: expected an object, got string");
		ph_error_free(&err);
		struct ph_json *process = NULL;
		CHECK(ph_spec_process(spec, &process, &err) < 0);
		ph_error_free(&err);
		ph_spec_free(spec);
	}
	/* Annotations are a Go map: exact keys, no case folding; a repeated
	 * key is refused (Go would keep the later one). */
	spec = parse("{\"annotations\": {\"k\": \"lower\", \"K\": \"upper\"}}", false);
	if (spec != NULL) {
		CHECK(ph_spec_get_annotation(spec, "k", &s, &err) == 1);
		CHECK_STR(s, "lower");
		CHECK(ph_spec_get_annotation(spec, "K", &s, &err) == 1);
		CHECK_STR(s, "upper");
		CHECK(ph_spec_get_annotation(spec, "kk", &s, &err) == 0 && s == NULL);
		CHECK(err == NULL);
		ph_spec_free(spec);
	}
	{
		const char *dup = "{\"annotations\": {\"k\": \"first\", \"k\": \"later\"}}";
		struct ph_spec *none = NULL;
		CHECK(ph_spec_parse(dup, strlen(dup), "config.json", false, &none, &err) < 0 &&
		      none == NULL);
		CHECK_ERR(err, "annotations.k: duplicate key");
		ph_error_free(&err);
	}
	/* Annotation values and device entries of the wrong type. */
	spec = parse("{\"annotations\": {\"a.b\": 1, \"ok\": \"x\", \"n\": \"a\\u0000\"},"
		     " \"linux\": {\"devices\": [{\"path\": \"/dev/fuse\"}, {\"type\": \"c\"}, 3,"
		     " {\"path\": false}]}}",
		     false);
	if (spec != NULL) {
		CHECK(ph_spec_get_annotation(spec, "a.b", &s, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: annotations.a.b: expected a string, got number");
		ph_error_free(&err);
		CHECK(ph_spec_get_annotation(spec, "n", &s, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: annotations.n: string contains a NUL character");
		ph_error_free(&err);
		CHECK(ph_spec_get_annotation(spec, "ok", &s, &err) == 1);
		CHECK_STR(s, "x");
		char *seen[4] = {0};
		CHECK(ph_spec_foreach_annotation(spec, count_annotation, seen, &err) < 0);
		CHECK_ERR(err, "annotations.a.b: expected a string, got number");
		ph_error_free(&err);
		CHECK(seen[0] == NULL);
		CHECK(ph_spec_foreach_device(spec, collect_device, devices, &err) < 0);
		CHECK_STR(err ? err->msg : NULL, "config.json: linux.devices[1]: no path");
		ph_error_free(&err);
		CHECK_STR(devices, "/dev/fuse ");
		ph_json_remove(spec->root, "annotations");
		struct ph_json *list = ph_json_lookup(spec->root, "linux.devices");
		CHECK(ph_json_array_remove(list, 1, &err) == 0);
		devices[0] = '\0';
		CHECK(ph_spec_foreach_device(spec, collect_device, devices, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: linux.devices[1]: expected an object, got number");
		ph_error_free(&err);
		CHECK(ph_json_array_remove(list, 1, &err) == 0);
		CHECK(ph_spec_foreach_device(spec, collect_device, devices, &err) < 0);
		CHECK_STR(err ? err->msg : NULL,
			  "config.json: linux.devices[1].path: expected a string, got boolean");
		ph_error_free(&err);
		/* Setting an annotation creates the object. */
		CHECK(ph_spec_set_annotation(spec, "k.with.dots", "v", &err) == 0);
		CHECK(ph_spec_get_annotation(spec, "k.with.dots", &s, &err) == 1);
		CHECK_STR(s, "v");
		CHECK(ph_spec_set_annotation(spec, "k.with.dots", "w", &err) == 0);
		CHECK(ph_json_lookup(spec->root, "annotations")->u.object.count == 1);
		ph_spec_free(spec);
	}
	/* Not an object at the top. */
	struct ph_spec *none = (struct ph_spec *)1;
	CHECK(ph_spec_parse("[1]", 3, "config.json", false, &none, &err) < 0 && none == NULL);
	CHECK_STR(err ? err->msg : NULL, "config.json: expected an object, got array");
	ph_error_free(&err);
	CHECK(ph_spec_parse("\"x\"", 3, "p.json", true, &none, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "p.json: expected an object, got string");
	ph_error_free(&err);
}

static void expect_load_error(const char *name, const char *message)
{
	ph_error_t err = NULL;
	struct ph_spec *spec = (struct ph_spec *)1;
	int dir = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(ph_spec_load(dir, name, NULL, &spec, &err) < 0 && spec == NULL);
	CHECK_STR(err ? err->msg : NULL, message);
	ph_error_free(&err);
	close(dir);
}

static void put(const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	CHECK(write_text(path, text, strlen(text)) == 0);
}

static void test_load_refusals(void)
{
	char path[4096];
	put("not-json.json", "{\"ociVersion\": \"1.0.2\",\n\"process\": {\"args\": [\"sh\"]}\n");
	expect_load_error("not-json.json",
			  "not-json.json: not valid JSON at byte 52: parse error: premature EOF");
	put("array.json", "[]");
	expect_load_error("array.json", "array.json: expected an object, got array");
	put("empty.json", "");
	expect_load_error("empty.json", "empty.json: empty document");
	put("dup.json", "{\"process\": {\"env\": [], \"env\": []}}");
	expect_load_error("dup.json", "dup.json: process.env: duplicate key");
	put("utf8.json", "{\"annotations\": {\"a\": \"\xc0\xaf\"}}");
	expect_load_error("utf8.json", "utf8.json: invalid UTF-8 at byte 23");

	snprintf(path, sizeof(path), "%s/config.json", tmpdir);
	put("real.json", "{}");
	CHECK(symlink("real.json", path) == 0);
	expect_load_error("config.json", "`config.json` is a symbolic link");
	CHECK(unlink(path) == 0);
	CHECK(mkfifo(path, 0600) == 0);
	alarm(10);
	expect_load_error("config.json", "`config.json` is not a regular file");
	alarm(0);
	CHECK(unlink(path) == 0);
	CHECK(mkdir(path, 0700) == 0);
	expect_load_error("config.json", "`config.json` is not a regular file");
	CHECK(rmdir(path) == 0);
	expect_load_error("config.json", "open `config.json`: No such file or directory");

	/* Too big: refused from its size, before reading ... */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, PH_SPEC_MAX_SIZE + 1) == 0);
	expect_load_error("config.json",
			  "`config.json` is larger than the limit of 16777216 bytes");
	/* ... while exactly the limit is read. */
	CHECK(ftruncate(fd, PH_SPEC_MAX_SIZE) == 0);
	char *doc = malloc(PH_SPEC_MAX_SIZE);
	memset(doc, ' ', PH_SPEC_MAX_SIZE);
	memcpy(doc, "{\"a\": 1}", 8);
	CHECK(pwrite(fd, doc, PH_SPEC_MAX_SIZE, 0) == (ssize_t)PH_SPEC_MAX_SIZE);
	free(doc);
	close(fd);
	int dir = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct ph_spec *spec = NULL;
	ph_error_t err = NULL;
	CHECK(ph_spec_load(dir, "config.json", "/bundle/config.json", &spec, &err) == 0);
	CHECK_STR(spec ? spec->origin : NULL, "/bundle/config.json");
	ph_spec_free(spec);
	close(dir);
	CHECK(unlink(path) == 0);

	/* The process file: its last component must not be a link. */
	snprintf(path, sizeof(path), "%s/process-link.json", tmpdir);
	CHECK(symlink("real.json", path) == 0);
	CHECK(ph_spec_load_process(path, &spec, &err) < 0 && spec == NULL);
	CHECK_STR(err ? err->msg : NULL, "`process-link.json` is a symbolic link");
	ph_error_free(&err);
	CHECK(ph_spec_load_process("/nonexistent-dir/process.json", &spec, &err) < 0);
	CHECK_ERR(err, "open directory `/nonexistent-dir`: No such file or directory");
	ph_error_free(&err);
}

static void test_save(void)
{
	ph_error_t err = NULL;
	char path[4096];
	copy_to_tmp("docker.json", "config.json", 0640);
	snprintf(path, sizeof(path), "%s/config.json", tmpdir);
	int entries = count_entries(tmpdir);
	int dir = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct ph_spec *spec = NULL;
	CHECK(ph_spec_load(dir, "config.json", path, &spec, &err) == 0);
	close(dir); /* the spec keeps its own reference */
	if (spec == NULL)
		return;
	CHECK(ph_spec_set_apparmor_profile(spec, "phoenix-default", &err) == 0);
	CHECK(ph_spec_save(spec, &err) == 0);
	ph_spec_free(spec);

	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(count_entries(tmpdir) == entries);
	/* Saved: jq sees exactly one changed leaf against the original. */
	struct leaves a, b;
	char orig[4096];
	snprintf(orig, sizeof(orig), "%s/docker.json", corpus_dir());
	CHECK(jq_leaves(orig, &a) == 0 && jq_leaves(path, &b) == 0);
	const char *added = NULL;
	CHECK(leaves_missing(&a, &b, NULL) == 1 && leaves_missing(&b, &a, &added) == 1);
	CHECK_STR(added, "[[\"process\",\"apparmorProfile\"],\"phoenix-default\"]");
	leaves_free(&a);
	leaves_free(&b);

	/* Loading what was saved gives the profile back. */
	dir = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(ph_spec_load(dir, "config.json", NULL, &spec, &err) == 0);
	const char *s = NULL;
	CHECK(spec != NULL && ph_spec_get_apparmor_profile(spec, &s, &err) == 1);
	CHECK_STR(s, "phoenix-default");

	/* If the file became a symbolic link meanwhile, it is not replaced. */
	char moved[4096];
	snprintf(moved, sizeof(moved), "%s/moved.json", tmpdir);
	CHECK(rename(path, moved) == 0 && symlink("moved.json", path) == 0);
	CHECK(spec != NULL && ph_spec_save(spec, &err) < 0);
	CHECK_STR(err ? err->msg : NULL,
		  "save config.json: refusing to replace `config.json`: `config.json` is a "
		  "symbolic link");
	ph_error_free(&err);
	struct stat lst;
	CHECK(lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode));
	ph_spec_free(spec);
	close(dir);

	/* A process file, saved through its own directory. */
	copy_to_tmp("process-exec.json", "process.json", 0600);
	snprintf(path, sizeof(path), "%s/process.json", tmpdir);
	CHECK(ph_spec_load_process(path, &spec, &err) == 0);
	CHECK(spec != NULL && ph_spec_set_apparmor_profile(spec, "phoenix-exec", &err) == 0);
	CHECK(spec != NULL && ph_spec_save(spec, &err) == 0);
	ph_spec_free(spec);
	CHECK(ph_spec_load_process(path, &spec, &err) == 0);
	CHECK(spec != NULL && ph_spec_get_apparmor_profile(spec, &s, &err) == 1);
	CHECK_STR(s, "phoenix-exec");
	ph_spec_free(spec);

	/* A document from memory has nowhere to go. */
	spec = parse("{}", false);
	CHECK(spec != NULL && ph_spec_save(spec, &err) < 0);
	CHECK_STR(err ? err->msg : NULL, "config.json: not loaded from a file");
	ph_error_free(&err);
	ph_spec_free(spec);
	ph_spec_free(NULL);
}

int main(void)
{
	corpus = open_corpus();
	tmpdir = make_temp_dir();
	test_docker();
	test_podman_and_containerd();
	test_change_only_the_profile();
	test_drop_capability();
	test_hooks();
	test_process_document();
	test_wrong_types();
	test_load_refusals();
	test_save();
	close(corpus);
	remove_tree(tmpdir);
	T_DONE();
}
