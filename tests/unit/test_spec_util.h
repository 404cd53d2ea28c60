/* What the unit tests of spec rewriting (capabilities, seccomp) share: a
 * spec from JSON text, and a spec back to text. */
#ifndef PHOENIX_TEST_SPEC_UTIL_H
#define PHOENIX_TEST_SPEC_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "spec.h"

static inline struct ph_spec *parse(const char *text, bool is_process)
{
	struct ph_spec *spec = NULL;
	ph_error_t err = NULL;
	if (ph_spec_parse(text, strlen(text), is_process ? "process.json" : "config.json",
			  is_process, &spec, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		abort();
	}
	return spec;
}

static inline char *spec_text(const struct ph_spec *spec)
{
	char *out = NULL;
	size_t len = 0;
	ph_error_t err = NULL;
	if (ph_json_serialize(spec->root, &out, &len, &err) < 0)
		abort();
	return out;
}

#endif
