/* phoenix: one container's AppArmor records as profile rules (see
 * learn_rules.h). */
#include "learn_rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aa_glob.h"

/* One container's learning is bounded: past this many candidate records
 * (far more than one workload's distinct accesses) phoenix stops. */
#define MAX_CANDIDATES 1000000

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- the bounds ------------------------------------------------------------ */

static const char *const variables[][2] = {
    {"@{PROC}", "/proc/"},
    {"@{sys}", "/sys/"},
};

/* `glob` with the known variables expanded, or NULL (ENOMEM, or a
 * variable phoenix does not know: *unknown set). */
static char *expand_vars(const char *glob, bool *unknown)
{
	size_t size = strlen(glob) * 2 + 16;
	char *out = malloc(size), *o = out;
	if (out == NULL)
		return NULL;
	for (const char *p = glob; *p;) {
		bool done = false;
		for (size_t i = 0; i < sizeof(variables) / sizeof(variables[0]); i++) {
			size_t n = strlen(variables[i][0]);
			if (strncmp(p, variables[i][0], n) == 0) {
				o = stpcpy(o, variables[i][1]);
				p += n;
				done = true;
				break;
			}
		}
		if (!done && p[0] == '@' && p[1] == '{') {
			*unknown = true;
			free(out);
			return NULL;
		}
		if (!done)
			*o++ = *p++;
	}
	*o = '\0';
	/* "/proc//x" after expansion: the parser collapses double slashes */
	char *w = out;
	for (char *r = out; *r; r++)
		if (!(r[0] == '/' && r[1] == '/'))
			*w++ = *r;
	*w = '\0';
	return out;
}

static int add_deny(struct ph_learn_bounds *b, enum ph_learn_kind kind, char *pattern,
		    unsigned perms, ph_error_t *err)
{
	struct ph_learn_deny *nd = realloc(b->deny, (b->n + 1) * sizeof(*nd));
	if (nd == NULL) {
		free(pattern);
		return ph_error_make(err, ENOMEM, "bounds");
	}
	b->deny = nd;
	nd[b->n++] = (struct ph_learn_deny){kind, pattern, perms};
	return 0;
}

/* The letters of a file permission and the rule bits they stand for; other
 * letters (exec modes such as `i`, `P`, `u`; a mask's `:` between owner
 * and other, `t`) carry no bit of their own. */
struct perm_letter {
	char letter;
	unsigned bits;
};

/* A rule's letters (apparmor.d(5)): `w` includes append. */
static const struct perm_letter rule_letters[] = {
    {'r', PH_LP_READ},	 {'w', PH_LP_WRITE | PH_LP_APPEND},
    {'a', PH_LP_APPEND}, {'l', PH_LP_LINK},
    {'k', PH_LP_LOCK},	 {'m', PH_LP_MMAP},
    {'x', PH_LP_EXEC},	 {0, 0},
};

/* An audit record's requested_mask: create (`c`) and delete (`d`) are
 * what a rule's `w` allows. */
static const struct perm_letter mask_letters[] = {
    {'r', PH_LP_READ},	 {'w', PH_LP_WRITE},
    {'c', PH_LP_WRITE},	 {'d', PH_LP_WRITE},
    {'a', PH_LP_APPEND}, {'l', PH_LP_LINK},
    {'k', PH_LP_LOCK},	 {'m', PH_LP_MMAP},
    {'x', PH_LP_EXEC},	 {0, 0},
};

static unsigned letters_perms(const char *s, const struct perm_letter *table)
{
	unsigned p = 0;
	for (; s && *s; s++)
		for (const struct perm_letter *l = table; l->letter; l++)
			if (*s == l->letter)
				p |= l->bits;
	return p;
}

static unsigned rule_perms(const char *s)
{
	return letters_perms(s, rule_letters);
}

