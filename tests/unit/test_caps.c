/* process.capabilities: names checked against libcap, and the MAC
 * capabilities policy (drop, keep, refuse, the annotation, privileged
 * containers) on config.json and on `exec --process` documents. */
#include <ctype.h>
#include <fcntl.h>
#include <sys/capability.h>
#include <unistd.h>

#include "caps.h"
#include "config.h"
#include "log.h"
#include "spec.h"
#include "t.h"
#include "test_json_util.h"
#include "test_log_util.h"
#include "test_spec_util.h"

static int corpus;

/* ---- helpers ------------------------------------------------------------------ */

/* A config.json whose process.capabilities is `caps` (JSON text). */
static struct ph_spec *with_caps(const char *caps)
{
	char text[4096];
	snprintf(text, sizeof(text), "{\"process\":{\"args\":[\"sh\"],\"capabilities\":%s}}", caps);
	return parse(text, false);
}

/* "caps/config-mac.json" or "docker.json" from the corpus. */
static struct ph_spec *load(const char *name, bool is_process)
{
	char path[512];
	struct ph_spec *spec = NULL;
	ph_error_t err = NULL;
	int r;
	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), name);
	if (is_process) {
		r = ph_spec_load_process(path, &spec, &err);
	} else {
		/* ph_spec_load takes a file name: open its directory */
		const char *slash = strrchr(path, '/');
		char dir[512];
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = ph_spec_load(dirfd, slash + 1, "config.json", &spec, &err);
		close(dirfd);
	}
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", name, err->msg);
		exit(2);
	}
	return spec;
}

static unsigned sets_of(const struct ph_spec *spec, const char *cap)
{
	unsigned sets = 0;
	ph_error_t err = NULL;
	if (ph_spec_capability_sets(spec, cap, &sets, &err) < 0)
		abort();
	return sets;
}

static size_t count(const struct ph_spec *spec, enum ph_cap_set set)
{
	char **caps = NULL;
	ph_error_t err = NULL;
	if (ph_spec_get_capabilities(spec, set, &caps, &err) < 0)
		abort();
	size_t n = ph_strv_len(caps);
	ph_strv_free(caps);
	return n;
}

static void default_config(struct ph_config *conf)
{
	ph_error_t err = NULL;
	if (ph_config_load_path(conf, NULL, false, &err) < 0)
		abort();
}

static void allow_annotation(struct ph_config *conf)
{
	conf->allowed_annotations[conf->n_allowed_annotations++] = strdup("capabilities");
}

/* Every capability of the running kernel that libcap can name, as a
 * JSON array: what a privileged container gets. */
static char *all_caps_json(size_t *n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	*n = 0;
	fputc('[', f);
	for (cap_value_t cap = 0; cap < (cap_value_t)cap_max_bits(); cap++) {
		char *name = cap_to_name(cap);
		if (strncmp(name, "cap_", 4) == 0) {
			fprintf(f, "%s\"", *n ? "," : "");
			for (const char *p = name; *p; p++)
				fputc(toupper((unsigned char)*p), f);
			fputc('"', f);
			(*n)++;
		}
		cap_free(name);
	}
	fputc(']', f);
	fclose(f);
	return out;
}

/* ---- names --------------------------------------------------------------------- */

static void expect_name_error(const char *caps, const char *message)
{
	struct ph_spec *spec = with_caps(caps);
	ph_error_t err = NULL;
	char *before = spec_text(spec);
	struct ph_config conf;
	struct ph_caps_report report;
	default_config(&conf);
	CHECK(ph_caps_check_names(spec, &err) < 0);
	CHECK_ERR(err, message);
	ph_error_free(&err);
	/* apply checks first and changes nothing */
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) < 0);
	CHECK_ERR(err, message);
	ph_error_free(&err);
	char *after = spec_text(spec);
	CHECK_STR(after, before);
	free(before);
	free(after);
	ph_config_release(&conf);
	ph_spec_free(spec);
}

