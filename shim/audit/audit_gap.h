/* phoenix: where the kernel's AppArmor records can be lost, and how a
 * reader notices.
 *
 *  - /dev/kmsg numbers every record (the second field of its prefix,
 *    "pri,seq,usec,flags;"); a reader that falls behind the ring buffer
 *    gets EPIPE and then the oldest record still there: the sequence
 *    jumps.  (kernel/printk/printk.c, devkmsg_read())
 *  - Without auditd the kernel prints an audit record to the log only
 *    while printk_ratelimit() allows (10 per 5 s by default) and counts
 *    the others lost: "audit: printk limit exceeded", then
 *    "audit: audit_lost=N audit_rate_limit=… audit_backlog_limit=…"
 *    (kernel/audit.c, audit_printk_skb(), audit_log_lost()).  With auditd
 *    the same counter grows when the backlog or the rate limit is hit
 *    ("backlog limit exceeded", "rate limit exceeded", "kauditd hold queue
 *    overflow").  printk's own limiter says "N callbacks suppressed".
 *
 * ph_audit_gap_line() sees every line of a source (AppArmor record or
 * not) and counts both kinds. */
#ifndef PHOENIX_AUDIT_GAP_H
#define PHOENIX_AUDIT_GAP_H

#include <stdbool.h>
#include <stddef.h>

struct ph_audit_gap {
	long long last_seq;	    /* the last /dev/kmsg sequence number seen, -1 */
	unsigned long long skipped; /* kmsg records missing between two read */
	unsigned long kernel_lost;  /* lines where the kernel says it dropped records */
	unsigned long events;	    /* jumps and such lines */
	char first[160];	    /* the first such line (or jump), for the report */
};

void ph_audit_gap_init(struct ph_audit_gap *g);
/* One line of the source (`len` bytes, need not be NUL-terminated). */
void ph_audit_gap_line(struct ph_audit_gap *g, const char *line, size_t len);
/* Whether records may have been lost. */
bool ph_audit_gap_seen(const struct ph_audit_gap *g);
/* A sentence saying what was seen ("" when nothing). */
void ph_audit_gap_describe(const struct ph_audit_gap *g, char *buf, size_t size);

#endif
