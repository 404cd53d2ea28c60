/* Policy namespace lifecycle on a simulated apparmorfs: mkdir/rmdir in
 * policy/namespaces/, listing, and finding tasks in a namespace. */
#include "aa-fixtures/sim.h"
#include "aa_names.h"
#include "aa_ns.h"
#include "t.h"

#include <sys/wait.h>

#define NS_DIR "sec/apparmor/policy/namespaces/"

static void test_create_remove(void)
{
	struct sim s;
	ph_error_t err = NULL;
	bool exists = true;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");

	CHECK(ph_aa_ns_exists(&s.env, "phx-00000001-c1", &exists, &err) == 0);
	CHECK(!exists);
	CHECK(ph_aa_ns_create(&s.env, "phx-00000001-c1", &err) == 0);
	CHECK(sim_exists(&s, NS_DIR "phx-00000001-c1"));
	CHECK(ph_aa_ns_exists(&s.env, "phx-00000001-c1", &exists, &err) == 0);
	CHECK(exists);

	/* A second create reports EEXIST for the caller to decide. */
	CHECK(ph_aa_ns_create(&s.env, "phx-00000001-c1", &err) < 0);
	CHECK(err != NULL && err->status == EEXIST);
	CHECK_ERR(err, "create policy namespace `phx-00000001-c1`: it exists already");
	ph_error_free(&err);

	/* Remove, and remove again: reaping is idempotent. */
	CHECK(ph_aa_ns_remove(&s.env, "phx-00000001-c1", &err) == 0);
	CHECK(!sim_exists(&s, NS_DIR "phx-00000001-c1"));
	CHECK(ph_aa_ns_remove(&s.env, "phx-00000001-c1", &err) == 0);
	CHECK(err == NULL);
	CHECK(ph_aa_ns_exists(&s.env, "phx-00000001-c1", &exists, &err) == 0);
	CHECK(!exists);

	/* Hostile names never reach the filesystem. */
	static const char *const bad[] = {"../escape", "a/b", ":ns:", "", "a b", "x\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(ph_aa_ns_create(&s.env, bad[i], &err) < 0);
		CHECK(err != NULL && err->status == EINVAL);
		CHECK_ERR(err, "invalid policy namespace name");
		ph_error_free(&err);
		CHECK(ph_aa_ns_remove(&s.env, bad[i], &err) < 0);
		CHECK(err != NULL && err->status == EINVAL);
		ph_error_free(&err);
	}
	CHECK(!sim_exists(&s, "sec/apparmor/policy/escape"));

	/* A file in the way is not a namespace. */
	sim_write(&s, NS_DIR "plainfile", "");
	CHECK(ph_aa_ns_exists(&s.env, "plainfile", &exists, &err) == 0);
	CHECK(!exists);
	sim_cleanup(&s);
}

static void test_create_errors(void)
{
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);

	/* AppArmor absent. */
	sim_mountinfo(&s, true);
	CHECK(ph_aa_ns_create(&s.env, "phx-00000001-c1", &err) < 0);
	CHECK(err != NULL && err->status == ENOENT);
	CHECK_ERR(err, "this kernel has no AppArmor");
	ph_error_free(&err);

	/* AppArmor disabled at boot. */
	sim_write(&s, "sys/module/apparmor/parameters/enabled", "N\n");
	CHECK(ph_aa_ns_create(&s.env, "phx-00000001-c1", &err) < 0);
	CHECK_ERR(err, "AppArmor is disabled");
	ph_error_free(&err);

	/* securityfs not mounted. */
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_mountinfo(&s, false);
	CHECK(ph_aa_ns_create(&s.env, "phx-00000001-c1", &err) < 0);
	CHECK(err != NULL && err->status == ENOENT);
	CHECK_ERR(err, "securityfs is not mounted: mount -t securityfs securityfs "
		       "/sys/kernel/security");
	ph_error_free(&err);
	CHECK(ph_aa_ns_remove(&s.env, "phx-00000001-c1", &err) < 0);
	CHECK_ERR(err, "securityfs is not mounted");
	ph_error_free(&err);

	/* Mounted, but without policy/namespaces. */
	sim_mountinfo(&s, true);
	sim_remove_tree(&s, "sec/apparmor/policy");
	CHECK(ph_aa_ns_create(&s.env, "phx-00000001-c1", &err) < 0);
	CHECK(err != NULL && err->status == ENOENT);
	CHECK_ERR(err, "has no policy/namespaces");
	ph_error_free(&err);
	sim_cleanup(&s);
}

