/* phoenix fuzz target: the runtime-spec parser and the rewrites create
 * and exec make.
 *
 * The input is a config.json (or, when its length is odd, an `exec
 * --process` document).  Whatever it holds, phoenix must not crash or
 * leak; when it parses, the document goes through what ph_cmd_create()
 * does to it (profile choice, capability policy, default seccomp filter,
 * seccomp validation, apparmorProfile rewrite), is serialized, parsed
 * again and serialized again: the two serializations must be identical,
 * and the profile read back must be the one written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "config.h"
#include "gpu.h"
#include "json.h"
#include "log.h"
#include "profile_choice.h"
#include "seccomp_default.h"
#include "seccomp_validate.h"
#include "spec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ph_config conf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* warnings (dropped capabilities, …) go nowhere */
	ph_log_setup("/dev/null", PH_LOG_TEXT, false);
	ph_error_t err = NULL;
	if (ph_config_load_path(&conf, NULL, false, &err) < 0) {
		fprintf(stderr, "config defaults: %s\n", err->msg);
		abort();
	}
	return 0;
}

static int count_env(const char *entry, void *data, ph_error_t *err)
{
	(void)err;
	*(size_t *)data += strlen(entry);
	return 0;
}

static int count_annotation(const char *key, const char *value, void *data, ph_error_t *err)
{
	(void)err;
	*(size_t *)data += strlen(key) + strlen(value);
	return 0;
}

static int count_device(const char *path, const struct ph_json *device, void *data, ph_error_t *err)
{
	(void)err;
	(void)device;
	*(size_t *)data += strlen(path);
	return 0;
}

/* The read-only accessors: each may fail on a wrong type, none may crash. */
static void read_all(const struct ph_spec *spec)
{
	ph_error_t err = NULL;
	const char *s = NULL;
	bool b = false;
	size_t n = 0;
	struct ph_json *node = NULL;

	ph_spec_get_apparmor_profile(spec, &s, &err);
	ph_error_free(&err);
	ph_spec_get_no_new_privileges(spec, &b, &err);
	ph_error_free(&err);
	for (unsigned set = 1; set <= PH_CAP_AMBIENT; set <<= 1) {
		char **caps = NULL;
		if (ph_spec_get_capabilities(spec, (enum ph_cap_set)set, &caps, &err) >= 0)
			ph_strv_free(caps);
		ph_error_free(&err);
	}
	unsigned sets = 0;
	ph_spec_capability_sets(spec, "CAP_SYS_ADMIN", &sets, &err);
	ph_error_free(&err);
	ph_spec_foreach_env(spec, count_env, &n, &err);
	ph_error_free(&err);
	ph_spec_get_env(spec, "NVIDIA_VISIBLE_DEVICES", &s, &err);
	ph_error_free(&err);
	if (spec->is_process)
		return;
	ph_spec_foreach_annotation(spec, count_annotation, &n, &err);
	ph_error_free(&err);
	ph_spec_get_annotation(spec, "org.phoenix.profile", &s, &err);
	ph_error_free(&err);
	ph_spec_foreach_device(spec, count_device, &n, &err);
	ph_error_free(&err);
	ph_spec_get_seccomp(spec, &node, &err);
	ph_error_free(&err);
	ph_spec_get_root_path(spec, &s, &err);
	ph_error_free(&err);
}

/* What create does to a config.json, in its order; stops at the first
 * refusal, as create does. */
static void rewrite(struct ph_spec *spec)
{
	ph_error_t err = NULL;
	const char *requested = NULL, *annotated = NULL, *caps_annotation = NULL;
	bool gpu = false, inserted = false;
	struct ph_profile_choice choice = {0};
	struct ph_caps_report report;

	if (ph_spec_get_apparmor_profile(spec, &requested, &err) < 0)
		goto out;
	if (!spec->is_process &&
	    ph_spec_get_annotation(spec, "org.phoenix.profile", &annotated, &err) < 0)
		goto out;
	if (ph_spec_wants_gpu(spec, NULL, &gpu, &err) < 0)
		goto out;
	if (ph_profile_choose(&conf, requested, annotated, gpu, &choice, &err) < 0)
		goto out;
	if (!spec->is_process &&
	    ph_spec_get_annotation(spec, PH_CAPS_ANNOTATION, &caps_annotation, &err) < 0)
		goto out;
	if (ph_caps_apply(&conf, spec, caps_annotation, &report, &err) < 0)
		goto out;
	if (!spec->is_process && ph_seccomp_insert_default(spec, &inserted, &err) < 0)
		goto out;
	if (ph_seccomp_validate(spec, &err) < 0)
		goto out;
out:
	ph_error_free(&err);
	ph_profile_choice_release(&choice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ph_error_t err = NULL;
	struct ph_spec *spec = NULL, *again = NULL;
	char *out1 = NULL, *out2 = NULL;
	size_t len1 = 0, len2 = 0;
	bool is_process = size % 2 == 1;

	if (ph_spec_parse((const char *)data, size, "config.json", is_process, &spec, &err) < 0) {
		if (err == NULL || err->msg == NULL)
			abort(); /* a failure must say why */
		ph_error_free(&err);
		return 0;
	}
	read_all(spec);
	rewrite(spec);
	/* the write phoenix always makes */
	bool set = ph_spec_set_apparmor_profile(spec, "phoenix-default", &err) == 0;
	ph_error_free(&err);

	if (ph_json_serialize(spec->root, &out1, &len1, &err) < 0) {
		/* only running out of memory may stop a parsed tree from
		 * being written */
		fprintf(stderr, "serialize: %s\n", err->msg);
		abort();
	}
	if (ph_spec_parse(out1, len1, "config.json", is_process, &again, &err) < 0) {
		fprintf(stderr, "reparse of phoenix's own output: %s\n", err->msg);
		abort();
	}
	if (ph_json_serialize(again->root, &out2, &len2, &err) < 0) {
		fprintf(stderr, "serialize again: %s\n", err->msg);
		abort();
	}
	if (len1 != len2 || memcmp(out1, out2, len1) != 0) {
		fprintf(stderr, "serialization is not stable\n");
		abort();
	}
	if (set) {
		const char *profile = NULL;
		if (ph_spec_get_apparmor_profile(again, &profile, &err) != 1 ||
		    strcmp(profile, "phoenix-default") != 0) {
			fprintf(stderr, "apparmorProfile lost in the round trip\n");
			abort();
		}
	}
	ph_error_free(&err);
	free(out1);
	free(out2);
	ph_spec_free(again);
	ph_spec_free(spec);
	return 0;
}