static void names(void)
{
	ph_error_t err = NULL;
	/* real documents, both kinds */
	const char *configs[] = {"docker.json",
				 "podman.json",
				 "containerd.json",
				 "runc-spec.json",
				 "runc-spec-rootless.json",
				 "empty.json",
				 "caps/config-mac.json",
				 "caps/partial-sets.json"};
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		struct ph_spec *spec = load(configs[i], false);
		CHECK(ph_caps_check_names(spec, &err) == 0);
		if (err)
			fprintf(stderr, "  %s: %s\n", configs[i], err->msg);
		ph_error_free(&err);
		ph_spec_free(spec);
	}
	const char *processes[] = {"process-exec.json", "process-minimal.json",
				   "caps/process-mac.json"};
	for (size_t i = 0; i < sizeof(processes) / sizeof(processes[0]); i++) {
		struct ph_spec *spec = load(processes[i], true);
		CHECK(ph_caps_check_names(spec, &err) == 0);
		ph_error_free(&err);
		ph_spec_free(spec);
	}

	/* every set is read */
	expect_name_error("{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SETUID\",\"CAP_FOO\"]}",
			  "config.json: process.capabilities.bounding[3]: unknown capability "
			  "`CAP_FOO`");
	expect_name_error("{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_BAR\"]}",
			  "config.json: process.capabilities.effective[0]: unknown capability "
			  "`CAP_BAR`");
	expect_name_error("{\"inheritable\":[\"CAP_KILL\",\"CAP_NET_ADMINN\"]}",
			  "config.json: process.capabilities.inheritable[1]: unknown capability "
			  "`CAP_NET_ADMINN`");
	expect_name_error("{\"permitted\":[\"CAP_\"]}",
			  "config.json: process.capabilities.permitted[0]: unknown capability "
			  "`CAP_`");
	expect_name_error("{\"ambient\":[\"CAP_CHOWN\",\"\"]}",
			  "config.json: process.capabilities.ambient[1]: unknown capability ``");

	/* what libcap's cap_from_name() would take but the spec does not say */
	expect_name_error("{\"bounding\":[\"cap_mac_admin\"]}",
			  "config.json: process.capabilities.bounding[0]: capability "
			  "`cap_mac_admin` must be written `CAP_MAC_ADMIN`");
	expect_name_error("{\"effective\":[\"Cap_Chown\"]}",
			  "capability `Cap_Chown` must be written `CAP_CHOWN`");
	expect_name_error("{\"bounding\":[\"33\"]}", "unknown capability `33`");
	expect_name_error("{\"bounding\":[\"CAP_MAC_ADMIN2\"]}",
			  "unknown capability `CAP_MAC_ADMIN2`");
	expect_name_error("{\"bounding\":[\"CAP_MAC_ADMIN+ep\"]}",
			  "unknown capability `CAP_MAC_ADMIN+ep`");
	expect_name_error("{\"bounding\":[\"MAC_ADMIN\"]}", "unknown capability `MAC_ADMIN`");
	expect_name_error("{\"bounding\":[\"CAP_MAC_ADMIN \"]}",
			  "unknown capability `CAP_MAC_ADMIN `");
	/* beyond what libcap can name, whatever the kernel has */
	expect_name_error("{\"bounding\":[\"63\"]}", "unknown capability `63`");
	/* shapes the spec layer refuses, with their path */
	expect_name_error("{\"bounding\":[\"CAP_CHOWN\",7]}",
			  "config.json: process.capabilities.bounding[1]: expected a string, got "
			  "number");
	expect_name_error("{\"bounding\":\"CAP_CHOWN\"}",
			  "config.json: process.capabilities.bounding: expected an array, got "
			  "string");
	expect_name_error("[\"CAP_CHOWN\"]", "config.json: process.capabilities: expected an "
					     "object, got array");

	/* a process document has no "process." in its paths */
	struct ph_spec *spec = parse("{\"args\":[\"sh\"],\"capabilities\":{\"permitted\":"
				     "[\"CAP_KILL\",\"CAP_SYS_ADMN\"]}}",
				     true);
	CHECK(ph_caps_check_names(spec, &err) < 0);
	CHECK_ERR(err, "process.json: capabilities.permitted[1]: unknown capability "
		       "`CAP_SYS_ADMN`");
	ph_error_free(&err);
	ph_spec_free(spec);

	/* every name libcap knows is accepted, duplicates too */
	size_t n = 0;
	char *all = all_caps_json(&n);
	char caps[8192];
	snprintf(caps, sizeof(caps),
		 "{\"bounding\":%s,\"ambient\":%s,\"effective\":[\"CAP_KILL\","
		 "\"CAP_KILL\"]}",
		 all, all);
	spec = with_caps(caps);
	CHECK(n >= 38);
	CHECK(ph_caps_check_names(spec, &err) == 0);
	ph_spec_free(spec);
	free(all);

	/* nothing to check */
	const char *empty[] = {
	    "null", "{}", "{\"bounding\":[],\"effective\":null}",
	    "{\"bounding\":[],\"effective\":[],\"inheritable\":[],\"permitted\":[],"
	    "\"ambient\":[]}"};
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		spec = with_caps(empty[i]);
		CHECK(ph_caps_check_names(spec, &err) == 0);
		ph_spec_free(spec);
	}
	spec = parse("{\"ociVersion\":\"1.0.2\"}", false);
	CHECK(ph_caps_check_names(spec, &err) == 0);
	ph_spec_free(spec);
}

