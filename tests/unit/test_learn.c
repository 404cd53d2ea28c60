/* phoenix learn: AppArmor globbing, path generalisation, the bounds'
 * deny rules, record to rule, and gaps in the records. */
#include "aa_glob.h"
#include "audit_gap.h"
#include "learn_rules.h"
#include "t.h"

#define AVC "audit: type=1400 audit(1700000000.123:45): "
#define IN_C1 "namespace=\"root//phx-1a2b3c4d-c1\" profile=\"phoenix-learn\" "

static void test_glob(void)
{
	CHECK(ph_aa_glob_match("/proc/*", "/proc/sysrq-trigger"));
	CHECK(!ph_aa_glob_match("/proc/*", "/proc/sys/kernel"));
	CHECK(ph_aa_glob_match("/sys/**", "/sys/kernel/security/apparmor/.replace"));
	CHECK(ph_aa_glob_match("/a/{b,c}/d", "/a/c/d"));
	CHECK(!ph_aa_glob_match("/a/{b,c}/d", "/a/e/d"));
	CHECK(ph_aa_glob_match("/a/{b,c{x,y}}/d", "/a/cy/d"));
	CHECK(ph_aa_glob_match("/x/[0-9]*", "/x/1abc"));
	CHECK(!ph_aa_glob_match("/x/[0-9]*", "/x/abc"));
	CHECK(ph_aa_glob_match("/x/[^0-9]*", "/x/abc"));
	CHECK(!ph_aa_glob_match("/x/?", "/x//"));
	CHECK(ph_aa_glob_match("/x/\\*", "/x/*"));
	CHECK(!ph_aa_glob_match("/x/\\*", "/x/a"));
	/* phoenix-container-bounds' /proc rules, as they are written */
	const char *p = "/proc/{[^0-9s]*,s,s[^y]*,sy,sy[^s]*,sys?*}/**";
	CHECK(ph_aa_glob_match(p, "/proc/fs/nfsd/threads"));
	CHECK(!ph_aa_glob_match(p, "/proc/1234/attr/current"));
	CHECK(!ph_aa_glob_match(p, "/proc/sys/kernel/shmmax"));
	CHECK(ph_aa_glob_match("/proc/sys/kernel/{[^s]*,s,s[^h]*,sh,sh[^m]*}{,/**}",
			       "/proc/sys/kernel/core_pattern"));
	CHECK(!ph_aa_glob_match("/proc/sys/kernel/{[^s]*,s,s[^h]*,sh,sh[^m]*}{,/**}",
				"/proc/sys/kernel/shmmax"));
	CHECK(!ph_aa_glob_match("/a/{b", "/a/b")); /* unbalanced: no match, no crash */
}

static void check_gen(const char *in, const char *want)
{
	const char *why = NULL;
	char *out = ph_learn_generalize(in, &why);
	CHECK_STR(out, want);
	free(out);
}

static void test_generalize(void)
{
	check_gen("/proc/1234/status", "@{PROC}/@{pid}/status");
	check_gen("/proc/1234/task/1240/comm", "@{PROC}/@{pid}/task/@{tid}/comm");
	check_gen("/proc/1234", "@{PROC}/@{pid}");
	check_gen("/proc/sys/net/core/somaxconn", "/proc/sys/net/core/somaxconn");
	check_gen("/var/log/access.log.1", "/var/log/access.log.[0-9]*");
	check_gen("/run/httpd.4711.pid", "/run/httpd.[0-9]*");
	check_gen("/tmp/tmp.Ab12Cd34", "/tmp/tmp.*");
	check_gen("/tmp/phx.XyZabc", "/tmp/phx.*");
	check_gen("/tmp/httpd.log", "/tmp/httpd.log");
	check_gen("/etc/passwd", "/etc/passwd");
	check_gen("/usr/lib/x86_64-linux-gnu/libc.so.6",
		  "/usr/lib/x86_64-linux-gnu/libc.so.[0-9]*");
	check_gen("/www/a[1]", "/www/a\\[[0-9]*"); /* glob characters escaped */
	check_gen("/www/", "/www/");
	/* names the parser would read as syntax are refused */
	const char *why = NULL;
	CHECK(ph_learn_generalize("/www/a b", &why) == NULL && why != NULL);
	CHECK(ph_learn_generalize("/www/a,b", &why) == NULL && why != NULL);
	CHECK(ph_learn_generalize("/www/@{x}", &why) == NULL && why != NULL);
	CHECK(ph_learn_generalize("/www/a\nb", &why) == NULL && why != NULL);
	CHECK(ph_learn_generalize("/www/\"", &why) == NULL && why != NULL);
	CHECK(ph_learn_generalize("relative", &why) == NULL && why != NULL);
}