/* Without the rights to mkdir (here: an unprivileged uid, so also without
 * CAP_MAC_ADMIN), the message says who is not policy admin and why. */
static void test_create_denied(void)
{
	struct sim s;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	if (geteuid() != 0) {
		printf("skip test_create_denied: needs root to drop to another uid\n");
		sim_cleanup(&s);
		return;
	}
	int pipefd[2];
	CHECK(pipe(pipefd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		ph_error_t err = NULL;
		close(pipefd[0]);
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		int r = ph_aa_ns_create(&s.env, "phx-00000001-c1", &err);
		int status = err ? err->status : 0;
		if (r < 0 && write(pipefd[1], err->msg, strlen(err->msg)) < 0)
			_exit(4);
		ph_error_free(&err);
		_exit(r == 0 ? 0 : status == EACCES ? 10 : 11);
	}
	close(pipefd[1]);
	char msg[4096] = "";
	ssize_t n = read(pipefd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 10);
	CHECK(strstr(msg, "create policy namespace `phx-00000001-c1`: not policy admin: ") != NULL);
	CHECK(strstr(msg, "CAP_MAC_ADMIN is not in the effective set") != NULL);
	CHECK(strstr(msg, "Permission denied") != NULL);
	CHECK(!sim_exists(&s, NS_DIR "phx-00000001-c1"));
	sim_cleanup(&s);
}

static bool has(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static void test_list(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char a[PH_AA_NS_NAME_SIZE], b[PH_AA_NS_NAME_SIZE], other[PH_AA_NS_NAME_SIZE];
	char prefix[PH_AA_SCOPE_PREFIX_LEN + 1];
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	CHECK(ph_aa_ns_name("/run/phoenix", "c1", a, sizeof(a), &err) == 0);
	CHECK(ph_aa_ns_name("/run/phoenix", "c2", b, sizeof(b), &err) == 0);
	CHECK(ph_aa_ns_name("/var/run/other", "c1", other, sizeof(other), &err) == 0);
	CHECK(ph_aa_ns_create(&s.env, a, &err) == 0);
	CHECK(ph_aa_ns_create(&s.env, b, &err) == 0);
	CHECK(ph_aa_ns_create(&s.env, other, &err) == 0);
	CHECK(ph_aa_ns_create(&s.env, "lxc-foreign", &err) == 0);
	sim_write(&s, NS_DIR "phx-notadir", "");

	char **names = NULL;
	size_t n = 0;
	CHECK(ph_aa_ns_scope_prefix("/run/phoenix", prefix, sizeof(prefix), &err) == 0);
	CHECK(ph_aa_ns_list(&s.env, prefix, &names, &n, &err) == 0);
	CHECK(n == 2);
	CHECK(has(names, n, a) && has(names, n, b) && !has(names, n, other));
	ph_aa_ns_list_free(names, n);

	CHECK(ph_aa_ns_list(&s.env, NULL, &names, &n, &err) == 0);
	CHECK(n == 4);
	CHECK(has(names, n, "lxc-foreign") && !has(names, n, "phx-notadir"));
	ph_aa_ns_list_free(names, n);

	CHECK(ph_aa_ns_list(&s.env, "nomatch-", &names, &n, &err) == 0);
	CHECK(n == 0 && names == NULL);
	ph_aa_ns_list_free(names, n);

	sim_mountinfo(&s, false);
	CHECK(ph_aa_ns_list(&s.env, prefix, &names, &n, &err) < 0);
	CHECK_ERR(err, "list policy namespaces: securityfs is not mounted");
	ph_error_free(&err);
	sim_cleanup(&s);
}

static void task_label(struct sim *s, const char *task, const char *label)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "proc/%s/attr/apparmor/current", task);
	sim_writef(s, rel, "%s\n", label);
}

