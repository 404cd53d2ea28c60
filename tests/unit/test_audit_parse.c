/* AppArmor audit records in the forms the kernel, auditd and journald
 * write them. */
#include "audit_parse.h"
#include "t.h"

#define NS_WEB "phx-1a2b3c4d-web"
#define NS_DB "phx-1a2b3c4d-db"
#define AVC "audit: type=1400 audit(1700000000.123:45): "
#define IN_WEB "namespace=\"root//" NS_WEB "\" profile=\"phoenix-default\" "

static int parse(const char *line, struct ph_audit_record *rec)
{
	ph_error_t err = NULL;
	int r = ph_audit_parse(line, strlen(line), rec, &err);
	if (r < 0) {
		fprintf(stderr, "parse: %s\n", err->msg);
		ph_error_free(&err);
	}
	return r;
}

/* Parse a line that must be a record of container `web`. */
#define CHECK_WEB(line, rec)                                                                       \
	do {                                                                                       \
		CHECK(parse((line), (rec)) == 1);                                                  \
		CHECK((rec)->phoenix);                                                             \
		CHECK_STR((rec)->ns, NS_WEB);                                                      \
		CHECK_STR((rec)->ns_profile, "phoenix-default");                                   \
	} while (0)

static void test_file_open_kmsg(void)
{
	struct ph_audit_record r;
	CHECK_WEB("6,1234,567890123,-;" AVC
		  "apparmor=\"DENIED\" operation=\"open\" class=\"file\" " IN_WEB
		  "name=\"/phoenix-denied/secret\" pid=1234 comm=\"cat\" requested_mask=\"r\" "
		  "denied_mask=\"r\" fsuid=0 ouid=0\n SUBSYSTEM=audit\n",
		  &r);
	CHECK(r.kind == PH_AUDIT_DENIED);
	CHECK_STR(r.kind_name, "DENIED");
	CHECK(r.type == 1400);
	CHECK(r.has_stamp && r.sec == 1700000000 && r.msec == 123 && r.serial == 45);
	CHECK(r.boot_usec == 567890123);
	CHECK_STR(r.operation, "open");
	CHECK_STR(r.class_name, "file");
	CHECK_STR(r.name, "/phoenix-denied/secret");
	CHECK(r.pid == 1234);
	CHECK_STR(r.comm, "cat");
	CHECK_STR(r.requested, "r");
	CHECK_STR(r.denied, "r");
	CHECK_STR(r.label, ":" NS_WEB ":phoenix-default");
	CHECK_STR(ph_audit_get(&r, "fsuid"), "0");
	CHECK_STR(ph_audit_get(&r, "ouid"), "0");
	CHECK(ph_audit_get(&r, "SUBSYSTEM") == NULL); /* the kmsg dictionary is not the record */
	ph_audit_record_release(&r);
}

static void test_exec_mknod_link(void)
{
	struct ph_audit_record r;
	CHECK_WEB(
	    AVC
	    "apparmor=\"DENIED\" operation=\"exec\" class=\"file\" " IN_WEB
	    "name=\"/usr/bin/wget\" pid=1240 comm=\"sh\" requested_mask=\"x\" denied_mask=\"x\" "
	    "fsuid=0 ouid=0",
	    &r);
	CHECK_STR(r.operation, "exec");
	CHECK_STR(r.denied, "x");
	CHECK(r.boot_usec == -1);
	ph_audit_record_release(&r);

	CHECK_WEB(
	    AVC "apparmor=\"DENIED\" operation=\"mknod\" class=\"file\" " IN_WEB
		"name=\"/dev/sda9\" pid=1241 comm=\"mknod\" requested_mask=\"c\" denied_mask=\"c\" "
		"fsuid=0 ouid=0",
	    &r);
	CHECK_STR(r.name, "/dev/sda9");
	CHECK_STR(r.requested, "c");
	ph_audit_record_release(&r);

	CHECK_WEB(AVC
		  "apparmor=\"DENIED\" operation=\"link\" class=\"file\" " IN_WEB
		  "name=\"/tmp/hard\" pid=1242 comm=\"ln\" requested_mask=\"l\" denied_mask=\"l\" "
		  "fsuid=0 ouid=0 target=\"/etc/shadow\"",
		  &r);
	CHECK_STR(r.target, "/etc/shadow");
	CHECK_STR(r.name, "/tmp/hard");
	ph_audit_record_release(&r);
}

