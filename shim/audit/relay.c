/* phoenix: the relay of AppArmor records to LXC containers (relay.h). */
#include "relay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "file.h"
#include "log.h"
#include "private_dir.h"

#define TAIL_SIZE 8192 /* a /dev/kmsg record is at most 1 KiB of text, escaped 4 KiB */
#define LOST_PREFIX "audit: audit_lost="

/* ---- names ------------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ph_relay_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > PH_RELAY_NAME_MAX || !is_alnum(name[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '-')
			return false;
	return true;
}

/* The NAME of a member namespace path "ct-NAME[//...]", or false. */
static bool member_container(const char *ns, char name[PH_RELAY_NAME_MAX + 1])
{
	if (strncmp(ns, "ct-", 3) != 0)
		return false;
	const char *start = ns + 3;
	const char *end = strstr(start, "//");
	size_t n = end ? (size_t)(end - start) : strlen(start);
	if (n == 0 || n > PH_RELAY_NAME_MAX)
		return false;
	memcpy(name, start, n);
	name[n] = '\0';
	return ph_relay_name_valid(name);
}

bool ph_relay_container_of(const struct ph_audit_record *rec, char name[PH_RELAY_NAME_MAX + 1])
{
	char found[PH_RELAY_NAME_MAX + 1] = "";
	for (size_t i = 0; i < rec->n_members; i++) {
		char one[PH_RELAY_NAME_MAX + 1];
		if (rec->members[i].ns[0] == '\0')
			continue; /* the root namespace: a host profile bounding it */
		if (!member_container(rec->members[i].ns, one))
			return false; /* another namespace of the host's */
		if (found[0] != '\0' && strcmp(found, one) != 0)
			return false; /* two containers: neither's alone */
		memcpy(found, one, sizeof(one));
	}
	if (found[0] == '\0')
		return false;
	memcpy(name, found, sizeof(found));
	return true;
}

/* ---- /dev/kmsg's prefix ----------------------------------------------------------- */

/* "PRI,SEQ,USEC,FLAGS[,...];text" (Documentation/ABI/testing/dev-kmsg).
 * Returns the text, or NULL when `rec` does not start with the prefix. */
static const char *kmsg_split(const char *rec, size_t len, unsigned long long *pri,
			      unsigned long long *seq)
{
	const char *p = rec, *end = rec + len;
	unsigned long long v[2] = {0, 0};
	for (int field = 0; field < 2; field++) {
		if (p == end || !is_digit(*p))
			return NULL;
		while (p < end && is_digit(*p)) {
			if (v[field] > (UINT64_MAX - 9) / 10)
				return NULL;
			v[field] = v[field] * 10 + (unsigned long long)(*p++ - '0');
		}
		if (p == end || *p++ != ',')
			return NULL;
	}
	const char *semi = memchr(p, ';', (size_t)(end - p));
	if (semi == NULL)
		return NULL;
	for (const char *q = p; q < semi; q++)
		if (!is_digit(*q) && *q != ',' && *q != '-' && *q != '+' && *q != 'c')
			return NULL;
	*pri = v[0];
	*seq = v[1];
	return semi + 1;
}

/* ---- lines that say records were lost ---------------------------------------------- */

static void copy_printable(char *dst, size_t size, const char *src, size_t len)
{
	size_t j = 0;
	for (size_t i = 0; i < len && src[i] != '\n' && j + 1 < size; i++)
		dst[j++] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	if (size > 0)
		dst[j] = '\0';
}

