/* phoenix: one AppArmor record as a table row or a JSON object (see
 * denials_print.h). */
#include "denials_print.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const headers[PH_N_COLS] = {
    "TIME", "CONTAINER", "PROFILE", "OPERATION", "TARGET", "REQUESTED", "DENIED", "COMMAND", "KIND",
};

/* Widths while streaming, when the rows to come are unknown. */
static const int stream_widths[PH_N_COLS] = {29, 12, 16, 10, 32, 9, 6, 16, 0};

/* ---- text ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence of two or more bytes at `s`, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* The code point of the valid sequence of `n` (2 to 4) bytes at `s`. */
static unsigned long utf8_decode(const unsigned char *s, size_t n)
{
	unsigned long cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* Characters a terminal acts on rather than shows, which a container can
 * put in a path it makes the kernel name: C1 controls (U+009B is CSI,
 * like ESC [), the bidirectional controls, which reorder what follows on
 * the line (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), and
 * the invisible ones that hide or fake a boundary (zero-width spaces and
 * joiners U+200B-U+200D, the line and paragraph separators U+2028 and
 * U+2029, U+2060-U+206F, the byte order mark U+FEFF). */
static bool is_format_control(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
}

char *ph_denial_escape(const char *s, bool keep_controls)
{
	const unsigned char *p = (const unsigned char *)s;
	/* the longest escape, "\u202e" (6 bytes), replaces at least 2 */
	char *out = malloc(strlen(s) * 4 + 1), *o = out;
	if (out == NULL)
		return NULL;
	while (*p) {
		size_t n = *p >= 0x80 ? utf8_len(p) : 0;
		if (n > 0 && !keep_controls && is_format_control(utf8_decode(p, n))) {
			o += sprintf(o, "\\u%04lx", utf8_decode(p, n));
			p += n;
		} else if (n > 0) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else if ((*p >= 0x20 && *p < 0x7f) || (keep_controls && *p < 0x20)) {
			*o++ = (char)*p++;
		} else {
			o += sprintf(o, "\\x%02x", *p++);
		}
	}
	*o = '\0';
	return out;
}

void ph_denial_time(const struct ph_audit_record *rec, const struct ph_denial_context *dc,
		    char *buf, size_t size)
{
	long long usec;
	if (rec->has_stamp)
		usec = rec->sec * 1000000LL + rec->msec * 1000LL;
	else if (rec->boot_usec >= 0 && dc->boot_usec > 0)
		usec = dc->boot_usec + rec->boot_usec;
	else {
		snprintf(buf, size, "-");
		return;
	}
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	char date[32], zone[8] = "Z";
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (tm.tm_gmtoff != 0) {
		long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
			 off / 3600 % 100, off / 60 % 60);
	}
	snprintf(buf, size, "%s.%03d%s", date, (int)(usec / 1000 % 1000), zone);
}

/* What the operation was aimed at: a path, a peer, a capability, a
 * signal and its peer, a socket. */
static char *target_text(const struct ph_audit_record *rec)
{
	char *s = NULL;
	int r = -1;
	const char *family = ph_audit_get(rec, "family");
	const char *sock_type = ph_audit_get(rec, "sock_type");
	const char *fstype = ph_audit_get(rec, "fstype");
	if (rec->capname)
		r = asprintf(&s, "%s", rec->capname);
	else if (rec->signal)
		r = asprintf(&s, "%s %s %s", rec->signal,
			     rec->requested && strcmp(rec->requested, "receive") == 0 ? "from"
										      : "to",
			     rec->peer ? rec->peer : "?");
	else if (rec->name && rec->target)
		r = asprintf(&s, "%s -> %s", rec->name, rec->target);
	else if (rec->name && fstype)
		r = asprintf(&s, "%s (%s)", rec->name, fstype);
	else if (rec->name)
		r = asprintf(&s, "%s", rec->name);
	else if (rec->peer)
		r = asprintf(&s, "%s", rec->peer);
	else if (rec->target)
		r = asprintf(&s, "%s", rec->target);
	else if (family)
		r = asprintf(&s, "%s%s%s", family, sock_type ? " " : "",
			     sock_type ? sock_type : "");
	else
		r = asprintf(&s, "-");
	return r < 0 ? NULL : s;
}

static char *cell(const char *s)
{
	return ph_denial_escape(s && *s ? s : "-", false);
}

static int row_cells(const struct ph_audit_record *rec, const struct ph_denial_context *dc,
		     char *cells[PH_N_COLS], ph_error_t *err)
{
	char when[64], command[64];
	ph_denial_time(rec, dc, when, sizeof(when));
	cleanup_free char *target = target_text(rec);
	cleanup_free char *comm_pid = NULL;
	if (rec->pid >= 0)
		snprintf(command, sizeof(command), "[%lld]", rec->pid);
	else
		command[0] = '\0';
	if (asprintf(&comm_pid, "%s%s", rec->comm ? rec->comm : "?", command) < 0)
		comm_pid = NULL;
	const char *container = dc->container ? dc->container : rec->ns;
	cells[PH_COL_TIME] = cell(when);
	cells[PH_COL_CONTAINER] = cell(container);
	cells[PH_COL_PROFILE] = cell(rec->ns_profile ? rec->ns_profile : rec->label);
	cells[PH_COL_OPERATION] = cell(rec->operation);
	cells[PH_COL_TARGET] = cell(target);
	cells[PH_COL_REQUESTED] = cell(rec->requested);
	cells[PH_COL_DENIED] = cell(rec->denied);
	cells[PH_COL_COMMAND] = cell(comm_pid);
	cells[PH_COL_KIND] =
	    ph_denial_escape(rec->kind == PH_AUDIT_DENIED ? "" : rec->kind_name, false);
	for (int i = 0; i < PH_N_COLS; i++) {
		if (cells[i] == NULL || target == NULL || comm_pid == NULL) {
			for (int j = 0; j < PH_N_COLS; j++)
				free(cells[j]);
			return ph_error_make(err, ENOMEM, "denials");
		}
	}
	return 0;
}

/* ---- the table --------------------------------------------------------------- */

static void print_row(char *const cells[PH_N_COLS], const int widths[PH_N_COLS], FILE *out)
{
	int last = PH_N_COLS - 1;
	while (last > 0 && cells[last][0] == '\0')
		last--;
	for (int i = 0; i <= last; i++) {
		if (i == last)
			fprintf(out, "%s\n", cells[i]);
		else
			fprintf(out, "%-*s  ", widths[i], cells[i]);
	}
}

void ph_denial_table_header(FILE *out)
{
	print_row((char *const *)headers, stream_widths, out);
}

int ph_denial_table_add(struct ph_denial_table *t, const struct ph_audit_record *rec,
			const struct ph_denial_context *dc, FILE *out, ph_error_t *err)
{
	char *cells[PH_N_COLS] = {NULL};
	if (row_cells(rec, dc, cells, err) < 0)
		return -1;
	if (t->stream) {
		print_row(cells, stream_widths, out);
		fflush(out);
		for (int i = 0; i < PH_N_COLS; i++)
			free(cells[i]);
		return 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char *(*rows)[PH_N_COLS] = realloc(t->rows, cap * sizeof(*rows));
		if (rows == NULL) {
			for (int i = 0; i < PH_N_COLS; i++)
				free(cells[i]);
			return ph_error_make(err, ENOMEM, "denials");
		}
		t->rows = rows;
		t->cap = cap;
	}
	memcpy(t->rows[t->n++], cells, sizeof(cells));
	return 0;
}

/* Display width: code points, counting a "\xNN" as its four bytes. */
static int text_width(const char *s)
{
	int w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			w++;
	return w;
}

void ph_denial_table_print(const struct ph_denial_table *t, FILE *out)
{
	int widths[PH_N_COLS];
	for (int i = 0; i < PH_N_COLS; i++)
		widths[i] = (int)strlen(headers[i]);
	for (size_t r = 0; r < t->n; r++)
		for (int i = 0; i < PH_N_COLS; i++) {
			int w = text_width(t->rows[r][i]);
			if (w > widths[i])
				widths[i] = w;
		}
	bool any_kind = false;
	for (size_t r = 0; r < t->n; r++)
		any_kind |= t->rows[r][PH_COL_KIND][0] != '\0';
	char *head[PH_N_COLS];
	memcpy(head, headers, sizeof(head));
	if (!any_kind)
		head[PH_COL_KIND] = (char *)"";
	print_row(head, widths, out);
	for (size_t r = 0; r < t->n; r++)
		print_row(t->rows[r], widths, out);
}

void ph_denial_table_release(struct ph_denial_table *t)
{
	for (size_t r = 0; r < t->n; r++)
		for (int i = 0; i < PH_N_COLS; i++)
			free(t->rows[r][i]);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/* ---- JSON ---------------------------------------------------------------------- */

static int put_string(struct ph_json *o, const char *key, const char *value, ph_error_t *err)
{
	if (value == NULL) {
		struct ph_json *null = ph_json_new_null(err);
		return null ? ph_json_object_set(o, key, null, err) : -1;
	}
	cleanup_free char *text = ph_denial_escape(value, true);
	if (text == NULL)
		return ph_error_make(err, ENOMEM, "denials");
	return ph_json_set_string(o, key, text, err);
}

static int put_number(struct ph_json *o, const char *key, const char *text, ph_error_t *err)
{
	struct ph_json *v = text ? ph_json_new_number(text, err) : ph_json_new_null(err);
	if (v == NULL)
		return -1;
	return ph_json_object_set(o, key, v, err);
}

/* An integer as a number, anything else as a string. */
static int put_integer_text(struct ph_json *o, const char *key, const char *value, ph_error_t *err)
{
	if (value == NULL)
		return put_string(o, key, NULL, err);
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0)
		return put_string(o, key, value, err);
	struct ph_json *n = ph_json_new_int(v, err);
	return n ? ph_json_object_set(o, key, n, err) : -1;
}

static int put_fields(struct ph_json *o, const struct ph_audit_record *rec, ph_error_t *err)
{
	struct ph_json *f = ph_json_ensure_object(o, "fields", err);
	if (f == NULL)
		return -1;
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct ph_audit_field *fl = &rec->fields[i];
		if (ph_audit_field_known(fl->key) || ph_json_object_get(f, fl->key))
			continue;
		cleanup_free char *key = ph_denial_escape(fl->key, false);
		if (key == NULL)
			return ph_error_make(err, ENOMEM, "denials");
		if (put_string(f, key, fl->value, err) < 0)
			return -1;
	}
	return 0;
}

