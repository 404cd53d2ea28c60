/* phoenix: one AppArmor audit record (see audit_parse.h). */
#include "audit_parse.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aalogparse/aalogparse.h>

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

/* audit_log_n_hex() writes uppercase digits */
static bool upper_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'a' && s[i] <= 'f')
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
	bool hex = !quoted && in_list(untrusted_keys, f->key) && all_hex(val, vlen);
	f->value = hex ? decode_hex(val, vlen) : strndup(val, vlen);
	if (f->value == NULL) {
		free(f->key);
		return ph_error_make(err, ENOMEM, "audit record");
	}
	f->quoted = quoted;
	f->hex = hex && upper_hex(val, vlen);
	rec->n_fields++;
	return 0;
}

/* key=value, key="value" or key='value' pairs; words that are not pairs
 * (the "AVC" of a journal line) are skipped.  A quote that never closes
 * means the line was cut: returns 0.  A quoted msg='...' (USER_AVC
 * records of user-space enforcers) is read for the fields inside it. */
static int tokenize(struct ph_audit_record *rec, const char *p, int depth, bool *stray,
		    ph_error_t *err)
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
			*stray = true;
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
			int r = tokenize(rec, inner, depth + 1, stray, err);
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

/* ---- libapparmor's parser ------------------------------------------------ */

/* libapparmor's parse_record() (aalogparse.h) reads the fields phoenix
 * shows for most records; phoenix hands it the AVC records its grammar
 * reads and takes the values it gives for those fields.  Measured with libapparmor 3.0.8
 * (Debian 12) on the records of tests/bats/fixtures (Debian 6.1's
 * dmesg and /dev/kmsg, auditd lines) and of a run of the integration
 * VM (integration/tests/phoenix-core.bats, "learn: ..."):
 *  - right, the same as phoenix's own reading in every record it
 *    accepted: operation, profile (hats and complain mode's null-
 *    children included), namespace, name (hex decoded), comm, pid,
 *    requested_mask, denied_mask, info, capname (as name), the target of
 *    exec and change_profile (name2), ptrace's peer, the audit stamp;
 *  - the envelope: it rejects /dev/kmsg records ("5,399,14416531,-;audit:
 *    type=1400 ..."), journal lines ("audit: type=1400 audit(...)") and
 *    "type=1400 audit(...)"; it reads only "type=AVC msg=audit(...)" and
 *    dmesg's "[    8.96] audit: ...".  phoenix strips the envelope itself
 *    and hands it "type=AVC msg=audit(S.MS:N): FIELDS";
 *  - a key its grammar lacks makes the whole record invalid (event
 *    AA_RECORD_INVALID, the rest of the line in info): class= (on
 *    every record of newer kernels; 6.1's records lack it), ns= (a
 *    profile load into a policy namespace), a signal record's
 *    requested= and denied=, execpath=, peer_addr=, a unix socket's
 *    addr=none; so does a value of another
 *    shape than its grammar's (hex for peer= or target=, which the kernel
 *    writes as hex when they hold a space), and KILLED records;
 *  - such a rejected record leaks the info= read before the failing key
 *    (28 bytes for a profile load's info="failed to prepare namespace"
 *    followed by ns=, found by LeakSanitizer in `make fuzz`): a reader of
 *    `phoenix denials --follow` would grow with every one.  So do a key
 *    that sets a member another key set (name= and capname=, profile=
 *    and label=: grammar.y assigns without freeing), a value its scanner
 *    lexes into more tokens than phoenix reads (lowercase or odd hex, a
 *    bare word where it wants a string, pid=-1, a quoted value ending in
 *    a backslash, key='value').  So phoenix hands it only records whose
 *    every key is one of its grammar's, each member set once, each value
 *    of the shape it reads (aa_readable(), the shapes measured key by
 *    key), and nothing else;
 *  - a backslash in a quoted value is taken for an escape and dropped
 *    ("/tmp/back\\slash" becomes "/tmp/backslash"); the kernel writes it
 *    as it is (audit_log_n_untrustedstring() quotes any string without a
 *    control character, a space or a quote), so such a value stays
 *    phoenix's;
 *  - a stack (label=, or a label in profile=) is given as one string,
 *    never split into its members and their namespaces;
 *  - error=-13 becomes 13 (the sign is lost), an absent pid 0, and a
 *    USER_AVC record's exe= its comm;
 *  - it has no list of the record's fields (denials shows the others).
 * So phoenix's own tokenizer still reads every record (the field list),
 * and alone what libapparmor rejects; the members, the error and every
 * field it lacks are always phoenix's.  rec->libapparmor says which. */

/* The keys of libapparmor 3.0.8's grammar that kernel AVC records carry,
 * with the value shapes it reads (measured key by key): in quotes; in
 * quotes or as hex (audit_log_untrustedstring()'s form); a number. */