static void test_capability(void)
{
	struct ph_audit_record r;
	/* dump_common_audit_data() leaves two spaces before capname */
	CHECK(
	    parse(AVC
		  "apparmor=\"DENIED\" operation=\"capable\" class=\"cap\" namespace=\"root//" NS_DB
		  "\" profile=\"phoenix-default\" pid=2000 comm=\"ip\" capability=12  "
		  "capname=\"net_admin\"",
		  &r) == 1);
	CHECK_STR(r.ns, NS_DB);
	CHECK_STR(r.capname, "net_admin");
	CHECK_STR(ph_audit_get(&r, "capability"), "12");
	CHECK(r.requested == NULL && r.denied == NULL);
	ph_audit_record_release(&r);
}

static void test_signal_ptrace(void)
{
	struct ph_audit_record r;
	CHECK_WEB(AVC
		  "apparmor=\"DENIED\" operation=\"signal\" class=\"signal\" " IN_WEB
		  "pid=1300 comm=\"kill\" requested_mask=\"send\" denied_mask=\"send\" signal=kill "
		  "peer=\"unconfined\"",
		  &r);
	CHECK_STR(r.signal, "kill");
	CHECK_STR(r.peer, "unconfined");
	CHECK_STR(r.requested, "send");
	ph_audit_record_release(&r);

	/* audit_signal_cb() writes an unknown signal without a leading space */
	CHECK_WEB(
	    AVC "apparmor=\"DENIED\" operation=\"signal\" class=\"signal\" " IN_WEB
		"pid=1300 comm=\"kill\" requested=\"receive\" denied=\"receive\"signal=unknown(77) "
		"peer=\"phoenix-default\"",
	    &r);
	CHECK_STR(r.signal, "unknown(77)");
	CHECK_STR(r.requested, "receive");
	CHECK_STR(r.denied, "receive");
	ph_audit_record_release(&r);

	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"ptrace\" class=\"ptrace\" " IN_WEB
		      "pid=1301 comm=\"strace\" requested_mask=\"trace\" denied_mask=\"trace\" "
		      "peer=\"unconfined\"",
		  &r);
	CHECK_STR(r.operation, "ptrace");
	CHECK_STR(r.denied, "trace");
	ph_audit_record_release(&r);
}

static void test_mount_network_change_profile(void)
{
	struct ph_audit_record r;
	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"mount\" class=\"mount\" info=\"failed flags "
		      "match\" error=-13 " IN_WEB "name=\"/mnt/\" pid=1302 comm=\"mount\" "
		      "fstype=\"tmpfs\" srcname=\"tmpfs\" flags=\"rw, nosuid\"",
		  &r);
	CHECK_STR(r.info, "failed flags match");
	CHECK_STR(r.error, "-13");
	CHECK_STR(ph_audit_get(&r, "fstype"), "tmpfs");
	CHECK_STR(ph_audit_get(&r, "flags"), "rw, nosuid");
	ph_audit_record_release(&r);

	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"create\" class=\"net\" " IN_WEB
		      "pid=1303 comm=\"ping\" family=\"inet\" sock_type=\"raw\" protocol=1 "
		      "requested_mask=\"create\" denied_mask=\"create\"",
		  &r);
	CHECK_STR(ph_audit_get(&r, "family"), "inet");
	CHECK_STR(ph_audit_get(&r, "sock_type"), "raw");
	CHECK_STR(ph_audit_get(&r, "protocol"), "1");
	CHECK_STR(r.denied, "create");
	ph_audit_record_release(&r);

	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"change_profile\" class=\"file\" "
		      "info=\"label not found\" error=-2 " IN_WEB
		      "name=\"evil\" pid=1304 comm=\"aa-exec\" target=\"evil\"",
		  &r);
	CHECK_STR(r.operation, "change_profile");
	CHECK_STR(r.target, "evil");
	ph_audit_record_release(&r);
}

