/* phoenix: turning one container's AppArmor records into profile rules,
 * the way aa-logprof does it, but without questions.
 *
 * The container ran under the recording profile (phoenix-learn: no rules
 * but phoenix's bounds, complain mode) in its own policy namespace, still
 * stacked under the host's profile.  Complain mode logs every access the
 * profile does not allow as apparmor="ALLOWED"; each such record becomes
 * a candidate rule:
 *
 *   file      (class file, or a file operation)  path + r/w/a/l/k/m/ix
 *   capability  operation="capable"              capability NAME,
 *   network   (class net)                         network FAMILY TYPE,
 *   signal    operation="signal"                  signal (PERMS) set=(SIG) peer=PEER,
 *   ptrace    operation="ptrace"                  ptrace (PERMS) peer=PEER,
 *   mount     operation="mount"/"umount"/…        mount …, (only if the bounds allow it)
 *
 * Paths are generalised: /proc/<pid>/ → @{PROC}/@{pid}/ (and task/<tid>),
 * digits in a file name → [0-9]*, a random-looking run of six or more
 * letters and digits in a name below /tmp, /var/tmp, /dev/shm or /run → *.
 *
 * Never learned (each one reported, with the reason):
 *  - what phoenix's bounds abstraction denies (its `deny` rules, parsed
 *    here and matched against the concrete path, capability or mount), and
 *    what the bounds denied while recording (DENIED records of the
 *    container's own namespace);
 *  - what another layer of the stack (the host's profile) denied for the
 *    same access: a DENIED record of another label with the same pid,
 *    operation and name within two seconds (each profile of a stack logs
 *    its own record for one access);
 *  - change_profile, change_hat and change_onexec (a learned profile never
 *    changes profile), peers outside the container, names that hold bytes
 *    phoenix does not write into a profile, classes it does not know.
 *
 * The learned profile includes phoenix's bounds abstraction, whose deny
 * rules win over every learned allow rule, and it is loaded below the
 * same host profile: it cannot widen either bound. */
#ifndef PHOENIX_LEARN_RULES_H
#define PHOENIX_LEARN_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "audit_parse.h"
#include "error.h"

/* File permissions, as the rule writes them. */
enum {
	PH_LP_READ = 1u << 0,
	PH_LP_WRITE = 1u << 1,
	PH_LP_APPEND = 1u << 2,
	PH_LP_LINK = 1u << 3,
	PH_LP_LOCK = 1u << 4,
	PH_LP_MMAP = 1u << 5,
	PH_LP_EXEC = 1u << 6,
};

enum ph_learn_kind {
	PH_LEARN_FILE,
	PH_LEARN_CAP,
	PH_LEARN_NET,
	PH_LEARN_SIGNAL,
	PH_LEARN_PTRACE,
	PH_LEARN_MOUNT,
};

/* One deny rule of the bounds abstraction. */
struct ph_learn_deny {
	enum ph_learn_kind kind; /* FILE, CAP or MOUNT */
	char *pattern;	/* FILE: the glob, variables expanded; CAP: the name or NULL for all */
	unsigned perms; /* FILE: the permissions denied */
};

struct ph_learn_bounds {
	struct ph_learn_deny *deny;
	size_t n;
};

/* A rule (merged: one per kind and key). */
struct ph_learn_rule {
	enum ph_learn_kind kind;
	char *a;	/* FILE path (generalised), CAP name, NET family, SIGNAL set, MOUNT text */
	char *b;	/* NET type, SIGNAL/PTRACE peer */
	unsigned perms; /* FILE bits; SIGNAL/PTRACE: 1 send/read, 2 receive/trace, 4 readby, 8
			   tracedby */
	size_t hits;	/* records behind it */
};

/* An access another layer denied (for the correlation above). */
struct ph_learn_denial {
	long long pid, sec;
	char *op, *key, *by;
};

struct ph_learn_candidate {
	struct ph_learn_rule rule;
	long long pid, sec;
	char *op, *key; /* to match a denial */
};

struct ph_learn {
	const char *profile; /* the recording profile's name */
	const struct ph_learn_bounds *bounds;
	struct ph_learn_candidate *cand;
	size_t n_cand, cap_cand;
	struct ph_learn_denial *denials;
	size_t n_denials, cap_denials;
	struct ph_learn_rule *rules; /* after ph_learn_finish() */
	size_t n_rules;
	char **notes; /* "not learned: …", deduplicated */
	size_t n_notes;
	size_t records; /* records of the container seen */
	long long first_sec, last_sec;
};

/* Parse the deny rules of the bounds abstraction's text (`deny` and
 * `audit deny` file, capability and mount rules; @{PROC} and @{sys}
 * expanded).  Other rules are not bounds and are ignored. */
int ph_learn_bounds_parse(const char *text, struct ph_learn_bounds *b, ph_error_t *err);
void ph_learn_bounds_release(struct ph_learn_bounds *b);

/* The file permissions of a requested mask ("rwc", "x", "::r"…). */
unsigned ph_learn_file_perms(const char *mask);

/* The generalised form of `path` (malloc'd), or NULL with *why set when
 * phoenix does not write such a name into a profile. */
char *ph_learn_generalize(const char *path, const char **why);

void ph_learn_init(struct ph_learn *l, const char *profile, const struct ph_learn_bounds *bounds);
/* A record of the container's own namespace. */
int ph_learn_add(struct ph_learn *l, const struct ph_audit_record *rec, ph_error_t *err);
/* A DENIED record of another label (the host's profile, another layer). */
int ph_learn_add_denial(struct ph_learn *l, const struct ph_audit_record *rec, ph_error_t *err);
/* Drop what another layer denied, merge the rest into rules. */
int ph_learn_finish(struct ph_learn *l, ph_error_t *err);
/* Add a note (copied; duplicates are kept once). */
int ph_learn_note(struct ph_learn *l, ph_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ph_learn_release(struct ph_learn *l);

/* The profile text: `name`, including abstractions/base and the bounds
 * abstraction at `bounds_path` (absolute), `comment` (lines, may be NULL)
 * at the top. */
int ph_learn_render(const struct ph_learn *l, const char *name, const char *bounds_path,
		    const char *comment, char **text, ph_error_t *err);

#endif