bool ph_relay_gap(const char *line, size_t len, char *why, size_t why_size)
{
	size_t g = strlen(PH_RELAY_GAP);
	if (len >= g && memcmp(line, PH_RELAY_GAP, g) == 0) {
		copy_printable(why, why_size, line + g, len - g);
		return true;
	}
	unsigned long long pri, seq;
	const char *text = kmsg_split(line, len, &pri, &seq);
	if (text != NULL && pri >= 8)
		return false; /* written to /dev/kmsg by a process, not the kernel */
	if (text == NULL)
		text = line;
	size_t rest = len - (size_t)(text - line);
	size_t l = strlen(LOST_PREFIX);
	if (rest < l || memcmp(text, LOST_PREFIX, l) != 0)
		return false;
	char counts[160];
	copy_printable(counts, sizeof(counts), text + 7, rest - 7);
	snprintf(why, why_size, "the kernel's audit subsystem dropped records (%s)", counts);
	return true;
}

/* ---- the cursor and the rings saved with it ---------------------------------------
 *
 * The rings that pair a host profile's denial with its container's record
 * (below) are saved with the cursor, in the same atomic write: a relay
 * stopped between the two records finds the first one again as it left
 * it, and the second one, read after the cursor, pairs with it as if the
 * relay had never stopped.  Records read again after a cursor that lagged
 * meet the rings as they were when it was saved, so the relay decides as
 * it did then, and the containers' files tell what it wrote (relay_to()).
 *
 * The file: "BOOT SEQ\n", then the rings' slots in use, oldest first:
 *   seen CT PID SEC OP KEY\n
 *   held SEQ PID SEC OP KEY TEXT\n
 * with OP, KEY and TEXT in lowercase hex (a name may hold any byte). */

#define HELD_TEXT_MAX TAIL_SIZE /* devkmsg_read() hands at most 8 KiB a record */
#define CURSOR_MAX                                                                                 \
	(256 + PH_RELAY_PAIRS * (2 * (PH_RELAY_PAIR_OP + PH_RELAY_PAIR_KEY) + 128) * 2 +           \
	 PH_RELAY_PAIRS * 2 * HELD_TEXT_MAX)

static void put_hex(FILE *f, const char *s, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	fputs(" x", f); /* never an empty word */
	for (size_t i = 0; i < len; i++) {
		fputc(digits[(unsigned char)s[i] >> 4], f);
		fputc(digits[(unsigned char)s[i] & 15], f);
	}
}

static int hex_value(char c)
{
	return is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode `hex` into `out` (at most `size` bytes, NUL-terminated when
 * there is room): the length, or -1 when malformed or too long. */
static long get_hex(const char *hex, char *out, size_t size)
{
	if (hex == NULL || *hex++ != 'x')
		return -1;
	size_t n = strlen(hex);
	if (n % 2 != 0 || n / 2 > size)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (char)(hi << 4 | lo);
	}
	if (n / 2 < size)
		out[n / 2] = '\0';
	return (long)(n / 2);
}

static void put_access(FILE *f, const struct ph_relay_access *a)
{
	fprintf(f, " %lld %lld", a->pid, a->sec);
	put_hex(f, a->op, strlen(a->op));
	put_hex(f, a->key, strlen(a->key));
}