/* One rule's words (the trailing ',' removed). */
static int bounds_rule(struct ph_learn_bounds *b, char *rule, ph_error_t *err)
{
	char *words[4] = {NULL};
	int n = 0;
	for (char *save = NULL, *w = strtok_r(rule, " \t", &save); w && n < 4;
	     w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	int i = 0;
	if (i < n && strcmp(words[i], "audit") == 0)
		i++;
	if (i >= n || strcmp(words[i], "deny") != 0)
		return 0;
	i++;
	if (i >= n)
		return 0;
	const char *what = words[i];
	if (strcmp(what, "capability") == 0) {
		char *name = i + 1 < n ? strdup(words[i + 1]) : NULL;
		if (i + 1 < n && name == NULL)
			return ph_error_make(err, ENOMEM, "bounds");
		return add_deny(b, PH_LEARN_CAP, name, 0, err);
	}
	if (strcmp(what, "mount") == 0 || strcmp(what, "remount") == 0 ||
	    strcmp(what, "umount") == 0 || strcmp(what, "pivot_root") == 0) {
		char *name = strdup(what);
		if (name == NULL)
			return ph_error_make(err, ENOMEM, "bounds");
		return add_deny(b, PH_LEARN_MOUNT, name, 0, err);
	}
	if (what[0] != '/' && what[0] != '@')
		return 0; /* network, signal, ptrace, …: no deny of those in the bounds */
	if (i + 1 >= n)
		return 0;
	bool unknown = false;
	char *pattern = expand_vars(what, &unknown);
	if (pattern == NULL)
		return unknown ? 0 : ph_error_make(err, ENOMEM, "bounds");
	return add_deny(b, PH_LEARN_FILE, pattern, rule_perms(words[i + 1]), err);
}

int ph_learn_bounds_parse(const char *text, struct ph_learn_bounds *b, ph_error_t *err)
{
	memset(b, 0, sizeof(*b));
	cleanup_free char *copy = strdup(text);
	if (copy == NULL)
		return ph_error_make(err, ENOMEM, "bounds");
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		line += strspn(line, " \t");
		size_t len = strlen(line);
		while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (len == 0 || line[len - 1] != ',')
			continue;
		line[len - 1] = '\0';
		if (bounds_rule(b, line, err) < 0) {
			ph_learn_bounds_release(b);
			return -1;
		}
	}
	return 0;
}

void ph_learn_bounds_release(struct ph_learn_bounds *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->deny[i].pattern);
	free(b->deny);
	memset(b, 0, sizeof(*b));
}

/* The permissions of `perms` on `path` that the bounds deny. */
static unsigned bounds_file_denied(const struct ph_learn_bounds *b, const char *path,
				   unsigned perms)
{
	unsigned denied = 0;
	for (size_t i = 0; b && i < b->n; i++)
		if (b->deny[i].kind == PH_LEARN_FILE && (b->deny[i].perms & perms) &&
		    ph_aa_glob_match(b->deny[i].pattern, path))
			denied |= b->deny[i].perms & perms;
	return denied;
}

static bool bounds_denies(const struct ph_learn_bounds *b, enum ph_learn_kind kind,
			  const char *name)
{
	for (size_t i = 0; b && i < b->n; i++) {
		const struct ph_learn_deny *d = &b->deny[i];
		if (d->kind != kind)
			continue;
		if (kind == PH_LEARN_MOUNT || d->pattern == NULL || str_eq(d->pattern, name))
			return true;
	}
	return false;
}

static void file_perms_text(unsigned p, char *out);

/* ---- paths ------------------------------------------------------------------- */

unsigned ph_learn_file_perms(const char *mask)
{
	return letters_perms(mask, mask_letters);
}

/* Bytes phoenix never writes into a profile: the parser would read them
 * as syntax (quotes, escapes, variables, comments, whitespace, a rule's
 * end) or they are not text. */
static bool safe_path(const char *path)
{
	if (path[0] != '/')
		return false;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"\\@#,$^", *p) != NULL)
			return false;
	return true;
}

static const char *const temp_dirs[] = {"/tmp/", "/var/tmp/", "/dev/shm/", "/run/", NULL};

static bool in_temp_dir(const char *path)
{
	for (size_t i = 0; temp_dirs[i]; i++)
		if (starts_with(path, temp_dirs[i]))
			return true;
	return false;
}

/* A run of letters and digits that looks random: six or more, with a
 * digit and a letter, or with both cases (mktemp's XXXXXX). */
static bool random_run(const char *s, size_t n)
{
	if (n < 6)
		return false;
	bool digit = false, lower = false, upper = false;
	for (size_t i = 0; i < n; i++) {
		digit |= is_digit(s[i]);
		lower |= s[i] >= 'a' && s[i] <= 'z';
		upper |= s[i] >= 'A' && s[i] <= 'Z';
	}
	return (digit && (lower || upper)) || (lower && upper);
}