static void test_hex(void)
{
	struct ph_audit_record r;
	/* "/tmp/a b" and "my comm": audit_log_untrustedstring() writes hex */
	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"open\" class=\"file\" " IN_WEB
		      "name=2F746D702F612062 pid=7 comm=6D7920636F6D6D requested_mask=\"r\" "
		      "denied_mask=\"r\" fsuid=0 ouid=0",
		  &r);
	CHECK_STR(r.name, "/tmp/a b");
	CHECK_STR(r.comm, "my comm");
	CHECK(r.pid == 7); /* pid is a number, not hex */
	ph_audit_record_release(&r);

	/* a namespace path with a space is hex too */
	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"open\" namespace="
		      "726F6F742F2F6120622F2F7068782D31613262336334642D776562"
		      " profile=\"phoenix-default\" name=\"/x\" pid=1 comm=\"c\"",
		  &r);
	CHECK_STR(r.members[0].ns, "a b//" NS_WEB);
	ph_audit_record_release(&r);

	/* /dev/kmsg escapes backslashes and other bytes itself */
	CHECK_WEB("4,99,1000,-;" AVC "apparmor=\"DENIED\" operation=\"open\" " IN_WEB
		  "name=\"/tmp/back\\x5cslash\" pid=8 comm=\"c\"",
		  &r);
	CHECK_STR(r.name, "/tmp/back\\slash");
	ph_audit_record_release(&r);
}

static void test_labels(void)
{
	struct ph_audit_record r;
	/* a stack, printed from the root namespace: the LXC host profile and
	 * the container's profile two namespaces down */
	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"open\" class=\"file\" "
		      "label=\"lxc-c1_</var/lib/lxc>//&:lxc-c1_<-var-lib-lxc>//" NS_WEB
		      ":phoenix-default\" name=\"/etc/shadow\" pid=9 comm=\"cat\" "
		      "requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0",
		  &r);
	CHECK(r.n_members == 2);
	CHECK_STR(r.members[0].ns, "");
	CHECK_STR(r.members[0].name, "lxc-c1_</var/lib/lxc>");
	CHECK_STR(r.members[1].ns, "lxc-c1_<-var-lib-lxc>//" NS_WEB);
	CHECK_STR(r.label,
		  "lxc-c1_</var/lib/lxc>//&:lxc-c1_<-var-lib-lxc>//" NS_WEB ":phoenix-default");
	ph_audit_record_release(&r);

	/* a single profile of a grandchild namespace: namespace= is its hname */
	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"open\" namespace=\"root//ct//" NS_WEB
		      "\" profile=\"phoenix-default\" name=\"/x\" pid=10 comm=\"c\"",
		  &r);
	CHECK_STR(r.members[0].ns, "ct//" NS_WEB);
	ph_audit_record_release(&r);

	/* a member without a namespace is in the previous member's */
	CHECK(parse(AVC "apparmor=\"DENIED\" operation=\"open\" label=\"docker-default//&:" NS_WEB
			":phoenix-default//&extra\" name=\"/x\" pid=11 comm=\"c\"",
		    &r) == 1);
	CHECK(r.n_members == 3);
	CHECK_STR(r.members[2].ns, NS_WEB);
	CHECK_STR(r.members[2].name, "extra");
	CHECK_STR(r.ns, NS_WEB);
	CHECK_STR(r.ns_profile, "extra");
	ph_audit_record_release(&r);

	/* a namespace below the container's own */
	CHECK(parse(AVC "apparmor=\"DENIED\" operation=\"open\" namespace=\"root//" NS_WEB
			"//inner\" profile=\"app\" name=\"/x\" pid=12 comm=\"c\"",
		    &r) == 1);
	CHECK(r.phoenix);
	CHECK_STR(r.ns, NS_WEB);
	CHECK_STR(r.ns_profile, ":inner:app");
	ph_audit_record_release(&r);

	/* ":ns:profile" where a profile name is expected */
	CHECK_WEB(AVC "apparmor=\"DENIED\" operation=\"open\" profile=\":" NS_WEB
		      ":phoenix-default\" name=\"/x\" pid=13 comm=\"c\"",
		  &r);
	ph_audit_record_release(&r);

	/* not phoenix: the root namespace, and another namespace */
	CHECK(parse(AVC "apparmor=\"DENIED\" operation=\"open\" profile=\"docker-default\" "
			"name=\"/proc/kcore\" pid=14 comm=\"cat\"",
		    &r) == 1);
	CHECK(!r.phoenix);
	CHECK(r.ns == NULL);
	CHECK_STR(r.label, "docker-default");
	ph_audit_record_release(&r);
	CHECK(parse(AVC
		    "apparmor=\"DENIED\" operation=\"open\" namespace=\"root//lxd-c1_<var-lib>\" "
		    "profile=\"lxc-container-default\" name=\"/x\" pid=15 comm=\"c\"",
		    &r) == 1);
	CHECK(!r.phoenix);
	CHECK_STR(r.ns, "lxd-c1_<var-lib>");
	ph_audit_record_release(&r);
	/* a name that only looks like phoenix's */
	CHECK(parse(AVC "apparmor=\"DENIED\" operation=\"open\" namespace=\"root//phx-XYZ-web\" "
			"profile=\"p\" name=\"/x\" pid=16 comm=\"c\"",
		    &r) == 1);
	CHECK(!r.phoenix);
	ph_audit_record_release(&r);
}

