/* Pure parts of confinement: ids, profile choice, label matching; the
 * label check of a running process, the plan for the runtime's child (its
 * apply and its explanations), and the rollback guard of create, on a
 * simulated tree. */
#include "aa-fixtures/sim.h"
#include "aa_names.h"
#include "confine.h"
#include "config.h"
#include "profile_choice.h"
#include "t.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static void ids(void)
{
	ph_error_t err = NULL;
	CHECK(ph_validate_id("abc", &err) == 0);
	CHECK(ph_validate_id("0f3a_b+c-d.e", &err) == 0);
	const char *bad[] = {"", ".", "..", "a/b", "../x", "a b", "a\nb", "a:b", "a\x01", "é"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(ph_validate_id(bad[i], &err) < 0);
		ph_error_free(&err);
	}
	char long_id[1001];
	memset(long_id, 'a', 1000);
	long_id[1000] = '\0';
	CHECK(ph_validate_id(long_id, &err) < 0);
	CHECK_ERR(err, "1000 bytes long");
	ph_error_free(&err);
	CHECK(ph_validate_id(NULL, &err) < 0);
	CHECK_ERR(err, "missing");
	ph_error_free(&err);
}

static void choice(void)
{
	struct ph_config conf;
	ph_error_t err = NULL;
	CHECK(ph_config_load_path(&conf, NULL, false, &err) == 0);
	struct ph_profile_choice c;
	const char *defaults[] = {NULL,
				  "",
				  "docker-default",
				  "runtime/default",
				  "containers-default-0.50.1",
				  "crun-default",
				  "cri-containerd.apparmor.d"};
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		CHECK(ph_profile_choose(&conf, defaults[i], NULL, false, &c, &err) == 0);
		CHECK_STR(c.name, "phoenix-default");
		CHECK(!c.unconfined);
		ph_profile_choice_release(&c);
	}
	CHECK(ph_profile_choose(&conf, "docker-default", NULL, true, &c, &err) == 0);
	CHECK_STR(c.name, "phoenix-gpu");
	ph_profile_choice_release(&c);
	CHECK(ph_profile_choose(&conf, "localhost/custom", NULL, false, &c, &err) == 0);
	CHECK_STR(c.name, "custom");
	ph_profile_choice_release(&c);
	CHECK(ph_profile_choose(&conf, "docker-default", "custom2", false, &c, &err) == 0);
	CHECK_STR(c.name, "custom2");
	ph_profile_choice_release(&c);
	/* unconfined by policy */
	CHECK(ph_profile_choose(&conf, "unconfined", NULL, false, &c, &err) == 0);
	CHECK(c.unconfined);
	CHECK_STR(c.name, "unconfined");
	ph_profile_choice_release(&c);
	conf.unconfined = PH_UNCONFINED_DEFAULT;
	CHECK(ph_profile_choose(&conf, "unconfined", NULL, false, &c, &err) == 0);
	CHECK(!c.unconfined);
	CHECK_STR(c.name, "phoenix-default");
	ph_profile_choice_release(&c);
	conf.unconfined = PH_UNCONFINED_REFUSE;
	CHECK(ph_profile_choose(&conf, "unconfined", NULL, false, &c, &err) < 0);
	CHECK_ERR(err, "refused by the config");
	ph_error_free(&err);
	/* names that would change the kernel write */
	const char *bad[] = {"a&b", ":ns:p", "a//b", "p\n",  "p q", "p\tq",
			     "&p",  "a:b",   "^hat", "x\"y", "-x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(ph_profile_choose(&conf, bad[i], NULL, false, &c, &err) < 0);
		CHECK_ERR(err, "is not allowed");
		ph_error_free(&err);
	}
	char huge[5001];
	memset(huge, 'p', 5000);
	huge[5000] = '\0';
	CHECK(ph_profile_choose(&conf, huge, NULL, false, &c, &err) < 0);
	CHECK_ERR(err, "is not allowed");
	ph_error_free(&err);
	/* complain mode from the config */
	conf.complain[conf.n_complain++] = strdup("custom");
	CHECK(ph_profile_choose(&conf, "custom", NULL, false, &c, &err) == 0);
	CHECK(c.complain);
	/* start and exec verify what create chose: the same answer */
	CHECK(ph_profile_complain(&conf, "custom"));
	CHECK(ph_profile_complain(&conf, "phoenix-learn"));
	CHECK(!ph_profile_complain(&conf, "phoenix-default"));
	CHECK(!ph_profile_complain(&conf, "unconfined"));
	ph_profile_choice_release(&c);
	ph_config_release(&conf);
}

