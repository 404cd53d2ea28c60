/* The one reap path (namespace, then record, never with tasks; the
 * top-level .remove inside a user namespace) and the one kill path after a
 * failed label check, on a simulated tree.  The kernel's side of both is
 * in integration/tests/phoenix-lxc.bats (gc and the poststop hook in an
 * unprivileged LXC container). */
#include "aa-fixtures/sim.h"
#include "reap.h"
#include "t.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#define NS "phx-0123abcd-c1"
#define NS_DIR "sec/apparmor/policy/namespaces/" NS

static void task_label(struct sim *s, const char *task, const char *label)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "proc/%s/attr/apparmor/current", task);
	sim_writef(s, rel, "%s\n", label);
}

/* A state directory holding the record of NS and its pid file. */
static int records(struct sim *s)
{
	sim_write(s, "state/" NS ".json", "{}");
	sim_write(s, "state/" NS ".pid", "1");
	char path[PATH_MAX];
	sim_path(s, path, "state");
	int fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	return fd;
}

static void test_reap(void)
{
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_mkdir(&s, NS_DIR);
	int dirfd = records(&s);
	struct ph_reap r = {.env = &s.env, .ns = NS, .state_dirfd = dirfd};
	bool busy = false;

	/* a task in the namespace: nothing removed, even after waiting */
	task_label(&s, "70", ":" NS ":phoenix-default (enforce)");
	r.wait_ms = 30;
	CHECK(ph_reap(&r, &busy, &err) == 0 && busy);
	CHECK(sim_exists(&s, NS_DIR) && sim_exists(&s, "state/" NS ".json"));
	/* gone: a dry run only looks */
	sim_remove_tree(&s, "proc/70");
	r.wait_ms = 0;
	r.dry_run = true;
	CHECK(ph_reap(&r, &busy, &err) == 0 && !busy);
	CHECK(sim_exists(&s, NS_DIR) && sim_exists(&s, "state/" NS ".json"));
	/* the namespace, then the record and the pid file */
	r.dry_run = false;
	CHECK(ph_reap(&r, &busy, &err) == 0 && !busy);
	CHECK(!sim_exists(&s, NS_DIR));
	CHECK(!sim_exists(&s, "state/" NS ".json") && !sim_exists(&s, "state/" NS ".pid"));
	/* twice (containerd deletes twice) */
	CHECK(ph_reap(&r, &busy, &err) == 0 && !busy);
	/* an error of the task scan stops the reap */
	sim_mkdir(&s, NS_DIR);
	sim_mkdir(&s, "proc/71/attr/apparmor/current");
	CHECK(ph_reap(&r, &busy, &err) < 0);
	CHECK_ERR(err, "look for tasks in policy namespace `" NS "`");
	ph_error_free(&err);
	CHECK(sim_exists(&s, NS_DIR));
	close(dirfd);
	sim_cleanup(&s);
}

/* Reap as uid 65534 (rmdir refused by the root-owned namespaces/, as in
 * an unprivileged LXC container); the exit status tells the outcome, the
 * message comes back on a pipe. */