static bool get_number(const char *s, bool sign, long long *v)
{
	if (s == NULL || !(is_digit(s[0]) || (sign && s[0] == '-' && is_digit(s[1]))))
		return false;
	char *end;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* PID SEC OP KEY, the next four words of `save`. */
static bool get_access(char **save, struct ph_relay_access *a)
{
	const char *pid = strtok_r(NULL, " ", save), *sec = strtok_r(NULL, " ", save);
	const char *op = strtok_r(NULL, " ", save), *key = strtok_r(NULL, " ", save);
	memset(a, 0, sizeof(*a));
	return get_number(pid, false, &a->pid) && a->pid > 0 && get_number(sec, true, &a->sec) &&
	       get_hex(op, a->op, sizeof(a->op) - 1) >= 0 && strlen(a->op) == strlen(op) / 2 &&
	       get_hex(key, a->key, sizeof(a->key) - 1) >= 0 && strlen(a->key) == strlen(key) / 2;
}

/* One "seen" or "held" line, into the next slot of its ring. */
static bool restore_slot(struct ph_relay *r, char *line)
{
	char *save = NULL;
	const char *kind = strtok_r(line, " ", &save);
	if (kind && strcmp(kind, "seen") == 0) {
		struct ph_relay_seen *s = &r->seen[r->next_seen];
		const char *ct = strtok_r(NULL, " ", &save);
		if (ct == NULL || !ph_relay_name_valid(ct) || !get_access(&save, &s->a) ||
		    strtok_r(NULL, " ", &save) != NULL)
			return false;
		snprintf(s->ct, sizeof(s->ct), "%s", ct);
		r->next_seen = (r->next_seen + 1) % PH_RELAY_PAIRS;
		return true;
	}
	if (kind == NULL || strcmp(kind, "held") != 0)
		return false;
	struct ph_relay_held *h = &r->held[r->next_held];
	long long seq;
	const char *seqs = strtok_r(NULL, " ", &save);
	if (!get_number(seqs, false, &seq) || !get_access(&save, &h->a))
		return false;
	const char *text = strtok_r(NULL, " ", &save);
	if (text == NULL || strtok_r(NULL, " ", &save) != NULL || h->text != NULL)
		return false;
	h->text = malloc(HELD_TEXT_MAX);
	long n = h->text ? get_hex(text, h->text, HELD_TEXT_MAX) : -1;
	if (n <= 0) {
		free(h->text);
		h->text = NULL;
		return false;
	}
	h->seq = (unsigned long long)seq;
	h->len = (size_t)n;
	r->next_held = (r->next_held + 1) % PH_RELAY_PAIRS;
	return true;
}

static int restore_rings(struct ph_relay *r, char *lines, ph_error_t *err)
{
	size_t n = 0;
	char *save = NULL;
	for (char *line = strtok_r(lines, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (++n > 2 * PH_RELAY_PAIRS || !restore_slot(r, line))
			return ph_error_make(err, EINVAL, "relay: malformed cursor line %zu",
					     n + 1);
	}
	return 0;
}

static int read_cursor(struct ph_relay *r, ph_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	ph_error_t e = NULL;
	if (ph_file_read(r->dirfd, PH_RELAY_CURSOR, CURSOR_MAX, &buf, &len, &e) < 0) {
		bool missing = e->status == ENOENT;
		if (!missing)
			ph_warn("relay: %s: starting without a cursor", e->msg);
		ph_error_free(&e);
		return 0;
	}
	char *rest = strchr(buf, '\n');
	if (rest)
		*rest++ = '\0';
	char boot[PH_RELAY_BOOT_ID_MAX + 1], seq[32];
	int n = sscanf(buf, "%64s %31s", boot, seq);
	if (n < 1 || strcmp(boot, r->boot_id) != 0) {
		ph_warn("relay: the cursor is of another boot: starting afresh");
		return 0;
	}
	r->trust_files = true;
	if (n == 2 && strcmp(seq, "-") != 0) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(seq, &end, 10);
		if (errno != 0 || *end != '\0' || !is_digit(seq[0]))
			return ph_error_make(err, EINVAL, "relay: malformed cursor `%s`", buf);
		r->cursor = v;
		r->have_cursor = true;
	}
	return rest ? restore_rings(r, rest, err) : 0;
}

int ph_relay_save(struct ph_relay *r, ph_error_t *err)
{
	if (!r->dirty)
		return 0;
	cleanup_free char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		return ph_error_make(err, errno, "relay: cursor");
	if (r->have_cursor)
		fprintf(f, "%s %llu\n", r->boot_id, r->cursor);
	else
		fprintf(f, "%s -\n", r->boot_id);
	for (size_t i = 0; i < PH_RELAY_PAIRS; i++) {
		const struct ph_relay_seen *s = &r->seen[(r->next_seen + i) % PH_RELAY_PAIRS];
		if (s->ct[0] == '\0')
			continue;
		fprintf(f, "seen %s", s->ct);
		put_access(f, &s->a);
		fputc('\n', f);
	}
	for (size_t i = 0; i < PH_RELAY_PAIRS; i++) {
		const struct ph_relay_held *h = &r->held[(r->next_held + i) % PH_RELAY_PAIRS];
		if (h->text == NULL)
			continue;
		fprintf(f, "held %llu", h->seq);
		put_access(f, &h->a);
		put_hex(f, h->text, h->len);
		fputc('\n', f);
	}
	bool failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed)
		return ph_error_make(err, ENOMEM, "relay: cursor");
	if (ph_file_write_atomic(r->dirfd, PH_RELAY_CURSOR, text, len, 0600, err) < 0)
		return ph_error_wrap(err, "relay: cursor");
	r->dirty = false;
	return 0;
}