static void labels(void)
{
	const char *ns = "phx-1234abcd-c1";
	/* as the root namespace reads it */
	CHECK(ph_label_matches(":phx-1234abcd-c1:phoenix-default", "enforce", ns, "phoenix-default",
			       false));
	/* stacked under a host profile, the caller in its own namespace ct */
	CHECK(ph_label_matches("host//&:ct//phx-1234abcd-c1:phoenix-default", "enforce", ns,
			       "phoenix-default", false));
	CHECK(ph_label_matches("lxc-c1_</var/lib/lxc>//&:lxc-c1_<-var-lib-lxc>//phx-1234abcd-c1:p",
			       "enforce", ns, "p", false));
	CHECK(ph_label_matches("host//&:phx-1234abcd-c1:p", "enforce", ns, "p", false));
	/* wrong namespace, look-alikes, wrong profile, wrong mode */
	CHECK(!ph_label_matches(":other:phoenix-default", "enforce", ns, "phoenix-default", false));
	CHECK(!ph_label_matches(":xphx-1234abcd-c1:p", "enforce", ns, "p", false));
	CHECK(!ph_label_matches(":ct//xphx-1234abcd-c1:p", "enforce", ns, "p", false));
	CHECK(!ph_label_matches(":phx-1234abcd-c1:p2", "enforce", ns, "p", false));
	CHECK(!ph_label_matches("phx-1234abcd-c1:p", "enforce", ns, "p", false));
	CHECK(!ph_label_matches(":phx-1234abcd-c1:p", "complain", ns, "p", false));
	CHECK(ph_label_matches(":phx-1234abcd-c1:p", "complain", ns, "p", true));
	CHECK(!ph_label_matches("unconfined", NULL, ns, "p", false));
	CHECK(!ph_label_matches(NULL, NULL, ns, "p", false));
	/* the namespace's unconfined carries no mode */
	CHECK(ph_label_matches(":phx-1234abcd-c1:unconfined", NULL, ns, "unconfined", false));
}

struct later_write {
	struct sim *s;
	const char *rel, *text;
};

static void *write_later(void *arg)
{
	struct later_write *w = arg;
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
	/* atomically, as the kernel switches a label: a new file renamed
	 * over the old one */
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s.new", w->rel);
	sim_write(w->s, tmp, w->text);
	char from[PATH_MAX], to[PATH_MAX];
	sim_path(w->s, from, tmp);
	sim_path(w->s, to, w->rel);
	if (rename(from, to) != 0)
		sim_die("rename", to);
	return NULL;
}

static void verify(void)
{
	struct sim s;
	ph_error_t err = NULL;
	struct ph_confinement c = {0};
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	c.env = s.env;
	snprintf(c.ns, sizeof(c.ns), "phx-1234abcd-c1");
	sim_write(&s, "proc/42/attr/apparmor/current",
		  ":phx-1234abcd-c1:phoenix-default (enforce)\n");
	sim_write(&s, "proc/44/attr/apparmor/current", "unconfined\n");
	CHECK(ph_confine_verify_pid(&c, 42, "phoenix-default", false, &err) == 0);
	CHECK(err == NULL);
	/* the wrong label is refused */
	CHECK(ph_confine_verify_pid(&c, 44, "phoenix-default", false, &err) < 0);
	CHECK(err != NULL && err->status == EPERM);
	CHECK_ERR(err, "process 44 carries `unconfined");
	CHECK_ERR(err, "not profile `phoenix-default` of namespace `phx-1234abcd-c1`");
	ph_error_free(&err);
	/* a process already gone (and reaped) is nothing to check */
	CHECK(ph_confine_verify_pid(&c, 43, "phoenix-default", false, &err) == 0);
	CHECK(err == NULL);
	/* still the runtime's init (the namespace's unconfined) until its
	 * execve: the check waits for the planned label */
	sim_write(&s, "proc/45/attr/apparmor/current", ":phx-1234abcd-c1:unconfined\n");
	struct later_write w = {&s, "proc/45/attr/apparmor/current",
				":phx-1234abcd-c1:phoenix-default (enforce)\n"};
	pthread_t t;
	CHECK(pthread_create(&t, NULL, write_later, &w) == 0);
	CHECK(ph_confine_verify_pid(&c, 45, "phoenix-default", false, &err) == 0);
	CHECK(err == NULL);
	pthread_join(t, NULL);
	sim_cleanup(&s);
}

