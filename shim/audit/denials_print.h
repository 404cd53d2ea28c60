/* phoenix: how `phoenix denials` shows one AppArmor record: as a table
 * row or as a JSON object. */
#ifndef PHOENIX_DENIALS_PRINT_H
#define PHOENIX_DENIALS_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "audit_parse.h"
#include "error.h"
#include "json.h"

enum ph_denial_col {
	PH_COL_TIME,
	PH_COL_CONTAINER,
	PH_COL_PROFILE,
	PH_COL_OPERATION,
	PH_COL_TARGET,
	PH_COL_REQUESTED,
	PH_COL_DENIED,
	PH_COL_COMMAND,
	PH_COL_KIND,
	PH_N_COLS,
};

/* What the record alone does not say. */
struct ph_denial_context {
	const char *container; /* the container id of the record's namespace, or NULL */
	long long boot_usec;   /* the wall-clock time of boot, for /dev/kmsg stamps */
};

/* RFC 3339 local time of the record ("2023-11-14T23:13:20.123+01:00"),
 * or "-" when it carries no time. */
void ph_denial_time(const struct ph_audit_record *rec, const struct ph_denial_context *dc,
		    char *buf, size_t size);

/* `s` for display: bytes that are not printable ASCII or valid UTF-8
 * become "\xNN", and characters a terminal acts on (C1 controls, bidi
 * controls, invisible format characters: see denials_print.c) "\uXXXX";
 * with `keep_controls`, control characters are kept (JSON escapes the
 * ASCII ones itself, and the others are data there, not display). */
char *ph_denial_escape(const char *s, bool keep_controls);

/* A table: rows are kept until ph_denial_table_print(), unless `stream`,
 * where the header and every row are printed at once with fixed widths. */
struct ph_denial_table {
	char *(*rows)[PH_N_COLS];
	size_t n, cap;
	bool stream;
};

int ph_denial_table_add(struct ph_denial_table *t, const struct ph_audit_record *rec,
			const struct ph_denial_context *dc, FILE *out, ph_error_t *err);
/* The header of a streamed table. */
void ph_denial_table_header(FILE *out);
void ph_denial_table_print(const struct ph_denial_table *t, FILE *out);
void ph_denial_table_release(struct ph_denial_table *t);

/* The record as a JSON object. */
struct ph_json *ph_denial_json(const struct ph_audit_record *rec,
			       const struct ph_denial_context *dc, ph_error_t *err);

/* `node` on one line (JSON Lines), followed by a newline. */
int ph_denial_json_line(const struct ph_json *node, FILE *out, ph_error_t *err);

#endif