/* ---- the policy ------------------------------------------------------------------- */

static void drop(void)
{
	struct ph_config conf;
	struct ph_caps_report report;
	ph_error_t err = NULL;
	default_config(&conf);
	CHECK(conf.mac_caps == PH_CAP_DROP);

	/* config.json: all five sets, CAP_MAC_ADMIN twice in bounding */
	struct ph_spec *spec = load("caps/config-mac.json", false);
	CHECK(sets_of(spec, "CAP_MAC_ADMIN") ==
	      (PH_CAP_BOUNDING | PH_CAP_EFFECTIVE | PH_CAP_PERMITTED | PH_CAP_AMBIENT));
	size_t bounding = count(spec, PH_CAP_BOUNDING), permitted = count(spec, PH_CAP_PERMITTED);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
	CHECK(report.policy == PH_CAP_DROP && !report.annotated && !report.privileged);
	CHECK_STR(report.mac[0].name, "CAP_MAC_ADMIN");
	CHECK_STR(report.mac[1].name, "CAP_MAC_OVERRIDE");
	CHECK(report.mac[0].held ==
	      (PH_CAP_BOUNDING | PH_CAP_EFFECTIVE | PH_CAP_PERMITTED | PH_CAP_AMBIENT));
	CHECK(report.mac[0].removed == report.mac[0].held);
	CHECK(report.mac[1].held ==
	      (PH_CAP_BOUNDING | PH_CAP_INHERITABLE | PH_CAP_PERMITTED | PH_CAP_AMBIENT));
	CHECK(report.mac[1].removed == report.mac[1].held);
	CHECK(sets_of(spec, "CAP_MAC_ADMIN") == 0);
	CHECK(sets_of(spec, "CAP_MAC_OVERRIDE") == 0);
	/* the rest stays, in order */
	CHECK(count(spec, PH_CAP_BOUNDING) == bounding - 3);
	CHECK(count(spec, PH_CAP_PERMITTED) == permitted - 2);
	CHECK(count(spec, PH_CAP_AMBIENT) == 0);
	char **caps = NULL;
	CHECK(ph_spec_get_capabilities(spec, PH_CAP_BOUNDING, &caps, &err) == 1);
	CHECK(caps && caps[0] && caps[1] && caps[2] && !caps[3]);
	if (caps && caps[0] && caps[1] && caps[2]) {
		CHECK_STR(caps[0], "CAP_CHOWN");
		CHECK_STR(caps[1], "CAP_NET_BIND_SERVICE");
		CHECK_STR(caps[2], "CAP_KILL");
	}
	ph_strv_free(caps);
	char *text = log_take();
	CHECK(strstr(text, "level=debug") != NULL);
	CHECK(strstr(text,
		     "config.json: CAP_MAC_ADMIN removed from bounding, effective, permitted, "
		     "ambient (macCapabilities: drop)") != NULL);
	CHECK(strstr(text, "level=warning") == NULL);
	free(text);
	ph_spec_free(spec);

	/* an exec --process document */
	spec = load("caps/process-mac.json", true);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
	CHECK(report.mac[0].removed == (PH_CAP_BOUNDING | PH_CAP_EFFECTIVE | PH_CAP_PERMITTED));
	CHECK(report.mac[1].removed == PH_CAP_PERMITTED);
	CHECK(sets_of(spec, "CAP_MAC_ADMIN") == 0 && sets_of(spec, "CAP_MAC_OVERRIDE") == 0);
	CHECK(sets_of(spec, "CAP_CHOWN") == PH_CAP_BOUNDING);
	free(log_take());
	ph_spec_free(spec);

	/* nothing to drop: the document is untouched */
	spec = load("docker.json", false);
	char *before = spec_text(spec);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
	CHECK(report.mac[0].held == 0 && report.mac[1].held == 0 && report.mac[0].removed == 0);
	char *after = spec_text(spec);
	CHECK_STR(after, before);
	free(before);
	free(after);
	ph_spec_free(spec);
	spec = parse("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]}}", false);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
	CHECK(report.mac[0].held == 0);
	ph_spec_free(spec);
	text = log_take();
	CHECK_STR(text, "");
	free(text);
	ph_config_release(&conf);
}