#define PLAN_NS "phx-1234abcd-c1"
#define EXEC_ATTR "proc/self/attr/apparmor/exec"

/* A confinement as ph_confine_prepare leaves it on the simulated tree. */
static void plan_confinement(struct sim *s, struct ph_confinement *c)
{
	ph_error_t err = NULL;
	memset(c, 0, sizeof(*c));
	c->state_dirfd = c->lockfd = -1;
	c->env = s->env;
	c->id = "c1";
	CHECK(ph_aa_probe(&c->env, &c->probe, &err) == 0);
	c->probed = true;
	c->env.securityfs = c->probe.securityfs;
	snprintf(c->ns, sizeof(c->ns), PLAN_NS);
	snprintf(c->target, sizeof(c->target), ":%s:unconfined", c->ns);
}

static void child_plan(void)
{
	struct sim s;
	ph_error_t err = NULL;
	struct ph_confinement c;
	struct ph_child_report r;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");

	/* AppArmor off: an empty plan, which writes nothing */
	plan_confinement(&s, &c);
	c.apparmor_off = true;
	CHECK(ph_confine_enter_prepare(&c, &err) == 0);
	CHECK(c.child.bundle_fd == -1);
	CHECK_STR(ph_aa_onexec_interface(&c.child.onexec), "none");
	CHECK(ph_child_plan_apply(&c.child, &r) && r.step == PH_CHILD_OK);
	char *exec = sim_read(&s, EXEC_ATTR);
	CHECK_STR(exec, "");
	free(exec);
	ph_confine_release(&c);

	/* the transition, planned from the probe and applied in this thread */
	plan_confinement(&s, &c);
	CHECK(ph_confine_enter_prepare(&c, &err) == 0);
	CHECK_STR(c.child.ns, PLAN_NS);
	CHECK(ph_child_plan_apply(&c.child, &r) && r.step == PH_CHILD_OK && r.errnum == 0);
	exec = sim_read(&s, EXEC_ATTR);
	CHECK_STR(exec, "exec :" PLAN_NS ":unconfined");
	free(exec);
	/* ... and stacked: ph_confine_enter plans and applies at once */
	c.stack = true;
	CHECK(ph_confine_enter(&c, &err) == 0);
	exec = sim_read(&s, EXEC_ATTR);
	CHECK_STR(exec, "stack :" PLAN_NS ":unconfined");
	free(exec);
	c.stack = false;

	/* the bundle check comes first: a replaced bundle stops the child
	 * before any AppArmor write */
	sim_write(&s, EXEC_ATTR, "");
	sim_mkdir(&s, "bundle");
	char bundle[PATH_MAX], moved[PATH_MAX];
	sim_path(&s, bundle, "bundle");
	sim_path(&s, moved, "bundle.old");
	int bundle_fd = open(bundle, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	CHECK(bundle_fd >= 0);
	ph_child_plan_bundle(&c.child, bundle_fd, bundle);
	CHECK(ph_child_plan_apply(&c.child, &r) && r.step == PH_CHILD_OK);
	sim_write(&s, EXEC_ATTR, "");
	CHECK(rename(bundle, moved) == 0);
	sim_mkdir(&s, "bundle");
	CHECK(!ph_child_plan_apply(&c.child, &r));
	CHECK(r.step == PH_CHILD_BUNDLE && r.errnum == ESTALE);
	exec = sim_read(&s, EXEC_ATTR);
	CHECK_STR(exec, "");
	free(exec);
	CHECK(ph_child_plan_explain(&c.child, &r, &err) < 0);
	CHECK(err != NULL && err->status == ESTALE);
	CHECK_ERR(err, "bundle `");
	CHECK_ERR(err, "/bundle` was replaced during create");
	ph_error_free(&err);
	/* a bundle gone altogether is refused the same way */
	sim_remove_tree(&s, "bundle");
	CHECK(!ph_child_plan_apply(&c.child, &r) && r.step == PH_CHILD_BUNDLE);
	close(bundle_fd);
	ph_child_plan_bundle(&c.child, -1, NULL);

	/* a transition write that fails names the namespace it enters */
	sim_unlink(&s, EXEC_ATTR);
	sim_mkdir(&s, EXEC_ATTR);
	CHECK(!ph_child_plan_apply(&c.child, &r));
	CHECK(r.step == PH_CHILD_APPARMOR && r.apparmor == PH_AA_ONEXEC_EXEC_OPEN &&
	      r.errnum == EISDIR);
	CHECK(ph_child_plan_explain(&c.child, &r, &err) < 0);
	CHECK(err != NULL && err->status == EISDIR);
	CHECK_ERR(err, "enter policy namespace `" PLAN_NS "`: transition to `:" PLAN_NS
		       ":unconfined`: open `");
	ph_error_free(&err);
	CHECK(ph_confine_enter(&c, &err) < 0);
	CHECK_ERR(err, "enter policy namespace `" PLAN_NS "`: transition to");
	ph_error_free(&err);
	sim_remove_tree(&s, EXEC_ATTR);
	sim_write(&s, EXEC_ATTR, "");
	ph_confine_release(&c);

	/* stacked with smack: the display LSM is set first; its failure is
	 * the display LSM's, not the namespace's, and stops the transition */
	sim_write(&s, "sec/lsm", "lockdown,capability,smack,apparmor");
	sim_mkdir(&s, "proc/self/attr/interface_lsm");
	plan_confinement(&s, &c);
	CHECK(ph_confine_enter_prepare(&c, &err) == 0);
	CHECK(c.child.onexec.display_path[0] != '\0');
	CHECK(!ph_child_plan_apply(&c.child, &r));
	CHECK(r.step == PH_CHILD_APPARMOR && r.apparmor == PH_AA_ONEXEC_DISPLAY_OPEN);
	CHECK(ph_child_plan_explain(&c.child, &r, &err) < 0);
	CHECK_ERR(err, "set display LSM: open `");
	CHECK(err != NULL && strstr(err->msg, "enter policy namespace") == NULL);
	ph_error_free(&err);
	exec = sim_read(&s, EXEC_ATTR);
	CHECK_STR(exec, "");
	free(exec);
	/* the display interface writable: both writes, in order */
	sim_remove_tree(&s, "proc/self/attr/interface_lsm");
	sim_write(&s, "proc/self/attr/interface_lsm", "");
	CHECK(ph_child_plan_apply(&c.child, &r));
	char *display = sim_read(&s, "proc/self/attr/interface_lsm");
	CHECK_STR(display, "apparmor");
	free(display);
	exec = sim_read(&s, EXEC_ATTR);
	CHECK_STR(exec, "exec :" PLAN_NS ":unconfined");
	free(exec);
	ph_confine_release(&c);
	sim_cleanup(&s);
}

/* What create does up to the runtime, on the simulated tree: the record,
 * then the namespace (an unconfined choice loads nothing), then a step
 * that fails when `fail_at` says so. */
enum midway { FAIL_AFTER_RECORD, FAIL_AFTER_NAMESPACE, SUCCEED };

static int create_midway(struct ph_confinement *c, enum midway fail_at, ph_error_t *err)
{
	cleanup_rollback struct ph_confinement *undo = c;
	struct ph_profile_choice unconfined = {(char *)"unconfined", true, false};
	struct ph_container_state record = {
	    .id = (char *)c->id,
	    .root = (char *)c->root,
	    .ns = c->ns,
	    .profile = unconfined.name,
	    .transition = (char *)"exec",
	};
	if (ph_confine_save_record(c, &record, err) < 0)
		return -1;
	if (fail_at == FAIL_AFTER_RECORD)
		return ph_error_make(err, EIO, "injected after the record");
	if (ph_confine_setup(c, &unconfined, err) < 0)
		return -1;
	if (fail_at == FAIL_AFTER_NAMESPACE)
		return ph_error_make(err, EIO, "injected after the namespace");
	ph_disarm(undo);
	return 0;
}

static void rollback(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char ns_dir[PATH_MAX], record[PATH_MAX], state[PATH_MAX];
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_path(&s, state, "state");

	for (int i = FAIL_AFTER_RECORD; i <= SUCCEED; i++) {
		struct ph_confinement c = PH_CONFINEMENT_INIT;
		plan_confinement(&s, &c);
		c.root = "/run/runc";
		CHECK(ph_aa_ns_name(c.root, c.id, c.ns, sizeof(c.ns), &err) == 0);
		snprintf(ns_dir, sizeof(ns_dir), "sec/apparmor/policy/namespaces/%s", c.ns);
		snprintf(record, sizeof(record), "state/%s.json", c.ns);
		CHECK(ph_state_open(state, &c.state_dirfd, &err) == 0);
		CHECK(ph_state_lock(c.state_dirfd, c.ns, &c.lockfd, &err) == 0);

		int r = create_midway(&c, (enum midway)i, &err);
		if (i == SUCCEED) {
			/* disarmed: the container stays */
			CHECK(r == 0 && err == NULL);
			CHECK(sim_exists(&s, ns_dir) && sim_exists(&s, record));
			CHECK(c.ns_created && c.recorded);
			/* reaped by delete later, as here */
			CHECK(ph_confine_reap(&c, &err) == 0);
		} else {
			CHECK(r < 0 && err != NULL && err->status == EIO);
			CHECK_ERR(err, "injected after the");
			ph_error_free(&err);
			CHECK(!c.ns_created && !c.recorded);
		}
		/* nothing left behind, either way */
		CHECK(!sim_exists(&s, ns_dir));
		CHECK(!sim_exists(&s, record));
		ph_confine_release(&c);
	}

	/* a namespace whose tasks still run is not taken from them by the
	 * rollback: it stays, with its record, for gc */
	{
		struct ph_confinement c = PH_CONFINEMENT_INIT;
		plan_confinement(&s, &c);
		c.root = "/run/runc";
		CHECK(ph_aa_ns_name(c.root, c.id, c.ns, sizeof(c.ns), &err) == 0);
		snprintf(ns_dir, sizeof(ns_dir), "sec/apparmor/policy/namespaces/%s", c.ns);
		snprintf(record, sizeof(record), "state/%s.json", c.ns);
		CHECK(ph_state_open(state, &c.state_dirfd, &err) == 0);
		CHECK(ph_state_lock(c.state_dirfd, c.ns, &c.lockfd, &err) == 0);
		char task[PATH_MAX];
		snprintf(task, sizeof(task), ":%s:unconfined\n", c.ns);
		sim_write(&s, "proc/77/attr/apparmor/current", task);
		CHECK(create_midway(&c, FAIL_AFTER_NAMESPACE, &err) < 0);
		ph_error_free(&err);
		CHECK(sim_exists(&s, ns_dir) && sim_exists(&s, record));
		sim_remove_tree(&s, "proc/77");
		CHECK(ph_confine_reap(&c, &err) == 0);
		CHECK(!sim_exists(&s, ns_dir) && !sim_exists(&s, record));
		ph_confine_release(&c);
	}
	sim_cleanup(&s);
}

int main(void)
{
	ids();
	choice();
	labels();
	verify();
	child_plan();
	rollback();
	T_DONE();
}