/* Append `s` (n bytes) to the buffer at *o, escaping the parser's glob
 * characters so that a name is matched literally. */
static char *put_literal(char *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr("*?[]{}", s[i]) != NULL)
			*o++ = '\\';
		*o++ = s[i];
	}
	return o;
}

/* The last component, generalised: random runs (below a temporary
 * directory) → *, digit runs → [0-9]*. */
static char *put_name(char *o, const char *name, bool temp)
{
	for (const char *p = name; *p;) {
		if (is_alnum(*p)) {
			const char *e = p;
			while (is_alnum(*e))
				e++;
			if (temp && random_run(p, (size_t)(e - p))) {
				*o++ = '*';
				p = e;
				continue;
			}
			for (; p < e;) {
				if (is_digit(*p)) {
					while (p < e && is_digit(*p))
						p++;
					o = stpcpy(o, "[0-9]*");
					/* [0-9]* already spans what follows up to a '/' */
					while (*p && *p != '/')
						p++;
					return o;
				}
				o = put_literal(o, p++, 1);
			}
			continue;
		}
		o = put_literal(o, p++, 1);
	}
	return o;
}

/* /proc/<pid>/… and /proc/<pid>/task/<tid>/…: the first component
 * after /proc/ (and after task/) all digits. */
static size_t digits_component(const char *s)
{
	size_t n = 0;
	while (is_digit(s[n]))
		n++;
	return n > 0 && (s[n] == '/' || s[n] == '\0') ? n : 0;
}

char *ph_learn_generalize(const char *path, const char **why)
{
	*why = NULL;
	if (!safe_path(path)) {
		*why = "its name holds characters phoenix does not write into a profile";
		return NULL;
	}
	size_t len = strlen(path);
	/* worst case: every byte escaped, plus the variable names */
	char *out = malloc(len * 7 + 64), *o = out;
	if (out == NULL)
		return NULL;
	const char *p = path;
	size_t n;
	if (starts_with(p, "/proc/") && (n = digits_component(p + 6)) > 0) {
		o = stpcpy(o, "@{PROC}/@{pid}");
		p += 6 + n;
		if (starts_with(p, "/task/") && (n = digits_component(p + 6)) > 0) {
			o = stpcpy(o, "/task/@{tid}");
			p += 6 + n;
		}
		o = put_literal(o, p, strlen(p));
		*o = '\0';
		return out;
	}
	const char *slash = strrchr(p, '/');
	o = put_literal(o, p, (size_t)(slash + 1 - p));
	o = put_name(o, slash + 1, in_temp_dir(path));
	*o = '\0';
	return out;
}

/* ---- collecting ------------------------------------------------------------- */

void ph_learn_init(struct ph_learn *l, const char *profile, const struct ph_learn_bounds *bounds)
{
	memset(l, 0, sizeof(*l));
	l->profile = profile;
	l->bounds = bounds;
	l->first_sec = -1;
}

int ph_learn_note(struct ph_learn *l, ph_error_t *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return ph_error_make(err, ENOMEM, "learn");
	for (size_t i = 0; i < l->n_notes; i++)
		if (strcmp(l->notes[i], s) == 0) {
			free(s);
			return 0;
		}
	char **nv = realloc(l->notes, (l->n_notes + 1) * sizeof(char *));
	if (nv == NULL) {
		free(s);
		return ph_error_make(err, ENOMEM, "learn");
	}
	l->notes = nv;
	nv[l->n_notes++] = s;
	return 0;
}

static void rule_release(struct ph_learn_rule *r)
{
	free(r->a);
	free(r->b);
}

