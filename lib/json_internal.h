/* phoenix: what the json_*.c files share and nobody else needs. */
#ifndef PHOENIX_JSON_INTERNAL_H
#define PHOENIX_JSON_INTERNAL_H

#include "json.h"

/* "an object", "a string", ... for messages. */
const char *ph_json_with_article(enum ph_json_type type);

/* Report that the node at the first `path_len` bytes of `path` has type
 * `got` where `expected` ("a string") was wanted.  The message starts
 * with root->origin when set.  Returns -1. */
int ph_json_type_error(ph_error_t *err, const struct ph_json *root, const char *path,
		       size_t path_len, const char *expected, enum ph_json_type got);

/* Make room for one more element in an array of `size`-byte items. */
int ph_json_grow(void **items, size_t *cap, size_t count, size_t size, ph_error_t *err);

/* A copy of s[0..len) with a NUL after it. */
char *ph_json_memdup(const char *s, size_t len);

#endif