static void test_kinds(void)
{
	struct ph_audit_record r;
	CHECK_WEB(AVC
		  "apparmor=\"ALLOWED\" operation=\"open\" class=\"file\" " IN_WEB
		  "name=\"/etc/passwd\" pid=20 comm=\"cat\" requested_mask=\"r\" denied_mask=\"r\" "
		  "fsuid=0 ouid=0",
		  &r);
	CHECK(r.kind == PH_AUDIT_ALLOWED);
	CHECK_STR(r.kind_name, "ALLOWED");
	ph_audit_record_release(&r);
	CHECK_WEB(AVC "apparmor=\"AUDIT\" operation=\"open\" class=\"file\" " IN_WEB
		      "name=\"/etc/hosts\" pid=21 comm=\"cat\" requested_mask=\"r\" fsuid=0 ouid=0",
		  &r);
	CHECK(r.kind == PH_AUDIT_AUDIT);
	CHECK(r.denied == NULL);
	ph_audit_record_release(&r);
	CHECK(parse(AVC "apparmor=\"STATUS\" operation=\"profile_load\" profile=\"unconfined\" "
			"name=\"phoenix-default\" pid=22 comm=\"apparmor_parser\" ns=\"" NS_WEB
			"\"",
		    &r) == 1);
	CHECK(r.kind == PH_AUDIT_STATUS);
	CHECK(!r.phoenix); /* the loader is not in the container */
	CHECK_STR(ph_audit_get(&r, "ns"), NS_WEB);
	ph_audit_record_release(&r);
	CHECK(parse(AVC "apparmor=\"HINT\" operation=\"open\" profile=\"x\"", &r) == 1);
	CHECK(r.kind == PH_AUDIT_OTHER);
	ph_audit_record_release(&r);
}

static void test_audit_log(void)
{
	struct ph_audit_record r;
	/* auditd's enriched format appends translations after 0x1d */
	CHECK(parse("type=AVC msg=audit(1700000003.25:99): apparmor=\"DENIED\" operation=\"open\" "
		    "class=\"file\" namespace=\"root//" NS_DB "\" profile=\"phoenix-default\" "
		    "name=\"/etc/shadow\" pid=2001 comm=\"cat\" requested_mask=\"r\" "
		    "denied_mask=\"r\" fsuid=0 ouid=0\x1d"
		    "FSUID=\"root\" OUID=\"root\"",
		    &r) == 1);
	CHECK(r.type == 1400);
	CHECK(r.sec == 1700000003 && r.msec == 250 && r.serial == 99);
	CHECK_STR(r.ns, NS_DB);
	CHECK(ph_audit_get(&r, "FSUID") == NULL);
	CHECK_STR(ph_audit_get(&r, "ouid"), "0");
	ph_audit_record_release(&r);

	CHECK(parse("type=1400 msg=audit(1700000004.000:100): apparmor=\"DENIED\" "
		    "operation=\"open\" " IN_WEB "name=\"/x\" pid=5 comm=\"c\"",
		    &r) == 1);
	CHECK(r.type == 1400 && r.serial == 100);
	CHECK_STR(r.ns, NS_WEB);
	ph_audit_record_release(&r);

	/* dmesg's own prefix */
	CHECK_WEB("[  567.890123] " AVC "apparmor=\"DENIED\" operation=\"open\" " IN_WEB
		  "name=\"/x\" pid=6 comm=\"c\"",
		  &r);
	CHECK(r.boot_usec == -1 && r.has_stamp);
	ph_audit_record_release(&r);

	/* no stamp of its own: one inside a value is not taken for it */
	CHECK(parse("apparmor=\"DENIED\" operation=\"open\" name=\"/audit(1.2:3)\" pid=4", &r) ==
	      1);
	CHECK(!r.has_stamp);
	CHECK_STR(r.name, "/audit(1.2:3)");
	ph_audit_record_release(&r);

	/* a user-space enforcer (dbus) through auditd: fields inside msg='' */
	CHECK(parse("type=USER_AVC msg=audit(1700000005.000:101): pid=1 uid=0 auid=4294967295 "
		    "ses=4294967295 subj=unconfined msg='apparmor=\"DENIED\" "
		    "operation=\"dbus_method_call\"  bus=\"system\" path=\"/org/freedesktop/DBus\" "
		    "interface=\"org.freedesktop.DBus\" member=\"Hello\" mask=\"send\" "
		    "name=\"org.freedesktop.DBus\" pid=3000 label=\":" NS_WEB
		    ":phoenix-default\" peer_label=\"unconfined\" exe=\"/usr/bin/dbus-daemon\" "
		    "sauid=100 hostname=? addr=? terminal=?'",
		    &r) == 1);
	CHECK(r.type == 1107);
	CHECK_STR(r.operation, "dbus_method_call");
	CHECK_STR(r.ns, NS_WEB);
	CHECK(r.pid == 1); /* the first pid= is the sender's envelope */
	ph_audit_record_release(&r);
}