/* Take ownership of a, b. */
static int add_candidate(struct ph_learn *l, const struct ph_audit_record *rec,
			 enum ph_learn_kind kind, char *a, char *b, unsigned perms, const char *key,
			 ph_error_t *err)
{
	if (l->n_cand >= MAX_CANDIDATES) {
		free(a);
		free(b);
		return ph_error_make(err, E2BIG, "learn: more than %d records to learn from",
				     MAX_CANDIDATES);
	}
	if (l->n_cand == l->cap_cand) {
		size_t ncap = l->cap_cand ? l->cap_cand * 2 : 64;
		struct ph_learn_candidate *nc = realloc(l->cand, ncap * sizeof(*nc));
		if (nc == NULL) {
			free(a);
			free(b);
			return ph_error_make(err, ENOMEM, "learn");
		}
		l->cand = nc;
		l->cap_cand = ncap;
	}
	struct ph_learn_candidate *c = &l->cand[l->n_cand];
	memset(c, 0, sizeof(*c));
	c->rule = (struct ph_learn_rule){kind, a, b, perms, 1};
	c->pid = rec->pid;
	c->sec = rec->has_stamp ? rec->sec : -1;
	c->op = strdup(rec->operation ? rec->operation : "");
	c->key = strdup(key ? key : "");
	if ((a == NULL && kind != PH_LEARN_NET) || c->op == NULL || c->key == NULL) {
		rule_release(&c->rule);
		free(c->op);
		free(c->key);
		return ph_error_make(err, ENOMEM, "learn");
	}
	l->n_cand++;
	return 0;
}

static const char *const file_ops[] = {
    "open",	    "exec",	    "mknod",	 "link",	  "rename_src", "rename_dest",
    "unlink",	    "rmdir",	    "mkdir",	 "truncate",	  "chmod",	"chown",
    "getattr",	    "setattr",	    "file_mmap", "file_mprotect", "file_lock",	"file_perm",
    "file_receive", "file_inherit", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; s && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static int learn_file(struct ph_learn *l, const struct ph_audit_record *rec, ph_error_t *err)
{
	const char *name = rec->name;
	if (name == NULL)
		return ph_learn_note(l, err, "not learned: %s without a name", rec->operation);
	if (rec->info && strstr(rec->info, "Failed name lookup"))
		return ph_learn_note(l, err, "not learned: %s %s: %s", rec->operation, name,
				     rec->info);
	unsigned perms = ph_learn_file_perms(rec->requested);
	if (perms == 0)
		return 0;
	unsigned denied = bounds_file_denied(l->bounds, name, perms);
	if (denied) {
		char text[16];
		file_perms_text(denied, text);
		if (ph_learn_note(l, err, "not learned: %s %s %s (denied by phoenix's bounds)",
				  rec->operation, name, text) < 0)
			return -1;
		perms &= ~denied;
		if (perms == 0)
			return 0;
	}
	const char *why;
	char *path = ph_learn_generalize(name, &why);
	if (path == NULL && why)
		return ph_learn_note(l, err, "not learned: %s of a file: %s", rec->operation, why);
	if (path == NULL)
		return ph_error_make(err, ENOMEM, "learn");
	return add_candidate(l, rec, PH_LEARN_FILE, path, NULL, perms, name, err);
}

/* Who a signal or ptrace peer is, seen from the container's namespace:
 * the recording profile (or a child of it), the namespace's unconfined
 * (the runtime), or something else.  Returns the rule's peer or NULL. */
static const char *peer_of(const struct ph_learn *l, const char *peer)
{
	if (peer == NULL)
		return NULL;
	bool self = false, unconfined = false;
	char buf[1024];
	size_t len = strlen(peer);
	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, peer, len + 1);
	char *mode = strstr(buf, " (");
	if (mode)
		*mode = '\0';
	for (char *m = buf; m;) {
		char *next = strstr(m, "//&");
		if (next) {
			*next = '\0';
			next += 3;
		}
		size_t plen = strlen(l->profile);
		if (m[0] == ':') {
			/* a member in another namespace: only its unconfined
			 * (the runtime's stack) is no peer of its own */
			const char *colon = strchr(m + 1, ':');
			if (colon == NULL || strcmp(colon + 1, "unconfined") != 0)
				return NULL;
		} else if (strcmp(m, l->profile) == 0 ||
			   (strncmp(m, l->profile, plen) == 0 && strncmp(m + plen, "//", 2) == 0)) {
			self = true;
		} else if (strcmp(m, "unconfined") == 0) {
			unconfined = true;
		} else {
			return NULL;
		}
		m = next;
	}
	if (self && !unconfined)
		return "@{profile_name}";
	if (unconfined && !self)
		return "unconfined";
	return NULL;
}