int ph_relay_open(struct ph_relay *r, const char *dir, size_t max_size, const char *boot_id,
		  ph_error_t *err)
{
	memset(r, 0, sizeof(*r));
	r->dirfd = -1;
	if (max_size < PH_RELAY_MIN_SIZE)
		return ph_error_make(err, EINVAL, "relay: a size limit below %d bytes",
				     PH_RELAY_MIN_SIZE);
	if (strlen(boot_id) == 0 || strlen(boot_id) > PH_RELAY_BOOT_ID_MAX ||
	    strpbrk(boot_id, " \t\n") != NULL)
		return ph_error_make(err, EINVAL, "relay: malformed boot id");
	r->max_size = max_size;
	snprintf(r->boot_id, sizeof(r->boot_id), "%s", boot_id);
	if (ph_private_dir_open(dir, "records directory", true, &r->dirfd, err) < 0)
		return ph_error_wrap(err, "relay");
	struct stat st;
	if (fstat(r->dirfd, &st) < 0 || ((st.st_mode & 07777) != PH_RELAY_DIR_MODE &&
					 fchmod(r->dirfd, PH_RELAY_DIR_MODE) < 0)) {
		ph_error_make(err, errno, "relay: chmod `%s`", dir);
		ph_relay_close(r);
		return -1;
	}
	if (read_cursor(r, err) < 0) {
		ph_relay_close(r);
		return -1;
	}
	if (!r->trust_files) {
		/* from now on the files are of this boot: say so at once,
		 * so that a relay that dies before it saves knows it */
		r->dirty = true;
		if (ph_relay_save(r, err) < 0) {
			ph_relay_close(r);
			return -1;
		}
		r->trust_files = true;
	}
	return 0;
}

void ph_relay_close(struct ph_relay *r)
{
	for (size_t i = 0; i < PH_RELAY_PAIRS; i++) {
		free(r->held[i].text);
		r->held[i].text = NULL;
	}
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->dirfd = -1;
	free(r->cts);
	r->cts = NULL;
	r->n_cts = 0;
}

/* ---- a container's directory and files ------------------------------------------- */

/* DIR/ct-NAME, made when missing; it must be a directory of ours that
 * only we may write. */
static int open_ct_dir(struct ph_relay *r, const char *name, bool create, ph_error_t *err)
{
	char dname[PH_RELAY_NAME_MAX + 4];
	snprintf(dname, sizeof(dname), "ct-%s", name);
	if (create && mkdirat(r->dirfd, dname, 0755) < 0 && errno != EEXIST)
		return ph_error_make(err, errno, "relay: create `%s`", dname);
	int fd = openat(r->dirfd, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ph_error_make(err, errno, "relay: open `%s`", dname);
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		close(fd);
		return ph_error_make(err, EPERM,
				     "relay: `%s` is not a directory that only its owner may write",
				     dname);
	}
	return fd;
}

