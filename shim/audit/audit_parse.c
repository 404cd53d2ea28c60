/* phoenix: one AppArmor audit record (see audit_parse.h). */
#include "audit_parse.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aa_names.h"

/* Fields the kernel writes with audit_log_untrustedstring() or
 * aa_label_xaudit(): unquoted, such a value is hex. */
static const char *const untrusted_keys[] = {
    "name",	 "namespace",  "profile",   "label",   "comm", "ocomm", "peer",	 "target",
    "fstype",	 "srcname",    "options",   "capname", "ns",   "exe",	"path",	 "addr",
    "peer_addr", "peer_label", "interface", "member",  "bus",  "dest",	"trans", NULL,
};

/* Fields with a member of their own in struct ph_audit_record. */
static const char *const known_keys[] = {
    "apparmor", "operation", "class",	       "info",	 "error",	"name", "peer",
    "target",	"requested", "requested_mask", "denied", "denied_mask", "pid",	"comm",
    "capname",	"signal",    "profile",	       "label",	 "namespace",	NULL,
};

static bool in_list(const char *const *list, const char *key)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], key) == 0)
			return true;
	return false;
}

bool ph_audit_field_known(const char *key)
{
	return in_list(known_keys, key);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '-';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* ---- the envelope --------------------------------------------------------- */

/* "pri,seq,usec,flags[,...];": the /dev/kmsg prefix.  Returns the message
 * start, or NULL when `s` does not start with one. */
static char *kmsg_prefix(char *s, long long *usec)
{
	char *p = s;
	for (int field = 0; field < 3; field++) {
		if (!is_digit(*p))
			return NULL;
		long long v = 0;
		while (is_digit(*p)) {
			if (v > (INT64_MAX - 9) / 10)
				return NULL;
			v = v * 10 + (*p++ - '0');
		}
		if (*p != ',')
			return NULL;
		p++;
		if (field == 2)
			*usec = v;
	}
	char *semi = strchr(p, ';');
	if (semi == NULL || memchr(p, ' ', (size_t)(semi - p)) != NULL)
		return NULL;
	return semi + 1;
}

/* Undo /dev/kmsg's "\xNN" escapes in place. */
static void kmsg_unescape(char *s)
{
	char *out = s;
	for (char *p = s; *p;) {
		int hi, lo;
		if (p[0] == '\\' && p[1] == 'x' && (hi = hex_value(p[2])) >= 0 &&
		    (lo = hex_value(p[3])) >= 0 && (hi | lo) != 0) {
			*out++ = (char)(hi << 4 | lo);
			p += 4;
		} else {
			*out++ = *p++;
		}
	}
	*out = '\0';
}

/* Parse "audit(SECONDS.MS:SERIAL)" at `s`; returns the end or NULL. */
static const char *parse_stamp(const char *s, struct ph_audit_record *rec)
{
	const char *p = s + strlen("audit(");
	long long sec = 0;
	unsigned long long serial = 0;
	int msec = 0, digits = 0;
	if (!is_digit(*p))
		return NULL;
	for (; is_digit(*p); p++) {
		if (sec > (INT64_MAX - 9) / 10)
			return NULL;
		sec = sec * 10 + (*p - '0');
	}
	if (*p++ != '.')
		return NULL;
	for (; is_digit(*p); p++, digits++)
		if (digits < 3)
			msec = msec * 10 + (*p - '0');
	if (digits == 0 || *p++ != ':' || !is_digit(*p))
		return NULL;
	for (; is_digit(*p); p++) {
		if (serial > (UINT64_MAX - 9) / 10)
			return NULL;
		serial = serial * 10 + (unsigned)(*p - '0');
	}
	if (*p != ')')
		return NULL;
	while (digits > 0 && digits < 3)
		msec *= 10, digits++;
	rec->has_stamp = true;
	rec->sec = sec;
	rec->msec = msec;
	rec->serial = serial;
	return p + 1;
}

/* The stamp that precedes the fields (`limit`, where apparmor= starts,
 * when known): one inside a value must not be taken for it. */
static const char *find_stamp(const char *s, const char *limit, struct ph_audit_record *rec)
{
	for (const char *p = strstr(s, "audit("); p && (!limit || p < limit);
	     p = strstr(p + 1, "audit(")) {
		const char *end = parse_stamp(p, rec);
		if (end)
			return end;
	}
	return NULL;
}

/* "type=1400" or "type=AVC" before the stamp. */
static int record_type(const char *s, const char *end)
{
	const char *t = NULL;
	for (const char *p = strstr(s, "type="); p && p < end; p = strstr(p + 1, "type="))
		if (p == s || !is_key_char(p[-1]))
			t = p + 5;
	if (t == NULL)
		return 0;
	if (strncmp(t, "AVC", 3) == 0 && !is_key_char(t[3]))
		return 1400;
	if (strncmp(t, "USER_AVC", 8) == 0 && !is_key_char(t[8]))
		return 1107;
	long v = is_digit(*t) ? strtol(t, NULL, 10) : 0;
	return v > 0 && v < 100000 ? (int)v : 0;
}

/* ---- fields --------------------------------------------------------------- */

static bool all_hex(const char *s, size_t n)
{
	if (n == 0 || n % 2 != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (hex_value(s[i]) < 0)
			return false;
	return true;
}

static char *decode_hex(const char *s, size_t n)
{
	char *out = malloc(n / 2 + 1);
	if (out == NULL)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i += 2) {
		char c = (char)(hex_value(s[i]) << 4 | hex_value(s[i + 1]));
		if (c == '\0')
			break; /* a C string cannot hold it; the kernel never logs one */
		out[j++] = c;
	}
	out[j] = '\0';
	return out;
}

static int add_field(struct ph_audit_record *rec, const char *key, size_t klen, const char *val,
		     size_t vlen, bool quoted, ph_error_t *err)
{
	if (rec->n_fields % 16 == 0) {
		struct ph_audit_field *f =
		    realloc(rec->fields, (rec->n_fields + 16) * sizeof(*rec->fields));
		if (f == NULL)
			return ph_error_make(err, ENOMEM, "audit record");
		rec->fields = f;
	}
	struct ph_audit_field *f = &rec->fields[rec->n_fields];
	f->key = strndup(key, klen);
	if (f->key == NULL)
		return ph_error_make(err, ENOMEM, "audit record");
	if (!quoted && in_list(untrusted_keys, f->key) && all_hex(val, vlen))
		f->value = decode_hex(val, vlen);
	else
		f->value = strndup(val, vlen);
	if (f->value == NULL) {
		free(f->key);
		return ph_error_make(err, ENOMEM, "audit record");
	}
	rec->n_fields++;
	return 0;
}

/* key=value, key="value" or key='value' pairs; words that are not pairs
 * (the "AVC" of a journal line) are skipped.  A quote that never closes
 * means the line was cut: returns 0.  A quoted msg='...' (USER_AVC
 * records of user-space enforcers) is read for the fields inside it. */
static int tokenize(struct ph_audit_record *rec, const char *p, int depth, ph_error_t *err)
{
	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0')
			return 1;
		const char *key = p;
		while (is_key_char(*p))
			p++;
		size_t klen = (size_t)(p - key);
		if (klen == 0 || *p != '=') {
			while (*p && !is_space(*p))
				p++;
			continue;
		}
		p++;
		const char *val = p;
		char quote = (*p == '"' || *p == '\'') ? *p : '\0';
		if (quote) {
			const char *close = strchr(++val, quote);
			if (close == NULL)
				return 0;
			p = close + 1;
		} else {
			while (*p && !is_space(*p))
				p++;
		}
		size_t vlen = (size_t)(p - val) - (quote ? 1 : 0);
		if (quote == '\'' && klen == 3 && memcmp(key, "msg", 3) == 0 && depth == 0) {
			char *inner = strndup(val, vlen);
			if (inner == NULL)
				return ph_error_make(err, ENOMEM, "audit record");
			int r = tokenize(rec, inner, depth + 1, err);
			free(inner);
			if (r <= 0)
				return r;
			continue;
		}
		if (add_field(rec, key, klen, val, vlen, quote != '\0', err) < 0)
			return -1;
	}
}

