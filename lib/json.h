/* phoenix: an ordered JSON tree that keeps what it does not understand.
 *
 * Documents are read with yajl's callback parser and written with yajl_gen.
 * Every value survives a round trip: numbers are kept as their original
 * text (so 18446744073709551615, -0.0 and 1e400 come back verbatim),
 * strings carry an explicit length (so "\u0000" survives), and object
 * members keep their order.
 *
 * Paths: several functions take a dotted path such as
 * "process.apparmorProfile".  Each component names an object member; a
 * key that itself contains '.' cannot be reached that way (use
 * ph_json_object_get() on its parent, e.g. for annotations).
 */
#ifndef PHOENIX_JSON_H
#define PHOENIX_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Deepest nesting of objects and arrays that ph_json_parse() accepts: a
 * top-level object counts as depth 1, so `{"a":{"b":[]}}` has depth 3.
 * OCI documents need fewer than 10 levels; the limit bounds the recursion
 * of the code that walks the tree. */
#define PH_JSON_MAX_DEPTH 64

enum ph_json_type {
	PH_JSON_NULL,
	PH_JSON_FALSE,
	PH_JSON_TRUE,
	PH_JSON_NUMBER,
	PH_JSON_STRING,
	PH_JSON_OBJECT,
	PH_JSON_ARRAY,
};

struct ph_json;

struct ph_json_member {
	char *key; /* NUL-terminated, but key_len is authoritative */
	size_t key_len;
	struct ph_json *value;
};

struct ph_json {
	enum ph_json_type type;
	/* Set on the root of a parsed document (the `origin` given to
	 * ph_json_parse); the typed getters name it in their messages. */
	char *origin;
	union {
		struct {
			char *text; /* the number as written, e.g. "1E+2" */
			size_t len;
		} number;
		struct {
			char *ptr; /* NUL-terminated, but len is authoritative */
			size_t len;
		} string;
		struct {
			struct ph_json_member *members;
			size_t count, cap;
		} object;
		struct {
			struct ph_json **items;
			size_t count, cap;
		} array;
	} u;
};

/* ---- reading and writing ---------------------------------------------- */

/* Parse one JSON document.  `origin` (e.g. "config.json") prefixes every
 * message and is kept in (*out)->origin.  Rejects empty input, text that
 * is not JSON (the message gives yajl's reason and the byte offset),
 * trailing garbage, invalid UTF-8 (including overlong forms, encoded
 * surrogates and unpaired "\uD800"-style escapes), nesting deeper than
 * PH_JSON_MAX_DEPTH and duplicate keys in one object (the message names
 * the JSON path, e.g. "process.env"). */
int ph_json_parse(const char *buf, size_t len, const char *origin, struct ph_json **out,
		  ph_error_t *err);

/* Release a tree.  NULL-safe. */
void ph_json_free(struct ph_json *node);
void ph_json_freep(struct ph_json **node);
#define cleanup_json __attribute__((cleanup(ph_json_freep)))

/* Write `node` indented with tabs, ending with a newline.  *out is
 * NUL-terminated (not counted in *len); free() it. */
int ph_json_serialize(const struct ph_json *node, char **out, size_t *len, ph_error_t *err);

/* ---- inspecting ---------------------------------------------------------- */

/* "null", "boolean", "number", "string", "object" or "array". */
const char *ph_json_type_name(enum ph_json_type type);

static inline bool ph_json_is_bool(const struct ph_json *node)
{
	return node != NULL && (node->type == PH_JSON_TRUE || node->type == PH_JSON_FALSE);
}

/* Member `key` of an object, or NULL when absent or `obj` is not an
 * object.  The _n variant compares `len` bytes, so it finds keys
 * containing NUL. */
struct ph_json *ph_json_object_get(const struct ph_json *obj, const char *key);
struct ph_json *ph_json_object_getn(const struct ph_json *obj, const char *key, size_t len);

/* The node at a dotted path, or NULL when a component is absent or a
 * parent is not an object.  An empty path is `root` itself. */
struct ph_json *ph_json_lookup(const struct ph_json *root, const char *path);

/* Typed getters.  Each returns 1 and sets *value when the node at `path`
 * exists with the expected type, 0 when it is absent or null (and clears
 * *value), and -1 with a message such as
 * "config.json: process.apparmorProfile: expected a string, got number"
 * when it, or one of its parents, has another type. */
