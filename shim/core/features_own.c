/* phoenix: a features document of phoenix's own (see features_own.h). */
#include "features_own.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "seccomp_support.h"

static int set_strv(struct ph_json *obj, const char *path, const char *const *v, ph_error_t *err)
{
	struct ph_json *arr = ph_json_new_strv(v, err);
	if (arr == NULL)
		return -1;
	return ph_json_set(obj, path, arr, err);
}

static int set_bool(struct ph_json *obj, const char *path, bool v, ph_error_t *err)
{
	return ph_json_set_bool(obj, path, v, err);
}

/* Every capability libcap knows, as "CAP_CHOWN". */
static int capabilities(struct ph_json *doc, ph_error_t *err)
{
	struct ph_json *arr = ph_json_ensure_array(doc, "linux.capabilities", err);
	if (arr == NULL)
		return -1;
	for (int i = 0; i < (int)cap_max_bits(); i++) {
		char *name = cap_to_name((cap_value_t)i);
		if (name == NULL)
			return ph_error_make(err, ENOMEM, "cap_to_name");
		if (strncmp(name, "cap_", 4) != 0) {
			/* a capability newer than libcap: libcap prints its number */
			cap_free(name);
			continue;
		}
		char upper[64];
		size_t n = 0;
		for (const char *p = name; *p && n < sizeof(upper) - 1; p++)
			upper[n++] = (char)toupper((unsigned char)*p);
		upper[n] = '\0';
		cap_free(name);
		if (ph_json_array_append_string(arr, upper, err) < 0)
			return -1;
	}
	return 0;
}

static int names_at_level(struct ph_json *doc, const char *path,
			  const struct ph_seccomp_name *table, unsigned api, ph_error_t *err)
{
	struct ph_json *arr = ph_json_ensure_array(doc, path, err);
	if (arr == NULL)
		return -1;
	for (const struct ph_seccomp_name *e = table; e->name; e++)
		if (e->min_api <= api && ph_json_array_append_string(arr, e->name, err) < 0)
			return -1;
	return 0;
}

static int seccomp(struct ph_json *doc, ph_error_t *err)
{
	unsigned api = ph_seccomp_api();
	if (set_bool(doc, "linux.seccomp.enabled", api > 0, err) < 0 ||
	    names_at_level(doc, "linux.seccomp.actions", ph_seccomp_actions, api, err) < 0 ||
	    names_at_level(doc, "linux.seccomp.operators", ph_seccomp_operators, api, err) < 0)
		return -1;
	struct ph_json *archs = ph_json_ensure_array(doc, "linux.seccomp.archs", err);
	if (archs == NULL)
		return -1;
	for (int i = 0; ph_seccomp_archs[i]; i++)
		if (ph_seccomp_arch_token(ph_seccomp_archs[i]) != 0 &&
		    ph_json_array_append_string(archs, ph_seccomp_archs[i], err) < 0)
			return -1;
	if (names_at_level(doc, "linux.seccomp.knownFlags", ph_seccomp_flags, ~0u, err) < 0 ||
	    names_at_level(doc, "linux.seccomp.supportedFlags", ph_seccomp_flags, api, err) < 0)
		return -1;
	return 0;
}

int ph_features_own(struct ph_json **out, ph_error_t *err)
{
	static const char *const hooks[] = {"prestart",
					    "createRuntime",
					    "createContainer",
					    "startContainer",
					    "poststart",
					    "poststop",
					    NULL};
	static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network",
						 "pid",	   "user", "uts",   NULL};
	struct ph_json *doc = ph_json_new_object(err);
	if (doc == NULL)
		return -1;
	struct ph_json *v;
	if ((v = ph_json_new_string("1.0.0", err)) == NULL ||
	    ph_json_object_set(doc, "ociVersionMin", v, err) < 0 ||
	    (v = ph_json_new_string("1.0.2", err)) == NULL ||
	    ph_json_object_set(doc, "ociVersionMax", v, err) < 0 ||
	    set_strv(doc, "hooks", hooks, err) < 0 ||
	    set_strv(doc, "linux.namespaces", namespaces, err) < 0 || capabilities(doc, err) < 0 ||
	    set_bool(doc, "linux.cgroup.v1", true, err) < 0 ||
	    set_bool(doc, "linux.cgroup.v2", true, err) < 0 ||
	    set_bool(doc, "linux.cgroup.systemd", true, err) < 0 || seccomp(doc, err) < 0 ||
	    set_bool(doc, "linux.apparmor.enabled", true, err) < 0 ||
	    set_bool(doc, "linux.selinux.enabled", false, err) < 0) {
		ph_json_free(doc);
		return -1;
	}
	*out = doc;
	return 0;
}