enum aa_shape { AA_QUOTED, AA_QUOTED_OR_HEX, AA_NUMBER, AA_ERRNO, AA_SIGNAL };

/* `member` is the aa_log_record member the grammar's rule for the key
 * sets (grammar.y's key: rules).  Two keys set one member (name= and
 * capname= both set name, profile= and label= both set profile) and
 * the second assignment leaks the first value (LeakSanitizer, `make
 * fuzz`): a record may carry each member once. */
static const struct {
	const char *key;
	const char *member;
	enum aa_shape shape;
} aa_keys[] = {
    {"apparmor", "event", AA_QUOTED},
    {"operation", "operation", AA_QUOTED},
    {"info", "info", AA_QUOTED},
    {"requested_mask", "requested_mask", AA_QUOTED},
    {"denied_mask", "denied_mask", AA_QUOTED},
    {"target", "name2", AA_QUOTED},
    {"capname", "name", AA_QUOTED},
    {"family", "net_family", AA_QUOTED},
    {"sock_type", "net_sock_type", AA_QUOTED},
    {"peer", "peer", AA_QUOTED},
    {"fstype", "fs_type", AA_QUOTED},
    {"srcname", "src_name", AA_QUOTED},
    {"flags", "flags", AA_QUOTED},
    {"attribute", "attribute", AA_QUOTED},
    {"profile", "profile", AA_QUOTED_OR_HEX},
    {"label", "profile", AA_QUOTED_OR_HEX},
    {"namespace", "namespace", AA_QUOTED_OR_HEX},
    {"name", "name", AA_QUOTED_OR_HEX},
    {"comm", "comm", AA_QUOTED_OR_HEX},
    {"error", "error_code", AA_ERRNO},
    {"pid", "pid", AA_NUMBER},
    {"fsuid", "fsuid", AA_NUMBER},
    {"ouid", "ouid", AA_NUMBER},
    {"capability", "capability", AA_NUMBER},
    {"peer_pid", "peer_pid", AA_NUMBER},
    {"parent", "parent", AA_NUMBER},
    {"protocol", "net_protocol", AA_NUMBER},
    {"signal", "signal", AA_SIGNAL},
};

#define N_AA_KEYS (sizeof(aa_keys) / sizeof(aa_keys[0]))

static bool aa_number(const char *v)
{
	if (!is_digit(*v) || strlen(v) > 18)
		return false;
	for (; *v; v++)
		if (!is_digit(*v))
			return false;
	return true;
}

static bool aa_word(const char *v)
{
	if (*v == '\0')
		return false;
	for (; *v; v++)
		if (!is_key_char(*v))
			return false;
	return true;
}

static bool aa_shape_fits(const struct ph_audit_field *f, enum aa_shape shape)
{
	switch (shape) {
	case AA_QUOTED:
		return f->quoted;
	case AA_QUOTED_OR_HEX:
		/* its hex is [A-F0-9] pairs, the longest run of them a value
		 * (scanner.l, hexstring): anything else is lexed as more keys */
		return f->quoted || f->hex;
	case AA_NUMBER:
		return !f->quoted && aa_number(f->value);
	case AA_ERRNO: /* the grammar's one "-" DIGITS */
		return !f->quoted && aa_number(f->value[0] == '-' ? f->value + 1 : f->value);
	case AA_SIGNAL:
		return !f->quoted && aa_word(f->value);
	}
	return false;
}

static bool odd_backslashes_at_end(const char *v)
{
	size_t n = strlen(v), run = 0;
	while (run < n && v[n - 1 - run] == '\\')
		run++;
	return run % 2 == 1;
}

/* Whether libapparmor's grammar reads every field of the record (`text`,
 * nothing but key=value pairs: ph_audit_parse() checks), each member of
 * aa_log_record set once;
 * the kinds it knows; printable ASCII only, as the kernel writes it. */