static void keep(void)
{
	struct ph_config conf;
	struct ph_caps_report report;
	ph_error_t err = NULL;
	default_config(&conf);
	conf.mac_caps = PH_CAP_KEEP;
	const char *docs[] = {"caps/config-mac.json", "caps/process-mac.json"};
	for (size_t i = 0; i < 2; i++) {
		struct ph_spec *spec = load(docs[i], i == 1);
		char *before = spec_text(spec);
		CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
		CHECK(report.policy == PH_CAP_KEEP);
		CHECK(report.mac[0].held != 0 && report.mac[0].removed == 0);
		CHECK(report.mac[1].removed == 0);
		char *after = spec_text(spec);
		CHECK_STR(after, before);
		char *text = log_take();
		CHECK(strstr(text, "level=warning") != NULL);
		CHECK(strstr(text, "the container keeps CAP_MAC_ADMIN (bounding, effective, "
				   "permitted") != NULL);
		CHECK(strstr(text,
			     "because macCapabilities is `keep`: it can load, replace and "
			     "remove AppArmor profiles in its policy namespace, its own profile "
			     "included") != NULL);
		CHECK(strstr(text, "the container keeps CAP_MAC_OVERRIDE (") != NULL);
		CHECK(strstr(text, "it can override mandatory access control checks") != NULL);
		free(text);
		free(before);
		free(after);
		ph_spec_free(spec);
	}
	ph_config_release(&conf);
}

static void refuse(void)
{
	struct ph_config conf;
	struct ph_caps_report report;
	ph_error_t err = NULL;
	default_config(&conf);
	conf.mac_caps = PH_CAP_REFUSE;

	struct ph_spec *spec = load("caps/config-mac.json", false);
	char *before = spec_text(spec);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) < 0);
	CHECK_ERR(err, "config.json: process.capabilities: CAP_MAC_ADMIN (bounding, effective, "
		       "permitted, ambient) and CAP_MAC_OVERRIDE (bounding, inheritable, "
		       "permitted, ambient) refused by macCapabilities `refuse`: these "
		       "capabilities let a container manage or override the AppArmor policy "
		       "that confines it");
	CHECK(err && err->status == EPERM);
	ph_error_free(&err);
	char *after = spec_text(spec);
	CHECK_STR(after, before);
	free(before);
	free(after);
	ph_spec_free(spec);

	spec = parse("{\"args\":[\"sh\"],\"capabilities\":{\"effective\":[\"CAP_MAC_OVERRIDE\"]}}",
		     true);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) < 0);
	CHECK_ERR(err, "process.json: capabilities: CAP_MAC_OVERRIDE (effective) refused by "
		       "macCapabilities `refuse`");
	ph_error_free(&err);
	ph_spec_free(spec);

	/* without them there is nothing to refuse */
	spec = load("podman.json", false);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
	ph_spec_free(spec);
	/* nor does an unknown name turn into a refusal */
	spec = with_caps("{\"bounding\":[\"CAP_MAC_ADMIN\",\"CAP_NOPE\"]}");
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) < 0);
	CHECK_ERR(err, "unknown capability `CAP_NOPE`");
	ph_error_free(&err);
	ph_spec_free(spec);
	free(log_take());
	ph_config_release(&conf);
}