const char *ph_audit_get(const struct ph_audit_record *rec, const char *key)
{
	for (size_t i = 0; i < rec->n_fields; i++)
		if (strcmp(rec->fields[i].key, key) == 0)
			return rec->fields[i].value;
	return NULL;
}

static enum ph_audit_kind kind_of(const char *word)
{
	static const struct {
		const char *word;
		enum ph_audit_kind kind;
	} kinds[] = {
	    {"DENIED", PH_AUDIT_DENIED}, {"AUDIT", PH_AUDIT_AUDIT},   {"ALLOWED", PH_AUDIT_ALLOWED},
	    {"STATUS", PH_AUDIT_STATUS}, {"KILLED", PH_AUDIT_KILLED},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(word, kinds[i].word) == 0)
			return kinds[i].kind;
	return PH_AUDIT_OTHER;
}

static bool word_valid(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!(*s >= 'A' && *s <= 'Z') && *s != '_')
			return false;
	return true;
}

static void take_known(struct ph_audit_record *rec)
{
	rec->operation = ph_audit_get(rec, "operation");
	rec->class_name = ph_audit_get(rec, "class");
	rec->info = ph_audit_get(rec, "info");
	rec->error = ph_audit_get(rec, "error");
	rec->name = ph_audit_get(rec, "name");
	rec->peer = ph_audit_get(rec, "peer");
	rec->target = ph_audit_get(rec, "target");
	rec->requested = ph_audit_get(rec, "requested_mask");
	if (rec->requested == NULL)
		rec->requested = ph_audit_get(rec, "requested");
	rec->denied = ph_audit_get(rec, "denied_mask");
	if (rec->denied == NULL)
		rec->denied = ph_audit_get(rec, "denied");
	rec->comm = ph_audit_get(rec, "comm");
	rec->capname = ph_audit_get(rec, "capname");
	rec->signal = ph_audit_get(rec, "signal");
	const char *pid = ph_audit_get(rec, "pid");
	rec->pid = -1;
	if (pid && is_digit(pid[0])) {
		char *end;
		long long v = strtoll(pid, &end, 10);
		if (*end == '\0' && v >= 0)
			rec->pid = v;
	}
}

