/* phoenix: AppArmor's path globbing (see aa_glob.h). */
#include "aa_glob.h"

#include <stddef.h>
#include <string.h>

/* Recursion depth bound: a pattern of a profile has a few levels of
 * braces; a pathological one is refused (no match) rather than run long. */
#define MAX_DEPTH 64

static bool match(const char *p, const char *s, int depth);

/* The end of the brace group opened at `open` ('{'), or NULL. */
static const char *brace_end(const char *open)
{
	int level = 0;
	for (const char *q = open; *q; q++) {
		if (*q == '\\' && q[1])
			q++;
		else if (*q == '{')
			level++;
		else if (*q == '}' && --level == 0)
			return q;
	}
	return NULL;
}

/* One alternative of a brace group, followed by the rest of the pattern:
 * match (alt + rest) against s, without building the string. */
static bool match_alt(const char *alt, size_t altlen, const char *rest, const char *s, int depth)
{
	char buf[4096];
	size_t restlen = strlen(rest);
	if (altlen + restlen + 1 > sizeof(buf))
		return false;
	memcpy(buf, alt, altlen);
	memcpy(buf + altlen, rest, restlen + 1);
	return match(buf, s, depth + 1);
}

static bool match_braces(const char *p, const char *s, int depth)
{
	const char *end = brace_end(p);
	if (end == NULL)
		return false;
	const char *start = p + 1;
	int level = 0;
	for (const char *q = start; q <= end; q++) {
		if (*q == '\\' && q < end) {
			q++;
			continue;
		}
		if (*q == '{')
			level++;
		else if (*q == '}' && level > 0)
			level--;
		else if ((*q == ',' && level == 0) || q == end) {
			if (match_alt(start, (size_t)(q - start), end + 1, s, depth))
				return true;
			start = q + 1;
		}
	}
	return false;
}

/* A set at `p` ('['): whether `c` is in it; *next is set past the ']'. */
static bool match_set(const char *p, char c, const char **next)
{
	const char *q = p + 1;
	bool negate = *q == '^';
	if (negate)
		q++;
	bool in = false;
	bool first = true;
	for (; *q && (*q != ']' || first); q++) {
		first = false;
		char lo = *q;
		if (lo == '\\' && q[1])
			lo = *++q;
		if (q[1] == '-' && q[2] && q[2] != ']') {
			char hi = q[2];
			q += 2;
			if (hi == '\\' && q[1])
				hi = *++q;
			if (c >= lo && c <= hi)
				in = true;
		} else if (c == lo) {
			in = true;
		}
	}
	if (*q != ']') {
		*next = NULL;
		return false;
	}
	*next = q + 1;
	return c != '/' && in != negate;
}

static bool match(const char *p, const char *s, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	for (;;) {
		switch (*p) {
		case '\0':
			return *s == '\0';
		case '{':
			return match_braces(p, s, depth);
		case '*': {
			bool any = p[1] == '*';
			p += any ? 2 : 1;
			while (*p == '*')
				p++;
			for (const char *t = s;; t++) {
				if (match(p, t, depth + 1))
					return true;
				if (*t == '\0' || (!any && *t == '/'))
					return false;
			}
		}
		case '?':
			if (*s == '\0' || *s == '/')
				return false;
			p++;
			s++;
			break;
		case '[': {
			const char *next;
			if (*s == '\0' || !match_set(p, *s, &next))
				return false;
			p = next;
			s++;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *s)
				return false;
			p++;
			s++;
		}
	}
}

bool ph_aa_glob_match(const char *pattern, const char *path)
{
	return match(pattern, path, 0);
}
