/* phoenix: namespace and profile names (see aa_names.h). */
#include "aa_names.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define ID_MAX 100

uint32_t ph_aa_fnv1a32(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT32_C(0x01000193);
	}
	return h;
}

uint64_t ph_aa_fnv1a64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* ASCII only: isalnum() would follow the locale. */
static bool is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* [first][rest]* of at most `max` bytes. */
static bool matches(const char *s, size_t max, const char *rest_punct)
{
	if (s == NULL || !is_alnum(s[0]))
		return false;
	size_t n = 1;
	for (; s[n] != '\0'; n++) {
		if (n >= max)
			return false;
		if (!is_alnum(s[n]) && strchr(rest_punct, s[n]) == NULL)
			return false;
	}
	return true;
}

bool ph_aa_name_valid(const char *name)
{
	return matches(name, PH_AA_NAME_MAX, "_.+-");
}

static bool id_usable_as_is(const char *id)
{
	if (!matches(id, ID_MAX, "_.-"))
		return false;
	/* x<16 hex> is the hashed form: never produce it from an id. */
	if (id[0] == 'x' && strlen(id) == 17) {
		for (int i = 1; i < 17; i++)
			if (!is_lower_hex(id[i]))
				return true;
		return false;
	}
	return true;
}

static uint32_t scope_tag(const char *scope)
{
	size_t len = strlen(scope);
	while (len > 1 && scope[len - 1] == '/')
		len--;
	return ph_aa_fnv1a32(PH_AA_FNV32_INIT, scope, len);
}

int ph_aa_ns_scope_prefix(const char *scope, char *out, size_t outlen, ph_error_t *err)
{
	if (scope == NULL || scope[0] == '\0')
		return ph_error_make(err, EINVAL, "policy namespace scope is empty");
	int n = snprintf(out, outlen, PH_AA_NS_PREFIX "%08" PRIx32 "-", scope_tag(scope));
	if (n < 0 || (size_t)n >= outlen)
		return ph_error_make(err, ERANGE, "policy namespace prefix does not fit %zu bytes",
				     outlen);
	return 0;
}

int ph_aa_ns_name(const char *scope, const char *container_id, char *out, size_t outlen,
		  ph_error_t *err)
{
	if (container_id == NULL || container_id[0] == '\0')
		return ph_error_make(err, EINVAL, "container id is empty");
	char prefix[PH_AA_SCOPE_PREFIX_LEN + 1];
	if (ph_aa_ns_scope_prefix(scope, prefix, sizeof(prefix), err) < 0)
		return -1;
	int n;
	if (id_usable_as_is(container_id))
		n = snprintf(out, outlen, "%s%s", prefix, container_id);
	else
		n = snprintf(out, outlen, "%sx%016" PRIx64, prefix,
			     ph_aa_fnv1a64(PH_AA_FNV64_INIT, container_id, strlen(container_id)));
	if (n < 0 || (size_t)n >= outlen)
		return ph_error_make(err, ERANGE, "policy namespace name does not fit %zu bytes",
				     outlen);
	return 0;
}

bool ph_aa_ns_is_phoenix(const char *name)
{
	const size_t plen = strlen(PH_AA_NS_PREFIX);
	if (name == NULL || strncmp(name, PH_AA_NS_PREFIX, plen) != 0)
		return false;
	for (size_t i = plen; i < plen + 8; i++)
		if (!is_lower_hex(name[i]))
			return false;
	if (name[plen + 8] != '-')
		return false;
	return is_alpha(name[0]) && matches(name + plen + 9, ID_MAX, "_.-");
}
