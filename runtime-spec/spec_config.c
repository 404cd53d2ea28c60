/* phoenix: the parts of a config.json outside `process`: annotations,
 * hooks, linux.seccomp, linux.devices, root.path (see spec.h). */
#include "spec.h"
#include "spec_internal.h"
#include "json_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- annotations ----------------------------------------------------------------
 *
 * Annotation keys contain dots ("org.opencontainers.image.os"), so they
 * are looked up as members of the annotations object, not as paths. */

/* The value of one annotation member, checked to be a C string.  Returns
 * 1, 0 for null, -1. */
static int annotation_value(const struct ph_spec *spec, const struct ph_json_member *m,
			    const char **value, ph_error_t *err)
{
	*value = NULL;
	if (m->value == NULL || m->value->type == PH_JSON_NULL)
		return 0;
	if (strlen(m->key) != m->key_len)
		return ph_error_make(err, 0, "%s: annotations: key contains a NUL character",
				     spec->origin);
	if (m->value->type != PH_JSON_STRING) {
		char path[PH_SPEC_PATH_MAX + 256];
		snprintf(path, sizeof(path), "annotations.%s", m->key);
		return ph_json_type_error(err, spec->root, path, strlen(path), "a string",
					  m->value->type);
	}
	if (strlen(m->value->u.string.ptr) != m->value->u.string.len)
		return ph_error_make(err, 0, "%s: annotations.%s: string contains a NUL character",
				     spec->origin, m->key);
	*value = m->value->u.string.ptr;
	return 1;
}

/* The config's annotations object: 0 when there is none (or this is a
 * process file, which has no annotations). */
static int annotations_of(const struct ph_spec *spec, struct ph_json **annotations, ph_error_t *err)
{
	*annotations = NULL;
	if (spec->is_process)
		return 0;
	return ph_json_get_object(spec->root, "annotations", annotations, err);
}

/* Go decodes annotations into a map[string]string: keys match exactly
 * (no case folding; two equal keys never get here: json_parse.c refuses
 * them, fail closed, where Go would keep the later). */
int ph_spec_get_annotation(const struct ph_spec *spec, const char *key, const char **value,
			   ph_error_t *err)
{
	struct ph_json *annotations = NULL;
	*value = NULL;
	int r = annotations_of(spec, &annotations, err);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < annotations->u.object.count; i++) {
		const struct ph_json_member *m = &annotations->u.object.members[i];
		if (m->key_len == strlen(key) && memcmp(m->key, key, m->key_len) == 0)
			return annotation_value(spec, m, value, err);
	}
	return 0;
}

int ph_spec_set_annotation(struct ph_spec *spec, const char *key, const char *value,
			   ph_error_t *err)
{
	if (spec->is_process)
		return ph_spec_not_in_process(spec, "annotations", err);
	struct ph_json *annotations = ph_json_ensure_object(spec->root, "annotations", err);
	if (annotations == NULL)
		return -1;
	struct ph_json *node = ph_json_new_string(value, err);
	if (node == NULL)
		return -1;
	return ph_json_object_set(annotations, key, node, err);
}

int ph_spec_foreach_annotation(const struct ph_spec *spec, ph_spec_annotation_fn fn, void *data,
			       ph_error_t *err)
{
	struct ph_json *annotations = NULL;
	int r = annotations_of(spec, &annotations, err);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < annotations->u.object.count; i++) {
		const struct ph_json_member *m = &annotations->u.object.members[i];
		const char *value = NULL;
		r = annotation_value(spec, m, &value, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		r = fn(m->key, value, data, err);
		if (r != 0)
			return r;
	}
	return 0;
}

/* ---- hooks ------------------------------------------------------------------------ */

static bool known_hook_phase(const char *phase)
{
	static const char *const phases[] = {
	    "prestart",	      "createRuntime", "createContainer",
	    "startContainer", "poststart",     "poststop",
	};
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		if (strcmp(phase, phases[i]) == 0)
			return true;
	return false;
}

