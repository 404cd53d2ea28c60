/* ph_aa_probe() against simulated trees: what phoenix concludes about
 * the kernel and the caller from the files the kernel provides. */
#include "aa-fixtures/sim.h"
#include "aa_probe.h"
#include "t.h"

#include <sys/capability.h>

static bool real_cap_mac_admin(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	if (caps != NULL)
		cap_get_flag(caps, CAP_MAC_ADMIN, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

/* (a) no AppArmor: no module directory, then enabled=N. */
static void test_no_apparmor(void)
{
	struct sim s;
	struct ph_aa_probe p;
	ph_error_t err = NULL;
	sim_init(&s);
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(!p.enabled);
	CHECK(p.securityfs == NULL);
	CHECK(p.apparmorfs == NULL);
	CHECK(p.label == NULL);
	CHECK(p.ns_level == -1);
	CHECK(p.caller_kind == PH_CALLER_NO_APPARMOR);
	CHECK_STR(ph_aa_caller_kind_name(p.caller_kind), "no-apparmor");
	ph_aa_probe_release(&p);

	/* Built in but disabled at boot: securityfs mounted, no apparmor/. */
	sim_write(&s, "sys/module/apparmor/parameters/enabled", "N\n");
	sim_mountinfo(&s, true);
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(!p.enabled);
	CHECK_STR(p.securityfs, s.sec);
	CHECK(p.apparmorfs == NULL);
	CHECK(p.caller_kind == PH_CALLER_NO_APPARMOR);
	ph_aa_probe_release(&p);
	sim_cleanup(&s);
}

/* (b) AppArmor enabled, securityfs not mounted. */
static void test_securityfs_not_mounted(void)
{
	struct sim s;
	struct ph_aa_probe p;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_mountinfo(&s, false);
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.enabled);
	CHECK(p.securityfs == NULL);
	CHECK(p.apparmorfs == NULL);
	CHECK(p.ns_level == -1);
	CHECK(!p.stack_supported);
	CHECK_STR(p.label, "unconfined");
	/* An LXC container without securityfs also reads `unconfined`. */
	CHECK(p.caller_kind == PH_CALLER_UNKNOWN);
	ph_aa_probe_release(&p);

	/* Forcing the securityfs root overrides mountinfo. */
	s.env.securityfs = s.sec;
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK_STR(p.securityfs, s.sec);
	CHECK(p.apparmorfs != NULL);
	CHECK(p.caller_kind == PH_CALLER_ROOT_UNCONFINED);
	ph_aa_probe_release(&p);

	/* The usual place is taken only when statfs says securityfs: a
	 * directory of another filesystem there leaves it to mountinfo. */
	s.env.securityfs = NULL;
	s.env.securityfs_usual = s.sec;
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.securityfs == NULL);
	ph_aa_probe_release(&p);
	sim_mountinfo(&s, true);
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK_STR(p.securityfs, s.sec);
	ph_aa_probe_release(&p);
	sim_cleanup(&s);
}

/* (c) unconfined in the root namespace. */
static void test_root_unconfined(void)
{
	struct sim s;
	struct ph_aa_probe p;
	ph_error_t err = NULL;
	char expect[PATH_MAX];
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_write(&s, "proc/sys/kernel/unprivileged_userns_apparmor_policy", "1\n");
	sim_write(&s, "proc/self/uid_map", "         0          0 4294967295\n");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.enabled);
	CHECK_STR(p.securityfs, s.sec);
	sim_path(&s, expect, "sec/apparmor");
	CHECK_STR(p.apparmorfs, expect);
	CHECK(p.attr_apparmor_dir);
	CHECK(p.stack_supported);
	CHECK(!p.ns_stacked);
	CHECK(p.ns_level == 0);
	CHECK_STR(p.ns_name, "root");
	CHECK(!p.lock_policy);
	CHECK(p.cap_mac_admin == real_cap_mac_admin());
	CHECK(!p.in_userns);
	CHECK(p.userns_visible_depth == -1); /* no ns/user in the tree */
	CHECK(p.unprivileged_userns_policy == 1);
	CHECK_STR(p.label, "unconfined");
	CHECK_STR(p.mode, "unconfined");
	CHECK(p.display_attr == NULL);
	CHECK_STR(p.lsm_list, "lockdown,capability,landlock,yama,apparmor");
	CHECK(!p.lsm_stacked);
	CHECK(p.caller_kind == PH_CALLER_ROOT_UNCONFINED);
	ph_aa_probe_release(&p);

	/* The basic probe of start and delete: where AppArmor is and whether
	 * it is on, nothing about the caller. */
	CHECK(ph_aa_probe_basic(&s.env, &p, &err) == 0);
	CHECK(p.enabled);
	CHECK_STR(p.securityfs, s.sec);
	CHECK_STR(p.apparmorfs, expect);
	CHECK(!p.in_userns);
	CHECK(p.label == NULL && p.ns_name == NULL && p.lsm_list == NULL);
	CHECK(p.ns_level == -1);
	CHECK(p.caller_kind == PH_CALLER_UNKNOWN);
	ph_aa_probe_release(&p);
	sim_write(&s, "proc/self/uid_map", "         0     100000      65536\n");
	CHECK(ph_aa_probe_basic(&s.env, &p, &err) == 0);
	CHECK(p.in_userns);
	ph_aa_probe_release(&p);
	sim_write(&s, "proc/self/uid_map", "         0          0 4294967295\n");

	/* The user-namespace walk on the real ns file: this test runs in
	 * the initial user namespace or in a container's, and either way
	 * cannot see above its own. */
	sim_mkdir(&s, "proc/self/ns");
	sim_symlink(&s, "/proc/self/ns/user", "proc/self/ns/user");
	sim_write(&s, "sys/module/apparmor/parameters/lock_policy", "Y\n");
	sim_write(&s, "proc/self/uid_map", "0 100000 65536\n");
	sim_write(&s, "proc/sys/kernel/unprivileged_userns_apparmor_policy", "0\n");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.userns_visible_depth == 0);
	CHECK(p.lock_policy);
	CHECK(p.in_userns);
	CHECK(p.unprivileged_userns_policy == 0);
	char *hint = ph_aa_admin_denial_hint(&p);
	CHECK(hint != NULL && strstr(hint, "policy is locked") != NULL);
	CHECK(hint != NULL && strstr(hint, "unprivileged_userns_apparmor_policy=0") != NULL);
	CHECK(hint != NULL && strstr(hint, "user namespace") != NULL);
	CHECK(hint != NULL && strstr(hint, "lacks `capability mac_admin,`") == NULL);
	free(hint);
	ph_aa_probe_release(&p);

	/* Before Linux 5.8: no attr/apparmor/, the label comes from attr/. */
	sim_remove_tree(&s, "proc/self/attr/apparmor");
	sim_write(&s, "proc/self/attr/current", "legacy-profile (complain)\n");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(!p.attr_apparmor_dir);
	CHECK_STR(p.label, "legacy-profile");
	CHECK_STR(p.mode, "complain");
	CHECK(p.caller_kind == PH_CALLER_CONFINED_ROOT);
	ph_aa_probe_release(&p);
	sim_cleanup(&s);
}

