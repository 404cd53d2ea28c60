/* phoenix: the JSON tree: nodes, lookup and changes (see json.h). */
#include "json.h"
#include "json_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ph_json_type_name(enum ph_json_type type)
{
	switch (type) {
	case PH_JSON_NULL:
		return "null";
	case PH_JSON_FALSE:
	case PH_JSON_TRUE:
		return "boolean";
	case PH_JSON_NUMBER:
		return "number";
	case PH_JSON_STRING:
		return "string";
	case PH_JSON_OBJECT:
		return "object";
	case PH_JSON_ARRAY:
		return "array";
	}
	return "unknown";
}

const char *ph_json_with_article(enum ph_json_type type)
{
	switch (type) {
	case PH_JSON_OBJECT:
		return "an object";
	case PH_JSON_ARRAY:
		return "an array";
	case PH_JSON_FALSE:
	case PH_JSON_TRUE:
		return "a boolean";
	case PH_JSON_NUMBER:
		return "a number";
	case PH_JSON_STRING:
		return "a string";
	case PH_JSON_NULL:
		return "null";
	}
	return "unknown";
}

int ph_json_type_error(ph_error_t *err, const struct ph_json *root, const char *path,
		       size_t path_len, const char *expected, enum ph_json_type got)
{
	const char *origin = root != NULL ? root->origin : NULL;
	const char *got_name = ph_json_type_name(got);
	if (origin != NULL && path_len > 0)
		return ph_error_make(err, 0, "%s: %.*s: expected %s, got %s", origin, (int)path_len,
				     path, expected, got_name);
	if (origin != NULL)
		return ph_error_make(err, 0, "%s: expected %s, got %s", origin, expected, got_name);
	if (path_len > 0)
		return ph_error_make(err, 0, "%.*s: expected %s, got %s", (int)path_len, path,
				     expected, got_name);
	return ph_error_make(err, 0, "expected %s, got %s", expected, got_name);
}

int ph_json_grow(void **items, size_t *cap, size_t count, size_t size, ph_error_t *err)
{
	if (count < *cap)
		return 0;
	size_t new_cap = *cap ? *cap * 2 : 4;
	void *p = reallocarray(*items, new_cap, size);
	if (p == NULL)
		return ph_error_make(err, ENOMEM, "grow JSON container");
	*items = p;
	*cap = new_cap;
	return 0;
}

