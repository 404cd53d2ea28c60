/* Task attributes on a simulated /proc: label reads, the exec transition
 * write, and the display LSM. */
#include "aa-fixtures/sim.h"
#include "aa_attr.h"
#include "aa_onexec.h"
#include "aa_probe.h"
#include "t.h"

#include <pthread.h>

static void test_current_label(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char *label = NULL, *mode = NULL;
	sim_init(&s);
	sim_apparmor(&s, "lxc-foo (enforce)", 0, false, "root");
	sim_write(&s, "proc/42/attr/apparmor/current", "host//&:ct//phx-1:p (complain)\n");

	CHECK(ph_aa_current_label(&s.env, 0, &label, &mode, &err) == 0);
	CHECK_STR(label, "lxc-foo");
	CHECK_STR(mode, "enforce");
	free(label);
	free(mode);
	CHECK(ph_aa_current_label(&s.env, 42, &label, &mode, &err) == 0);
	CHECK_STR(label, "host//&:ct//phx-1:p");
	CHECK_STR(mode, "complain");
	free(label);
	free(mode);

	CHECK(ph_aa_current_label(&s.env, 43, &label, &mode, &err) < 0);
	CHECK(err != NULL && err->status == ENOENT);
	CHECK_ERR(err, "read label of process 43: no such process");
	ph_error_free(&err);

	/* Linux < 5.8: attr/current. */
	sim_remove_tree(&s, "proc/42/attr/apparmor");
	sim_write(&s, "proc/42/attr/current", ":phx-1:unconfined\n");
	CHECK(ph_aa_current_label(&s.env, 42, &label, &mode, &err) == 0);
	CHECK_STR(label, ":phx-1:unconfined");
	CHECK_STR(mode, "unconfined");
	free(label);
	free(mode);

	/* An empty attribute is a kernel answer phoenix cannot use. */
	sim_write(&s, "proc/42/attr/current", "");
	CHECK(ph_aa_current_label(&s.env, 42, &label, &mode, &err) < 0);
	CHECK(err != NULL && err->status == EPROTO);
	ph_error_free(&err);
	sim_cleanup(&s);
}

static void test_transition(void)
{
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");

	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":phx-00000001-c1:unconfined",
				      false, &err) == 0);
	char *got = sim_read(&s, "proc/self/attr/apparmor/exec");
	CHECK_STR(got, "exec :phx-00000001-c1:unconfined");
	free(got);
	got = sim_read(&s, "proc/self/attr/exec");
	CHECK_STR(got, ""); /* the legacy file is left alone */
	free(got);

	sim_write(&s, "proc/self/attr/apparmor/exec", "");
	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":phx-00000001-c1:phoenix-default",
				      true, &err) == 0);
	got = sim_read(&s, "proc/self/attr/apparmor/exec");
	CHECK_STR(got, "stack :phx-00000001-c1:phoenix-default");
	free(got);

	/* The write goes through thread-self, not self. */
	sim_unlink(&s, "proc/thread-self");
	sim_write(&s, "proc/thread-self/attr/apparmor/exec", "");
	sim_write(&s, "proc/self/attr/apparmor/exec", "");
	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, "host//&:ns:p", false, &err) == 0);
	got = sim_read(&s, "proc/thread-self/attr/apparmor/exec");
	CHECK_STR(got, "exec host//&:ns:p");
	free(got);
	got = sim_read(&s, "proc/self/attr/apparmor/exec");
	CHECK_STR(got, "");
	free(got);

	/* Linux < 5.8: attr/exec, only because attr/apparmor/ is missing. */
	sim_remove_tree(&s, "proc/thread-self/attr/apparmor");
	sim_write(&s, "proc/thread-self/attr/exec", "");
	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":ns:unconfined", false, &err) ==
	      0);
	got = sim_read(&s, "proc/thread-self/attr/exec");
	CHECK_STR(got, "exec :ns:unconfined");
	free(got);

	/* attr/apparmor/ present but exec missing: no fallback. */
	sim_mkdir(&s, "proc/thread-self/attr/apparmor");
	sim_write(&s, "proc/thread-self/attr/exec", "");
	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":ns:unconfined", false, &err) <
	      0);
	CHECK(err != NULL && err->status == ENOENT);
	CHECK_ERR(err, "attr/apparmor/exec");
	ph_error_free(&err);
	got = sim_read(&s, "proc/thread-self/attr/exec");
	CHECK_STR(got, "");
	free(got);

	/* Malformed labels are refused before any write. */
	static const char *const bad[] = {"", "a b", "exec x", "p\n", "p\tq", "p\x7f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, bad[i], false, &err) < 0);
		CHECK(err != NULL && err->status == EINVAL);
		CHECK_ERR(err, "malformed label");
		ph_error_free(&err);
	}
	char huge[5000];
	memset(huge, 'p', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, huge, false, &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	ph_error_free(&err);
	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, NULL, false, &err) < 0);
	ph_error_free(&err);
	sim_cleanup(&s);
}

/* (f) AppArmor stacked with smack, display interface present. */
static void test_display_stacked(void)
{
	struct sim s;
	struct ph_aa_probe p;
	ph_error_t err = NULL;
	char path[PATH_MAX];
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_write(&s, "sec/lsm", "lockdown,capability,yama,smack,apparmor");
	sim_write(&s, "proc/self/attr/display", "");

	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.lsm_stacked);
	sim_path(&s, path, "proc/self/attr/display");
	CHECK_STR(p.display_attr, path);
	ph_aa_probe_release(&p);

	CHECK(ph_aa_display_lsm_set(&s.env, &err) == 0);
	char *got = sim_read(&s, "proc/self/attr/display");
	CHECK_STR(got, "apparmor");
	free(got);

	/* The later name wins when both exist. */
	sim_write(&s, "proc/self/attr/display", "");
	sim_write(&s, "proc/self/attr/interface_lsm", "");
	sim_write(&s, "sec/lsm", "capability,selinux,apparmor\n");
	CHECK(ph_aa_display_lsm_set(&s.env, &err) == 0);
	got = sim_read(&s, "proc/self/attr/interface_lsm");
	CHECK_STR(got, "apparmor");
	free(got);
	got = sim_read(&s, "proc/self/attr/display");
	CHECK_STR(got, "");
	free(got);
	sim_cleanup(&s);
}