/* (d) an LXC container confined by host//&:ct:unconfined: its own view
 * is `unconfined` in a namespace of level 1, stacked. */
static void test_lxc_stacked(void)
{
	struct sim s;
	struct ph_aa_probe p;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 1, true, "lxc-c1_<-var-lib-lxc>");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.ns_level == 1);
	CHECK(p.ns_stacked);
	CHECK_STR(p.ns_name, "lxc-c1_<-var-lib-lxc>");
	CHECK_STR(p.label, "unconfined");
	CHECK(p.caller_kind == PH_CALLER_OWN_NS);
	CHECK_STR(ph_aa_caller_kind_name(p.caller_kind), "own-namespace");
	char *hint = ph_aa_admin_denial_hint(&p);
	CHECK(hint != NULL && strstr(hint, "stacked on the caller's namespace") != NULL);
	free(hint);
	ph_aa_probe_release(&p);

	/* A level of its own without a stack (a namespace entered with
	 * `exec :ct:unconfined`) is its own namespace too. */
	sim_write(&s, "sec/apparmor/.ns_stacked", "no\n");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.caller_kind == PH_CALLER_OWN_NS);
	ph_aa_probe_release(&p);
	sim_cleanup(&s);
}

/* (e) confined by a root-namespace profile. */
static void test_confined_root(void)
{
	struct sim s;
	struct ph_aa_probe p;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "lxc-foo (enforce)", 0, false, "root");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK_STR(p.label, "lxc-foo");
	CHECK_STR(p.mode, "enforce");
	CHECK(p.caller_kind == PH_CALLER_CONFINED_ROOT);
	CHECK_STR(ph_aa_caller_kind_name(p.caller_kind), "confined-root");
	char *hint = ph_aa_admin_denial_hint(&p);
	CHECK(hint != NULL && strstr(hint, "profile `lxc-foo` lacks `capability mac_admin,`"));
	free(hint);
	ph_aa_probe_release(&p);
	sim_cleanup(&s);
}

/* securityfs at a path with a space: mountinfo escapes it as \040. */
static void test_mountinfo_escapes(void)
{
	struct sim s;
	struct ph_aa_probe p;
	ph_error_t err = NULL;
	char mnt[PATH_MAX];
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_mkdir(&s, "sec fs");
	sim_writef(&s, "mountinfo",
		   "24 23 0:7 / %s/sec\\040fs rw,nosuid - securityfs securityfs rw\n"
		   "25 23 0:7 / /elsewhere rw,nosuid - securityfs securityfs rw\n",
		   s.root);
	sim_path(&s, mnt, "sec fs");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK_STR(p.securityfs, mnt);
	CHECK(p.apparmorfs == NULL); /* "sec fs" has no apparmor/ */
	ph_aa_probe_release(&p);

	/* An unreadable mountinfo fails the probe with the path. */
	sim_unlink(&s, "mountinfo");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0); /* absent: not mounted */
	CHECK(p.securityfs == NULL);
	ph_aa_probe_release(&p);
	sim_mkdir(&s, "mountinfo"); /* a directory cannot be read */
	CHECK(ph_aa_probe(&s.env, &p, &err) < 0);
	CHECK_ERR(err, "probe AppArmor");
	ph_error_free(&err);
	sim_cleanup(&s);
}

int main(void)
{
	test_no_apparmor();
	test_securityfs_not_mounted();
	test_root_unconfined();
	test_lxc_stacked();
	test_confined_root();
	test_mountinfo_escapes();
	T_DONE();
}