static const char bounds_text[] = "  audit deny capability mac_admin,\n"
				  "  signal (receive) peer=unconfined,\n"
				  "  audit deny mount,\n"
				  "  # a comment, deny /x r,\n"
				  "  audit deny @{PROC}sysrq-trigger rwklx,\n"
				  "  audit deny /sys/firmware/** rwklx,\n"
				  "  deny @{unknown}/x r,\n"
				  "  audit deny @{PROC}* wklx,\n";

static void test_bounds(void)
{
	struct ph_learn_bounds b;
	ph_error_t err = NULL;
	CHECK(ph_learn_bounds_parse(bounds_text, &b, &err) == 0);
	CHECK(b.n == 5);
	CHECK(b.n == 5 && b.deny[0].kind == PH_LEARN_CAP);
	CHECK(b.n == 5 && b.deny[1].kind == PH_LEARN_MOUNT);
	CHECK_STR(b.n == 5 ? b.deny[2].pattern : NULL, "/proc/sysrq-trigger");
	CHECK(b.n == 5 && b.deny[4].perms ==
			      (PH_LP_WRITE | PH_LP_APPEND | PH_LP_LOCK | PH_LP_LINK | PH_LP_EXEC));
	ph_learn_bounds_release(&b);
	CHECK(ph_learn_file_perms("rwc") == (PH_LP_READ | PH_LP_WRITE));
	CHECK(ph_learn_file_perms("::r") == PH_LP_READ);
	CHECK(ph_learn_file_perms("mx") == (PH_LP_MMAP | PH_LP_EXEC));
}

static int add_line(struct ph_learn *l, const char *line, bool own)
{
	struct ph_audit_record rec;
	ph_error_t err = NULL;
	int r = ph_audit_parse(line, strlen(line), &rec, &err);
	if (r != 1)
		return -1;
	r = own ? ph_learn_add(l, &rec, &err) : ph_learn_add_denial(l, &rec, &err);
	ph_audit_record_release(&rec);
	ph_error_free(&err);
	return r;
}

static bool has_note(const struct ph_learn *l, const char *needle)
{
	for (size_t i = 0; i < l->n_notes; i++)
		if (strstr(l->notes[i], needle))
			return true;
	return false;
}