static unsigned peer_perms(const char *mask)
{
	unsigned p = 0;
	cleanup_free char *copy = strdup(mask ? mask : "");
	if (copy == NULL)
		return 0;
	for (char *save = NULL, *w = strtok_r(copy, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "send") == 0 || strcmp(w, "read") == 0)
			p |= 1;
		else if (strcmp(w, "receive") == 0 || strcmp(w, "trace") == 0)
			p |= 2;
		else if (strcmp(w, "readby") == 0)
			p |= 4;
		else if (strcmp(w, "tracedby") == 0)
			p |= 8;
	}
	return p;
}

static int learn_peer(struct ph_learn *l, const struct ph_audit_record *rec,
		      enum ph_learn_kind kind, ph_error_t *err)
{
	const char *what = kind == PH_LEARN_SIGNAL ? "signal" : "ptrace";
	const char *peer = peer_of(l, rec->peer);
	if (peer == NULL)
		return ph_learn_note(l, err, "not learned: %s %s peer `%s` (outside the container)",
				     what, rec->requested ? rec->requested : "",
				     rec->peer ? rec->peer : "");
	unsigned perms = peer_perms(rec->requested);
	if (perms == 0)
		return 0;
	char *set = NULL;
	if (kind == PH_LEARN_SIGNAL) {
		const char *sig = rec->signal ? rec->signal : "";
		for (const char *p = sig; *p; p++)
			if (!is_alnum(*p) && *p != '-')
				return ph_learn_note(l, err, "not learned: signal `%s`", sig);
		set = strdup(sig);
		if (set == NULL)
			return ph_error_make(err, ENOMEM, "learn");
	} else {
		set = strdup("");
		if (set == NULL)
			return ph_error_make(err, ENOMEM, "learn");
	}
	char *b = strdup(peer);
	if (b == NULL) {
		free(set);
		return ph_error_make(err, ENOMEM, "learn");
	}
	return add_candidate(l, rec, kind, set, b, perms, rec->peer, err);
}

static bool word_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!is_alnum(*s) && *s != '_')
			return false;
	return true;
}

static int learn_cap(struct ph_learn *l, const struct ph_audit_record *rec, ph_error_t *err)
{
	const char *cap = rec->capname;
	if (!word_ok(cap))
		return ph_learn_note(l, err, "not learned: capability `%s`", cap ? cap : "");
	if (bounds_denies(l->bounds, PH_LEARN_CAP, cap))
		return ph_learn_note(
		    l, err, "not learned: capability %s (denied by phoenix's bounds)", cap);
	char *a = strdup(cap);
	if (a == NULL)
		return ph_error_make(err, ENOMEM, "learn");
	return add_candidate(l, rec, PH_LEARN_CAP, a, NULL, 0, cap, err);
}

static int learn_net(struct ph_learn *l, const struct ph_audit_record *rec, ph_error_t *err)
{
	const char *family = ph_audit_get(rec, "family");
	const char *type = ph_audit_get(rec, "sock_type");
	if (!word_ok(family) || (type && !word_ok(type)))
		return ph_learn_note(l, err, "not learned: network %s %s", family ? family : "?",
				     type ? type : "");
	char *a = strdup(family), *b = type ? strdup(type) : NULL;
	if (a == NULL || (type && b == NULL)) {
		free(a);
		free(b);
		return ph_error_make(err, ENOMEM, "learn");
	}
	return add_candidate(l, rec, PH_LEARN_NET, a, b, 0, family, err);
}

static int learn_mount(struct ph_learn *l, const struct ph_audit_record *rec, ph_error_t *err)
{
	const char *op = rec->operation;
	const char *mnt = rec->name ? rec->name : "";
	if (bounds_denies(l->bounds, PH_LEARN_MOUNT, op))
		return ph_learn_note(l, err, "not learned: %s %s (denied by phoenix's bounds)", op,
				     mnt);
	const char *fstype = ph_audit_get(rec, "fstype");
	const char *src = ph_audit_get(rec, "srcname");
	const char *why;
	cleanup_free char *m = ph_learn_generalize(mnt, &why);
	if (m == NULL || (fstype && !word_ok(fstype)) || (src && !safe_path(src)))
		return ph_learn_note(l, err, "not learned: %s %s", op, mnt);
	char *text = NULL;
	int r = strcmp(op, "mount") == 0
		    ? asprintf(&text, "mount%s%s %s -> %s", fstype ? " fstype=" : "",
			       fstype ? fstype : "", src ? src : "", m)
		    : asprintf(&text, "%s %s", strcmp(op, "umount") == 0 ? "umount" : op, m);
	if (r < 0)
		return ph_error_make(err, ENOMEM, "learn");
	return add_candidate(l, rec, PH_LEARN_MOUNT, text, NULL, 0, mnt, err);
}

