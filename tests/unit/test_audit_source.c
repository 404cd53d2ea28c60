/* Reading audit records: line splitting, and which source is chosen. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_source.h"
#include "t.h"

static char dir[] = "/tmp/phoenix-test-source.XXXXXX";

static char *path_in_dir(const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		abort();
	fwrite(text, 1, len, f);
	fclose(f);
}

static void test_lines(void)
{
	char *p = path_in_dir("lines");
	/* the last line has no newline; an empty line stays a line */
	write_file(p, "one\n\nthree\nfour", 15);
	struct ph_audit_source src;
	ph_error_t err = NULL;
	CHECK(ph_audit_source_open(&src, PH_SOURCE_FILE, p, NULL, false, &err) == 0);
	CHECK(src.kind == PH_SOURCE_FILE);
	const char *want[] = {"one", "", "three", "four"};
	const char *line;
	size_t len;
	for (int i = 0; i < 4; i++) {
		CHECK(ph_audit_source_next(&src, &line, &len, &err) == 1);
		CHECK_STR(line, want[i]);
		CHECK(len == strlen(want[i]));
	}
	CHECK(ph_audit_source_next(&src, &line, &len, &err) == 0);
	CHECK(ph_audit_source_next(&src, &line, &len, &err) == 0);
	CHECK(ph_audit_source_close(&src, &err) == 0);
	free(p);
}

static void test_long_line(void)
{
	/* longer than the buffer: handed over in pieces, never lost track of */
	size_t n = 600 * 1024;
	char *text = malloc(n + 4);
	memset(text, 'a', n);
	memcpy(text + n, "\nb\n", 3);
	char *p = path_in_dir("long");
	write_file(p, text, n + 3);
	struct ph_audit_source src;
	ph_error_t err = NULL;
	CHECK(ph_audit_source_open(&src, PH_SOURCE_FILE, p, NULL, false, &err) == 0);
	const char *line;
	size_t len, total = 0;
	int r, pieces = 0;
	bool saw_b = false;
	while ((r = ph_audit_source_next(&src, &line, &len, &err)) == 1) {
		if (strcmp(line, "b") == 0)
			saw_b = true;
		else
			total += len, pieces++;
	}
	CHECK(r == 0);
	CHECK(total == n);
	CHECK(pieces >= 3);
	CHECK(saw_b);
	CHECK(ph_audit_source_close(&src, &err) == 0);
	free(p);
	free(text);
}

static void test_errors(void)
{
	struct ph_audit_source src;
	ph_error_t err = NULL;
	char *p = path_in_dir("missing");
	CHECK(ph_audit_source_open(&src, PH_SOURCE_FILE, p, NULL, false, &err) < 0);
	CHECK_ERR(err, "No such file");
	ph_error_free(&err);
	/* a directory is read as the relay's (test_relay_source.c) */
	CHECK(ph_audit_source_open(&src, PH_SOURCE_FILE, dir, NULL, false, &err) == 0);
	CHECK(src.kind == PH_SOURCE_RELAY);
	CHECK(ph_audit_source_close(&src, &err) == 0);
	struct ph_source_paths paths = {p, p, p, NULL};
	CHECK(ph_audit_source_open(&src, PH_SOURCE_AUDIT, NULL, &paths, false, &err) < 0);
	CHECK_ERR(err, "cannot read the audit log");
	ph_error_free(&err);
	CHECK(ph_audit_source_open(&src, PH_SOURCE_KMSG, NULL, &paths, false, &err) < 0);
	CHECK_ERR(err, "cannot read the kernel log");
	CHECK(err && err->status == ENOENT);
	ph_error_free(&err);
	free(p);
}

