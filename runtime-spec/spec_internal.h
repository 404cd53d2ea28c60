/* phoenix: what the spec_*.c files share and nobody else needs. */
#ifndef PHOENIX_SPEC_INTERNAL_H
#define PHOENIX_SPEC_INTERNAL_H

#include "spec.h"

/* Room for the dotted paths of the fields phoenix uses. */
#define PH_SPEC_PATH_MAX 128

/* The path of process field `field` ("apparmorProfile" becomes
 * "process.apparmorProfile" in a config.json, stays as is in a process
 * document). */
const char *ph_spec_process_path(const struct ph_spec *spec, const char *field,
				 char buf[PH_SPEC_PATH_MAX]);

/* Element i of array `arr` (found at `path`) as a C string; an element
 * of another type, or holding NUL, is an error naming "path[i]". */
int ph_spec_array_string(const struct ph_spec *spec, const char *path, const struct ph_json *arr,
			 size_t i, const char **s, ph_error_t *err);

/* The error for a field that a process document does not have. */
int ph_spec_not_in_process(const struct ph_spec *spec, const char *what, ph_error_t *err);

/* Whether Go's encoding/json would decode the key key[0..len) into the
 * struct field named `name` (ASCII), i.e. whether they are equal once
 * folded (see spec_keys.c). */
bool ph_spec_key_folds_to(const char *key, size_t len, const char *name);

/* Refuse a document in which a key of an object of the runtime spec
 * folds to a field of that object without being exactly its name: runc
 * would read it as the field, crun and phoenix would not.  `root` is a
 * config.json, or the process object of `exec --process` when
 * is_process.  The message names the JSON path and both spellings. */
int ph_spec_check_keys(const struct ph_json *root, bool is_process, const char *origin,
		       ph_error_t *err);

#endif
