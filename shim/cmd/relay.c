/* phoenix relay [--dir DIR] [--max-size BYTES] [--once]: hand each LXC
 * container the AppArmor records of its own namespace (shim/audit/relay.h).
 *
 * The host runs it (debian/phoenix-host.phoenix-relay.service); it reads
 * /dev/kmsg until SIGINT or SIGTERM, or with --once what is there.  Tests
 * give it records from a file or FIFO in PHOENIX_RELAY_KMSG instead, one
 * /dev/kmsg record a line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_source.h"
#include "commands.h"
#include "file.h"
#include "log.h"
#include "relay.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define SAVE_INTERVAL_MS 1000

struct relay_options {
	const char *dir;
	size_t max_size;
	bool once;
};

static const char usage[] =
    "Usage: phoenix relay [--dir DIR] [--max-size BYTES] [--once]\n"
    "\n"
    "Read the kernel's records (/dev/kmsg) and append each AppArmor record of an\n"
    "LXC container's namespace (ct-NAME, and below) to DIR/ct-NAME/records, which\n"
    "phoenix-lxc-config mounts read-only into the container at " PH_RELAY_HOST_RECORDS ".\n"
    "\n"
    "  --dir DIR         where the records go (default " PH_RELAY_DIR ")\n"
    "  --max-size BYTES  rotate a container's records to records.1 beyond this size\n"
    "                    (default 1048576, at least 16384; K and M suffixes)\n"
    "  --once            handle the records there are, then exit\n";

static int parse_size(const char *s, size_t *out, ph_error_t *err)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned long long mul = 1;
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024, end++;
	if (errno != 0 || end == s || *end != '\0' || s[0] < '0' || s[0] > '9' ||
	    v > (1ULL << 40) / mul)
		return ph_error_make(err, EINVAL,
				     "relay: --max-size wants a size in bytes, not `%s`", s);
	*out = (size_t)(v * mul);
	return 0;
}

/* `--name value` or `--name=value` (one or two dashes, as everywhere). */
static int value_of(const struct ph_cli *cli, int *i, const char *name, const char **value,
		    ph_error_t *err)
{
	const char *a = cli->argv[*i];
	a += a[1] == '-' ? 2 : 1;
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
		return 0;
	*value = a[n] == '=' ? a + n + 1 : (*i + 1 < cli->argc ? cli->argv[++*i] : NULL);
	if (*value == NULL || **value == '\0')
		return ph_error_make(err, EINVAL, "relay: --%s needs a value", name);
	return 1;
}

static int parse_args(const struct ph_cli *cli, struct relay_options *o, bool *help,
		      ph_error_t *err)
{
	o->dir = PH_RELAY_DIR;
	o->max_size = PH_RELAY_MAX_SIZE;
	for (int i = cli->command_index + 1; i < cli->argc; i++) {
		const char *a = cli->argv[i];
		const char *v = NULL;
		int r;
		if (a[0] != '-' || a[1] == '\0')
			return ph_error_make(err, EINVAL, "relay: unexpected argument `%s`", a);
		const char *bare = a + (a[1] == '-' ? 2 : 1);
		if (strcmp(bare, "once") == 0) {
			o->once = true;
		} else if (strcmp(bare, "help") == 0 || strcmp(bare, "h") == 0) {
			*help = true;
		} else if ((r = value_of(cli, &i, "dir", &v, err)) != 0) {
			if (r < 0)
				return -1;
			if (v[0] != '/')
				return ph_error_make(
				    err, EINVAL, "relay: --dir wants an absolute path, not `%s`",
				    v);
			o->dir = v;
		} else if ((r = value_of(cli, &i, "max-size", &v, err)) != 0) {
			if (r < 0 || parse_size(v, &o->max_size, err) < 0)
				return -1;
		} else {
			return ph_error_make(err, EINVAL, "relay: unknown option `%s`", a);
		}
	}
	return 0;
}

static int boot_id(char *out, size_t size, ph_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (ph_file_read_path(BOOT_ID_PATH, 128, &buf, &len, err) < 0)
		return ph_error_wrap(err, "relay: the kernel's boot id");
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(out, size, "%s", buf);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Records until the end (or a stop signal); the cursor is saved at most
 * once a second, and after every record written.  A cursor that lags
 * behind costs nothing but a re-read: every container's file says how
 * far it got. */
static int pump(struct ph_relay *r, struct ph_audit_source *src, ph_error_t *err)
{
	long long saved = now_ms();
	for (;;) {
		const char *line;
		size_t len;
		int n = ph_audit_source_next(src, &line, &len, err);
		if (n <= 0)
			return n;
		unsigned long long before = r->written + r->gaps;
		if (ph_relay_handle(r, line, len, err) < 0)
			return -1;
		long long t = now_ms();
		if (r->dirty && (r->written + r->gaps != before || t - saved >= SAVE_INTERVAL_MS)) {
			if (ph_relay_save(r, err) < 0)
				return -1;
			saved = t;
		}
	}
}

static int run_relay(const struct relay_options *o, ph_error_t *err)
{
	char boot[PH_RELAY_BOOT_ID_MAX + 1];
	if (boot_id(boot, sizeof(boot), err) < 0)
		return -1;
	if (access(PH_AUDITD_PID_PATH, F_OK) == 0)
		ph_warn("relay: auditd may run (%s exists): the kernel then hands AppArmor "
			"records to auditd, not to /dev/kmsg, and they are not relayed",
			PH_AUDITD_PID_PATH);
	struct ph_relay r;
	if (ph_relay_open(&r, o->dir, o->max_size, boot, err) < 0)
		return -1;
	const char *test_input = getenv("PHOENIX_RELAY_KMSG");
	struct ph_audit_source src;
	int ret = ph_audit_source_open(&src, test_input ? PH_SOURCE_FILE : PH_SOURCE_KMSG,
				       test_input, NULL, !o->once, err);
	if (ret == 0) {
		ret = pump(&r, &src, err);
		ph_error_t close_err = NULL;
		if (ph_audit_source_close(&src, &close_err) < 0 && ret == 0) {
			ph_error_move(err, &close_err);
			ret = -1;
		}
		ph_error_free(&close_err);
	}
	if (ret == 0)
		ret = ph_relay_save(&r, err);
	else
		ph_error_wrap(err, "relay");
	ph_debug("relay: %llu records written, %llu skipped as written before, %llu gaps",
		 r.written, r.skipped, r.gaps);
	ph_relay_close(&r);
	return ret;
}

int ph_cmd_relay(struct ph_context *ctx, ph_error_t *err)
{
	struct relay_options o;
	memset(&o, 0, sizeof(o));
	bool help = false;
	if (parse_args(&ctx->cli, &o, &help, err) < 0)
		return -1;
	if (help) {
		fputs(usage, stdout);
		return 0;
	}
	return run_relay(&o, err) < 0 ? -1 : 0;
}