static bool aa_readable(const struct ph_audit_record *rec, const char *text)
{
	static const char *const kinds[] = {"DENIED", "ALLOWED", "AUDIT", "STATUS", NULL};
	if (!in_list(kinds, rec->kind_name) || rec->n_fields == 0 ||
	    strcmp(rec->fields[0].key, "apparmor") != 0)
		return false;
	/* the kernel's order: "): apparmor=..." (audit_pre()) */
	if (strncmp(text, " apparmor=\"", 11) != 0)
		return false;
	for (const char *p = text; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	/* key='value': phoenix reads it quoted, its scanner a quote token
	 * (the kernel never writes one) */
	if (strstr(text, "='") != NULL)
		return false;
	/* each key sets a member of its own: no more fields than keys */
	size_t key_of[N_AA_KEYS];
	if (rec->n_fields > N_AA_KEYS)
		return false;
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct ph_audit_field *f = &rec->fields[i];
		size_t k = 0;
		while (k < N_AA_KEYS && strcmp(aa_keys[k].key, f->key) != 0)
			k++;
		if (k == N_AA_KEYS || !aa_shape_fits(f, aa_keys[k].shape))
			return false;
		/* a value it would split or end early: a quote inside hex */
		if (!f->quoted && strchr(f->value, '"') != NULL)
			return false;
		/* or read on past its closing quote: its quoted strings take a
		 * backslash for an escape (scanner.l, quoted_string), so an odd
		 * run of them at the end escapes the quote */
		if (f->quoted && odd_backslashes_at_end(f->value))
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(aa_keys[key_of[j]].member, aa_keys[k].member) == 0)
				return false;
		key_of[i] = k;
	}
	return true;
}

/* The value libapparmor gives for `key` (NULL: keep phoenix's). */
static const char *aa_value(const aa_log_record *a, const char *key)
{
	if (strcmp(key, "operation") == 0)
		return a->operation;
	if (strcmp(key, "profile") == 0)
		return a->profile;
	if (strcmp(key, "namespace") == 0)
		return a->namespace;
	if (strcmp(key, "name") == 0 || strcmp(key, "capname") == 0)
		return a->name;
	if (strcmp(key, "comm") == 0)
		return a->comm;
	if (strcmp(key, "info") == 0)
		return a->info;
	if (strcmp(key, "requested_mask") == 0)
		return a->requested_mask;
	if (strcmp(key, "denied_mask") == 0)
		return a->denied_mask;
	if (strcmp(key, "target") == 0)
		return a->name2;
	if (strcmp(key, "peer") == 0)
		return a->peer;
	return NULL;
}

static bool aa_kind_matches(const aa_log_record *a, const char *word)
{
	switch (a->event) {
	case AA_RECORD_DENIED:
		return strcmp(word, "DENIED") == 0;
	case AA_RECORD_ALLOWED:
		return strcmp(word, "ALLOWED") == 0;
	case AA_RECORD_AUDIT:
		return strcmp(word, "AUDIT") == 0;
	case AA_RECORD_STATUS:
		return strcmp(word, "STATUS") == 0;
	default:
		return false;
	}
}

static void free_aa_record(aa_log_record **a)
{
	if (*a)
		free_record(*a);
}
#define cleanup_aa_record __attribute__((cleanup(free_aa_record)))

/* Hand the record's fields (the text after the stamp) to parse_record()
 * and take its values for the fields it covers.  Returns 0 (whether or
 * not it accepted the record), -1 with *err set when memory runs out. */
static int from_libapparmor(struct ph_audit_record *rec, const char *fields, ph_error_t *err)
{
	if (!aa_readable(rec, fields))
		return 0;
	cleanup_free char *line = NULL;
	if (asprintf(&line, "type=AVC msg=audit(%lld.%03d:%llu): %s", rec->sec, rec->msec,
		     rec->serial, fields) < 0)
		return ph_error_make(err, ENOMEM, "audit record");
	cleanup_aa_record aa_log_record *a = parse_record(line);
	if (a == NULL || a->version != AA_RECORD_SYNTAX_V2 || a->event == AA_RECORD_INVALID ||
	    a->epoch != rec->sec || a->audit_sub_id != rec->serial)
		return 0;
	const char *word = ph_audit_get(rec, "apparmor");
	if (word == NULL || !aa_kind_matches(a, word))
		return 0;
	for (size_t i = 0; i < rec->n_fields; i++) {
		const char *v = aa_value(a, rec->fields[i].key);
		if (v == NULL || strcmp(v, rec->fields[i].value) == 0 ||
		    strchr(rec->fields[i].value, '\\') != NULL)
			continue;
		char *copy = strdup(v);
		if (copy == NULL)
			return ph_error_make(err, ENOMEM, "audit record");
		free(rec->fields[i].value);
		rec->fields[i].value = copy;
	}
	if (a->pid > 0 && ph_audit_get(rec, "pid"))
		rec->pid = (long long)a->pid;
	rec->libapparmor = true;
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
	bool stray = false;
	int r = tokenize(rec, fields, 0, &stray, err);
	if (r < 0)
		goto fail;
	if (r == 0)
		goto not_apparmor;
	rec->kind_name = ph_audit_get(rec, "apparmor");
	if (rec->kind_name == NULL || !word_valid(rec->kind_name))
		goto not_apparmor;
	rec->kind = kind_of(rec->kind_name);
	if (rec->has_stamp && rec->type == 1400 && !stray && from_libapparmor(rec, fields, err) < 0)
		goto fail;
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
