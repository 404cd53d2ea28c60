/* phoenix: one AppArmor audit record, as the kernel logs it.
 *
 * The kernel writes an AppArmor event as one audit record of type 1400
 * (AUDIT_AVC): security/apparmor/audit.c, audit_pre(), then
 * security/lsm_audit.c, dump_common_audit_data(), then the class's own
 * callback.  The record reaches phoenix in one of these envelopes:
 *
 *   /dev/kmsg   6,1234,567890123,-;audit: type=1400 audit(1700000000.123:45): apparmor="DENIED" ...
 *   dmesg       [  567.890123] audit: type=1400 audit(1700000000.123:45): apparmor="DENIED" ...
 *   journal     audit: type=1400 audit(1700000000.123:45): apparmor="DENIED" ...
 *   audit.log   type=AVC msg=audit(1700000000.123:45): apparmor="DENIED" ...
 *
 * Values the kernel considers untrusted (file names, profile and
 * namespace names, comm, ...) are written by audit_log_untrustedstring():
 * in double quotes, or, when they hold a space, a quote or a control
 * character, as unquoted upper-case hex ("name=2F746D702F612062").
 * /dev/kmsg in turn escapes '\\' and bytes outside 0x20..0x7e as "\xNN".
 * Both encodings are undone here.
 *
 * The subject is logged in one of two forms (audit_pre()):
 *  - a single profile: `profile="<hname>"`, preceded by
 *    `namespace="root//<ns>//<subns>"` when the profile is not in the root
 *    namespace (ns->base.hname, so always "root//..." from the top);
 *  - a stack of profiles: `label="A//&:ns//subns:B"`, printed with
 *    aa_label_xaudit(root_ns, FLAG_VIEW_SUBNS): members joined by "//&",
 *    a member in another namespace prefixed ":<path below root>:", and a
 *    member in the same namespace as the previous one left without it
 *    (aa_label_snxprint(), aa_profile_snxprint(), aa_ns_name()).
 * Both reduce to a list of members (namespace path, profile name). */
#ifndef PHOENIX_AUDIT_PARSE_H
#define PHOENIX_AUDIT_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum ph_audit_kind {
	PH_AUDIT_DENIED,
	PH_AUDIT_AUDIT,	  /* an `audit` rule allowed it */
	PH_AUDIT_ALLOWED, /* complain mode */
	PH_AUDIT_STATUS,  /* policy load, replace, remove */
	PH_AUDIT_KILLED,
	PH_AUDIT_OTHER, /* HINT, ERROR, AUTO, or a word a newer kernel added */
};

/* One key=value of the record, the value decoded. */
struct ph_audit_field {
	char *key;
	char *value;
	bool quoted; /* written in quotes (else hex or a bare word) */
	bool hex;    /* written in hex as the kernel writes it (uppercase), decoded */
};

/* One profile of the subject label. */
struct ph_audit_member {
	char *ns;   /* namespace path below the root namespace, "" for the root */
	char *name; /* profile name (hname) inside that namespace */
};

struct ph_audit_record {
	int type;	/* 1400 (AVC), 1107 (USER_AVC), 0 when not given */
	bool has_stamp; /* audit(SECONDS.MS:SERIAL) was present */
	long long sec;	/* ... its seconds since the epoch */
	int msec;	/* ... its milliseconds */
	unsigned long long serial;
	long long boot_usec; /* /dev/kmsg: microseconds since boot, -1 when unknown */

	enum ph_audit_kind kind;
	const char *kind_name; /* the apparmor="..." word */

	/* The fields phoenix shows, NULL when absent; they point into
	 * `fields`. */
	const char *operation, *class_name, *info, *error;
	const char *name, *peer, *target;
	const char *requested, *denied; /* requested_mask or requested, ... */
	const char *comm, *capname, *signal;
	long long pid; /* -1 when absent */

	/* The subject. */
	struct ph_audit_member *members;
	size_t n_members;
	char *label;	  /* as the root namespace sees it: "A//&:ns:B" */
	bool phoenix;	  /* one member lies in a phx-… namespace */
	char *ns;	  /* that namespace's name; else the innermost one, NULL for root */
	char *ns_profile; /* the member's profile as seen from `ns` */

	/* libapparmor's parse_record() accepted the record and gave the
	 * values of the fields it covers (audit_parse.c says which, and what
	 * it rejects); false: phoenix's own reading alone. */
	bool libapparmor;

	/* Every field in order, known or not. */
	struct ph_audit_field *fields;
	size_t n_fields;
};

/* Parse one line or /dev/kmsg record (`len` bytes, need not be
 * NUL-terminated).  Returns 1 and fills *rec for an AppArmor record, 0
 * for anything else (another kernel message, a truncated or garbled line;
 * *rec is then empty), -1 with *err set when memory runs out.  Release
 * *rec with ph_audit_record_release() after a 1. */
int ph_audit_parse(const char *line, size_t len, struct ph_audit_record *rec, ph_error_t *err);
void ph_audit_record_release(struct ph_audit_record *rec);

/* The value of field `key`, or NULL. */
const char *ph_audit_get(const struct ph_audit_record *rec, const char *key);

/* Whether ph_audit_parse() gives `key` a member of its own (so that
 * output can list the others separately). */
bool ph_audit_field_known(const char *key);

/* Split a label as aa_label_xaudit() prints it from the root namespace
 * into members.  A trailing " (mode)" is ignored.  Free with
 * ph_audit_members_free(). */
int ph_audit_label_parse(const char *label, struct ph_audit_member **members, size_t *n,
			 ph_error_t *err);
void ph_audit_members_free(struct ph_audit_member *members, size_t n);

#endif