/* ---- the subject ---------------------------------------------------------- */

void ph_audit_members_free(struct ph_audit_member *members, size_t n)
{
	for (size_t i = 0; i < n && members; i++) {
		free(members[i].ns);
		free(members[i].name);
	}
	free(members);
}

static int add_member(struct ph_audit_member **v, size_t *n, const char *ns, size_t nslen,
		      const char *name, size_t namelen, ph_error_t *err)
{
	struct ph_audit_member *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL)
		return ph_error_make(err, ENOMEM, "audit label");
	*v = nv;
	nv[*n].ns = strndup(ns, nslen);
	nv[*n].name = strndup(name, namelen);
	if (nv[*n].ns == NULL || nv[*n].name == NULL) {
		free(nv[*n].ns);
		free(nv[*n].name);
		return ph_error_make(err, ENOMEM, "audit label");
	}
	(*n)++;
	return 0;
}

/* Length of `label` without a trailing " (enforce)"-style mode. */
static size_t without_mode(const char *label)
{
	size_t len = strlen(label);
	if (len < 4 || label[len - 1] != ')')
		return len;
	const char *open = NULL;
	for (const char *p = label; (p = strstr(p, " (")) != NULL; p++)
		open = p;
	if (open == NULL)
		return len;
	for (const char *p = open + 2; p < label + len - 1; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
			return len;
	return (size_t)(open - label);
}

int ph_audit_label_parse(const char *label, struct ph_audit_member **members, size_t *n,
			 ph_error_t *err)
{
	*members = NULL;
	*n = 0;
	const char *end = label + without_mode(label);
	const char *ns = "";
	size_t nslen = 0;
	for (const char *p = label; p < end;) {
		const char *split = strstr(p, "//&");
		const char *stop = (split && split < end) ? split : end;
		const char *name = p;
		if (*p == ':') {
			const char *colon = memchr(p + 1, ':', (size_t)(stop - p - 1));
			ns = p + 1;
			nslen = colon ? (size_t)(colon - ns) : (size_t)(stop - ns);
			name = colon ? colon + 1 : stop;
		}
		if (stop > p &&
		    add_member(members, n, ns, nslen, name, (size_t)(stop - name), err) < 0) {
			ph_audit_members_free(*members, *n);
			*members = NULL;
			*n = 0;
			return -1;
		}
		p = stop == end ? end : stop + 3;
	}
	return 0;
}

/* namespace="root//a//b" is ns->base.hname: drop the root's own name. */
static const char *below_root(const char *hname)
{
	if (strcmp(hname, "root") == 0)
		return "";
	if (strncmp(hname, "root//", 6) == 0)
		return hname + 6;
	return hname;
}

static int subject_members(struct ph_audit_record *rec, ph_error_t *err)
{
	const char *label = ph_audit_get(rec, "label");
	const char *profile = ph_audit_get(rec, "profile");
	const char *ns = ph_audit_get(rec, "namespace");
	if (label == NULL && profile && ns == NULL &&
	    (profile[0] == ':' || strstr(profile, "//&") != NULL))
		label = profile; /* a label printed where a profile name is expected */
	if (label)
		return ph_audit_label_parse(label, &rec->members, &rec->n_members, err);
	if (profile == NULL)
		return 0;
	const char *path = ns ? below_root(ns) : "";
	return add_member(&rec->members, &rec->n_members, path, strlen(path), profile,
			  strlen(profile), err);
}

/* The label, every member outside the root with its namespace. */
static int subject_label(struct ph_audit_record *rec, ph_error_t *err)
{
	size_t size = 1;
	for (size_t i = 0; i < rec->n_members; i++)
		size += strlen(rec->members[i].ns) + strlen(rec->members[i].name) + 5;
	char *s = malloc(size), *p = s;
	if (s == NULL)
		return ph_error_make(err, ENOMEM, "audit label");
	*p = '\0';
	for (size_t i = 0; i < rec->n_members; i++) {
		const struct ph_audit_member *m = &rec->members[i];
		if (i > 0)
			p = stpcpy(p, "//&");
		if (m->ns[0] != '\0')
			p += sprintf(p, ":%s:", m->ns);
		p = stpcpy(p, m->name);
	}
	rec->label = s;
	return 0;
}

/* The last path component of `ns` that is a phoenix namespace, or NULL. */
static const char *phoenix_component(const char *ns, size_t *len)
{
	const char *found = NULL;
	for (const char *p = ns; *p;) {
		const char *sep = strstr(p, "//");
		size_t n = sep ? (size_t)(sep - p) : strlen(p);
		char buf[PH_AA_NS_NAME_SIZE];
		if (n < sizeof(buf)) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			if (ph_aa_ns_is_phoenix(buf)) {
				found = p;
				*len = n;
			}
		}
		p += n + (sep ? 2 : 0);
	}
	return found;
}