char *ph_json_memdup(const char *s, size_t len)
{
	char *p = malloc(len + 1);
	if (p == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* ---- nodes ---------------------------------------------------------------- */

void ph_json_free(struct ph_json *node)
{
	if (node == NULL)
		return;
	switch (node->type) {
	case PH_JSON_NUMBER:
		free(node->u.number.text);
		break;
	case PH_JSON_STRING:
		free(node->u.string.ptr);
		break;
	case PH_JSON_OBJECT:
		for (size_t i = 0; i < node->u.object.count; i++) {
			free(node->u.object.members[i].key);
			ph_json_free(node->u.object.members[i].value);
		}
		free(node->u.object.members);
		break;
	case PH_JSON_ARRAY:
		for (size_t i = 0; i < node->u.array.count; i++)
			ph_json_free(node->u.array.items[i]);
		free(node->u.array.items);
		break;
	case PH_JSON_NULL:
	case PH_JSON_FALSE:
	case PH_JSON_TRUE:
		break;
	}
	free(node->origin);
	free(node);
}

void ph_json_freep(struct ph_json **node)
{
	ph_json_free(*node);
	*node = NULL;
}

static struct ph_json *new_node(enum ph_json_type type, ph_error_t *err)
{
	struct ph_json *node = calloc(1, sizeof(*node));
	if (node == NULL) {
		ph_error_make(err, ENOMEM, "allocate JSON %s", ph_json_type_name(type));
		return NULL;
	}
	node->type = type;
	return node;
}

struct ph_json *ph_json_new_null(ph_error_t *err)
{
	return new_node(PH_JSON_NULL, err);
}

struct ph_json *ph_json_new_bool(bool value, ph_error_t *err)
{
	return new_node(value ? PH_JSON_TRUE : PH_JSON_FALSE, err);
}

struct ph_json *ph_json_new_stringn(const char *s, size_t len, ph_error_t *err)
{
	struct ph_json *node = new_node(PH_JSON_STRING, err);
	if (node == NULL)
		return NULL;
	node->u.string.ptr = ph_json_memdup(s, len);
	if (node->u.string.ptr == NULL) {
		free(node);
		ph_error_make(err, ENOMEM, "allocate JSON string");
		return NULL;
	}
	node->u.string.len = len;
	return node;
}

struct ph_json *ph_json_new_string(const char *s, ph_error_t *err)
{
	return ph_json_new_stringn(s, strlen(s), err);
}

struct ph_json *ph_json_new_number(const char *text, ph_error_t *err)
{
	/* Let the parser judge the syntax rather than repeating its grammar. */
	struct ph_json *node = NULL;
	size_t len = strlen(text);
	if (len == 0 || ph_json_parse(text, len, NULL, &node, err) < 0 ||
	    node->type != PH_JSON_NUMBER) {
		ph_json_free(node);
		ph_error_make(err, 0, "`%s` is not a JSON number", text);
		return NULL;
	}
	return node;
}

struct ph_json *ph_json_new_int(long long value, ph_error_t *err)
{
	char text[32];
	snprintf(text, sizeof(text), "%lld", value);
	return ph_json_new_number(text, err);
}

struct ph_json *ph_json_new_object(ph_error_t *err)
{
	return new_node(PH_JSON_OBJECT, err);
}

struct ph_json *ph_json_new_array(ph_error_t *err)
{
	return new_node(PH_JSON_ARRAY, err);
}

struct ph_json *ph_json_new_strv(const char *const *strv, ph_error_t *err)
{
	struct ph_json *arr = ph_json_new_array(err);
	if (arr == NULL)
		return NULL;
	for (size_t i = 0; strv != NULL && strv[i] != NULL; i++) {
		if (ph_json_array_append_string(arr, strv[i], err) < 0) {
			ph_json_free(arr);
			return NULL;
		}
	}
	return arr;
}

/* ---- objects and arrays --------------------------------------------------- */

static struct ph_json_member *find_member(const struct ph_json *obj, const char *key, size_t len)
{
	if (obj == NULL || obj->type != PH_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->u.object.count; i++) {
		struct ph_json_member *m = &obj->u.object.members[i];
		if (m->key_len == len && memcmp(m->key, key, len) == 0)
			return m;
	}
	return NULL;
}

struct ph_json *ph_json_object_getn(const struct ph_json *obj, const char *key, size_t len)
{
	struct ph_json_member *m = find_member(obj, key, len);
	return m != NULL ? m->value : NULL;
}

struct ph_json *ph_json_object_get(const struct ph_json *obj, const char *key)
{
	return ph_json_object_getn(obj, key, strlen(key));
}

int ph_json_object_setn(struct ph_json *obj, const char *key, size_t key_len, struct ph_json *value,
			ph_error_t *err)
{
	if (obj == NULL || obj->type != PH_JSON_OBJECT) {
		ph_json_free(value);
		return ph_json_type_error(err, obj, "", 0, "an object",
					  obj != NULL ? obj->type : PH_JSON_NULL);
	}
	struct ph_json_member *m = find_member(obj, key, key_len);
	if (m != NULL) {
		ph_json_free(m->value);
		m->value = value;
		return 0;
	}
	char *copy = ph_json_memdup(key, key_len);
	if (copy == NULL) {
		ph_json_free(value);
		return ph_error_make(err, ENOMEM, "allocate JSON key");
	}
	if (ph_json_grow((void **)&obj->u.object.members, &obj->u.object.cap, obj->u.object.count,
			 sizeof(struct ph_json_member), err) < 0) {
		free(copy);
		ph_json_free(value);
		return -1;
	}
	obj->u.object.members[obj->u.object.count++] =
	    (struct ph_json_member){.key = copy, .key_len = key_len, .value = value};
	return 0;
}

int ph_json_object_set(struct ph_json *obj, const char *key, struct ph_json *value, ph_error_t *err)
{
	return ph_json_object_setn(obj, key, strlen(key), value, err);
}

int ph_json_object_remove(struct ph_json *obj, const char *key)
{
	struct ph_json_member *m = find_member(obj, key, strlen(key));
	if (m == NULL)
		return 0;
	free(m->key);
	ph_json_free(m->value);
	size_t index = (size_t)(m - obj->u.object.members);
	size_t after = obj->u.object.count - index - 1;
	memmove(m, m + 1, after * sizeof(*m));
	obj->u.object.count--;
	return 1;
}

int ph_json_array_append(struct ph_json *arr, struct ph_json *value, ph_error_t *err)
{
	if (arr == NULL || arr->type != PH_JSON_ARRAY) {
		ph_json_free(value);
		return ph_json_type_error(err, arr, "", 0, "an array",
					  arr != NULL ? arr->type : PH_JSON_NULL);
	}
	if (ph_json_grow((void **)&arr->u.array.items, &arr->u.array.cap, arr->u.array.count,
			 sizeof(struct ph_json *), err) < 0) {
		ph_json_free(value);
		return -1;
	}
	arr->u.array.items[arr->u.array.count++] = value;
	return 0;
}

int ph_json_array_append_string(struct ph_json *arr, const char *s, ph_error_t *err)
{
	struct ph_json *node = ph_json_new_string(s, err);
	if (node == NULL)
		return -1;
	return ph_json_array_append(arr, node, err);
}

int ph_json_array_remove(struct ph_json *arr, size_t index, ph_error_t *err)
{
	if (arr == NULL || arr->type != PH_JSON_ARRAY || index >= arr->u.array.count)
		return ph_error_make(err, 0, "no array element %zu to remove", index);
	ph_json_free(arr->u.array.items[index]);
	memmove(&arr->u.array.items[index], &arr->u.array.items[index + 1],
		(arr->u.array.count - index - 1) * sizeof(struct ph_json *));
	arr->u.array.count--;
	return 0;
}

/* ---- paths ---------------------------------------------------------------- */

/* Length of the path component starting at `p`, which ends at the next
 * '.' or at `end`. */
static size_t component_len(const char *p, const char *end)
{
	const char *dot = memchr(p, '.', (size_t)(end - p));
	return (size_t)((dot != NULL ? dot : end) - p);
}

/* The node at the first `len` bytes of `path`. */
static struct ph_json *lookup_prefix(const struct ph_json *root, const char *path, size_t len)
{
	const struct ph_json *node = root;
	const char *p = path, *end = path + len;
	if (len == 0)
		return (struct ph_json *)root;
	for (;;) {
		size_t n = component_len(p, end);
		node = ph_json_object_getn(node, p, n);
		if (node == NULL || p + n == end)
			return (struct ph_json *)node;
		p += n + 1;
	}
}

struct ph_json *ph_json_lookup(const struct ph_json *root, const char *path)
{
	return lookup_prefix(root, path, strlen(path));
}

/* Walk to the object holding the last component of `path`, creating
 * missing (or null) objects on the way.  Sets *key and *key_len to the last
 * component. */
static struct ph_json *parent_for_set(struct ph_json *root, const char *path, const char **key,
				      size_t *key_len, ph_error_t *err)
{
	struct ph_json *node = root;
	const char *p = path;
	if (root == NULL || root->type != PH_JSON_OBJECT) {
		ph_json_type_error(err, root, "", 0, "an object",
				   root != NULL ? root->type : PH_JSON_NULL);
		return NULL;
	}
	const char *end = path + strlen(path);
	for (;;) {
		size_t n = component_len(p, end);
		if (p + n == end) {
			*key = p;
			*key_len = n;
			return node;
		}
		struct ph_json *child = ph_json_object_getn(node, p, n);
		if (child == NULL || child->type == PH_JSON_NULL) {
			child = ph_json_new_object(err);
			if (child == NULL || ph_json_object_setn(node, p, n, child, err) < 0)
				return NULL;
		} else if (child->type != PH_JSON_OBJECT) {
			ph_json_type_error(err, root, path, (size_t)(p + n - path), "an object",
					   child->type);
			return NULL;
		}
		node = child;
		p += n + 1;
	}
}

int ph_json_set(struct ph_json *root, const char *path, struct ph_json *value, ph_error_t *err)
{
	const char *key = NULL;
	size_t key_len = 0;
	struct ph_json *parent = parent_for_set(root, path, &key, &key_len, err);
	if (parent == NULL) {
		ph_json_free(value);
		return -1;
	}
	return ph_json_object_setn(parent, key, key_len, value, err);
}

int ph_json_set_string(struct ph_json *root, const char *path, const char *value, ph_error_t *err)
{
	struct ph_json *node = ph_json_new_string(value, err);
	if (node == NULL)
		return -1;
	return ph_json_set(root, path, node, err);
}

int ph_json_set_bool(struct ph_json *root, const char *path, bool value, ph_error_t *err)
{
	struct ph_json *node = ph_json_new_bool(value, err);
	if (node == NULL)
		return -1;
	return ph_json_set(root, path, node, err);
}

int ph_json_remove(struct ph_json *root, const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot == NULL)
		return ph_json_object_remove(root, path);
	return ph_json_object_remove(lookup_prefix(root, path, (size_t)(dot - path)), dot + 1);
}

static struct ph_json *ensure_container(struct ph_json *root, const char *path,
					enum ph_json_type type, ph_error_t *err)
{
	struct ph_json *node = ph_json_lookup(root, path);
	if (node != NULL && node->type == type)
		return node;
	if (node != NULL && node->type != PH_JSON_NULL) {
		ph_json_type_error(err, root, path, strlen(path), ph_json_with_article(type),
				   node->type);
		return NULL;
	}
	node = type == PH_JSON_OBJECT ? ph_json_new_object(err) : ph_json_new_array(err);
	if (node == NULL)
		return NULL;
	/* ph_json_set() frees `node` on failure. */
	if (ph_json_set(root, path, node, err) < 0)
		return NULL;
	return node;
}

struct ph_json *ph_json_ensure_object(struct ph_json *root, const char *path, ph_error_t *err)
{
	return ensure_container(root, path, PH_JSON_OBJECT, err);
}

struct ph_json *ph_json_ensure_array(struct ph_json *root, const char *path, ph_error_t *err)
{
	return ensure_container(root, path, PH_JSON_ARRAY, err);
}
