/* phoenix fuzz target: the lines the host's relay parses itself
 * (shim/audit/relay.c): /dev/kmsg's prefix and the kernel's audit_lost
 * line (ph_relay_gap()), the relay's own gap line, and which LXC
 * container an AppArmor record belongs to (ph_relay_container_of()).
 *
 * The input is one line, handed over without a terminating NUL.  What is
 * checked beyond memory safety: a description is NUL-terminated and
 * printable, and a container name found is one phoenix-lxc-config would
 * accept (it becomes a directory name). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	if (line == NULL)
		abort();
	memcpy(line, data, size);

	char why[64];
	memset(why, 'x', sizeof(why));
	if (ph_relay_gap(line, size, why, sizeof(why))) {
		size_t n = strnlen(why, sizeof(why));
		if (n == sizeof(why))
			abort(); /* not terminated */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)why[i] < 0x20 || (unsigned char)why[i] >= 0x7f)
				abort(); /* handed to a file a container reads, and a terminal */
	}

	struct ph_audit_record rec;
	ph_error_t err = NULL;
	int r = ph_audit_parse(line, size, &rec, &err);
	if (r < 0) {
		ph_error_free(&err);
	} else if (r == 1) {
		char name[PH_RELAY_NAME_MAX + 1];
		if (ph_relay_container_of(&rec, name) && !ph_relay_name_valid(name))
			abort();
		ph_audit_record_release(&rec);
	}
	free(line);
	return 0;
}