/* {"path": ..., "args": [...], "env": [...], "timeout": n} */
static struct ph_json *hook_object(const struct ph_spec_hook *hook, ph_error_t *err)
{
	cleanup_json struct ph_json *obj = ph_json_new_object(err);
	if (obj == NULL)
		return NULL;
	if (ph_json_set_string(obj, "path", hook->path, err) < 0)
		return NULL;
	if (hook->args != NULL) {
		struct ph_json *args = ph_json_new_strv(hook->args, err);
		if (args == NULL || ph_json_object_set(obj, "args", args, err) < 0)
			return NULL;
	}
	if (hook->env != NULL) {
		struct ph_json *env = ph_json_new_strv(hook->env, err);
		if (env == NULL || ph_json_object_set(obj, "env", env, err) < 0)
			return NULL;
	}
	if (hook->timeout > 0) {
		struct ph_json *timeout = ph_json_new_int(hook->timeout, err);
		if (timeout == NULL || ph_json_object_set(obj, "timeout", timeout, err) < 0)
			return NULL;
	}
	return ph_steal(obj);
}

int ph_spec_append_hook(struct ph_spec *spec, const char *phase, const struct ph_spec_hook *hook,
			ph_error_t *err)
{
	if (spec->is_process)
		return ph_spec_not_in_process(spec, "hooks", err);
	if (!known_hook_phase(phase))
		return ph_error_make(err, 0, "%s: unknown hook phase `%s`", spec->origin, phase);
	if (hook->path == NULL || hook->path[0] != '/')
		return ph_error_make(err, 0, "%s: hook path `%s` is not absolute", spec->origin,
				     hook->path != NULL ? hook->path : "");
	if (hook->timeout < 0)
		return ph_error_make(err, 0, "%s: hook timeout %d is negative", spec->origin,
				     hook->timeout);
	char path[PH_SPEC_PATH_MAX];
	snprintf(path, sizeof(path), "hooks.%s", phase);
	struct ph_json *hooks = ph_json_ensure_array(spec->root, path, err);
	if (hooks == NULL)
		return -1;
	struct ph_json *obj = hook_object(hook, err);
	if (obj == NULL)
		return -1;
	return ph_json_array_append(hooks, obj, err);
}

/* ---- linux.seccomp, linux.devices, root.path ---------------------------------------- */

int ph_spec_get_seccomp(const struct ph_spec *spec, struct ph_json **seccomp, ph_error_t *err)
{
	*seccomp = NULL;
	if (spec->is_process)
		return 0;
	return ph_json_get_object(spec->root, "linux.seccomp", seccomp, err);
}

int ph_spec_foreach_device(const struct ph_spec *spec, ph_spec_device_fn fn, void *data,
			   ph_error_t *err)
{
	struct ph_json *devices = NULL;
	if (spec->is_process)
		return 0;
	int r = ph_json_get_array(spec->root, "linux.devices", &devices, err);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < devices->u.array.count; i++) {
		const struct ph_json *device = devices->u.array.items[i];
		char path[PH_SPEC_PATH_MAX];
		snprintf(path, sizeof(path), "linux.devices[%zu]", i);
		if (device->type != PH_JSON_OBJECT)
			return ph_json_type_error(err, spec->root, path, strlen(path), "an object",
						  device->type);
		const char *dev_path = NULL;
		struct ph_json *path_node = ph_json_object_get(device, "path");
		if (path_node == NULL || path_node->type == PH_JSON_NULL)
			return ph_error_make(err, 0, "%s: %s: no path", spec->origin, path);
		if (path_node->type != PH_JSON_STRING) {
			strncat(path, ".path", sizeof(path) - strlen(path) - 1);
			return ph_json_type_error(err, spec->root, path, strlen(path), "a string",
						  path_node->type);
		}
		dev_path = path_node->u.string.ptr;
		if (strlen(dev_path) != path_node->u.string.len)
			return ph_error_make(err, 0, "%s: %s.path: string contains a NUL character",
					     spec->origin, path);
		r = fn(dev_path, device, data, err);
		if (r != 0)
			return r;
	}
	return 0;
}

int ph_spec_get_root_path(const struct ph_spec *spec, const char **path, ph_error_t *err)
{
	*path = NULL;
	if (spec->is_process)
		return 0;
	return ph_json_get_string(spec->root, "root.path", path, err);
}