/* Not stacked: nothing to do, nothing written. */
static void test_display_not_stacked(void)
{
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_write(&s, "proc/self/attr/display", "");
	CHECK(ph_aa_display_lsm_set(&s.env, &err) == 0);
	char *got = sim_read(&s, "proc/self/attr/display");
	CHECK_STR(got, "");
	free(got);
	/* smack alone is not AppArmor stacked with it. */
	sim_write(&s, "sec/lsm", "capability,smack");
	CHECK(ph_aa_display_lsm_set(&s.env, &err) == 0);
	CHECK(!ph_aa_lsm_list_stacked("capability,smack"));
	CHECK(!ph_aa_lsm_list_stacked("apparmor"));
	CHECK(!ph_aa_lsm_list_stacked("apparmorx,smack"));
	CHECK(ph_aa_lsm_list_stacked("selinux,apparmor"));
	/* No LSM list (Linux < 5.1) or no securityfs: nothing says stacked. */
	sim_unlink(&s, "sec/lsm");
	CHECK(ph_aa_display_lsm_set(&s.env, &err) == 0);
	sim_mountinfo(&s, false);
	CHECK(ph_aa_display_lsm_set(&s.env, &err) == 0);
	sim_cleanup(&s);
}

/* (g) stacked, but the kernel has no display interface. */
static void test_display_missing(void)
{
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_write(&s, "sec/lsm", "lockdown,capability,smack,apparmor");
	CHECK(ph_aa_display_lsm_set(&s.env, &err) < 0);
	CHECK(err != NULL && err->status == ENOTSUP);
	CHECK_ERR(err, "no display LSM interface");
	CHECK_ERR(err, "LSM stacking patches");
	ph_error_free(&err);
	sim_cleanup(&s);
}

/* The plan made from the probe's facts (as create makes it) reaches the
 * same outcomes as the plan that reads them itself (tests above), and an
 * LSM list that cannot be read is an error, not "not stacked". */
static void test_display_probed(void)
{
	struct sim s;
	struct ph_aa_probe p;
	struct ph_aa_onexec plan;
	ph_error_t err = NULL;
	char path[PATH_MAX];
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");

	/* not stacked: nothing planned */
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_display_probed(&p, &plan, &err) == 0);
	CHECK_STR(plan.display_path, "");
	ph_aa_probe_release(&p);

	/* stacked with smack, the interface present: its path */
	sim_write(&s, "sec/lsm", "lockdown,capability,smack,apparmor");
	sim_write(&s, "proc/self/attr/interface_lsm", "");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_display_probed(&p, &plan, &err) == 0);
	sim_path(&s, path, "proc/self/attr/interface_lsm");
	CHECK_STR(plan.display_path, path);
	ph_aa_probe_release(&p);

	/* stacked, no interface: ENOTSUP, as the reading plan says */
	sim_unlink(&s, "proc/self/attr/interface_lsm");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_display_probed(&p, &plan, &err) < 0);
	CHECK(err != NULL && err->status == ENOTSUP);
	CHECK_ERR(err, "no display LSM interface");
	ph_error_free(&err);
	ph_aa_probe_release(&p);

	/* the list unreadable (a directory: EISDIR): the plan fails */
	sim_unlink(&s, "sec/lsm");
	sim_mkdir(&s, "sec/lsm");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.lsm_list == NULL && p.lsm_list_errno == EISDIR);
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_display_probed(&p, &plan, &err) < 0);
	CHECK(err != NULL && err->status == EISDIR);
	CHECK_ERR(err, "set display LSM: read `");
	ph_error_free(&err);
	ph_aa_probe_release(&p);
	sim_cleanup(&s);
}

struct thread_result {
	const struct ph_aa_env *env;
	int ret;
	int status;
	char msg[512];
};

static void *display_from_thread(void *arg)
{
	struct thread_result *r = arg;
	ph_error_t err = NULL;
	r->ret = ph_aa_display_lsm_set(r->env, &err);
	r->status = err ? err->status : 0;
	snprintf(r->msg, sizeof(r->msg), "%s", err ? err->msg : "");
	ph_error_free(&err);
	return NULL;
}

/* (h) a thread other than the leader may not set the display LSM. */
static void test_display_not_leader(void)
{
	struct sim s;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_write(&s, "sec/lsm", "lockdown,capability,smack,apparmor");
	sim_write(&s, "proc/self/attr/display", "");
	struct thread_result r = {.env = &s.env};
	pthread_t t;
	CHECK(pthread_create(&t, NULL, display_from_thread, &r) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(r.ret < 0);
	CHECK(r.status == EPERM);
	CHECK(strstr(r.msg, "only the thread-group leader") != NULL);
	char *got = sim_read(&s, "proc/self/attr/display");
	CHECK_STR(got, "");
	free(got);
	sim_cleanup(&s);
}

int main(void)
{
	test_current_label();
	test_transition();
	test_display_stacked();
	test_display_not_stacked();
	test_display_missing();
	test_display_probed();
	test_display_not_leader();
	T_DONE();
}
