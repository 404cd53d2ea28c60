/* Pure parts of confinement: ids, profile choice, label matching; the
 * label check of a running process on a simulated /proc. */
#include "aa-fixtures/sim.h"
#include "confine.h"
#include "config.h"
#include "profile_choice.h"
#include "t.h"

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

int main(void)
{
	ids();
	choice();
	labels();
	verify();
	T_DONE();
}