static const char *last_component(const char *ns)
{
	const char *last = ns;
	for (const char *p = ns; (p = strstr(p, "//")) != NULL; p += 2)
		last = p + 2;
	return last;
}

/* Which namespace the record belongs to, and the profile seen from it:
 * the deepest member in a phoenix namespace wins (members are sorted by
 * namespace depth), else the deepest member outside the root. */
static int subject_namespace(struct ph_audit_record *rec, ph_error_t *err)
{
	const struct ph_audit_member *best = NULL;
	const char *comp = NULL;
	size_t clen = 0;
	for (size_t i = 0; i < rec->n_members; i++) {
		size_t len;
		const char *c = phoenix_component(rec->members[i].ns, &len);
		if (c) {
			best = &rec->members[i];
			comp = c;
			clen = len;
		}
	}
	rec->phoenix = best != NULL;
	if (best == NULL) {
		for (size_t i = 0; i < rec->n_members; i++)
			if (rec->members[i].ns[0] != '\0')
				best = &rec->members[i];
		if (best == NULL)
			return 0;
		comp = last_component(best->ns);
		clen = strlen(comp);
	}
	rec->ns = strndup(comp, clen);
	const char *rest = comp[clen] ? comp + clen + 2 : NULL; /* a namespace below it */
	int r = rest ? asprintf(&rec->ns_profile, ":%s:%s", rest, best->name)
		     : asprintf(&rec->ns_profile, "%s", best->name);
	if (r < 0)
		rec->ns_profile = NULL;
	if (rec->ns == NULL || rec->ns_profile == NULL)
		return ph_error_make(err, ENOMEM, "audit record");
	return 0;
}