static void note_time(struct ph_learn *l, const struct ph_audit_record *rec)
{
	if (!rec->has_stamp)
		return;
	if (l->first_sec < 0 || rec->sec < l->first_sec)
		l->first_sec = rec->sec;
	if (rec->sec > l->last_sec)
		l->last_sec = rec->sec;
}

/* The record's profile, seen from the container's namespace, is the
 * recording profile or a child of it (complain mode's null- profiles). */
static bool from_recording_profile(const struct ph_learn *l, const struct ph_audit_record *rec)
{
	const char *p = rec->ns_profile;
	size_t n = strlen(l->profile);
	return p && strncmp(p, l->profile, n) == 0 &&
	       (p[n] == '\0' || strncmp(p + n, "//", 2) == 0);
}

int ph_learn_add(struct ph_learn *l, const struct ph_audit_record *rec, ph_error_t *err)
{
	if (rec->kind == PH_AUDIT_STATUS)
		return 0;
	l->records++;
	note_time(l, rec);
	const char *op = rec->operation ? rec->operation : "";
	if (!from_recording_profile(l, rec))
		return ph_learn_note(l, err,
				     "not learned: records of profile `%s` (not the recording "
				     "profile `%s`)",
				     rec->ns_profile ? rec->ns_profile : "", l->profile);
	if (rec->kind == PH_AUDIT_DENIED || rec->kind == PH_AUDIT_KILLED)
		return ph_learn_note(l, err, "not learned: %s %s (denied while recording)", op,
				     rec->name	    ? rec->name
				     : rec->capname ? rec->capname
						    : "");
	/* ALLOWED: complain mode's; AUDIT: an exec by the recording
	 * profile's audit rule for every exec (profiles/container/phoenix-learn) */
	if (rec->kind != PH_AUDIT_ALLOWED && rec->kind != PH_AUDIT_AUDIT)
		return 0;
	if (strcmp(op, "change_profile") == 0 || strcmp(op, "change_hat") == 0 ||
	    strcmp(op, "change_onexec") == 0)
		return ph_learn_note(
		    l, err, "not learned: %s %s (a learned profile never changes profile)", op,
		    rec->name	  ? rec->name
		    : rec->target ? rec->target
				  : "");
	if (strcmp(op, "capable") == 0)
		return learn_cap(l, rec, err);
	if (strcmp(op, "signal") == 0)
		return learn_peer(l, rec, PH_LEARN_SIGNAL, err);
	if (strcmp(op, "ptrace") == 0)
		return learn_peer(l, rec, PH_LEARN_PTRACE, err);
	if (strcmp(op, "mount") == 0 || strcmp(op, "umount") == 0 || strcmp(op, "pivotroot") == 0 ||
	    strcmp(op, "remount") == 0)
		return learn_mount(l, rec, err);
	if (str_eq(rec->class_name, "net") || ph_audit_get(rec, "family") != NULL)
		return learn_net(l, rec, err);
	if (str_eq(rec->class_name, "file") || in_list(file_ops, op))
		return learn_file(l, rec, err);
	return ph_learn_note(
	    l, err, "not learned: operation `%s`%s%s (a class phoenix does not learn)", op,
	    rec->class_name ? " of class " : "", rec->class_name ? rec->class_name : "");
}

