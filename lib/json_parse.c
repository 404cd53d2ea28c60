/* phoenix: JSON text to tree, with yajl's callback parser (see json.h).
 *
 * yajl_tree is not used: it stores strings NUL-terminated (losing
 * "\u0000"), converts numbers, and silently keeps duplicate keys. */
#include "json.h"
#include "json_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

struct parse_ctx {
	const char *origin;
	struct ph_json *root;
	/* The open containers, outermost first. */
	struct ph_json *stack[PH_JSON_MAX_DEPTH];
	size_t depth;
	/* Why a callback stopped the parser. */
	ph_error_t error;
};

/* Append the JSON path of the current position to a memstream: keys
 * joined by '.', array indexes as [n].  Bytes that would garble a
 * message are shown as \xNN. */
static void write_key(FILE *f, const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/* The path to the value the parser is at (the newest member or element of
 * the innermost open container), or, with `upto_container`, to the
 * innermost container itself.  NULL when out of memory. */
static char *current_path(const struct parse_ctx *ctx, bool upto_container)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (f == NULL)
		return NULL;
	size_t levels = upto_container && ctx->depth > 0 ? ctx->depth - 1 : ctx->depth;
	for (size_t i = 0; i < levels; i++) {
		const struct ph_json *c = ctx->stack[i];
		if (c->type == PH_JSON_OBJECT) {
			const struct ph_json_member *m =
			    &c->u.object.members[c->u.object.count - 1];
			if (ftell(f) > 0)
				fputc('.', f);
			write_key(f, m->key, m->key_len);
		} else if (i + 1 == ctx->depth) {
			/* The value being added will be the next element. */
			fprintf(f, "[%zu]", c->u.array.count);
		} else {
			fprintf(f, "[%zu]", c->u.array.count - 1);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Stop the parser with a message about the current position. */
static int fail_at(struct parse_ctx *ctx, bool upto_container, const char *what)
{
	cleanup_free char *path = current_path(ctx, upto_container);
	const char *origin = ctx->origin != NULL ? ctx->origin : "JSON";
	if (path == NULL)
		ph_error_make(&ctx->error, ENOMEM, "%s: %s", origin, what);
	else if (*path == '\0')
		ph_error_make(&ctx->error, 0, "%s: %s", origin, what);
	else
		ph_error_make(&ctx->error, 0, "%s: %s: %s", origin, path, what);
	return 0;
}

static int fail_nomem(struct parse_ctx *ctx)
{
	ph_error_make(&ctx->error, ENOMEM, "%s", ctx->origin != NULL ? ctx->origin : "JSON");
	return 0;
}

/* Attach a new node where the parser is: as the root, as the value of
 * the member whose key was just read, or at the end of an array. */
static int add_value(struct parse_ctx *ctx, struct ph_json *node)
{
	if (node == NULL)
		return fail_nomem(ctx);
	if (ctx->depth == 0) {
		ctx->root = node;
		return 1;
	}
	struct ph_json *top = ctx->stack[ctx->depth - 1];
	if (top->type == PH_JSON_OBJECT) {
		top->u.object.members[top->u.object.count - 1].value = node;
		return 1;
	}
	if (ph_json_array_append(top, node, &ctx->error) < 0)
		return 0;
	return 1;
}

static int on_null(void *ctx)
{
	return add_value(ctx, ph_json_new_null(NULL));
}

static int on_boolean(void *ctx, int value)
{
	return add_value(ctx, ph_json_new_bool(value != 0, NULL));
}

static int on_number(void *vctx, const char *text, size_t len)
{
	struct parse_ctx *ctx = vctx;
	struct ph_json *node = calloc(1, sizeof(*node));
	if (node == NULL)
		return fail_nomem(ctx);
	node->type = PH_JSON_NUMBER;
	node->u.number.text = ph_json_memdup(text, len);
	node->u.number.len = len;
	if (node->u.number.text == NULL) {
		free(node);
		return fail_nomem(ctx);
	}
	return add_value(ctx, node);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	return add_value(ctx, ph_json_new_stringn((const char *)s, len, NULL));
}

static int open_container(struct parse_ctx *ctx, struct ph_json *node)
{
	if (ctx->depth == PH_JSON_MAX_DEPTH) {
		ph_json_free(node);
		char what[64];
		snprintf(what, sizeof(what), "nesting deeper than %d levels", PH_JSON_MAX_DEPTH);
		return fail_at(ctx, false, what);
	}
	if (!add_value(ctx, node))
		return 0;
	ctx->stack[ctx->depth++] = node;
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, ph_json_new_object(NULL));
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, ph_json_new_array(NULL));
}

static int on_map_key(void *vctx, const unsigned char *key, size_t len)
{
	struct parse_ctx *ctx = vctx;
	struct ph_json *obj = ctx->stack[ctx->depth - 1];
	char *copy = ph_json_memdup((const char *)key, len);
	if (copy == NULL)
		return fail_nomem(ctx);
	if (ph_json_grow((void **)&obj->u.object.members, &obj->u.object.cap, obj->u.object.count,
			 sizeof(struct ph_json_member), &ctx->error) < 0) {
		free(copy);
		return 0;
	}
	/* The value is filled in by the next callback; until then the
	 * member holds NULL, which ph_json_free() accepts. */
	obj->u.object.members[obj->u.object.count++] =
	    (struct ph_json_member){.key = copy, .key_len = len, .value = NULL};
	return 1;
}

static int compare_members(const void *a, const void *b)
{
	const struct ph_json_member *x = *(const struct ph_json_member *const *)a;
	const struct ph_json_member *y = *(const struct ph_json_member *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int r = memcmp(x->key, y->key, n);
	if (r != 0)
		return r;
	return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* A duplicate key among the members of `obj`, or NULL.  Sorting keeps
 * this O(n log n) for objects with many members. */
static const struct ph_json_member *find_duplicate(const struct ph_json *obj, bool *nomem)
{
	size_t n = obj->u.object.count;
	*nomem = false;
	if (n < 2)
		return NULL;
	cleanup_free const struct ph_json_member **sorted = calloc(n, sizeof(*sorted));
	if (sorted == NULL) {
		*nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = &obj->u.object.members[i];
	qsort(sorted, n, sizeof(*sorted), compare_members);
	for (size_t i = 1; i < n; i++)
		if (compare_members(&sorted[i - 1], &sorted[i]) == 0)
			return sorted[i];
	return NULL;
}

static int on_end_map(void *vctx)
{
	struct parse_ctx *ctx = vctx;
	const struct ph_json *obj = ctx->stack[ctx->depth - 1];
	bool nomem = false;
	const struct ph_json_member *dup = find_duplicate(obj, &nomem);
	if (nomem)
		return fail_nomem(ctx);
	if (dup != NULL) {
		/* Name the duplicate as a path below the object. */
		cleanup_free char *path = current_path(ctx, true);
		cleanup_free char *key = NULL;
		size_t key_size = 0;
		FILE *f = open_memstream(&key, &key_size);
		if (path == NULL || f == NULL) {
			if (f != NULL)
				fclose(f);
			return fail_nomem(ctx);
		}
		write_key(f, dup->key, dup->key_len);
		if (fclose(f) != 0)
			return fail_nomem(ctx);
		ph_error_make(&ctx->error, 0, "%s: %s%s%s: duplicate key",
			      ctx->origin != NULL ? ctx->origin : "JSON", path, *path ? "." : "",
			      key);
		return 0;
	}
	ctx->depth--;
	return 1;
}

static int on_end_array(void *vctx)
{
	struct parse_ctx *ctx = vctx;
	ctx->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number, /* makes yajl pass numbers as text */
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

/* ---- encoding --------------------------------------------------------------
 *
 * yajl checks only the shape of UTF-8 sequences: it accepts overlong
 * forms, encoded surrogates and code points above U+10FFFF, and decodes
 * an unpaired "\uD800" escape as '?'.  Both would change the document
 * when it is written back, so such text is refused. */

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static unsigned hex4(const unsigned char *s)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char c = s[i];
		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* Check text that yajl has accepted (so strings are well delimited and
 * every \u has four hex digits).  Returns the offset of the first
 * problem, or `len`. */
static size_t check_encoding(const unsigned char *s, size_t len, const char **what)
{
	bool in_string = false;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x80) {
			size_t n = utf8_sequence(s + i, len - i);
			if (n == 0) {
				*what = "invalid UTF-8";
				return i;
			}
			i += n;
			continue;
		}
		if (c == '"') {
			in_string = !in_string;
		} else if (in_string && c == '\\') {
			if (i + 1 < len && s[i + 1] == 'u' && i + 6 <= len) {
				unsigned u = hex4(s + i + 2);
				if (u >= 0xdc00 && u <= 0xdfff) {
					*what = "unpaired UTF-16 surrogate escape";
					return i;
				}
				if (u >= 0xd800 && u <= 0xdbff) {
					if (i + 12 > len || s[i + 6] != '\\' || s[i + 7] != 'u' ||
					    hex4(s + i + 8) < 0xdc00 || hex4(s + i + 8) > 0xdfff) {
						*what = "unpaired UTF-16 surrogate escape";
						return i;
					}
					i += 12;
					continue;
				}
				i += 6;
				continue;
			}
			i += 2; /* the escaped character, e.g. \" */
			continue;
		}
		i++;
	}
	return len;
}

/* ---- entry point ------------------------------------------------------------ */

static bool only_whitespace(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strchr(" \t\r\n", buf[i]) == NULL || buf[i] == '\0')
			return false;
	return true;
}

/* yajl's message without its trailing newline. */
static int yajl_failure(ph_error_t *err, yajl_handle h, const char *origin, const char *buf,
			size_t len, size_t offset)
{
	unsigned char *text = yajl_get_error(h, 0, (const unsigned char *)buf, len);
	if (text == NULL)
		return ph_error_make(err, 0, "%s: not valid JSON at byte %zu", origin, offset);
	size_t n = strlen((char *)text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	ph_error_make(err, 0, "%s: not valid JSON at byte %zu: %.*s", origin, offset, (int)n,
		      (char *)text);
	yajl_free_error(h, text);
	return -1;
}

int ph_json_parse(const char *buf, size_t len, const char *origin, struct ph_json **out,
		  ph_error_t *err)
{
	const char *name = origin != NULL ? origin : "JSON";
	*out = NULL;
	if (only_whitespace(buf, len))
		return ph_error_make(err, 0, "%s: empty document", name);

	struct parse_ctx ctx = {.origin = origin};
	yajl_handle h = yajl_alloc(&callbacks, NULL, &ctx);
	if (h == NULL)
		return ph_error_make(err, ENOMEM, "%s: allocate parser", name);
	/* The defaults already refuse comments, trailing garbage, several
	 * values and partial values, and check UTF-8 shape; be explicit. */
	yajl_config(h, yajl_allow_comments, 0);
	yajl_config(h, yajl_dont_validate_strings, 0);

	int r = 0;
	yajl_status st = yajl_parse(h, (const unsigned char *)buf, len);
	size_t offset = yajl_get_bytes_consumed(h);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		offset = len; /* what is wrong now is at the end of the input */
	}
	if (st == yajl_status_client_canceled) {
		r = -1;
		if (err != NULL)
			ph_error_move(err, &ctx.error);
	} else if (st != yajl_status_ok) {
		r = yajl_failure(err, h, name, buf, len, offset);
	}
	yajl_free(h);
	ph_error_free(&ctx.error);
	struct ph_json *root = ctx.root;
	if (r < 0) {
		ph_json_free(root);
		return -1;
	}

	const char *what = NULL;
	size_t bad = check_encoding((const unsigned char *)buf, len, &what);
	if (bad < len) {
		ph_json_free(root);
		return ph_error_make(err, 0, "%s: %s at byte %zu", name, what, bad);
	}
	if (origin != NULL) {
		root->origin = strdup(origin);
		if (root->origin == NULL) {
			ph_json_free(root);
			return ph_error_make(err, ENOMEM, "%s", name);
		}
	}
	*out = root;
	return 0;
}
