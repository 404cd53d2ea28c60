/* phoenix: tree to JSON text, with yajl_gen (see json.h). */
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

static const char *gen_status_text(yajl_gen_status st)
{
	switch (st) {
	case yajl_gen_status_ok:
		return "ok";
	case yajl_gen_keys_must_be_strings:
		return "keys must be strings";
	case yajl_max_depth_exceeded:
		return "nesting too deep";
	case yajl_gen_in_error_state:
		return "generator in error state";
	case yajl_gen_generation_complete:
		return "document already complete";
	case yajl_gen_invalid_number:
		return "invalid number";
	case yajl_gen_no_buf:
		return "no buffer";
	case yajl_gen_invalid_string:
		return "string is not valid UTF-8";
	}
	return "unknown error";
}

static yajl_gen_status gen_node(yajl_gen g, const struct ph_json *node)
{
	yajl_gen_status st = yajl_gen_status_ok;
	switch (node->type) {
	case PH_JSON_NULL:
		return yajl_gen_null(g);
	case PH_JSON_FALSE:
		return yajl_gen_bool(g, 0);
	case PH_JSON_TRUE:
		return yajl_gen_bool(g, 1);
	case PH_JSON_NUMBER:
		/* The original text, so that no digit is lost. */
		return yajl_gen_number(g, node->u.number.text, node->u.number.len);
	case PH_JSON_STRING:
		return yajl_gen_string(g, (const unsigned char *)node->u.string.ptr,
				       node->u.string.len);
	case PH_JSON_OBJECT:
		st = yajl_gen_map_open(g);
		for (size_t i = 0; st == yajl_gen_status_ok && i < node->u.object.count; i++) {
			const struct ph_json_member *m = &node->u.object.members[i];
			st = yajl_gen_string(g, (const unsigned char *)m->key, m->key_len);
			if (st == yajl_gen_status_ok)
				st = m->value != NULL ? gen_node(g, m->value) : yajl_gen_null(g);
		}
		return st == yajl_gen_status_ok ? yajl_gen_map_close(g) : st;
	case PH_JSON_ARRAY:
		st = yajl_gen_array_open(g);
		for (size_t i = 0; st == yajl_gen_status_ok && i < node->u.array.count; i++)
			st = gen_node(g, node->u.array.items[i]);
		return st == yajl_gen_status_ok ? yajl_gen_array_close(g) : st;
	}
	return yajl_gen_in_error_state;
}

int ph_json_serialize(const struct ph_json *node, char **out, size_t *len, ph_error_t *err)
{
	*out = NULL;
	*len = 0;
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g == NULL)
		return ph_error_make(err, ENOMEM, "serialize JSON");
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	/* Strings set by callers are checked here; parsed ones already were. */
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);

	int r = 0;
	yajl_gen_status st = gen_node(g, node);
	const unsigned char *text = NULL;
	size_t n = 0;
	if (st == yajl_gen_status_ok)
		st = yajl_gen_get_buf(g, &text, &n);
	if (st != yajl_gen_status_ok) {
		r = ph_error_make(err, 0, "serialize JSON: %s", gen_status_text(st));
	} else {
		/* yajl ends beautified documents with a newline; make sure. */
		bool add_newline = n == 0 || text[n - 1] != '\n';
		*out = malloc(n + 2);
		if (*out == NULL) {
			r = ph_error_make(err, ENOMEM, "serialize JSON");
		} else {
			memcpy(*out, text, n);
			if (add_newline)
				(*out)[n++] = '\n';
			(*out)[n] = '\0';
			*len = n;
		}
	}
	yajl_gen_free(g);
	return r;
}
