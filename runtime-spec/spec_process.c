/* phoenix: process.apparmorProfile, process.noNewPrivileges and
 * process.env (see spec.h). */
#include "spec.h"
#include "spec_internal.h"

#include <string.h>

int ph_spec_get_apparmor_profile(const struct ph_spec *spec, const char **profile, ph_error_t *err)
{
	char path[PH_SPEC_PATH_MAX];
	return ph_json_get_string(spec->root, ph_spec_process_path(spec, "apparmorProfile", path),
				  profile, err);
}

int ph_spec_set_apparmor_profile(struct ph_spec *spec, const char *profile, ph_error_t *err)
{
	char path[PH_SPEC_PATH_MAX];
	return ph_json_set_string(spec->root, ph_spec_process_path(spec, "apparmorProfile", path),
				  profile, err);
}

int ph_spec_get_no_new_privileges(const struct ph_spec *spec, bool *value, ph_error_t *err)
{
	char path[PH_SPEC_PATH_MAX];
	return ph_json_get_bool(spec->root, ph_spec_process_path(spec, "noNewPrivileges", path),
				value, err);
}

int ph_spec_set_no_new_privileges(struct ph_spec *spec, bool value, ph_error_t *err)
{
	char path[PH_SPEC_PATH_MAX];
	return ph_json_set_bool(spec->root, ph_spec_process_path(spec, "noNewPrivileges", path),
				value, err);
}

int ph_spec_foreach_env(const struct ph_spec *spec, ph_spec_env_fn fn, void *data, ph_error_t *err)
{
	char path[PH_SPEC_PATH_MAX];
	struct ph_json *env = NULL;
	ph_spec_process_path(spec, "env", path);
	int r = ph_json_get_array(spec->root, path, &env, err);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < env->u.array.count; i++) {
		const char *entry = NULL;
		if (ph_spec_array_string(spec, path, env, i, &entry, err) < 0)
			return -1;
		r = fn(entry, data, err);
		if (r != 0)
			return r;
	}
	return 0;
}

struct env_search {
	const char *name;
	size_t name_len;
	const char *value;
};

static int match_env(const char *entry, void *data, ph_error_t *err)
{
	(void)err;
	struct env_search *s = data;
	if (strncmp(entry, s->name, s->name_len) == 0 && entry[s->name_len] == '=')
		s->value = entry + s->name_len + 1; /* keep going: the last one wins */
	return 0;
}

int ph_spec_get_env(const struct ph_spec *spec, const char *name, const char **value,
		    ph_error_t *err)
{
	struct env_search s = {.name = name, .name_len = strlen(name)};
	*value = NULL;
	if (ph_spec_foreach_env(spec, match_env, &s, err) < 0)
		return -1;
	*value = s.value;
	return s.value != NULL;
}