static void test_rejected(void)
{
	static const char *const bad[] = {
	    "",
	    "hello world",
	    "audit(",
	    "audit(1.2:3)",
	    "apparmor=",
	    "apparmor=\"\"",
	    "apparmor=\"denied\" operation=\"open\"",
	    "6,1,2,-;",
	    "6,1,2,-;Linux version 6.1.0",
	    "6,1,2,-;audit: type=1300 audit(1700000000.123:45): arch=c000003e syscall=2",
	    ("audit: type=1400 audit(1700000000.123:45): apparmor=\"DENIED\" operation=\"open\" "
	     "class=\"file\" profile=\"phoenix-def"),
	    "audit: type=1400 audit(1700000000.123:45): apparmor=\"DENIED",
	    "\x01\x02\xff\xfe=\"\"'",
	    "= = = \"",
	    "6,1,99999999999999999999999999,-;apparmor=\"DENIED\" x='",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ph_audit_record r;
		int got = parse(bad[i], &r);
		if (got != 0)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(got == 0);
		CHECK(r.fields == NULL && r.label == NULL);
	}
	/* a stamp out of range is no stamp; the record itself is read */
	struct ph_audit_record big;
	CHECK(parse("type=AVC msg=audit(99999999999999999999999.1:1): apparmor=\"DENIED\"", &big) ==
	      1);
	CHECK(!big.has_stamp);
	ph_audit_record_release(&big);
	/* a line with a NUL before its end is read up to the NUL */
	struct ph_audit_record r;
	static const char nul[] = "apparmor=\"DENIED\" operation=\"open\"\0 name=\"/x\"";
	ph_error_t err = NULL;
	CHECK(ph_audit_parse(nul, sizeof(nul) - 1, &r, &err) == 1);
	CHECK(r.name == NULL);
	ph_audit_record_release(&r);
}

static void test_label_parse(void)
{
	struct ph_audit_member *m = NULL;
	size_t n = 0;
	ph_error_t err = NULL;
	CHECK(ph_audit_label_parse("a//&:ns1//ns2:b//hat//&c (enforce)", &m, &n, &err) == 0);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(m[0].ns, "");
		CHECK_STR(m[0].name, "a");
		CHECK_STR(m[1].ns, "ns1//ns2");
		CHECK_STR(m[1].name, "b//hat");
		CHECK_STR(m[2].ns, "ns1//ns2");
		CHECK_STR(m[2].name, "c");
	}
	ph_audit_members_free(m, n);
	CHECK(ph_audit_label_parse("", &m, &n, &err) == 0 && n == 0);
	ph_audit_members_free(m, n);
	CHECK(ph_audit_label_parse("//&//&:x", &m, &n, &err) == 0 && n == 1);
	if (n == 1)
		CHECK_STR(m[0].ns, "x");
	ph_audit_members_free(m, n);
	CHECK(ph_audit_label_parse("weird (name) here", &m, &n, &err) == 0 && n == 1);
	if (n == 1)
		CHECK_STR(m[0].name, "weird (name) here");
	ph_audit_members_free(m, n);
}

