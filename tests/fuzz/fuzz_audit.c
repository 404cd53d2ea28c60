/* phoenix fuzz target: AppArmor audit records (ph_audit_parse) as they
 * come from /dev/kmsg, dmesg, the journal or audit.log.
 *
 * The input is one line, handed over without a terminating NUL (a copy
 * of exactly `size` bytes, so that reading past it is caught).  When it
 * parses, every field and member must be readable, and the label must
 * split again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	if (line == NULL)
		abort();
	memcpy(line, data, size);

	struct ph_audit_record rec;
	ph_error_t err = NULL;
	int r = ph_audit_parse(line, size, &rec, &err);
	if (r < 0) {
		ph_error_free(&err);
	} else if (r == 1) {
		size_t n = touch(rec.kind_name) + touch(rec.operation) + touch(rec.class_name) +
			   touch(rec.info) + touch(rec.error) + touch(rec.name) + touch(rec.peer) +
			   touch(rec.target) + touch(rec.requested) + touch(rec.denied) +
			   touch(rec.comm) + touch(rec.capname) + touch(rec.signal) +
			   touch(rec.label) + touch(rec.ns) + touch(rec.ns_profile);
		for (size_t i = 0; i < rec.n_fields; i++) {
			n += touch(rec.fields[i].key) + touch(rec.fields[i].value);
			if (ph_audit_get(&rec, rec.fields[i].key) == NULL)
				abort(); /* every field can be found by its key */
			(void)ph_audit_field_known(rec.fields[i].key);
		}
		for (size_t i = 0; i < rec.n_members; i++)
			n += touch(rec.members[i].ns) + touch(rec.members[i].name);
		if (rec.label) {
			struct ph_audit_member *m = NULL;
			size_t count = 0;
			if (ph_audit_label_parse(rec.label, &m, &count, &err) == 0)
				ph_audit_members_free(m, count);
			ph_error_free(&err);
		}
		(void)n;
		ph_audit_record_release(&rec);
	}
	free(line);
	return 0;
}