static void annotation(void)
{
	struct ph_config conf;
	struct ph_caps_report report;
	ph_error_t err = NULL;
	default_config(&conf);

	/* not allowed (the default list is profile, gpu): ignored, with a
	 * warning, and the config's drop applies */
	CHECK(!ph_config_annotation_allowed(&conf, "capabilities"));
	struct ph_spec *spec = load("caps/config-mac.json", false);
	CHECK(ph_caps_apply(&conf, spec, "keep", &report, &err) == 0);
	CHECK(report.policy == PH_CAP_DROP && !report.annotated);
	CHECK(sets_of(spec, "CAP_MAC_ADMIN") == 0);
	char *text = log_take();
	CHECK(strstr(text, "level=warning") != NULL);
	CHECK(strstr(text, "annotation org.phoenix.capabilities=keep ignored: the config does "
			   "not list") != NULL);
	free(text);
	ph_spec_free(spec);
	/* ... whatever its value */
	spec = load("caps/config-mac.json", false);
	CHECK(ph_caps_apply(&conf, spec, "sometimes", &report, &err) == 0);
	CHECK(sets_of(spec, "CAP_MAC_ADMIN") == 0);
	free(log_take());
	ph_spec_free(spec);

	/* allowed: it overrides the config either way */
	allow_annotation(&conf);
	spec = load("caps/config-mac.json", false);
	char *before = spec_text(spec);
	CHECK(ph_caps_apply(&conf, spec, "keep", &report, &err) == 0);
	CHECK(report.policy == PH_CAP_KEEP && report.annotated);
	char *after = spec_text(spec);
	CHECK_STR(after, before);
	text = log_take();
	CHECK(strstr(text, "because annotation org.phoenix.capabilities is `keep`") != NULL);
	free(text);
	free(before);
	free(after);
	ph_spec_free(spec);

	conf.mac_caps = PH_CAP_KEEP;
	spec = load("caps/config-mac.json", false);
	CHECK(ph_caps_apply(&conf, spec, "refuse", &report, &err) < 0);
	CHECK_ERR(err, "refused by annotation org.phoenix.capabilities `refuse`");
	ph_error_free(&err);
	ph_spec_free(spec);

	spec = load("caps/config-mac.json", false);
	CHECK(ph_caps_apply(&conf, spec, "drop", &report, &err) == 0);
	CHECK(report.policy == PH_CAP_DROP && report.annotated);
	CHECK(sets_of(spec, "CAP_MAC_ADMIN") == 0 && sets_of(spec, "CAP_MAC_OVERRIDE") == 0);
	text = log_take();
	CHECK(strstr(text, "(annotation org.phoenix.capabilities: drop)") != NULL);
	free(text);
	ph_spec_free(spec);

	spec = load("caps/config-mac.json", false);
	CHECK(ph_caps_apply(&conf, spec, "Keep", &report, &err) < 0);
	CHECK_ERR(err, "config.json: annotation org.phoenix.capabilities: `Keep` is not a "
		       "capabilities policy (drop, keep or refuse)");
	ph_error_free(&err);
	ph_spec_free(spec);

	/* no annotation: the config */
	spec = load("caps/process-mac.json", true);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
	CHECK(report.policy == PH_CAP_KEEP && !report.annotated);
	free(log_take());
	ph_spec_free(spec);
	ph_config_release(&conf);
}

/* `docker run --privileged`: every capability, no AppArmor profile.  The
 * policy applies all the same (see caps.h). */