/* The last kernel sequence number in `name`, 0 when none. */
static unsigned long long file_last_seq(int ctfd, const char *name)
{
	cleanup_close int fd = openat(ctfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	char buf[TAIL_SIZE + 1];
	off_t off = st.st_size > TAIL_SIZE ? st.st_size - TAIL_SIZE : 0;
	ssize_t n = pread(fd, buf, TAIL_SIZE, off);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* lines from the last one back; the first one may be cut */
	size_t end = (size_t)n;
	while (end > 0) {
		size_t start = end;
		if (buf[start - 1] == '\n')
			start--;
		size_t line_end = start;
		while (start > 0 && buf[start - 1] != '\n')
			start--;
		if (start == 0 && off > 0)
			return 0;
		unsigned long long pri, seq;
		if (kmsg_split(buf + start, line_end - start, &pri, &seq) != NULL)
			return seq;
		end = start;
	}
	return 0;
}

static struct ph_relay_ct *find_ct(struct ph_relay *r, const char *name)
{
	for (size_t i = 0; i < r->n_cts; i++)
		if (strcmp(r->cts[i].name, name) == 0)
			return &r->cts[i];
	return NULL;
}

/* The container's entry, its last sequence number read from its files. */
static struct ph_relay_ct *get_ct(struct ph_relay *r, const char *name, int ctfd, ph_error_t *err)
{
	struct ph_relay_ct *ct = find_ct(r, name);
	if (ct)
		return ct;
	struct ph_relay_ct *v = realloc(r->cts, (r->n_cts + 1) * sizeof(*v));
	if (v == NULL) {
		ph_error_make(err, ENOMEM, "relay");
		return NULL;
	}
	r->cts = v;
	ct = &v[r->n_cts++];
	memset(ct, 0, sizeof(*ct));
	snprintf(ct->name, sizeof(ct->name), "%s", name);
	if (r->trust_files) {
		ct->last_seq = file_last_seq(ctfd, PH_RELAY_RECORDS);
		if (ct->last_seq == 0)
			ct->last_seq = file_last_seq(ctfd, PH_RELAY_ROTATED);
	}
	ct->resume_seq = ct->last_seq;
	return ct;
}

/* `records`, for appending; renamed to `records.1` first when `more`
 * bytes would take it past the limit. */
static int open_records(struct ph_relay *r, int ctfd, size_t more, ph_error_t *err)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = openat(ctfd, PH_RELAY_RECORDS,
				O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
				0644);
		if (fd < 0)
			return ph_error_make(err, errno, "relay: open `%s`", PH_RELAY_RECORDS);
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			close(fd);
			return ph_error_make(err, EPERM,
					     "relay: `%s` is not a regular file of ours",
					     PH_RELAY_RECORDS);
		}
		if ((st.st_mode & 07777) != 0644 && fchmod(fd, 0644) < 0) {
			int e = errno;
			close(fd);
			return ph_error_make(err, e, "relay: chmod `%s`", PH_RELAY_RECORDS);
		}
		if (st.st_size == 0 || (size_t)st.st_size + more <= r->max_size || attempt > 0)
			return fd;
		close(fd);
		if (renameat(ctfd, PH_RELAY_RECORDS, ctfd, PH_RELAY_ROTATED) < 0)
			return ph_error_make(err, errno, "relay: rotate `%s`", PH_RELAY_RECORDS);
	}
	return ph_error_make(err, EIO, "relay: `%s`", PH_RELAY_RECORDS);
}

/* Append `text` and a newline to the container's `records`, in one
 * write(2) so that a reader never sees half a line. */
static int append(struct ph_relay *r, int ctfd, const char *text, size_t len, ph_error_t *err)
{
	cleanup_close int fd = open_records(r, ctfd, len + 1, err);
	if (fd < 0)
		return -1;
	struct iovec iov[2] = {{(void *)text, len}, {"\n", 1}};
	ssize_t n = writev(fd, iov, 2);
	if (n < 0)
		return ph_error_make(err, errno, "relay: write `%s`", PH_RELAY_RECORDS);
	if ((size_t)n != len + 1)
		return ph_error_make(err, EIO, "relay: short write to `%s`", PH_RELAY_RECORDS);
	return 0;
}

/* ---- records ------------------------------------------------------------------- */

/* Tell every container's file that records were lost: whose they were is
 * not known. */