/* Verbatim from Debian's 6.1.0-56-amd64 kernel (no class= field yet). */
static void test_real_kernel(void)
{
	struct ph_audit_record r;
	CHECK(
	    parse("5,403,15061479,-;audit: type=1400 audit(1795434669.980:27): apparmor=\"DENIED\" "
		  "operation=\"open\" namespace=\"root//phx-1a2b3c4d-web\" profile=\"ptest\" "
		  "name=\"/etc/locale.alias\" pid=179 comm=\"kill\" requested_mask=\"r\" "
		  "denied_mask=\"r\" fsuid=0 ouid=0",
		  &r) == 1);
	CHECK(r.phoenix);
	CHECK_STR(r.ns, NS_WEB);
	CHECK_STR(r.ns_profile, "ptest");
	CHECK(r.boot_usec == 15061479 && r.serial == 27);
	CHECK(r.class_name == NULL);
	ph_audit_record_release(&r);

	CHECK(parse("[   12.553010] audit: type=1400 audit(1795434667.468:13): apparmor=\"DENIED\" "
		    "operation=\"create\" namespace=\"root//phx-1a2b3c4d-web\" profile=\"ptest\" "
		    "pid=168 comm=\"chown\" family=\"unix\" sock_type=\"stream\" protocol=0 "
		    "requested_mask=\"create\" denied_mask=\"create\"",
		    &r) == 1);
	CHECK_STR(ph_audit_get(&r, "family"), "unix");
	CHECK_STR(r.comm, "chown");
	ph_audit_record_release(&r);

	/* a change to a phoenix namespace's profile, asked by a task outside it */
	CHECK(
	    parse("[   14.679855] audit: type=1400 audit(1795434669.592:26): apparmor=\"DENIED\" "
		  "operation=\"change_onexec\" info=\"label not found\" error=-2 "
		  "profile=\"outer\" name=\"&:ct//phx-1a2b3c4d-db:ptest\" pid=177 comm=\"aa-exec\"",
		  &r) == 1);
	CHECK(!r.phoenix);
	CHECK_STR(r.label, "outer");
	CHECK_STR(r.name, "&:ct//phx-1a2b3c4d-db:ptest");
	CHECK_STR(r.error, "-2");
	ph_audit_record_release(&r);

	CHECK(parse("[    9.909627] audit: type=1400 audit(1795434664.828:4): apparmor=\"STATUS\" "
		    "operation=\"profile_load\" info=\"failed to prepare namespace\" error=-13 "
		    "profile=\"unconfined\" pid=155 comm=\"apparmor_parser\" "
		    "ns=\"ct//phx-1a2b3c4d-db\"",
		    &r) == 1);
	CHECK(r.kind == PH_AUDIT_STATUS);
	CHECK_STR(ph_audit_get(&r, "ns"), "ct//phx-1a2b3c4d-db");
	ph_audit_record_release(&r);
}

/* Which records libapparmor's parse_record() reads (rec.libapparmor) and
 * which phoenix reads alone (audit_parse.c, "libapparmor's parser"): the
 * fields must be right either way. */
#define K61 "5,403,15061479,-;audit: type=1400 audit(1795434669.980:27): "
#define F61                                                                                        \
	"apparmor=\"DENIED\" operation=\"open\" namespace=\"root//phx-1a2b3c4d-web\" "             \
	"profile=\"ptest\" name=\"/etc/locale.alias\" pid=179 comm=\"kill\" "                      \
	"requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0"

static void check_open_61(const struct ph_audit_record *r)
{
	CHECK(r->kind == PH_AUDIT_DENIED);
	CHECK_STR(r->operation, "open");
	CHECK_STR(r->name, "/etc/locale.alias");
	CHECK_STR(r->comm, "kill");
	CHECK(r->pid == 179);
	CHECK_STR(r->requested, "r");
	CHECK_STR(r->denied, "r");
	CHECK_STR(r->ns, NS_WEB);
	CHECK_STR(r->ns_profile, "ptest");
	CHECK(r->has_stamp && r->sec == 1795434669 && r->msec == 980 && r->serial == 27);
	CHECK_STR(ph_audit_get(r, "fsuid"), "0");
}