static bool tasks_in(struct sim *s, const char *ns)
{
	ph_error_t err = NULL;
	bool found = false;
	int r = ph_aa_ns_has_tasks(&s->env, ns, &found, &err);
	CHECK(r == 0);
	if (r < 0) {
		fprintf(stderr, "has_tasks: %s\n", err->msg);
		ph_error_free(&err);
	}
	return found;
}

static void test_has_tasks(void)
{
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");

	task_label(&s, "1", "unconfined");
	task_label(&s, "57", "lxc-foo (enforce)");
	task_label(&s, "58", ":phx-2:unconfined");
	CHECK(!tasks_in(&s, "phx-1"));
	CHECK(tasks_in(&s, "phx-2"));

	/* A process is judged by its leader's label: threads of a container
	 * process are in its namespace whenever the leader is. */
	task_label(&s, "300/task/301", "unconfined");
	task_label(&s, "300", ":phx-1:p//&q (enforce)");
	CHECK(tasks_in(&s, "phx-1"));
	sim_remove_tree(&s, "proc/300");
	task_label(&s, "301/task/302", ":phx-1:p (enforce)");
	task_label(&s, "301", "unconfined");
	CHECK(!tasks_in(&s, "phx-1"));
	sim_remove_tree(&s, "proc/301");

	/* A stack with the host's profile, and a nested namespace. */
	task_label(&s, "400", "lxc-host//&:phx-1:docker-default (enforce)");
	CHECK(tasks_in(&s, "phx-1"));
	sim_remove_tree(&s, "proc/400");
	task_label(&s, "401", ":phx-1//inner:p (enforce)");
	CHECK(tasks_in(&s, "phx-1"));
	sim_remove_tree(&s, "proc/401");
	task_label(&s, "402", ":phx-10:p (enforce)");
	CHECK(!tasks_in(&s, "phx-1"));

	/* Seen from the root while phx-1 sits below LXC's namespace ct. */
	task_label(&s, "403", "host//&:ct//phx-1:p (enforce)");
	CHECK(!tasks_in(&s, "phx-1"));
	CHECK(tasks_in(&s, "ct"));

	/* A label longer than one read's buffer, the namespace at its end. */
	static char long_label[6000];
	size_t used = 0;
	while (used < 5000)
		used += (size_t)snprintf(long_label + used, sizeof(long_label) - used,
					 "host-profile-%zu//&", used);
	snprintf(long_label + used, sizeof(long_label) - used, ":phx-7:p (enforce)");
	task_label(&s, "404", long_label);
	CHECK(tasks_in(&s, "phx-7"));
	long_label[used] = '\0';
	snprintf(long_label + used, sizeof(long_label) - used, ":phx-70:p (enforce)");
	task_label(&s, "404", long_label);
	CHECK(!tasks_in(&s, "phx-7"));
	sim_remove_tree(&s, "proc/404");

	/* Processes that vanished mid-scan (no attr files) are skipped;
	 * non-numeric entries are not processes. */
	sim_mkdir(&s, "proc/999");
	sim_mkdir(&s, "proc/1000/task/1000");
	sim_write(&s, "proc/sys/kernel/unprivileged_userns_apparmor_policy", "1\n");
	task_label(&s, "self", ":phx-3:unconfined");
	CHECK(!tasks_in(&s, "phx-3"));

	/* Before Linux 5.8 the labels are in attr/current. */
	sim_remove_tree(&s, "proc/self/attr/apparmor");
	sim_write(&s, "proc/500/attr/current", ":phx-5:unconfined\n");
	CHECK(tasks_in(&s, "phx-5"));

	/* An unreadable label file is an error, not "no tasks". */
	sim_remove_tree(&s, "proc/500");
	sim_mkdir(&s, "proc/501/attr/current");
	bool found = true;
	CHECK(ph_aa_ns_has_tasks(&s.env, "phx-5", &found, &err) < 0);
	CHECK_ERR(err, "look for tasks in policy namespace `phx-5`: read the label of task 501");
	ph_error_free(&err);

	CHECK(ph_aa_ns_has_tasks(&s.env, "bad:name", &found, &err) < 0);
	CHECK(err != NULL && err->status == EINVAL);
	ph_error_free(&err);
	sim_cleanup(&s);
}

int main(void)
{
	test_create_remove();
	test_create_errors();
	test_create_denied();
	test_list();
	test_has_tasks();
	T_DONE();
}