int ph_learn_add_denial(struct ph_learn *l, const struct ph_audit_record *rec, ph_error_t *err)
{
	if (rec->kind != PH_AUDIT_DENIED && rec->kind != PH_AUDIT_KILLED)
		return 0;
	if (l->n_denials == l->cap_denials) {
		size_t ncap = l->cap_denials ? l->cap_denials * 2 : 16;
		if (ncap > MAX_CANDIDATES)
			return ph_error_make(err, E2BIG, "learn: too many denials of other labels");
		struct ph_learn_denial *nd = realloc(l->denials, ncap * sizeof(*nd));
		if (nd == NULL)
			return ph_error_make(err, ENOMEM, "learn");
		l->denials = nd;
		l->cap_denials = ncap;
	}
	struct ph_learn_denial *d = &l->denials[l->n_denials];
	const char *key = rec->name ? rec->name : rec->capname ? rec->capname : rec->peer;
	d->pid = rec->pid;
	d->sec = rec->has_stamp ? rec->sec : -1;
	d->op = strdup(rec->operation ? rec->operation : "");
	d->key = strdup(key ? key : "");
	d->by = strdup(rec->label ? rec->label : "?");
	if (d->op == NULL || d->key == NULL || d->by == NULL) {
		free(d->op);
		free(d->key);
		free(d->by);
		return ph_error_make(err, ENOMEM, "learn");
	}
	l->n_denials++;
	return 0;
}

/* ---- merging ------------------------------------------------------------------- */

static const struct ph_learn_denial *denied_elsewhere(const struct ph_learn *l,
						      const struct ph_learn_candidate *c)
{
	for (size_t i = 0; i < l->n_denials; i++) {
		const struct ph_learn_denial *d = &l->denials[i];
		if (d->pid != c->pid || strcmp(d->op, c->op) != 0 || strcmp(d->key, c->key) != 0)
			continue;
		if (d->sec < 0 || c->sec < 0 || llabs(d->sec - c->sec) <= 2)
			return d;
	}
	return NULL;
}

static bool same_key(const struct ph_learn_rule *a, const struct ph_learn_rule *b)
{
	if (a->kind != b->kind || !str_eq(a->a, b->a))
		return false;
	if (a->kind == PH_LEARN_NET)
		return (a->b == NULL && b->b == NULL) || str_eq(a->b, b->b);
	if (a->kind == PH_LEARN_SIGNAL || a->kind == PH_LEARN_PTRACE)
		return str_eq(a->b, b->b);
	return true;
}

static int merge(struct ph_learn *l, struct ph_learn_rule *r, ph_error_t *err)
{
	for (size_t i = 0; i < l->n_rules; i++)
		if (same_key(&l->rules[i], r)) {
			l->rules[i].perms |= r->perms;
			l->rules[i].hits++;
			rule_release(r);
			return 0;
		}
	struct ph_learn_rule *nr = realloc(l->rules, (l->n_rules + 1) * sizeof(*nr));
	if (nr == NULL) {
		rule_release(r);
		return ph_error_make(err, ENOMEM, "learn");
	}
	l->rules = nr;
	nr[l->n_rules++] = *r;
	return 0;
}

static int cmp_rules(const void *pa, const void *pb)
{
	const struct ph_learn_rule *a = pa, *b = pb;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	int c = strcmp(a->a ? a->a : "", b->a ? b->a : "");
	return c ? c : strcmp(a->b ? a->b : "", b->b ? b->b : "");
}

int ph_learn_finish(struct ph_learn *l, ph_error_t *err)
{
	int r = 0;
	for (size_t i = 0; i < l->n_cand; i++) {
		struct ph_learn_candidate *c = &l->cand[i];
		const struct ph_learn_denial *d = r == 0 ? denied_elsewhere(l, c) : NULL;
		if (d) {
			r = ph_learn_note(l, err, "not learned: %s %s (denied by `%s`)", c->op,
					  c->key, d->by);
			rule_release(&c->rule);
		} else if (r == 0) {
			r = merge(l, &c->rule, err);
		} else {
			rule_release(&c->rule);
		}
		free(c->op);
		free(c->key);
	}
	free(l->cand);
	l->cand = NULL;
	l->n_cand = l->cap_cand = 0;
	if (l->n_rules > 1)
		qsort(l->rules, l->n_rules, sizeof(*l->rules), cmp_rules);
	return r;
}

void ph_learn_release(struct ph_learn *l)
{
	for (size_t i = 0; i < l->n_cand; i++) {
		rule_release(&l->cand[i].rule);
		free(l->cand[i].op);
		free(l->cand[i].key);
	}
	free(l->cand);
	for (size_t i = 0; i < l->n_denials; i++) {
		free(l->denials[i].op);
		free(l->denials[i].key);
		free(l->denials[i].by);
	}
	free(l->denials);
	for (size_t i = 0; i < l->n_rules; i++)
		rule_release(&l->rules[i]);
	free(l->rules);
	for (size_t i = 0; i < l->n_notes; i++)
		free(l->notes[i]);
	free(l->notes);
	memset(l, 0, sizeof(*l));
}