/* ---- the record ----------------------------------------------------------- */

void ph_audit_record_release(struct ph_audit_record *rec)
{
	for (size_t i = 0; i < rec->n_fields; i++) {
		free(rec->fields[i].key);
		free(rec->fields[i].value);
	}
	free(rec->fields);
	ph_audit_members_free(rec->members, rec->n_members);
	free(rec->label);
	free(rec->ns);
	free(rec->ns_profile);
	memset(rec, 0, sizeof(*rec));
	rec->pid = rec->boot_usec = -1;
}

/* The text of one record: up to the first newline (a /dev/kmsg record
 * goes on with its dictionary) or group separator (auditd's enriched
 * format appends translated fields after 0x1d). */
static char *record_text(const char *line, size_t len)
{
	size_t n = 0;
	while (n < len && line[n] != '\n' && line[n] != '\0' && line[n] != '\x1d')
		n++;
	return strndup(line, n);
}

int ph_audit_parse(const char *line, size_t len, struct ph_audit_record *rec, ph_error_t *err)
{
	memset(rec, 0, sizeof(*rec));
	rec->pid = rec->boot_usec = -1;
	cleanup_free char *text = record_text(line, len);
	if (text == NULL)
		return ph_error_make(err, ENOMEM, "audit record");
	char *body = kmsg_prefix(text, &rec->boot_usec);
	if (body)
		kmsg_unescape(body);
	else
		body = text;
	const char *fields = find_stamp(body, strstr(body, "apparmor="), rec);
	if (fields) {
		rec->type = record_type(body, fields);
		if (*fields == ':')
			fields++;
	} else if ((fields = strstr(body, "apparmor=")) == NULL) {
		goto not_apparmor;
	}
	int r = tokenize(rec, fields, 0, err);
	if (r < 0)
		goto fail;
	if (r == 0)
		goto not_apparmor;
	rec->kind_name = ph_audit_get(rec, "apparmor");
	if (rec->kind_name == NULL || !word_valid(rec->kind_name))
		goto not_apparmor;
	rec->kind = kind_of(rec->kind_name);
	take_known(rec);
	if (subject_members(rec, err) < 0 || subject_label(rec, err) < 0 ||
	    subject_namespace(rec, err) < 0)
		goto fail;
	return 1;
not_apparmor:
	ph_audit_record_release(rec);
	return 0;
fail:
	ph_audit_record_release(rec);
	return -1;
}