static int gap_everywhere(struct ph_relay *r, const char *why, ph_error_t *err)
{
	int fd = dup(r->dirfd);
	if (fd < 0)
		return ph_error_make(err, errno, "relay: records directory");
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return ph_error_make(err, errno, "relay: records directory");
	}
	rewinddir(d);
	char line[512];
	int n = snprintf(line, sizeof(line), "%s%s", PH_RELAY_GAP, why);
	int ret = 0;
	struct dirent *e;
	r->gaps++;
	while (ret == 0 && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "ct-", 3) != 0 || !ph_relay_name_valid(e->d_name + 3))
			continue;
		cleanup_close int ctfd = open_ct_dir(r, e->d_name + 3, false, err);
		ret = ctfd < 0 ? -1 : append(r, ctfd, line, (size_t)n, err);
	}
	closedir(d);
	return ret;
}

/* ---- a host profile's record and the container's of the same access ---------- */

/* The access a record is of; false when it names none phoenix can match
 * (no pid, no operation, or one too long to keep). */
static bool access_of(const struct ph_audit_record *rec, struct ph_relay_access *a)
{
	const char *key = rec->name ? rec->name : rec->capname ? rec->capname : rec->peer;
	if (rec->pid <= 0 || rec->operation == NULL || key == NULL ||
	    strlen(rec->operation) >= sizeof(a->op) || strlen(key) >= sizeof(a->key))
		return false;
	a->pid = rec->pid;
	a->sec = rec->has_stamp ? rec->sec : -1;
	snprintf(a->op, sizeof(a->op), "%s", rec->operation);
	snprintf(a->key, sizeof(a->key), "%s", key);
	return true;
}

static bool same_access(const struct ph_relay_access *x, const struct ph_relay_access *y)
{
	if (x->pid != y->pid || strcmp(x->op, y->op) != 0 || strcmp(x->key, y->key) != 0)
		return false;
	return x->sec < 0 || y->sec < 0 ||
	       (x->sec > y->sec ? x->sec - y->sec : y->sec - x->sec) <= 2;
}

/* A denial by profiles of the root namespace alone: a host profile's. */
static bool host_denial(const struct ph_audit_record *rec)
{
	if (rec->kind != PH_AUDIT_DENIED && rec->kind != PH_AUDIT_KILLED)
		return false;
	for (size_t i = 0; i < rec->n_members; i++)
		if (rec->members[i].ns[0] != '\0')
			return false;
	return rec->n_members > 0;
}

/* Append record `seq` to container `name`'s file unless it holds it.  A
 * held record (a host profile's denial, kept until its container's own
 * record `released_by` came; 0: not held) is older than records written
 * after it was held, maybe by a relay before this one that saved it with
 * its cursor.  It is written right before the record that releases it:
 * so a relay before this one wrote it when that record is in the file,
 * or when it is the file's last (that relay stopped between the two). */
static int relay_to(struct ph_relay *r, const char *name, unsigned long long seq, const char *rec,
		    size_t len, unsigned long long released_by, ph_error_t *err)
{
	cleanup_close int ctfd = open_ct_dir(r, name, true, err);
	if (ctfd < 0)
		return -1;
	struct ph_relay_ct *ct = get_ct(r, name, ctfd, err);
	if (ct == NULL)
		return -1;
	bool before = released_by != 0
			  ? released_by <= ct->resume_seq || (seq != 0 && seq == ct->resume_seq)
			  : seq <= ct->last_seq;
	if (before) {
		r->skipped++; /* written before the relay last stopped */
		return 0;
	}
	if (append(r, ctfd, rec, len, err) < 0)
		return -1;
	if (seq > ct->last_seq)
		ct->last_seq = seq;
	r->written++;
	return 0;
}

/* A host profile's denial: to the container whose record of the same
 * access came just before, else held for the one that comes after. */