static int fill_json(struct ph_json *o, const struct ph_audit_record *rec,
		     const struct ph_denial_context *dc, ph_error_t *err)
{
	char when[64], stamp[64], serial[32], pid[32];
	ph_denial_time(rec, dc, when, sizeof(when));
	snprintf(stamp, sizeof(stamp), "%lld.%03d", rec->sec, rec->msec);
	snprintf(serial, sizeof(serial), "%llu", rec->serial);
	snprintf(pid, sizeof(pid), "%lld", rec->pid);
	bool timed = strcmp(when, "-") != 0;
	if (put_string(o, "time", timed ? when : NULL, err) < 0 ||
	    put_number(o, "timestamp", rec->has_stamp ? stamp : NULL, err) < 0 ||
	    put_number(o, "serial", rec->has_stamp ? serial : NULL, err) < 0 ||
	    put_string(o, "kind", rec->kind_name, err) < 0 ||
	    put_string(o, "container", dc->container, err) < 0 ||
	    put_string(o, "namespace", rec->ns, err) < 0 ||
	    put_string(o, "profile", rec->ns_profile ? rec->ns_profile : rec->label, err) < 0 ||
	    put_string(o, "label", rec->label, err) < 0 ||
	    put_string(o, "operation", rec->operation, err) < 0 ||
	    put_string(o, "class", rec->class_name, err) < 0 ||
	    put_string(o, "name", rec->name, err) < 0 ||
	    put_string(o, "target", rec->target, err) < 0 ||
	    put_string(o, "peer", rec->peer, err) < 0 ||
	    put_string(o, "requested", rec->requested, err) < 0 ||
	    put_string(o, "denied", rec->denied, err) < 0 ||
	    put_number(o, "pid", rec->pid >= 0 ? pid : NULL, err) < 0 ||
	    put_string(o, "comm", rec->comm, err) < 0 ||
	    put_string(o, "capability", rec->capname, err) < 0 ||
	    put_string(o, "signal", rec->signal, err) < 0 ||
	    put_string(o, "info", rec->info, err) < 0 ||
	    put_integer_text(o, "error", rec->error, err) < 0 ||
	    ph_json_set_bool(o, "phoenix", rec->phoenix, err) < 0)
		return -1;
	return put_fields(o, rec, err);
}

struct ph_json *ph_denial_json(const struct ph_audit_record *rec,
			       const struct ph_denial_context *dc, ph_error_t *err)
{
	struct ph_json *o = ph_json_new_object(err);
	if (o == NULL)
		return NULL;
	if (fill_json(o, rec, dc, err) < 0) {
		ph_json_free(o);
		return NULL;
	}
	return o;
}

int ph_denial_json_line(const struct ph_json *node, FILE *out, ph_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (ph_json_serialize(node, &text, &len, err) < 0)
		return -1;
	/* ph_json_serialize() indents with newlines and tabs; inside strings
	 * both are escaped ("\n", "\t"), so dropping the raw ones is safe */
	size_t j = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\n' && text[i] != '\t')
			text[j++] = text[i];
	text[j++] = '\n';
	fwrite(text, 1, j, out);
	fflush(out);
	return 0;
}
