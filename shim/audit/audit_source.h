/* phoenix: where AppArmor audit records are read from.
 *
 * The kernel hands each audit record to auditd when one is registered
 * (it then lands in /var/log/audit/audit.log), and otherwise prints it to
 * the kernel log (/dev/kmsg, which journald also copies).  So:
 *
 *   PH_SOURCE_AUDIT    /var/log/audit/audit.log, one record a line
 *   PH_SOURCE_KMSG     /dev/kmsg, one record a read(2); EPIPE (records
 *                      overwritten before they were read) is skipped
 *   PH_SOURCE_JOURNAL  `journalctl -k -o cat --no-pager -a [-f -n all]`,
 *                      run with a fixed argument vector
 *   PH_SOURCE_FILE     any file (or FIFO, or "-" for stdin) of such lines
 *   PH_SOURCE_AUTO     the audit log when auditd runs (/var/run/auditd.pid
 *                      exists), else /dev/kmsg, else the journal
 *
 * With `follow`, reading waits for new records instead of ending; SIGINT
 * and SIGTERM then end it cleanly (ph_audit_source_next() returns 0). */
#ifndef PHOENIX_AUDIT_SOURCE_H
#define PHOENIX_AUDIT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

#define PH_AUDIT_LOG_PATH "/var/log/audit/audit.log"
#define PH_AUDITD_PID_PATH "/var/run/auditd.pid"
#define PH_KMSG_PATH "/dev/kmsg"

enum ph_source_kind {
	PH_SOURCE_AUTO,
	PH_SOURCE_KMSG,
	PH_SOURCE_AUDIT,
	PH_SOURCE_JOURNAL,
	PH_SOURCE_FILE,
};

/* Where ph_audit_source_open() looks; tests point these elsewhere. */
struct ph_source_paths {
	const char *audit_log;
	const char *auditd_pid;
	const char *kmsg;
};

struct ph_audit_source {
	enum ph_source_kind kind; /* the one chosen */
	char *path;		  /* file read, or the journalctl binary */
	bool follow;
	int fd;
	pid_t child; /* journalctl, or 0 */
	char *buf;   /* read buffer */
	size_t start, len, cap;
	bool eof;
	bool regular; /* a regular file: never blocks, may be rotated */
	dev_t dev;    /* the file followed, to notice rotation */
	ino_t ino;
};

/* "kmsg", "audit", "journal", or anything else: a file. */
enum ph_source_kind ph_source_kind_from_name(const char *name);
const char *ph_source_kind_name(enum ph_source_kind kind);

/* Open `kind` (`file` for PH_SOURCE_FILE).  `paths` may be NULL for the
 * system's.  With `follow`, SIGINT and SIGTERM are blocked until
 * ph_audit_source_close() and only end the wait for records. */
int ph_audit_source_open(struct ph_audit_source *src, enum ph_source_kind kind, const char *file,
			 const struct ph_source_paths *paths, bool follow, ph_error_t *err);

/* The next record: 1 with *line (`*len` bytes, NUL-terminated, valid
 * until the next call), 0 at the end (or on SIGINT/SIGTERM when
 * following), -1 with *err set. */
int ph_audit_source_next(struct ph_audit_source *src, const char **line, size_t *len,
			 ph_error_t *err);

/* Close, stop journalctl and restore the signal mask.  A journalctl that
 * failed is reported (returns -1) unless it was stopped here. */
int ph_audit_source_close(struct ph_audit_source *src, ph_error_t *err);

#endif