int ph_json_get_string(const struct ph_json *root, const char *path, const char **value,
		       ph_error_t *err); /* rejects strings containing NUL */
int ph_json_get_stringn(const struct ph_json *root, const char *path, const char **value,
			size_t *len, ph_error_t *err);
int ph_json_get_bool(const struct ph_json *root, const char *path, bool *value, ph_error_t *err);
int ph_json_get_number(const struct ph_json *root, const char *path, const char **text,
		       ph_error_t *err);
/* Also rejects numbers that are not integers in 0..2^64-1. */
int ph_json_get_uint64(const struct ph_json *root, const char *path, uint64_t *value,
		       ph_error_t *err);
int ph_json_get_object(const struct ph_json *root, const char *path, struct ph_json **value,
		       ph_error_t *err);
int ph_json_get_array(const struct ph_json *root, const char *path, struct ph_json **value,
		      ph_error_t *err);
/* An array of strings as a NULL-terminated vector (free with
 * ph_strv_free); elements that are not strings, or contain NUL, are
 * errors naming the element, e.g. "process.env[2]". */
int ph_json_get_strv(const struct ph_json *root, const char *path, char ***value, ph_error_t *err);

void ph_strv_free(char **strv);
size_t ph_strv_len(char *const *strv);

/* ---- building -------------------------------------------------------------
 *
 * Constructors return NULL with *err set when memory runs out. */
struct ph_json *ph_json_new_null(ph_error_t *err);
struct ph_json *ph_json_new_bool(bool value, ph_error_t *err);
struct ph_json *ph_json_new_string(const char *s, ph_error_t *err);
struct ph_json *ph_json_new_stringn(const char *s, size_t len, ph_error_t *err);
/* `text` must be a JSON number ("12", "-0.5", "1e400"); it is kept as is. */
struct ph_json *ph_json_new_number(const char *text, ph_error_t *err);
struct ph_json *ph_json_new_int(long long value, ph_error_t *err);
struct ph_json *ph_json_new_object(ph_error_t *err);
struct ph_json *ph_json_new_array(ph_error_t *err);
/* An array holding copies of the strings of a NULL-terminated vector
 * (NULL gives an empty array). */
struct ph_json *ph_json_new_strv(const char *const *strv, ph_error_t *err);

/* ---- changing -------------------------------------------------------------
 *
 * Functions that take a `struct ph_json *value` take ownership of it, also
 * when they fail (it is then freed). */

/* Set member `key` of `obj`: an existing member is replaced where it
 * stands, a new one is appended after the others. */
int ph_json_object_set(struct ph_json *obj, const char *key, struct ph_json *value,
		       ph_error_t *err);
int ph_json_object_setn(struct ph_json *obj, const char *key, size_t key_len, struct ph_json *value,
			ph_error_t *err);
/* Remove member `key`; returns 1 when it was there, 0 otherwise. */
int ph_json_object_remove(struct ph_json *obj, const char *key);

int ph_json_array_append(struct ph_json *arr, struct ph_json *value, ph_error_t *err);
int ph_json_array_append_string(struct ph_json *arr, const char *s, ph_error_t *err);
/* Remove and free element `index`; the elements after it move down. */
int ph_json_array_remove(struct ph_json *arr, size_t index, ph_error_t *err);

/* Set the node at a dotted path, creating parent objects that are
 * missing or null.  A parent that exists with another type is an error
 * naming it, e.g. "config.json: process: expected an object, got string". */
int ph_json_set(struct ph_json *root, const char *path, struct ph_json *value, ph_error_t *err);
int ph_json_set_string(struct ph_json *root, const char *path, const char *value, ph_error_t *err);
int ph_json_set_bool(struct ph_json *root, const char *path, bool value, ph_error_t *err);
/* Remove the member at a dotted path; 1 when it was there, 0 otherwise. */
int ph_json_remove(struct ph_json *root, const char *path);

/* The object (or array) at `path`, created empty (with its parents) when
 * absent or null; an error when something else is there. */
struct ph_json *ph_json_ensure_object(struct ph_json *root, const char *path, ph_error_t *err);
struct ph_json *ph_json_ensure_array(struct ph_json *root, const char *path, ph_error_t *err);

#endif