static void test_records(void)
{
	struct ph_learn_bounds b;
	ph_error_t err = NULL;
	CHECK(ph_learn_bounds_parse(bounds_text, &b, &err) == 0);
	struct ph_learn l;
	ph_learn_init(&l, "phoenix-learn", &b);
	CHECK(add_line(&l,
		       AVC "apparmor=\"ALLOWED\" operation=\"open\" class=\"file\" " IN_C1
			   "name=\"/www/index.html\" pid=7 comm=\"httpd\" requested_mask=\"r\"",
		       true) == 0);
	CHECK(add_line(&l,
		       AVC "apparmor=\"ALLOWED\" operation=\"file_mmap\" class=\"file\" " IN_C1
			   "name=\"/www/index.html\" pid=7 comm=\"httpd\" requested_mask=\"m\"",
		       true) == 0);
	CHECK(add_line(&l,
		       AVC "apparmor=\"ALLOWED\" operation=\"capable\" class=\"cap\" " IN_C1
			   "pid=7 comm=\"httpd\" capability=33 capname=\"mac_admin\"",
		       true) == 0);
	CHECK(add_line(&l,
		       AVC "apparmor=\"ALLOWED\" operation=\"open\" class=\"file\" " IN_C1
			   "name=\"/proc/version\" pid=7 comm=\"sh\" requested_mask=\"rw\"",
		       true) == 0);
	CHECK(add_line(&l,
		       AVC "apparmor=\"ALLOWED\" operation=\"ptrace\" class=\"ptrace\" " IN_C1
			   "pid=7 comm=\"strace\" requested_mask=\"trace\" peer=\"phoenix-learn\"",
		       true) == 0);
	/* the host's profile denied this one: its own record, same pid, op, name */
	CHECK(add_line(&l,
		       AVC "apparmor=\"DENIED\" operation=\"open\" class=\"file\" "
			   "profile=\"host\" name=\"/secret\" pid=8 comm=\"cat\" "
			   "requested_mask=\"r\"",
		       false) == 0);
	CHECK(add_line(&l,
		       AVC "apparmor=\"ALLOWED\" operation=\"open\" class=\"file\" " IN_C1
			   "name=\"/secret\" pid=8 comm=\"cat\" requested_mask=\"r\"",
		       true) == 0);
	/* another profile of the container's namespace is not the recording one */
	CHECK(add_line(&l,
		       AVC "apparmor=\"ALLOWED\" operation=\"open\" class=\"file\" "
			   "namespace=\"root//phx-1a2b3c4d-c1\" profile=\"other\" "
			   "name=\"/other\" pid=9 comm=\"cat\" requested_mask=\"r\"",
		       true) == 0);
	CHECK(ph_learn_finish(&l, &err) == 0);
	CHECK(l.records == 7);
	char *text = NULL;
	CHECK(ph_learn_render(&l, "web", "/b/bounds", NULL, &text, &err) == 0);
	CHECK(text && strstr(text, "  /www/index.html mr,\n"));
	CHECK(text && strstr(text, "  /proc/version r,\n")); /* w taken away by the bounds */
	CHECK(text && strstr(text, "  ptrace (trace) peer=@{profile_name},\n"));
	CHECK(text && strstr(text, "include \"/b/bounds\"\n"));
	CHECK(text && strstr(text, "mac_admin") == NULL);
	CHECK(text && strstr(text, "/secret") == NULL);
	CHECK(text && strstr(text, "/other") == NULL);
	CHECK(has_note(&l, "capability mac_admin (denied by phoenix's bounds)"));
	CHECK(has_note(&l, "open /secret (denied by `host`)"));
	CHECK(has_note(&l, "open /proc/version w (denied by phoenix's bounds)"));
	CHECK(has_note(&l, "profile `other`"));
	free(text);
	ph_learn_release(&l);
	ph_learn_bounds_release(&b);
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
	ph_audit_gap_init(&g);
	gap_lines(&g, (const char *const[]){"5,10,1,-;a", "5,11,1,-;b", "5,12,1,-;c", NULL});
	CHECK(!ph_audit_gap_seen(&g));
	ph_audit_gap_describe(&g, text, sizeof(text));
	CHECK_STR(text, "");
	gap_lines(&g, (const char *const[]){"5,20,1,-;d", NULL});
	CHECK(ph_audit_gap_seen(&g) && g.skipped == 7);
	ph_audit_gap_describe(&g, text, sizeof(text));
	CHECK(strstr(text, "jumped from record 12 to 20: 7 records") != NULL);

	ph_audit_gap_init(&g);
	gap_lines(&g, (const char *const[]){
			  "4,30,1,-;audit: printk limit exceeded",
			  "type=AVC msg=audit(1.0:1): apparmor=\"ALLOWED\"",
			  NULL,
		      });
	CHECK(ph_audit_gap_seen(&g) && g.kernel_lost == 1);
	ph_audit_gap_describe(&g, text, sizeof(text));
	CHECK(strstr(text, "\"audit: printk limit exceeded\"") != NULL);

	ph_audit_gap_init(&g);
	gap_lines(&g, (const char *const[]){"[  5.1] audit: audit_lost=3 audit_rate_limit=0 "
					    "audit_backlog_limit=64",
					    NULL});
	CHECK(ph_audit_gap_seen(&g));
}

int main(void)
{
	test_glob();
	test_generalize();
	test_bounds();
	test_records();
	test_gap();
	T_DONE();
}
