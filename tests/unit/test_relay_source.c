/* Reading what the host's relay hands an LXC container: records.1 before
 * records, a rotation in between read once, no file yet, the automatic
 * choice, following across the relay's rotation, and its gap lines. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit_gap.h"
#include "audit_source.h"
#include "relay.h"
#include "t.h"

static char dir[] = "/tmp/phoenix-test-relay-source.XXXXXX";

static char *path_in(const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static void put(const char *name, const char *text, const char *mode)
{
	char *p = path_in(name);
	FILE *f = fopen(p, mode);
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	free(p);
}

static void drop(const char *name)
{
	char *p = path_in(name);
	unlink(p);
	free(p);
}

/* Every line of the source, joined by '|'. */
static char *read_lines(enum ph_source_kind kind, const char *file,
			const struct ph_source_paths *paths, bool follow)
{
	struct ph_audit_source src;
	ph_error_t err = NULL;
	static char out[4096];
	out[0] = '\0';
	if (ph_audit_source_open(&src, kind, file, paths, follow, &err) < 0) {
		snprintf(out, sizeof(out), "error: %s", err->msg);
		ph_error_free(&err);
		return out;
	}
	CHECK(src.kind == PH_SOURCE_RELAY);
	const char *line;
	size_t len;
	int r;
	while ((r = ph_audit_source_next(&src, &line, &len, &err)) == 1) {
		strncat(out, line, sizeof(out) - strlen(out) - 2);
		strcat(out, "|");
	}
	CHECK(r == 0);
	CHECK(ph_audit_source_close(&src, &err) == 0);
	return out;
}

static void test_order(void)
{
	struct ph_source_paths paths = {NULL, NULL, NULL, dir};
	/* nothing relayed yet: no records, no error */
	CHECK_STR(read_lines(PH_SOURCE_RELAY, NULL, &paths, false), "");
	put(PH_RELAY_RECORDS, "6,30,1,-;c\n6,40,1,-;d\n", "w");
	CHECK_STR(read_lines(PH_SOURCE_RELAY, NULL, &paths, false), "6,30,1,-;c|6,40,1,-;d|");
	/* the older file first */
	put(PH_RELAY_ROTATED, "6,10,1,-;a\n6,20,1,-;b\n", "w");
	CHECK_STR(read_lines(PH_SOURCE_RELAY, NULL, &paths, false),
		  "6,10,1,-;a|6,20,1,-;b|6,30,1,-;c|6,40,1,-;d|");
	/* a directory given as a file is read the same way */
	CHECK_STR(read_lines(PH_SOURCE_FILE, dir, NULL, false),
		  "6,10,1,-;a|6,20,1,-;b|6,30,1,-;c|6,40,1,-;d|");
	/* a rotation between the two opens: the same file, read once */
	char *cur = path_in(PH_RELAY_RECORDS), *old = path_in(PH_RELAY_ROTATED);
	CHECK(unlink(old) == 0 && link(cur, old) == 0);
	CHECK_STR(read_lines(PH_SOURCE_RELAY, NULL, &paths, false), "6,30,1,-;c|6,40,1,-;d|");
	/* a symbolic link is not followed */
	CHECK(unlink(old) == 0 && symlink("/etc/passwd", old) == 0);
	CHECK_STR(read_lines(PH_SOURCE_RELAY, NULL, &paths, false), "6,30,1,-;c|6,40,1,-;d|");
	CHECK(unlink(cur) == 0 && symlink("/etc/passwd", cur) == 0);
	CHECK(strncmp(read_lines(PH_SOURCE_RELAY, NULL, &paths, false), "error: ", 7) == 0);
	unlink(cur);
	unlink(old);
	free(cur);
	free(old);
}

