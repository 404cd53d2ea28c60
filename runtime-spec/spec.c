/* phoenix: loading and saving runtime-spec documents (see spec.h). */
#include "spec.h"
#include "spec_internal.h"
#include "file.h"
#include "json_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ph_spec_free(struct ph_spec *spec)
{
	if (spec == NULL)
		return;
	ph_json_free(spec->root);
	free(spec->origin);
	free(spec->name);
	if (spec->dirfd >= 0)
		close(spec->dirfd);
	free(spec);
}

void ph_spec_freep(struct ph_spec **spec)
{
	ph_spec_free(*spec);
	*spec = NULL;
}

int ph_spec_parse(const char *buf, size_t len, const char *origin, bool is_process,
		  struct ph_spec **out, ph_error_t *err)
{
	*out = NULL;
	if (origin == NULL)
		origin = "(memory)";
	cleanup_json struct ph_json *root = NULL;
	if (ph_json_parse(buf, len, origin, &root, err) < 0)
		return -1;
	if (root->type != PH_JSON_OBJECT)
		return ph_json_type_error(err, root, "", 0, "an object", root->type);
	/* before anything reads it: what phoenix checks is what runc reads */
	if (ph_spec_check_keys(root, is_process, origin, err) < 0)
		return -1;
	struct ph_spec *spec = calloc(1, sizeof(*spec));
	if (spec == NULL)
		return ph_error_make(err, ENOMEM, "%s", origin);
	spec->dirfd = -1;
	spec->is_process = is_process;
	spec->origin = strdup(origin);
	if (spec->origin == NULL) {
		ph_spec_free(spec);
		return ph_error_make(err, ENOMEM, "%s", origin);
	}
	spec->root = ph_steal(root);
	*out = spec;
	return 0;
}

/* Read and parse `name` in dirfd, and keep where it came from for
 * ph_spec_save(). */
static int load_at(int dirfd, const char *name, const char *origin, bool is_process,
		   struct ph_spec **out, ph_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	*out = NULL;
	if (ph_file_read(dirfd, name, PH_SPEC_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	struct ph_spec *spec = NULL;
	if (ph_spec_parse(buf, len, origin, is_process, &spec, err) < 0)
		return -1;
	/* A reference of our own to the directory, also for AT_FDCWD. */
	spec->dirfd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (spec->dirfd < 0) {
		ph_spec_free(spec);
		return ph_error_make(err, errno, "%s: open its directory", origin);
	}
	spec->name = strdup(name);
	if (spec->name == NULL) {
		ph_spec_free(spec);
		return ph_error_make(err, ENOMEM, "%s", origin);
	}
	*out = spec;
	return 0;
}

int ph_spec_load(int bundle_dirfd, const char *name, const char *origin, struct ph_spec **out,
		 ph_error_t *err)
{
	return load_at(bundle_dirfd, name, origin != NULL ? origin : name, false, out, err);
}

int ph_spec_load_process(const char *path, struct ph_spec **out, ph_error_t *err)
{
	cleanup_free char *base = NULL;
	*out = NULL;
	cleanup_close int dirfd = ph_file_open_parent(path, &base, err);
	if (dirfd < 0)
		return -1;
	return load_at(dirfd, base, path, true, out, err);
}

int ph_spec_save(struct ph_spec *spec, ph_error_t *err)
{
	if (spec->dirfd < 0)
		return ph_error_make(err, 0, "%s: not loaded from a file", spec->origin);
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (ph_json_serialize(spec->root, &text, &len, err) < 0 ||
	    ph_file_replace(spec->dirfd, spec->name, text, len, err) < 0)
		return ph_error_wrap(err, "save %s", spec->origin);
	return 0;
}

int ph_spec_process(const struct ph_spec *spec, struct ph_json **process, ph_error_t *err)
{
	if (spec->is_process) {
		*process = spec->root;
		return 1;
	}
	return ph_json_get_object(spec->root, "process", process, err);
}

const char *ph_spec_process_path(const struct ph_spec *spec, const char *field,
				 char buf[PH_SPEC_PATH_MAX])
{
	snprintf(buf, PH_SPEC_PATH_MAX, "%s%s", spec->is_process ? "" : "process.", field);
	return buf;
}

int ph_spec_array_string(const struct ph_spec *spec, const char *path, const struct ph_json *arr,
			 size_t i, const char **s, ph_error_t *err)
{
	const struct ph_json *item = arr->u.array.items[i];
	*s = NULL;
	if (item->type == PH_JSON_STRING && strlen(item->u.string.ptr) == item->u.string.len) {
		*s = item->u.string.ptr;
		return 0;
	}
	char shown[PH_SPEC_PATH_MAX + 32];
	snprintf(shown, sizeof(shown), "%s[%zu]", path, i);
	if (item->type != PH_JSON_STRING)
		return ph_json_type_error(err, spec->root, shown, strlen(shown), "a string",
					  item->type);
	return ph_error_make(err, 0, "%s: %s: string contains a NUL character", spec->origin,
			     shown);
}

int ph_spec_not_in_process(const struct ph_spec *spec, const char *what, ph_error_t *err)
{
	return ph_error_make(err, 0, "%s: %s: not part of a process document", spec->origin, what);
}