static void test_auto(void)
{
	char *log = path_in_dir("audit.log"), *pid = path_in_dir("auditd.pid");
	char *kmsg = path_in_dir("kmsg"), *none = path_in_dir("none");
	write_file(log, "", 0);
	write_file(kmsg, "", 0);
	struct ph_audit_source src;
	ph_error_t err = NULL;

	/* no auditd: the kernel log */
	struct ph_source_paths paths = {log, pid, kmsg, NULL};
	CHECK(ph_audit_source_open(&src, PH_SOURCE_AUTO, NULL, &paths, false, &err) == 0);
	CHECK(src.kind == PH_SOURCE_KMSG);
	CHECK(ph_audit_source_close(&src, &err) == 0);

	/* a stale pid file is no auditd */
	write_file(pid, "999999999\n", 10);
	CHECK(ph_audit_source_open(&src, PH_SOURCE_AUTO, NULL, &paths, false, &err) == 0);
	CHECK(src.kind == PH_SOURCE_KMSG);
	CHECK(ph_audit_source_close(&src, &err) == 0);

	/* auditd runs (this process stands in for it): its log */
	char text[32];
	int n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	write_file(pid, text, (size_t)n);
	CHECK(ph_audit_source_open(&src, PH_SOURCE_AUTO, NULL, &paths, false, &err) == 0);
	CHECK(src.kind == PH_SOURCE_AUDIT);
	CHECK_STR(src.path, log);
	CHECK(ph_audit_source_close(&src, &err) == 0);

	/* ... and its log cannot be read: an error, not another source */
	struct ph_source_paths no_log = {none, pid, kmsg, NULL};
	CHECK(ph_audit_source_open(&src, PH_SOURCE_AUTO, NULL, &no_log, false, &err) < 0);
	CHECK_ERR(err, "where auditd writes AppArmor records");
	ph_error_free(&err);

	/* no kernel log: the journal, when journalctl is there */
	struct ph_source_paths no_kmsg = {log, none, none, NULL};
	bool journal =
	    access("/usr/bin/journalctl", X_OK) == 0 || access("/bin/journalctl", X_OK) == 0;
	int r = ph_audit_source_open(&src, PH_SOURCE_AUTO, NULL, &no_kmsg, false, &err);
	if (journal) {
		CHECK(r == 0);
		CHECK(src.kind == PH_SOURCE_JOURNAL);
		const char *line;
		size_t len;
		while ((r = ph_audit_source_next(&src, &line, &len, &err)) == 1)
			;
		CHECK(r == 0);
		CHECK(ph_audit_source_close(&src, &err) == 0);
	} else {
		CHECK(r < 0);
		CHECK_ERR(err, "cannot read the kernel log");
		ph_error_free(&err);
	}
	unlink(log);
	unlink(pid);
	unlink(kmsg);
	free(log);
	free(pid);
	free(kmsg);
	free(none);
}

/* Following: a stop signal ends the records; a second one that arrives
 * while phoenix is stopping (signals blocked) must not kill it when the
 * default action comes back at close. */
static void test_stop_twice(void)
{
	char *p = path_in_dir("fifo");
	CHECK(mkfifo(p, 0600) == 0);
	struct ph_audit_source src;
	ph_error_t err = NULL;
	CHECK(ph_audit_source_open(&src, PH_SOURCE_FILE, p, NULL, true, &err) == 0);
	raise(SIGTERM); /* blocked: pending until the wait */
	const char *line = NULL;
	size_t len = 0;
	CHECK(ph_audit_source_next(&src, &line, &len, &err) == 0);
	raise(SIGTERM); /* blocked again: pending at close */
	CHECK(ph_audit_source_close(&src, &err) == 0);
	sigset_t pending;
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGTERM));
	unlink(p);
	free(p);
}

static void test_names(void)
{
	CHECK(ph_source_kind_from_name("kmsg") == PH_SOURCE_KMSG);
	CHECK(ph_source_kind_from_name("audit") == PH_SOURCE_AUDIT);
	CHECK(ph_source_kind_from_name("journal") == PH_SOURCE_JOURNAL);
	CHECK(ph_source_kind_from_name("./kmsg") == PH_SOURCE_FILE);
	CHECK_STR(ph_source_kind_name(PH_SOURCE_JOURNAL), "journal");
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	test_lines();
	test_long_line();
	test_errors();
	test_auto();
	test_stop_twice();
	test_names();
	char *p;
	const char *names[] = {"lines", "long", NULL};
	for (int i = 0; names[i]; i++) {
		p = path_in_dir(names[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
	T_DONE();
}
