/* How `phoenix denials` shows a record: time, escaping, table, JSON. */
#include <stdlib.h>
#include <time.h>

#include "denials_print.h"
#include "t.h"

#define NS "phx-1a2b3c4d-web"

static void parse(const char *line, struct ph_audit_record *rec)
{
	ph_error_t err = NULL;
	if (ph_audit_parse(line, strlen(line), rec, &err) != 1)
		abort();
}

static void test_time(void)
{
	struct ph_audit_record r;
	struct ph_denial_context dc = {NULL, 0};
	char buf[64];
	parse("audit: type=1400 audit(1700000000.123:45): apparmor=\"DENIED\" operation=\"open\"",
	      &r);
	setenv("TZ", "UTC", 1);
	tzset();
	ph_denial_time(&r, &dc, buf, sizeof(buf));
	CHECK_STR(buf, "2023-11-14T22:13:20.123Z");
	setenv("TZ", "CET-1", 1);
	tzset();
	ph_denial_time(&r, &dc, buf, sizeof(buf));
	CHECK_STR(buf, "2023-11-14T23:13:20.123+01:00");
	setenv("TZ", "<-0330>3:30", 1);
	tzset();
	ph_denial_time(&r, &dc, buf, sizeof(buf));
	CHECK_STR(buf, "2023-11-14T18:43:20.123-03:30");
	setenv("TZ", "UTC", 1);
	tzset();
	ph_audit_record_release(&r);

	/* /dev/kmsg without audit(): boot time plus the record's microseconds */
	parse("6,1,2500000,-;apparmor=\"DENIED\" operation=\"open\"", &r);
	dc.boot_usec = 1700000000LL * 1000000;
	ph_denial_time(&r, &dc, buf, sizeof(buf));
	CHECK_STR(buf, "2023-11-14T22:13:22.500Z");
	dc.boot_usec = 0;
	ph_denial_time(&r, &dc, buf, sizeof(buf));
	CHECK_STR(buf, "-");
	ph_audit_record_release(&r);
}

static void test_escape(void)
{
	char *s = ph_denial_escape("a\tb\x7f\xff\xc3\xa9\xe2\x82\xac\xed\xa0\x80z", false);
	CHECK_STR(s, "a\\x09b\\x7f\\xff\xc3\xa9\xe2\x82\xac\\xed\\xa0\\x80z");
	free(s);
	s = ph_denial_escape("a\nb\xc0\xaf", true);
	CHECK_STR(s, "a\nb\\xc0\\xaf");
	free(s);

	/* characters a terminal acts on: C1 (U+0085, U+009B CSI, U+009F),
	 * bidi (U+061C, U+200E, U+200F, U+202A, U+202E, U+2066, U+2069), the
	 * invisible ones (U+200B, U+2028, U+FEFF); their neighbours U+00A0,
	 * U+2030 and U+206F-adjacent U+2070 stay */
	s = ph_denial_escape("/x\xc2\x85\xc2\x9b"
			     "31m\xc2\x9f\xc2\xa0",
			     false);
	CHECK_STR(s, "/x\\u0085\\u009b31m\\u009f\xc2\xa0");
	free(s);
	s = ph_denial_escape("\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa\xe2\x80\xae"
			     "\xe2\x81\xa6\xe2\x81\xa9",
			     false);
	CHECK_STR(s, "\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069");
	free(s);
	s = ph_denial_escape("a\xe2\x80\x8b\xe2\x80\xa8\xef\xbb\xbf\xe2\x80\xb0\xe2\x81\xb0z",
			     false);
	CHECK_STR(s, "a\\u200b\\u2028\\ufeff\xe2\x80\xb0\xe2\x81\xb0z");
	free(s);
	/* a file name that reverses the rest of its line in a terminal */
	s = ph_denial_escape("/tmp/\xe2\x80\xaetxt.exe", false);
	CHECK_STR(s, "/tmp/\\u202etxt.exe");
	free(s);
	/* invalid UTF-8: truncated, overlong, a surrogate, beyond U+10FFFF */
	s = ph_denial_escape("\xe2\x80|\xc1\xbf|\xed\xb0\x80|\xf4\x90\x80\x80", false);
	CHECK_STR(s, "\\xe2\\x80|\\xc1\\xbf|\\xed\\xb0\\x80|\\xf4\\x90\\x80\\x80");
	free(s);
	/* JSON keeps them: there they are data, escaped by the writer */
	s = ph_denial_escape("\xe2\x80\xae\xc2\x9b", true);
	CHECK_STR(s, "\xe2\x80\xae\xc2\x9b");
	free(s);
}

