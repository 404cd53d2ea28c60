/* phoenix: PHOENIX_FAULT parsing (see aa_fault.h).  Compiled only into
 * builds with -DPHOENIX_FAULT_INJECTION. */
#include "aa_fault.h"

#ifdef PHOENIX_FAULT_INJECTION
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "EACCES" or "13" -> 13; 0 when neither. */
static int parse_errno(const char *s, size_t len)
{
	char buf[32];
	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end = NULL;
	long n = strtol(buf, &end, 10);
	if (*end == '\0')
		return n > 0 && n < 4096 ? (int)n : 0;
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);
		if (name != NULL && strcmp(name, buf) == 0)
			return e;
	}
	return 0;
}

int ph_aa_fault(const char *op)
{
	const char *spec = getenv("PHOENIX_FAULT");
	size_t oplen = strlen(op);
	while (spec != NULL && *spec != '\0') {
		const char *end = strchrnul(spec, ',');
		const char *colon = memchr(spec, ':', (size_t)(end - spec));
		if (colon != NULL && (size_t)(colon - spec) == oplen &&
		    memcmp(spec, op, oplen) == 0) {
			int e = parse_errno(colon + 1, (size_t)(end - colon - 1));
			if (e != 0)
				return e;
			fprintf(stderr, "phoenix: PHOENIX_FAULT: ignoring `%.*s`\n",
				(int)(end - spec), spec);
		}
		spec = *end == ',' ? end + 1 : end;
	}
	return 0;
}
#endif