static int reap_unprivileged(struct sim *s, char *msg, size_t size)
{
	int pipefd[2];
	CHECK(pipe(pipefd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		ph_error_t err = NULL;
		close(pipefd[0]);
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		struct ph_reap r = {.env = &s->env, .ns = NS, .state_dirfd = -1};
		bool busy = false;
		int ret = ph_reap(&r, &busy, &err);
		if (ret < 0 && write(pipefd[1], err->msg, strlen(err->msg)) < 0)
			_exit(4);
		_exit(ret == 0 ? 0 : err->status == EACCES ? 10 : 11);
	}
	close(pipefd[1]);
	ssize_t n = read(pipefd[0], msg, size - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_reap_userns(void)
{
	if (geteuid() != 0) {
		printf("skip test_reap_userns: needs root to drop to another uid\n");
		return;
	}
	struct sim s;
	char msg[4096];
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_mkdir(&s, NS_DIR);
	/* the top-level .remove is 0666 (apparmorfs.c, aa_create_aafs) */
	char remove[PATH_MAX];
	sim_path(&s, remove, "sec/apparmor/.remove");
	CHECK(chmod(remove, 0666) == 0);

	/* outside a user namespace a refused rmdir is the error */
	CHECK(reap_unprivileged(&s, msg, sizeof(msg)) == 10);
	CHECK(strstr(msg, "remove policy namespace `" NS "`: not policy admin") != NULL);
	char *written = sim_read(&s, "sec/apparmor/.remove");
	CHECK_STR(written, "");
	free(written);

	/* inside one, the top-level .remove gets ":<ns>:" */
	sim_write(&s, "proc/self/uid_map", "         0     100000      65536\n");
	CHECK(reap_unprivileged(&s, msg, sizeof(msg)) == 0);
	size_t len = 0;
	written = sim_read_len(&s, "sec/apparmor/.remove", &len);
	CHECK(written != NULL && len == strlen(":" NS ":") + 1 &&
	      memcmp(written, ":" NS ":", len) == 0);
	free(written);

	/* and a refusal there too is reported as the top level's */
	CHECK(chmod(remove, 0644) == 0);
	CHECK(reap_unprivileged(&s, msg, sizeof(msg)) == 10);
	CHECK(strstr(msg, "(top level): not policy admin") != NULL);
	sim_cleanup(&s);
}

static void test_kill(void)
{
	ph_error_t err = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	struct ph_runtime rt = {.path = (char *)"/nonexistent/runc", .name = (char *)"runc"};
	ph_error_make(&err, EPERM, "process %d carries `unconfined`", (int)pid);
	CHECK(ph_kill_unverified(&rt, "/run/none", "c1", pid, PH_KILL_PROCESS, &err) < 0);
	CHECK_ERR(err, "confinement check failed, process killed: process ");
	CHECK(err != NULL && err->status == EPERM);
	ph_error_free(&err);
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* already gone: nothing runs with the label */
	ph_error_make(&err, EPERM, "wrong label");
	CHECK(ph_kill_unverified(&rt, "/run/none", "c1", pid, PH_KILL_PROCESS, &err) < 0);
	CHECK_ERR(err, "confinement check failed, process killed: wrong label");
	ph_error_free(&err);

	/* a runtime that cannot be run: the failed kill is in the message */
	ph_error_make(&err, EPERM, "wrong label");
	CHECK(ph_kill_unverified(&rt, "/run/none", "c1", 0, PH_KILL_CONTAINER, &err) < 0);
	CHECK_ERR(err, "confinement check failed, and killing the container failed (");
	CHECK_ERR(err, "): wrong label");
	ph_error_free(&err);
	/* the real runc, for a container it does not know */
	if (access("/usr/sbin/runc", X_OK) == 0) {
		char root[] = "/tmp/phoenix-reap-XXXXXX";
		CHECK(mkdtemp(root) != NULL);
		rt.path = (char *)"/usr/sbin/runc";
		ph_error_make(&err, EPERM, "wrong label");
		CHECK(ph_kill_unverified(&rt, root, "c1", 0, PH_KILL_CONTAINER_DELETE, &err) < 0);
		/* delete --force: a container already gone is no failure */
		CHECK_ERR(err, "confinement check failed, container killed: wrong label");
		ph_error_free(&err);
		ph_error_make(&err, EPERM, "wrong label");
		CHECK(ph_kill_unverified(&rt, root, "c1", 0, PH_KILL_CONTAINER, &err) < 0);
		CHECK_ERR(err,
			  "killing the container failed (runc kill exited with status 1): wrong");
		ph_error_free(&err);
		rmdir(root);
	} else {
		printf("skip: no /usr/sbin/runc\n");
	}
}

int main(void)
{
	test_reap();
	test_reap_userns();
	test_kill();
	T_DONE();
}
