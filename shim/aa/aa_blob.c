/* phoenix: namespace fields of compiled policy (see aa_blob.h). */
#include "aa_blob.h"

#include <errno.h>
#include <string.h>

#include "aa_names.h"

/* SD_NAME "namespace" followed by the SD_STRING code. */
static const unsigned char ns_tag[] = {0x04, 0x0a, 0x00, 'n', 'a', 'm',	 'e',
				       's',  'p',  'a',	 'c', 'e', 0x00, 0x05};

/* Find the next namespace field at or after *off.  Returns the offset of
 * its name and sets *name_len (without the NUL); 0 when there is none,
 * -1 when a field is truncated or malformed. */
static long next_ns_field(const char *blob, size_t len, size_t *off, size_t *name_len)
{
	if (*off >= len)
		return 0;
	const char *p = memmem(blob + *off, len - *off, ns_tag, sizeof(ns_tag));
	if (p == NULL)
		return 0;
	size_t at = (size_t)(p - blob) + sizeof(ns_tag);
	if (at + 2 > len)
		return -1;
	size_t n = (unsigned char)blob[at] | ((size_t)(unsigned char)blob[at + 1] << 8);
	at += 2;
	if (n < 2 || at + n > len || blob[at + n - 1] != '\0' || memchr(blob + at, '\0', n - 1))
		return -1;
	*name_len = n - 1;
	*off = at + n;
	return (long)at;
}

int ph_aa_blob_count_ns(const char *blob, size_t len, const char *ns, size_t *count,
			ph_error_t *err)
{
	size_t off = 0, n = 0, name_len = 0;
	long at;
	*count = 0;
	while ((at = next_ns_field(blob, len, &off, &name_len)) > 0) {
		if (ns != NULL && (name_len != strlen(ns) || memcmp(blob + at, ns, name_len) != 0))
			return ph_error_make(err, EPROTO,
					     "compiled policy names namespace `%.*s`, not `%s`",
					     (int)name_len, blob + at, ns);
		n++;
	}
	if (at < 0)
		return ph_error_make(err, EPROTO,
				     "compiled policy has a malformed namespace field");
	*count = n;
	return 0;
}

int ph_aa_blob_set_ns(char *blob, size_t len, const char *from, const char *to, ph_error_t *err)
{
	if (strlen(from) != strlen(to) || !ph_aa_name_valid(to))
		return ph_error_make(
		    err, EINVAL,
		    "cannot put namespace `%s` in place of `%s`: names must be valid "
		    "and of the same length",
		    to, from);
	size_t count = 0;
	if (ph_aa_blob_count_ns(blob, len, from, &count, err) < 0)
		return -1;
	if (count == 0)
		return ph_error_make(err, EPROTO, "compiled policy names no namespace");
	size_t off = 0, name_len = 0;
	long at;
	while ((at = next_ns_field(blob, len, &off, &name_len)) > 0)
		memcpy(blob + at, to, name_len);
	return 0;
}

int ph_aa_blob_ns_only_diff(const char *a, size_t alen, const char *b, size_t blen,
			    const char *ns_a, const char *ns_b, bool *ok, ph_error_t *err)
{
	*ok = false;
	size_t count_a = 0, count_b = 0;
	if (ph_aa_blob_count_ns(a, alen, ns_a, &count_a, err) < 0 ||
	    ph_aa_blob_count_ns(b, blen, ns_b, &count_b, err) < 0)
		return -1;
	if (alen != blen || count_a == 0 || count_a != count_b)
		return 0;
	size_t off_a = 0, off_b = 0, name_len = 0, cursor = 0;
	for (;;) {
		long at_a = next_ns_field(a, alen, &off_a, &name_len);
		long at_b = next_ns_field(b, blen, &off_b, &name_len);
		if (at_a != at_b)
			return 0;
		size_t end = at_a > 0 ? (size_t)at_a : alen;
		if (memcmp(a + cursor, b + cursor, end - cursor) != 0)
			return 0;
		if (at_a <= 0)
			break;
		cursor = end + name_len;
	}
	*ok = true;
	return 0;
}