static char *table_of(const char *const *lines, const char *container, bool stream)
{
	struct ph_denial_table t = {NULL, 0, 0, stream};
	struct ph_denial_context dc = {container, 0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	ph_error_t err = NULL;
	if (stream)
		ph_denial_table_header(f);
	for (size_t i = 0; lines[i]; i++) {
		struct ph_audit_record r;
		parse(lines[i], &r);
		CHECK(ph_denial_table_add(&t, &r, &dc, f, &err) == 0);
		ph_audit_record_release(&r);
	}
	if (!stream)
		ph_denial_table_print(&t, f);
	ph_denial_table_release(&t);
	fclose(f);
	return out;
}

static void test_table(void)
{
	const char *const lines[] = {
	    "audit: type=1400 audit(1700000000.123:45): apparmor=\"DENIED\" operation=\"open\" "
	    "namespace=\"root//" NS "\" profile=\"phoenix-default\" name=2F746D702F610A62 pid=12 "
	    "comm=\"cat\" requested_mask=\"r\" denied_mask=\"r\"",
	    "audit: type=1400 audit(1700000001.000:46): apparmor=\"DENIED\" operation=\"capable\" "
	    "namespace=\"root//" NS "\" profile=\"phoenix-default\" pid=13 comm=\"ip\" "
	    "capability=12  capname=\"net_admin\"",
	    "audit: type=1400 audit(1700000002.000:47): apparmor=\"DENIED\" operation=\"signal\" "
	    "namespace=\"root//" NS "\" profile=\"phoenix-default\" pid=14 comm=\"sh\" "
	    "requested_mask=\"receive\" denied_mask=\"receive\" signal=hup peer=\"unconfined\"",
	    NULL,
	};
	char *out = table_of(lines, "web", false);
	const char *head =
	    "TIME                      CONTAINER  PROFILE          OPERATION  TARGET";
	CHECK(strncmp(out, head, strlen(head)) == 0);
	CHECK(strstr(out, "KIND") == NULL); /* all DENIED */
	/* a newline in a file name cannot break the table */
	CHECK(strstr(out, "2023-11-14T22:13:20.123Z  web        phoenix-default  open       "
			  "/tmp/a\\x0ab") != NULL);
	CHECK(strstr(out, "cat[12]\n") != NULL);
	CHECK(strstr(out, "capable    net_admin") != NULL);
	CHECK(strstr(out, "hup from unconfined") != NULL);
	free(out);

	const char *const allowed[] = {
	    "audit: type=1400 audit(1700000003.000:48): apparmor=\"ALLOWED\" operation=\"open\" "
	    "namespace=\"root//" NS "\" profile=\"phoenix-default\" name=\"/etc/passwd\" pid=15 "
	    "comm=\"cat\" requested_mask=\"r\" denied_mask=\"r\"",
	    NULL,
	};
	out = table_of(allowed, NULL, true);
	CHECK(strstr(out, "COMMAND           KIND\n") != NULL);
	CHECK(strstr(out, NS "  phoenix-default") != NULL);
	CHECK(strstr(out, "cat[15]           ALLOWED\n") != NULL);
	free(out);
}

static void test_json(void)
{
	struct ph_audit_record r;
	parse("type=AVC msg=audit(1700000000.5:7): apparmor=\"DENIED\" operation=\"mount\" "
	      "info=\"failed flags match\" error=-13 namespace=\"root//" NS "\" "
	      "profile=\"phoenix-default\" name=\"/mnt/\" pid=9 comm=\"mount\" fstype=\"tmpfs\" "
	      "srcname=\"none\" flags=\"rw\" comm=\"dup\"",
	      &r);
	struct ph_denial_context dc = {"web", 0};
	ph_error_t err = NULL;
	struct ph_json *o = ph_denial_json(&r, &dc, &err);
	CHECK(o != NULL);
	const char *s = NULL;
	CHECK(ph_json_get_string(o, "container", &s, &err) == 1);
	CHECK_STR(s, "web");
	CHECK(ph_json_get_string(o, "namespace", &s, &err) == 1);
	CHECK_STR(s, NS);
	CHECK(ph_json_get_string(o, "time", &s, &err) == 1);
	CHECK_STR(s, "2023-11-14T22:13:20.500Z");
	CHECK(ph_json_get_number(o, "timestamp", &s, &err) == 1);
	CHECK_STR(s, "1700000000.500");
	CHECK(ph_json_get_number(o, "error", &s, &err) == 1);
	CHECK_STR(s, "-13");
	CHECK(ph_json_get_number(o, "pid", &s, &err) == 1);
	CHECK_STR(s, "9");
	CHECK(ph_json_get_string(o, "fields.fstype", &s, &err) == 1);
	CHECK_STR(s, "tmpfs");
	CHECK(ph_json_get_string(o, "fields.flags", &s, &err) == 1);
	CHECK(ph_json_object_get(ph_json_lookup(o, "fields"), "comm") == NULL);
	CHECK(ph_json_get_string(o, "denied", &s, &err) == 0); /* null */

	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	CHECK(ph_denial_json_line(o, f, &err) == 0);
	fclose(f);
	CHECK(strchr(out, '\n') == out + len - 1);
	CHECK(strchr(out, '\t') == NULL);
	struct ph_json *back = NULL;
	CHECK(ph_json_parse(out, len, "line", &back, &err) == 0);
	CHECK(ph_json_get_string(back, "operation", &s, &err) == 1);
	CHECK_STR(s, "mount");
	ph_json_free(back);
	free(out);
	ph_json_free(o);
	ph_audit_record_release(&r);

	/* bytes that are not UTF-8 still make valid JSON */
	parse("apparmor=\"DENIED\" operation=\"open\" name=2FFF0A pid=1 comm=\"c\"", &r);
	o = ph_denial_json(&r, &dc, &err);
	CHECK(o != NULL);
	CHECK(ph_json_get_string(o, "name", &s, &err) == 1);
	CHECK_STR(s, "/\\xff\n");
	ph_json_free(o);
	ph_audit_record_release(&r);
}

int main(void)
{
	test_time();
	test_escape();
	test_table();
	test_json();
	T_DONE();
}