static int host_record(struct ph_relay *r, unsigned long long seq, const char *rec, size_t len,
		       const struct ph_relay_access *a, ph_error_t *err)
{
	for (size_t i = 0; i < PH_RELAY_PAIRS; i++)
		if (r->seen[i].ct[0] != '\0' && same_access(&r->seen[i].a, a))
			return relay_to(r, r->seen[i].ct, seq, rec, len, 0, err);
	if (len > HELD_TEXT_MAX)
		return 0; /* longer than a /dev/kmsg record: never alone, never saved */
	struct ph_relay_held *h = &r->held[r->next_held];
	char *text = malloc(len);
	if (text == NULL)
		return ph_error_make(err, ENOMEM, "relay");
	memcpy(text, rec, len);
	free(h->text);
	h->a = *a;
	h->seq = seq;
	h->text = text;
	h->len = len;
	r->next_held = (r->next_held + 1) % PH_RELAY_PAIRS;
	return 0;
}

/* Container `name`'s record of access `a`: first the host profile's
 * denials of the same access held for it (in the kernel's order: each
 * was logged before it), then it is remembered for those that follow. */
static int container_access(struct ph_relay *r, const char *name, unsigned long long seq,
			    const struct ph_relay_access *a, ph_error_t *err)
{
	for (size_t i = 0; i < PH_RELAY_PAIRS; i++) {
		struct ph_relay_held *h = &r->held[(r->next_held + i) % PH_RELAY_PAIRS];
		if (h->text == NULL || !same_access(&h->a, a))
			continue;
		int ret = relay_to(r, name, h->seq, h->text, h->len, seq, err);
		free(h->text);
		h->text = NULL;
		if (ret < 0)
			return -1;
	}
	struct ph_relay_seen *s = &r->seen[r->next_seen];
	s->a = *a;
	snprintf(s->ct, sizeof(s->ct), "%s", name);
	r->next_seen = (r->next_seen + 1) % PH_RELAY_PAIRS;
	return 0;
}

static int relay_record(struct ph_relay *r, unsigned long long seq, const char *rec, size_t len,
			ph_error_t *err)
{
	struct ph_audit_record ar;
	int p = ph_audit_parse(rec, len, &ar, err);
	if (p <= 0)
		return p;
	char name[PH_RELAY_NAME_MAX + 1];
	struct ph_relay_access a;
	bool mine = ph_relay_container_of(&ar, name);
	bool keyed = access_of(&ar, &a);
	bool host = !mine && keyed && host_denial(&ar);
	ph_audit_record_release(&ar);
	if (host)
		return host_record(r, seq, rec, len, &a, err);
	if (!mine)
		return 0;
	if (keyed && container_access(r, name, seq, &a, err) < 0)
		return -1;
	return relay_to(r, name, seq, rec, len, 0, err);
}

int ph_relay_handle(struct ph_relay *r, const char *rec, size_t len, ph_error_t *err)
{
	const char *nl = memchr(rec, '\n', len);
	if (nl)
		len = (size_t)(nl - rec); /* /dev/kmsg's dictionary lines follow */
	unsigned long long pri, seq;
	const char *text = kmsg_split(rec, len, &pri, &seq);
	if (text == NULL)
		return 0;
	if (r->have_cursor && seq <= r->cursor)
		return 0; /* handled before */
	char why[256];
	if (r->have_cursor && seq > r->cursor + 1) {
		snprintf(why, sizeof(why),
			 "kernel records %llu to %llu were lost before the relay read them",
			 r->cursor + 1, seq - 1);
		if (gap_everywhere(r, why, err) < 0)
			return -1;
	}
	r->cursor = seq;
	r->have_cursor = true;
	r->dirty = true;
	/* a process may write to /dev/kmsg too (devkmsg_write()), but never
	 * with facility 0, the kernel's: only the kernel's records count */
	if (pri >= 8)
		return 0;
	if (ph_relay_gap(rec, len, why, sizeof(why)))
		return gap_everywhere(r, why, err);
	return relay_record(r, seq, rec, len, err);
}