static void test_libapparmor_reads(void)
{
	/* a record of Debian 6.1 in each envelope: libapparmor rejects the
	 * /dev/kmsg and journal ones itself, phoenix hands it the fields */
	static const char *const lines[] = {
	    K61 F61,
	    "[   15.061479] audit: type=1400 audit(1795434669.980:27): " F61,
	    "audit: type=1400 audit(1795434669.980:27): " F61,
	    "type=AVC msg=audit(1795434669.980:27): " F61 "\x1d"
	    "FSUID=\"root\" OUID=\"root\"",
	    "Dec 07 13:00:00 host kernel: audit: type=1400 audit(1795434669.980:27): " F61,
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct ph_audit_record r;
		CHECK(parse(lines[i], &r) == 1);
		CHECK(r.libapparmor);
		check_open_61(&r);
		ph_audit_record_release(&r);
	}

	struct ph_audit_record r;
	/* a stack: libapparmor gives it whole, phoenix splits it */
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"open\" "
			"label=\"phoenix-test-host//&:ct//" NS_WEB ":web\" name=\"/srv/secret\" "
			"pid=9 comm=\"cat\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0",
		    &r) == 1);
	CHECK(r.libapparmor);
	CHECK(r.n_members == 2);
	CHECK_STR(r.members[1].ns, "ct//" NS_WEB);
	CHECK_STR(r.ns_profile, "web");
	CHECK_STR(r.name, "/srv/secret");
	ph_audit_record_release(&r);

	/* hex, a complain-mode child, exec's target */
	CHECK(parse(K61 "apparmor=\"ALLOWED\" operation=\"exec\" namespace=\"root//" NS_WEB "\" "
			"profile=\"phoenix-learn\" name=2F746D702F6120622F6374 pid=9 "
			"comm=6D7920736820 requested_mask=\"x\" denied_mask=\"x\" fsuid=0 ouid=0 "
			"target=\"phoenix-learn//null-/tmp/a b/ct\"",
		    &r) == 1);
	CHECK(r.libapparmor);
	CHECK(r.kind == PH_AUDIT_ALLOWED);
	CHECK_STR(r.name, "/tmp/a b/ct");
	CHECK_STR(r.comm, "my sh ");
	CHECK_STR(r.target, "phoenix-learn//null-/tmp/a b/ct");
	ph_audit_record_release(&r);

	/* capname, info, and the error's sign (libapparmor drops it) */
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"capable\" namespace=\"root//" NS_WEB "\" "
			"profile=\"web\" pid=9 comm=\"chown\" capability=0 capname=\"chown\"",
		    &r) == 1);
	CHECK(r.libapparmor);
	CHECK_STR(r.capname, "chown");
	CHECK_STR(ph_audit_get(&r, "capability"), "0");
	ph_audit_record_release(&r);
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"mount\" info=\"failed flags match\" "
			"error=-13 namespace=\"root//" NS_WEB "\" profile=\"web\" name=\"/mnt/\" "
			"pid=9 comm=\"mount\" fstype=\"tmpfs\" srcname=\"tmpfs\" flags=\"rw\"",
		    &r) == 1);
	CHECK(r.libapparmor);
	CHECK_STR(r.info, "failed flags match");
	CHECK_STR(r.error, "-13");
	CHECK_STR(ph_audit_get(&r, "fstype"), "tmpfs");
	ph_audit_record_release(&r);

	/* a backslash: libapparmor reads "\s" as an escape, phoenix keeps it */
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"open\" namespace=\"root//" NS_WEB "\" "
			"profile=\"web\" name=\"/tmp/back\\slash\" pid=9 comm=\"cat\" "
			"requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0",
		    &r) == 1);
	CHECK(r.libapparmor);
	CHECK_STR(r.name, "/tmp/back\\slash");
	ph_audit_record_release(&r);
}

