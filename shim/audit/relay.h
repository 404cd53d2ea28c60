/* phoenix: the host's relay of AppArmor records to the LXC containers they
 * belong to.
 *
 * Inside an LXC container the kernel's log is out of reach: /dev/kmsg
 * wants CAP_SYSLOG of the initial user namespace (kernel/printk/printk.c,
 * check_syslog_permissions()), which an unprivileged container lacks, and
 * a privileged one often has no /dev/kmsg at all.  Every AppArmor record
 * names its subject's policy namespace, and an LXC container configured
 * by phoenix-lxc-config runs in namespace ct-NAME, so the host can tell
 * which container a record belongs to.  The relay reads /dev/kmsg once and
 * appends each AppArmor record whose subject lies in ct-NAME (or below)
 * to DIR/ct-NAME/records, which the container sees read-only (at
 * PH_RELAY_HOST_RECORDS):
 *
 *   DIR/cursor               "BOOT_ID SEQ": the last kernel record handled
 *   DIR/ct-NAME/records      the container's records, /dev/kmsg's text
 *   DIR/ct-NAME/records.1    the previous `records`, after rotation
 *
 * A record is written as /dev/kmsg hands it ("PRI,SEQ,USEC,FLAGS;text",
 * its first line only), so every line carries the kernel's sequence
 * number: a relay that restarts skips what the cursor, or the last line
 * of a container's file, says it has written already.  Records the relay
 * never saw (overwritten in the kernel's ring buffer while it was not
 * reading, so the sequence numbers jump; or dropped by the audit
 * subsystem, which then logs "audit: audit_lost=N ...") are announced in
 * every container's file by a line starting with PH_RELAY_GAP: they may
 * have been anyone's. */
#ifndef PHOENIX_RELAY_H
#define PHOENIX_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include "audit_parse.h"
#include "error.h"

/* DIR: not inside phoenix's state directory (/run/phoenix, 0700): LXC
 * mounts an unprivileged container's lxc.mount.entry from inside its user
 * namespace, so its mapped root must be able to search every directory on
 * the way (LXC's conf.c, mount_entry(); lxc/lxc#3552).  DIR is therefore
 * 0711 (searched, never listed), each ct-NAME 0755, each file 0644. */
#define PH_RELAY_DIR "/run/phoenix-records"
#define PH_RELAY_DIR_MODE 0711
/* where phoenix-lxc-config mounts DIR/ct-NAME inside the container: not
 * under /run or /tmp, where the container's init mounts a tmpfs of its
 * own over whatever LXC mounted (systemd does, integration/lxc/ct-init
 * too) */
#define PH_RELAY_HOST_RECORDS "/var/lib/phoenix/host-records"
#define PH_RELAY_RECORDS "records"
#define PH_RELAY_ROTATED "records.1"
#define PH_RELAY_CURSOR "cursor"
#define PH_RELAY_GAP "phoenix-relay: gap: "
#define PH_RELAY_MAX_SIZE (1024 * 1024)
#define PH_RELAY_MIN_SIZE (16 * 1024)
#define PH_RELAY_NAME_MAX 64
#define PH_RELAY_BOOT_ID_MAX 64

struct ph_relay_ct {
	char name[PH_RELAY_NAME_MAX + 1];
	unsigned long long last_seq;   /* of the last record in its files, 0: none */
	unsigned long long resume_seq; /* last_seq when this relay first wrote to it */
};

/* One access as the records of a stack's profiles share it: each profile
 * of the subject's label logs its own record of it (security/apparmor/
 * file.c, aa_path_perm(): fn_for_each_confined over the label), the host
 * profile's in the root namespace, naming no container. */
#define PH_RELAY_PAIRS 16
#define PH_RELAY_PAIR_OP 32
#define PH_RELAY_PAIR_KEY 256
struct ph_relay_access {
	long long pid, sec;
	char op[PH_RELAY_PAIR_OP];
	char key[PH_RELAY_PAIR_KEY]; /* name, capname or peer */
};
/* A container's record, remembered for the host profile's of the same
 * access that may follow it. */
struct ph_relay_seen {
	struct ph_relay_access a;
	char ct[PH_RELAY_NAME_MAX + 1]; /* "" when the slot is free */
};
/* A host profile's denial, held until a container's record of the same
 * access comes (the kernel logs them back to back, in label order). */
struct ph_relay_held {
	struct ph_relay_access a;
	unsigned long long seq;
	char *text; /* the /dev/kmsg record, NULL when the slot is free */
	size_t len;
};

struct ph_relay {
	int dirfd;
	size_t max_size; /* of `records`; `records.1` holds the one before */
	char boot_id[PH_RELAY_BOOT_ID_MAX + 1];
	bool have_cursor;
	unsigned long long cursor; /* the last kernel record handled */
	bool trust_files;	   /* the files' sequence numbers are of this boot */
	bool dirty;		   /* the cursor moved since it was saved */
	struct ph_relay_ct *cts;
	size_t n_cts;
	unsigned long long written, skipped, gaps; /* counters, for the log */
	struct ph_relay_seen seen[PH_RELAY_PAIRS];
	struct ph_relay_held held[PH_RELAY_PAIRS];
	size_t next_seen, next_held; /* the slot each ring writes next */
};

/* An LXC container name as phoenix-lxc-config accepts it:
 * ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$. */
bool ph_relay_name_valid(const char *name);

/* The LXC container a record belongs to: every member of its subject
 * outside the root namespace lies in ct-NAME or below it, with one NAME
 * that is valid.  Returns true and copies NAME. */
bool ph_relay_container_of(const struct ph_audit_record *rec, char name[PH_RELAY_NAME_MAX + 1]);

/* Open (create) DIR (a private directory, lib/private_dir.h) and read its
 * cursor.  `boot_id` is the kernel's (/proc/sys/kernel/random/boot_id): a
 * cursor of another boot is ignored. */
int ph_relay_open(struct ph_relay *r, const char *dir, size_t max_size, const char *boot_id,
		  ph_error_t *err);

/* Handle one /dev/kmsg record (`len` bytes).  Anything that is not a
 * kernel record with a /dev/kmsg prefix is ignored.  A denial of a host
 * profile alone (the root namespace's) goes to the container whose record
 * of the same access (pid, operation, name) comes within two seconds
 * before or after it, among the last PH_RELAY_PAIRS: what the host
 * profile refused the container's own process; never to another. */
int ph_relay_handle(struct ph_relay *r, const char *rec, size_t len, ph_error_t *err);

/* Write the cursor when it moved (atomically). */
int ph_relay_save(struct ph_relay *r, ph_error_t *err);

void ph_relay_close(struct ph_relay *r);

/* A line that says records were lost: the relay's gap line, or the
 * kernel's own "audit: audit_lost=N ..." (with a /dev/kmsg prefix or
 * without).  Copies a short, printable description to `why`. */
bool ph_relay_gap(const char *line, size_t len, char *why, size_t why_size);

#endif
