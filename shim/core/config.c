/* phoenix: the operator's configuration (see config.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "file.h"
#include "json.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

static int set_defaults(struct ph_config *c)
{
	memset(c, 0, sizeof(*c));
	c->state_dir = strdup("/run/phoenix");
	c->profiles_dir = strdup(PHOENIX_DATADIR "/profiles/container");
	c->local_profiles_dir = strdup(PHOENIX_SYSCONFDIR "/phoenix/profiles");
	c->cache_dir = strdup("/var/cache/phoenix");
	c->parser = strdup("/sbin/apparmor_parser");
	c->default_profile = strdup("phoenix-default");
	c->gpu_profile = strdup("phoenix-gpu");
	c->unconfined = PH_UNCONFINED_NAMESPACE;
	c->transition = PH_TRANSITION_AUTO;
	c->require_apparmor = true;
	c->verify = true;
	c->mac_caps = PH_CAP_DROP;
	c->seccomp_validate = true;
	c->allowed_annotations[c->n_allowed_annotations++] = strdup("profile");
	c->allowed_annotations[c->n_allowed_annotations++] = strdup("gpu");
	if (!c->state_dir || !c->profiles_dir || !c->local_profiles_dir || !c->cache_dir ||
	    !c->parser || !c->default_profile || !c->gpu_profile || !c->allowed_annotations[0] ||
	    !c->allowed_annotations[1])
		return -1;
	return 0;
}

void ph_config_release(struct ph_config *c)
{
	free(c->path);
	free(c->runtime);
	free(c->state_dir);
	free(c->profiles_dir);
	free(c->local_profiles_dir);
	free(c->cache_dir);
	free(c->parser);
	free(c->default_profile);
	free(c->gpu_profile);
	free(c->hook_path);
	for (int i = 0; i < c->n_complain; i++)
		free(c->complain[i]);
	for (int i = 0; i < c->n_allowed_annotations; i++)
		free(c->allowed_annotations[i]);
	memset(c, 0, sizeof(*c));
}

static const char *type_name(const struct ph_json *v)
{
	return ph_json_type_name(v->type);
}

static int wrong_type(const char *path, const char *key, const char *want, const struct ph_json *v,
		      ph_error_t *err)
{
	return ph_error_make(err, EINVAL, "%s: key `%s`: expected %s, got %s", path, key, want,
			     type_name(v));
}

static int take_string(const char *path, const char *key, const struct ph_json *v, char **dst,
		       bool absolute, ph_error_t *err)
{
	if (v->type != PH_JSON_STRING || strlen(v->u.string.ptr) != v->u.string.len)
		return wrong_type(path, key, "a string", v, err);
	const char *s = v->u.string.ptr;
	if (*s == '\0')
		return ph_error_make(err, EINVAL, "%s: key `%s`: must not be empty", path, key);
	if (absolute && s[0] != '/')
		return ph_error_make(err, EINVAL, "%s: key `%s`: `%s` is not an absolute path",
				     path, key, s);
	char *copy = strdup(s);
	if (copy == NULL)
		return ph_error_make(err, ENOMEM, "%s", path);
	free(*dst);
	*dst = copy;
	return 0;
}

static int take_bool(const char *path, const char *key, const struct ph_json *v, bool *dst,
		     ph_error_t *err)
{
	if (!ph_json_is_bool(v))
		return wrong_type(path, key, "true or false", v, err);
	*dst = v->type == PH_JSON_TRUE;
	return 0;
}

static int take_enum(const char *path, const char *key, const struct ph_json *v,
		     const char *const *names, int *dst, ph_error_t *err)
{
	if (v->type != PH_JSON_STRING)
		return wrong_type(path, key, "a string", v, err);
	for (int i = 0; names[i]; i++)
		if (strcmp(v->u.string.ptr, names[i]) == 0)
			return *dst = i, 0;
	char allowed[256] = "";
	for (int i = 0; names[i]; i++) {
		strncat(allowed, i ? ", " : "", sizeof(allowed) - strlen(allowed) - 1);
		strncat(allowed, names[i], sizeof(allowed) - strlen(allowed) - 1);
	}
	return ph_error_make(err, EINVAL, "%s: key `%s`: `%s` is not one of: %s", path, key,
			     v->u.string.ptr, allowed);
}

static int take_list(const char *path, const char *key, const struct ph_json *v, char **dst, int *n,
		     ph_error_t *err)
{
	if (v->type != PH_JSON_ARRAY)
		return wrong_type(path, key, "an array of strings", v, err);
	for (int i = 0; i < *n; i++)
		free(dst[i]);
	*n = 0;
	size_t len = v->u.array.count;
	if (len > PH_CONFIG_MAX_LIST)
		return ph_error_make(err, E2BIG, "%s: key `%s`: at most %d entries", path, key,
				     PH_CONFIG_MAX_LIST);
	for (size_t i = 0; i < len; i++) {
		const struct ph_json *item = v->u.array.items[i];
		if (item->type != PH_JSON_STRING ||
		    strlen(item->u.string.ptr) != item->u.string.len)
			return ph_error_make(err, EINVAL,
					     "%s: key `%s[%zu]`: expected a string, got %s", path,
					     key, i, type_name(item));
		dst[*n] = strdup(item->u.string.ptr);
		if (dst[*n] == NULL)
			return ph_error_make(err, ENOMEM, "%s", path);
		++*n;
	}
	return 0;
}

static const char *const unconfined_names[] = {"namespace", "default", "refuse", NULL};
static const char *const transition_names[] = {"auto", "exec", "stack", NULL};
static const char *const cap_names[] = {"drop", "keep", "refuse", NULL};

static int apply_key(struct ph_config *c, const char *path, const char *k, const struct ph_json *v,
		     ph_error_t *err)
{
	int tmp;
	if (strcmp(k, "runtime") == 0)
		return take_string(path, k, v, &c->runtime, true, err);
	if (strcmp(k, "stateDir") == 0)
		return take_string(path, k, v, &c->state_dir, true, err);
	if (strcmp(k, "profilesDir") == 0)
		return take_string(path, k, v, &c->profiles_dir, true, err);
	if (strcmp(k, "localProfilesDir") == 0)
		return take_string(path, k, v, &c->local_profiles_dir, true, err);
	if (strcmp(k, "cacheDir") == 0)
		return take_string(path, k, v, &c->cache_dir, true, err);
	if (strcmp(k, "apparmorParser") == 0)
		return take_string(path, k, v, &c->parser, true, err);
	if (strcmp(k, "hookPath") == 0)
		return take_string(path, k, v, &c->hook_path, true, err);
	if (strcmp(k, "defaultProfile") == 0)
		return take_string(path, k, v, &c->default_profile, false, err);
	if (strcmp(k, "gpuProfile") == 0)
		return take_string(path, k, v, &c->gpu_profile, false, err);
	if (strcmp(k, "unconfined") == 0) {
		if (take_enum(path, k, v, unconfined_names, &tmp, err) < 0)
			return -1;
		c->unconfined = (enum ph_unconfined_policy)tmp;
		return 0;
	}
	if (strcmp(k, "transition") == 0) {
		if (take_enum(path, k, v, transition_names, &tmp, err) < 0)
			return -1;
		c->transition = (enum ph_transition_mode)tmp;
		return 0;
	}
	if (strcmp(k, "macCapabilities") == 0) {
		if (take_enum(path, k, v, cap_names, &tmp, err) < 0)
			return -1;
		c->mac_caps = (enum ph_cap_policy)tmp;
		return 0;
	}
	if (strcmp(k, "allowRootNamespaceStack") == 0)
		return take_bool(path, k, v, &c->allow_root_ns_stack, err);
	if (strcmp(k, "requireApparmor") == 0)
		return take_bool(path, k, v, &c->require_apparmor, err);
	if (strcmp(k, "verifyLabel") == 0)
		return take_bool(path, k, v, &c->verify, err);
	if (strcmp(k, "debug") == 0)
		return take_bool(path, k, v, &c->debug, err);
	if (strcmp(k, "poststopHook") == 0)
		return take_bool(path, k, v, &c->poststop_hook, err);
	if (strcmp(k, "seccompValidate") == 0)
		return take_bool(path, k, v, &c->seccomp_validate, err);
	if (strcmp(k, "seccompDefault") == 0)
		return take_bool(path, k, v, &c->seccomp_default, err);
	if (strcmp(k, "complain") == 0)
		return take_list(path, k, v, c->complain, &c->n_complain, err);
	if (strcmp(k, "allowedAnnotations") == 0)
		return take_list(path, k, v, c->allowed_annotations, &c->n_allowed_annotations,
				 err);
	return ph_error_make(err, EINVAL, "%s: unknown key `%s`", path, k);
}

int ph_config_load_path(struct ph_config *c, const char *path, bool must_exist, ph_error_t *err)
{
	if (set_defaults(c) < 0) {
		ph_config_release(c);
		return ph_error_make(err, ENOMEM, "config defaults");
	}
	if (path == NULL)
		return 0;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	ph_error_t ferr = NULL;
	if (ph_file_read_path(path, CONFIG_MAX_SIZE, &buf, &len, &ferr) < 0) {
		if (ferr->status == ENOENT && !must_exist) {
			ph_error_free(&ferr);
			return 0;
		}
		ph_error_move(err, &ferr);
		ph_config_release(c);
		return ph_error_wrap(err, "read config");
	}
	c->path = strdup(path);
	cleanup_json struct ph_json *root = NULL;
	int ret = ph_json_parse(buf, len, path, &root, err);
	if (ret == 0 && root->type != PH_JSON_OBJECT)
		ret =
		    ph_error_make(err, EINVAL, "%s: expected a JSON object at the top level", path);
	for (size_t i = 0; ret == 0 && i < root->u.object.count; i++) {
		const struct ph_json_member *m = &root->u.object.members[i];
		if (strlen(m->key) != m->key_len)
			ret = ph_error_make(err, EINVAL, "%s: a key contains a NUL byte", path);
		else
			ret = apply_key(c, path, m->key, m->value, err);
	}
	if (ret < 0)
		ph_config_release(c);
	return ret;
}

int ph_config_load(struct ph_config *c, ph_error_t *err)
{
	const char *env = getenv("PHOENIX_CONFIG");
	if (env && *env)
		return ph_config_load_path(c, env, true, err);
	return ph_config_load_path(c, PH_CONFIG_DEFAULT_PATH, false, err);
}

bool ph_config_complain(const struct ph_config *c, const char *profile)
{
	for (int i = 0; i < c->n_complain; i++)
		if (strcmp(c->complain[i], profile) == 0)
			return true;
	return false;
}

bool ph_config_annotation_allowed(const struct ph_config *c, const char *key)
{
	for (int i = 0; i < c->n_allowed_annotations; i++)
		if (strcmp(c->allowed_annotations[i], key) == 0)
			return true;
	return false;
}

const char *ph_config_profile_dir(const struct ph_config *conf, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", conf->local_profiles_dir, name);
	if (access(path, R_OK) == 0)
		return conf->local_profiles_dir;
	snprintf(path, sizeof(path), "%s/%s", conf->profiles_dir, name);
	if (access(path, R_OK) == 0)
		return conf->profiles_dir;
	return NULL;
}
