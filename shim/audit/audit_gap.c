/* phoenix: lost AppArmor records (see audit_gap.h). */
#include "audit_gap.h"

#include <stdio.h>
#include <string.h>

static const char *const lost_markers[] = {
    "audit: audit_lost=",
    "audit: printk limit exceeded",
    "audit: rate limit exceeded",
    "audit: backlog limit exceeded",
    "kauditd hold queue overflow",
    "callbacks suppressed",
    NULL,
};

void ph_audit_gap_init(struct ph_audit_gap *g)
{
	memset(g, 0, sizeof(*g));
	g->last_seq = -1;
}

/* The sequence number of a /dev/kmsg record ("pri,seq,…;"), or -1. */
static long long kmsg_seq(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i >= len || s[i] != ',')
		return -1;
	long long seq = 0;
	size_t j = ++i;
	for (; j < len && s[j] >= '0' && s[j] <= '9'; j++) {
		if (seq > (1LL << 60))
			return -1;
		seq = seq * 10 + (s[j] - '0');
	}
	if (j == i || j >= len || s[j] != ',' || memchr(s, ';', len) == NULL)
		return -1;
	return seq;
}

static void keep_first(struct ph_audit_gap *g, const char *a, size_t alen)
{
	if (g->first[0] != '\0')
		return;
	char text[120];
	size_t k = alen < sizeof(text) - 1 ? alen : sizeof(text) - 1;
	memcpy(text, a, k);
	text[k] = '\0';
	/* the line is the kernel's, but shown to a terminal: printable only */
	for (size_t i = 0; i < k; i++)
		if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] >= 0x7f)
			text[i] = '?';
	snprintf(g->first, sizeof(g->first), "the kernel dropped records: \"%s\"", text);
}

void ph_audit_gap_line(struct ph_audit_gap *g, const char *line, size_t len)
{
	long long seq = kmsg_seq(line, len);
	if (seq >= 0) {
		if (g->last_seq >= 0 && seq > g->last_seq + 1) {
			unsigned long long missing = (unsigned long long)(seq - g->last_seq - 1);
			g->skipped += missing;
			g->events++;
			if (g->first[0] == '\0')
				snprintf(g->first, sizeof(g->first),
					 "/dev/kmsg jumped from record %lld to %lld: %llu records "
					 "overwritten before they were read",
					 g->last_seq, seq, missing);
		}
		g->last_seq = seq;
	}
	for (size_t i = 0; lost_markers[i]; i++) {
		size_t n = strlen(lost_markers[i]);
		if (len >= n && memmem(line, len, lost_markers[i], n) != NULL) {
			g->kernel_lost++;
			g->events++;
			const char *at = memmem(line, len, "audit:", 6);
			if (at == NULL)
				at = line;
			const char *nl = memchr(at, '\n', len - (size_t)(at - line));
			size_t alen = nl ? (size_t)(nl - at) : len - (size_t)(at - line);
			keep_first(g, at, alen);
			break;
		}
	}
}

bool ph_audit_gap_seen(const struct ph_audit_gap *g)
{
	return g->skipped > 0 || g->kernel_lost > 0;
}

void ph_audit_gap_describe(const struct ph_audit_gap *g, char *buf, size_t size)
{
	if (!ph_audit_gap_seen(g)) {
		snprintf(buf, size, "%s", "");
		return;
	}
	snprintf(buf, size, "records may be missing (%s%s)", g->first,
		 g->events > 1 ? ", and more" : "");
}