static void privileged(void)
{
	struct ph_config conf;
	struct ph_caps_report report;
	ph_error_t err = NULL;
	default_config(&conf);
	size_t n = 0;
	char *all = all_caps_json(&n);
	char text[16384];
	snprintf(text, sizeof(text),
		 "{\"process\":{\"args\":[\"sh\"],\"apparmorProfile\":\"unconfined\","
		 "\"capabilities\":{\"bounding\":%s,\"effective\":%s,\"permitted\":%s}}}",
		 all, all, all);
	struct ph_spec *spec = parse(text, false);
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
	CHECK(report.privileged);
	CHECK(report.mac[0].removed == (PH_CAP_BOUNDING | PH_CAP_EFFECTIVE | PH_CAP_PERMITTED));
	CHECK(report.mac[1].removed == report.mac[0].removed);
	CHECK(count(spec, PH_CAP_BOUNDING) == n - 2);
	CHECK(count(spec, PH_CAP_EFFECTIVE) == n - 2);
	CHECK(sets_of(spec, "CAP_SYS_ADMIN") == report.mac[0].removed);
	char *logged = log_take();
	CHECK(strstr(logged, "(macCapabilities: drop), privileged container") != NULL);
	free(logged);
	ph_spec_free(spec);

	/* an exec --privileged process document */
	snprintf(text, sizeof(text), "{\"args\":[\"sh\"],\"capabilities\":{\"bounding\":%s}}", all);
	spec = parse(text, true);
	conf.mac_caps = PH_CAP_REFUSE;
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) < 0);
	CHECK(report.privileged);
	CHECK_ERR(err, "process.json: capabilities: CAP_MAC_ADMIN (bounding) and CAP_MAC_OVERRIDE "
		       "(bounding) refused by macCapabilities `refuse`");
	CHECK_ERR(err, "(it is privileged, but --cap-drop still applies)");
	ph_error_free(&err);
	ph_spec_free(spec);

	/* one capability short of all: not privileged */
	snprintf(text, sizeof(text), "{\"bounding\":%s}", all);
	char *comma = strstr(text, ",\"CAP_DAC_OVERRIDE\"");
	CHECK(comma != NULL);
	if (comma)
		memmove(comma, comma + strlen(",\"CAP_DAC_OVERRIDE\""),
			strlen(comma + strlen(",\"CAP_DAC_OVERRIDE\"")) + 1);
	spec = with_caps(text);
	conf.mac_caps = PH_CAP_DROP;
	CHECK(ph_caps_apply(&conf, spec, NULL, &report, &err) == 0);
	CHECK(!report.privileged);
	CHECK(report.mac[0].removed == PH_CAP_BOUNDING);
	free(log_take());
	ph_spec_free(spec);
	free(all);
	ph_config_release(&conf);
}

static void helpers(void)
{
	char buf[128];
	CHECK_STR(ph_caps_sets_format(PH_CAP_ALL_SETS, buf, sizeof(buf)),
		  "bounding, effective, inheritable, permitted, ambient");
	CHECK_STR(ph_caps_sets_format(PH_CAP_AMBIENT | PH_CAP_BOUNDING, buf, sizeof(buf)),
		  "bounding, ambient");
	CHECK_STR(ph_caps_sets_format(0, buf, sizeof(buf)), "");
	CHECK_STR(ph_caps_sets_format(PH_CAP_ALL_SETS, buf, 12), "bounding, e");
	enum ph_cap_policy policy = PH_CAP_DROP;
	ph_error_t err = NULL;
	const enum ph_cap_policy all[] = {PH_CAP_DROP, PH_CAP_KEEP, PH_CAP_REFUSE};
	for (size_t i = 0; i < 3; i++) {
		CHECK(ph_caps_policy_parse(ph_caps_policy_name(all[i]), &policy, &err) == 0);
		CHECK(policy == all[i]);
	}
	CHECK_STR(ph_caps_policy_name(PH_CAP_KEEP), "keep");
	CHECK(ph_caps_policy_parse("", &policy, &err) < 0);
	CHECK_ERR(err, "`` is not a capabilities policy");
	ph_error_free(&err);
}

int main(void)
{
	corpus = open_corpus();
	log_capture_start();
	names();
	drop();
	keep();
	refuse();
	annotation();
	privileged();
	helpers();
	log_capture_end();
	close(corpus);
	T_DONE();
}
