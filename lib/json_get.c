/* phoenix: typed getters on the JSON tree (see json.h). */
#include "json.h"
#include "json_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Find the node at `path`: 1 when present and not null, 0 when absent or
 * null, -1 when a parent is not an object. */
static int find(const struct ph_json *root, const char *path, struct ph_json **out, ph_error_t *err)
{
	const struct ph_json *node = root;
	const char *p = path;
	*out = NULL;
	if (root == NULL)
		return 0;
	while (*p != '\0') {
		if (node->type != PH_JSON_OBJECT)
			return ph_json_type_error(err, root, path,
						  p == path ? 0 : (size_t)(p - path - 1),
						  "an object", node->type);
		const char *dot = strchr(p, '.');
		size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		node = ph_json_object_getn(node, p, n);
		if (node == NULL || node->type == PH_JSON_NULL)
			return 0;
		p += n;
		if (*p == '.')
			p++;
	}
	*out = (struct ph_json *)node;
	return 1;
}

/* find() and check the type of what was found. */
static int find_typed(const struct ph_json *root, const char *path, enum ph_json_type type,
		      struct ph_json **out, ph_error_t *err)
{
	int r = find(root, path, out, err);
	if (r <= 0)
		return r;
	bool ok = (*out)->type == type || (type == PH_JSON_TRUE && (*out)->type == PH_JSON_FALSE);
	if (!ok) {
		enum ph_json_type got = (*out)->type;
		*out = NULL;
		return ph_json_type_error(err, root, path, strlen(path), ph_json_with_article(type),
					  got);
	}
	return 1;
}

int ph_json_get_stringn(const struct ph_json *root, const char *path, const char **value,
			size_t *len, ph_error_t *err)
{
	struct ph_json *node = NULL;
	int r = find_typed(root, path, PH_JSON_STRING, &node, err);
	*value = r > 0 ? node->u.string.ptr : NULL;
	*len = r > 0 ? node->u.string.len : 0;
	return r;
}

/* The message for a string that cannot be used as a C string. */
static int nul_error(ph_error_t *err, const struct ph_json *root, const char *path)
{
	if (root != NULL && root->origin != NULL)
		return ph_error_make(err, 0, "%s: %s: string contains a NUL character",
				     root->origin, path);
	return ph_error_make(err, 0, "%s: string contains a NUL character", path);
}

int ph_json_get_string(const struct ph_json *root, const char *path, const char **value,
		       ph_error_t *err)
{
	size_t len = 0;
	int r = ph_json_get_stringn(root, path, value, &len, err);
	if (r > 0 && strlen(*value) != len) {
		*value = NULL;
		return nul_error(err, root, path);
	}
	return r;
}

int ph_json_get_bool(const struct ph_json *root, const char *path, bool *value, ph_error_t *err)
{
	struct ph_json *node = NULL;
	int r = find_typed(root, path, PH_JSON_TRUE, &node, err);
	*value = r > 0 && node->type == PH_JSON_TRUE;
	return r;
}

int ph_json_get_number(const struct ph_json *root, const char *path, const char **text,
		       ph_error_t *err)
{
	struct ph_json *node = NULL;
	int r = find_typed(root, path, PH_JSON_NUMBER, &node, err);
	*text = r > 0 ? node->u.number.text : NULL;
	return r;
}

int ph_json_get_uint64(const struct ph_json *root, const char *path, uint64_t *value,
		       ph_error_t *err)
{
	const char *text = NULL;
	*value = 0;
	int r = ph_json_get_number(root, path, &text, err);
	if (r <= 0)
		return r;
	/* JSON integers are plain digits, so strspn() decides: no sign,
	 * fraction or exponent. */
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (text[strspn(text, "0123456789")] != '\0' || errno != 0 || *end != '\0') {
		if (root != NULL && root->origin != NULL)
			return ph_error_make(
			    err, 0, "%s: %s: expected an integer in 0..%" PRIu64 ", got %s",
			    root->origin, path, UINT64_MAX, text);
		return ph_error_make(err, 0, "%s: expected an integer in 0..%" PRIu64 ", got %s",
				     path, UINT64_MAX, text);
	}
	*value = v;
	return 1;
}

int ph_json_get_object(const struct ph_json *root, const char *path, struct ph_json **value,
		       ph_error_t *err)
{
	return find_typed(root, path, PH_JSON_OBJECT, value, err);
}

int ph_json_get_array(const struct ph_json *root, const char *path, struct ph_json **value,
		      ph_error_t *err)
{
	return find_typed(root, path, PH_JSON_ARRAY, value, err);
}

void ph_strv_free(char **strv)
{
	for (size_t i = 0; strv != NULL && strv[i] != NULL; i++)
		free(strv[i]);
	free(strv);
}

size_t ph_strv_len(char *const *strv)
{
	size_t n = 0;
	while (strv != NULL && strv[n] != NULL)
		n++;
	return n;
}

int ph_json_get_strv(const struct ph_json *root, const char *path, char ***value, ph_error_t *err)
{
	struct ph_json *arr = NULL;
	*value = NULL;
	int r = ph_json_get_array(root, path, &arr, err);
	if (r <= 0)
		return r;
	size_t n = arr->u.array.count;
	char **strv = calloc(n + 1, sizeof(char *));
	if (strv == NULL)
		return ph_error_make(err, ENOMEM, "%s", path);
	for (size_t i = 0; i < n; i++) {
		const struct ph_json *item = arr->u.array.items[i];
		cleanup_free char *item_path = NULL;
		if (item->type != PH_JSON_STRING ||
		    strlen(item->u.string.ptr) != item->u.string.len) {
			if (asprintf(&item_path, "%s[%zu]", path, i) < 0)
				item_path = NULL;
			const char *shown = item_path != NULL ? item_path : path;
			if (item->type != PH_JSON_STRING)
				ph_json_type_error(err, root, shown, strlen(shown), "a string",
						   item->type);
			else
				nul_error(err, root, shown);
			ph_strv_free(strv);
			return -1;
		}
		strv[i] = strdup(item->u.string.ptr);
		if (strv[i] == NULL) {
			ph_strv_free(strv);
			return ph_error_make(err, ENOMEM, "%s", path);
		}
	}
	*value = strv;
	return 1;
}