static void test_libapparmor_rejects(void)
{
	struct ph_audit_record r;
	/* class= (newer kernels write it on every record) */
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"open\" class=\"file\" "
			"namespace=\"root//phx-1a2b3c4d-web\" profile=\"ptest\" "
			"name=\"/etc/locale.alias\" pid=179 comm=\"kill\" requested_mask=\"r\" "
			"denied_mask=\"r\" fsuid=0 ouid=0",
		    &r) == 1);
	CHECK(!r.libapparmor);
	check_open_61(&r);
	CHECK_STR(r.class_name, "file");
	ph_audit_record_release(&r);

	/* a load into a namespace (ns=) */
	CHECK(parse(K61 "apparmor=\"STATUS\" operation=\"profile_load\" profile=\"unconfined\" "
			"name=\"ptest\" pid=147 comm=\"apparmor_parser\" ns=\"" NS_WEB "\"",
		    &r) == 1);
	CHECK(!r.libapparmor);
	CHECK(r.kind == PH_AUDIT_STATUS);
	CHECK_STR(r.name, "ptest");
	CHECK_STR(ph_audit_get(&r, "ns"), NS_WEB);
	ph_audit_record_release(&r);

	/* a signal */
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"signal\" namespace=\"root//" NS_WEB "\" "
			"profile=\"web\" pid=9 comm=\"kill\" requested=\"send\" denied=\"send\" "
			"signal=term peer=\"unconfined\"",
		    &r) == 1);
	CHECK(!r.libapparmor);
	CHECK_STR(r.signal, "term");
	CHECK_STR(r.peer, "unconfined");
	CHECK_STR(r.requested, "send");
	ph_audit_record_release(&r);

	/* KILLED */
	CHECK(parse(K61 "apparmor=\"KILLED\" operation=\"open\" namespace=\"root//" NS_WEB "\" "
			"profile=\"web\" name=\"/x\" pid=9 comm=\"cat\" requested_mask=\"r\" "
			"denied_mask=\"r\" fsuid=0 ouid=0",
		    &r) == 1);
	CHECK(!r.libapparmor);
	CHECK(r.kind == PH_AUDIT_KILLED);
	CHECK_STR(r.name, "/x");
	ph_audit_record_release(&r);

	/* two keys that set one member of libapparmor's record (name= and
	 * capname=, profile= and label=): it would leak the first value */
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"capable\" profile=\"web\" "
			"name=\"/srv/x\" pid=9 comm=\"chown\" capability=0 capname=\"chown\"",
		    &r) == 1);
	CHECK(!r.libapparmor);
	CHECK_STR(ph_audit_get(&r, "capname"), "chown");
	CHECK_STR(r.name, "/srv/x");
	ph_audit_record_release(&r);
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"open\" profile=\"web\" "
			"label=\"web//&other\" name=\"/x\" pid=9 comm=\"cat\" "
			"requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0",
		    &r) == 1);
	CHECK(!r.libapparmor);
	CHECK_STR(r.name, "/x");
	ph_audit_record_release(&r);

	/* values its scanner lexes into more tokens than phoenix reads */
	static const char *const relexed[] = {
	    /* lowercase hex (the kernel writes uppercase) */
	    "name=2f746d70",
	    /* a hex run that goes on as another key */
	    "name=2F746Dname=4F74",
	    /* a bare word where it reads a string */
	    "name=abc",
	    /* a quoted value ending in a backslash: its escape */
	    "name=\"/tmp/x\\\"",
	    /* a negative number where it reads digits */
	    "name=\"/x\" pid=-9",
	    /* a single-quoted value */
	    "name='/x'",
	};
	for (size_t i = 0; i < sizeof(relexed) / sizeof(relexed[0]); i++) {
		char line[512];
		snprintf(line, sizeof(line),
			 K61 "apparmor=\"DENIED\" operation=\"open\" profile=\"web\" %s "
			     "comm=\"cat\" requested_mask=\"r\" denied_mask=\"r\"",
			 relexed[i]);
		CHECK(parse(line, &r) == 1);
		CHECK(!r.libapparmor);
		ph_audit_record_release(&r);
	}
	/* the same record in the kernel's own forms is handed over */
	CHECK(parse(K61 "apparmor=\"DENIED\" operation=\"open\" profile=\"web\" name=2F746D70 "
			"comm=\"cat\" requested_mask=\"r\" denied_mask=\"r\"",
		    &r) == 1);
	CHECK(r.libapparmor);
	CHECK_STR(r.name, "/tmp");
	ph_audit_record_release(&r);

	/* USER_AVC (a user-space enforcer's): never handed over */
	CHECK(parse("type=USER_AVC msg=audit(1795434669.980:27): pid=1 uid=0 auid=1 ses=1 "
		    "msg='apparmor=\"DENIED\" operation=\"dbus_method_call\" bus=\"system\" "
		    "path=\"/org/freedesktop/DBus\" member=\"Hello\" mask=\"send\" "
		    "name=\"org.freedesktop.DBus\" pid=2 label=\"web\" peer_pid=3 "
		    "peer_label=\"unconfined\" exe=\"/usr/bin/dbus-daemon\"'",
		    &r) == 1);
	CHECK(!r.libapparmor);
	CHECK(r.comm == NULL);
	CHECK_STR(ph_audit_get(&r, "exe"), "/usr/bin/dbus-daemon");
	ph_audit_record_release(&r);
}

int main(void)
{
	test_file_open_kmsg();
	test_exec_mknod_link();
	test_capability();
	test_signal_ptrace();
	test_mount_network_change_profile();
	test_hex();
	test_labels();
	test_kinds();
	test_audit_log();
	test_rejected();
	test_label_parse();
	test_real_kernel();
	test_libapparmor_reads();
	test_libapparmor_rejects();
	T_DONE();
}