static void test_auto(void)
{
	char *kmsg = path_in("kmsg"), *none = path_in("none");
	put("kmsg", "", "w");
	put(PH_RELAY_RECORDS, "6,50,1,-;e\n", "w");
	/* the relay's directory wins over a /dev/kmsg that can be read */
	struct ph_source_paths paths = {none, none, kmsg, dir};
	CHECK_STR(read_lines(PH_SOURCE_AUTO, NULL, &paths, false), "6,50,1,-;e|");
	/* without it, /dev/kmsg as before */
	struct ph_source_paths no_relay = {none, none, kmsg, none};
	struct ph_audit_source src;
	ph_error_t err = NULL;
	CHECK(ph_audit_source_open(&src, PH_SOURCE_AUTO, NULL, &no_relay, false, &err) == 0);
	CHECK(src.kind == PH_SOURCE_KMSG);
	CHECK(ph_audit_source_close(&src, &err) == 0);
	/* asked for, but not there */
	CHECK(ph_audit_source_open(&src, PH_SOURCE_RELAY, NULL, &no_relay, false, &err) < 0);
	CHECK_ERR(err, "cannot read the relayed records");
	ph_error_free(&err);
	CHECK(ph_source_kind_from_name("relay") == PH_SOURCE_RELAY);
	CHECK_STR(ph_source_kind_name(PH_SOURCE_RELAY), "relay");
	drop("kmsg");
	drop(PH_RELAY_RECORDS);
	free(kmsg);
	free(none);
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Following while the relay writes, rotates (rename, as relay.c does) and
 * writes again: every line once, in order; and before the first record
 * there is no `records` at all. */
static void test_follow_rotation(void)
{
	struct ph_source_paths paths = {NULL, NULL, NULL, dir};
	pid_t parent = getpid();
	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		char *cur = path_in(PH_RELAY_RECORDS), *old = path_in(PH_RELAY_ROTATED);
		nap_ms(400);
		put(PH_RELAY_RECORDS, "6,1,1,-;one\n", "a");
		nap_ms(400);
		put(PH_RELAY_RECORDS, "6,2,1,-;two\n", "a");
		/* appended right before the rename: must not be lost */
		int renamed = rename(cur, old);
		/* freed before any exit: under valgrind a leak in this child
		 * is its exit status (--error-exitcode) */
		free(cur);
		free(old);
		if (renamed < 0)
			_exit(1);
		put(PH_RELAY_RECORDS, "6,3,1,-;three\n", "a");
		nap_ms(800);
		put(PH_RELAY_RECORDS, "6,4,1,-;four\n", "a");
		nap_ms(800);
		kill(parent, SIGTERM);
		_exit(0);
	}
	CHECK_STR(read_lines(PH_SOURCE_RELAY, NULL, &paths, true),
		  "6,1,1,-;one|6,2,1,-;two|6,3,1,-;three|6,4,1,-;four|");
	int status = 0;
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	drop(PH_RELAY_RECORDS);
	drop(PH_RELAY_ROTATED);
}

static void gap_lines(struct ph_audit_gap *g, const char *const *lines)
{
	for (size_t i = 0; lines[i]; i++)
		ph_audit_gap_line(g, lines[i], strlen(lines[i]));
}

static void test_gap(void)
{
	struct ph_audit_gap g;
	char text[256];
	/* a container's own records jump by design: no gap */
	ph_audit_gap_init(&g);
	ph_audit_gap_source(&g, PH_SOURCE_RELAY);
	gap_lines(&g, (const char *const[]){"5,10,1,-;a", "5,900,1,-;b", NULL});
	CHECK(!ph_audit_gap_seen(&g));
	/* the relay's gap line is one */
	gap_lines(&g, (const char *const[]){PH_RELAY_GAP "kernel records 901 to 950 were lost "
							 "before the relay read them",
					    "5,951,1,-;c", NULL});
	CHECK(ph_audit_gap_seen(&g));
	ph_audit_gap_describe(&g, text, sizeof(text));
	CHECK(strstr(text, "the host's relay says") != NULL);
	CHECK(strstr(text, "records 901 to 950") != NULL);
	/* read as a plain kmsg file, the same jump is one */
	ph_audit_gap_init(&g);
	ph_audit_gap_source(&g, PH_SOURCE_FILE);
	gap_lines(&g, (const char *const[]){"5,10,1,-;a", "5,900,1,-;b", NULL});
	CHECK(ph_audit_gap_seen(&g));
	/* a control character in a gap line is not handed to the terminal */
	ph_audit_gap_init(&g);
	ph_audit_gap_source(&g, PH_SOURCE_RELAY);
	gap_lines(&g, (const char *const[]){PH_RELAY_GAP "x\033[2Jy", NULL});
	ph_audit_gap_describe(&g, text, sizeof(text));
	CHECK(strchr(text, '\033') == NULL);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	test_order();
	test_auto();
	test_follow_rotation();
	test_gap();
	rmdir(dir);
	T_DONE();
}