/* ---- the profile text ----------------------------------------------------------- */

struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	if (b->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t ncap = (b->len + (size_t)n + 1) * 2;
		char *ns = realloc(b->s, ncap);
		if (ns == NULL) {
			free(s);
			b->failed = true;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, (size_t)n + 1);
	b->len += (size_t)n;
	free(s);
}

static void file_perms_text(unsigned p, char *out)
{
	char *o = out;
	if (p & PH_LP_MMAP)
		*o++ = 'm';
	if (p & PH_LP_READ)
		*o++ = 'r';
	if (p & PH_LP_WRITE)
		*o++ = 'w';
	else if (p & PH_LP_APPEND)
		*o++ = 'a';
	if (p & PH_LP_LINK)
		*o++ = 'l';
	if (p & PH_LP_LOCK)
		*o++ = 'k';
	if (p & PH_LP_EXEC) {
		*o++ = 'i';
		*o++ = 'x';
	}
	*o = '\0';
}

static void peer_perms_text(enum ph_learn_kind kind, unsigned p, char *out, size_t size)
{
	static const char *const sig[] = {"send", "receive", NULL, NULL};
	static const char *const pt[] = {"read", "trace", "readby", "tracedby"};
	const char *const *names = kind == PH_LEARN_SIGNAL ? sig : pt;
	out[0] = '\0';
	for (int i = 0; i < 4; i++)
		if ((p & (1u << i)) && names[i]) {
			if (out[0])
				strncat(out, ", ", size - strlen(out) - 1);
			strncat(out, names[i], size - strlen(out) - 1);
		}
}

static void render_rule(struct buf *b, const struct ph_learn_rule *r)
{
	char perms[64];
	switch (r->kind) {
	case PH_LEARN_CAP:
		put(b, "  capability %s,\n", r->a);
		break;
	case PH_LEARN_NET:
		put(b, "  network %s%s%s,\n", r->a, r->b ? " " : "", r->b ? r->b : "");
		break;
	case PH_LEARN_SIGNAL:
		peer_perms_text(r->kind, r->perms, perms, sizeof(perms));
		if (r->a[0])
			put(b, "  signal (%s) set=(%s) peer=%s,\n", perms, r->a, r->b);
		else
			put(b, "  signal (%s) peer=%s,\n", perms, r->b);
		break;
	case PH_LEARN_PTRACE:
		peer_perms_text(r->kind, r->perms, perms, sizeof(perms));
		put(b, "  ptrace (%s) peer=%s,\n", perms, r->b);
		break;
	case PH_LEARN_MOUNT:
		put(b, "  %s,\n", r->a);
		break;
	case PH_LEARN_FILE:
		file_perms_text(r->perms, perms);
		put(b, "  %s %s,\n", r->a, perms);
		break;
	}
}

static const char *const section[] = {
    [PH_LEARN_FILE] = "files",	   [PH_LEARN_CAP] = "capabilities", [PH_LEARN_NET] = "network",
    [PH_LEARN_SIGNAL] = "signals", [PH_LEARN_PTRACE] = "ptrace",    [PH_LEARN_MOUNT] = "mounts",
};

int ph_learn_render(const struct ph_learn *l, const char *name, const char *bounds_path,
		    const char *comment, char **text, ph_error_t *err)
{
	struct buf b = {0};
	if (comment)
		put(&b, "%s", comment);
	put(&b, "abi <abi/3.0>,\n\ninclude <tunables/global>\n\n");
	put(&b, "profile %s flags=(attach_disconnected,mediate_deleted) {\n", name);
	put(&b, "  include <abstractions/base>\n");
	put(&b, "  include \"%s\"\n", bounds_path);
	int last = -1;
	for (size_t i = 0; i < l->n_rules; i++) {
		const struct ph_learn_rule *r = &l->rules[i];
		if ((int)r->kind != last) {
			put(&b, "\n  # %s\n", section[r->kind]);
			last = (int)r->kind;
		}
		render_rule(&b, r);
	}
	put(&b, "}\n");
	if (b.failed) {
		free(b.s);
		return ph_error_make(err, ENOMEM, "learn: profile text");
	}
	*text = b.s;
	return 0;
}
