/* Running the runtime as a child: exit statuses, the child's plan applied
 * in the child (on a simulated tree) and the step it fails at explained in
 * phoenix, a runtime that cannot be executed, and the argument vector
 * left as it was. */
#include "aa-fixtures/sim.h"
#include "runtime.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	struct ph_runtime sh = {(char *)"/bin/sh", (char *)"sh", false};
	ph_error_t err = NULL;
	int status = -1;

	char *ok[] = {(char *)"runc", (char *)"-c", (char *)"exit 0", NULL};
	CHECK(ph_runtime_run(&sh, ok, NULL, &status, &err) == 0 && status == 0);
	CHECK_STR(ok[0], "runc"); /* the child's argv[0] is not left behind */
	char *three[] = {(char *)"runc", (char *)"-c", (char *)"exit 3", NULL};
	CHECK(ph_runtime_run(&sh, three, NULL, &status, &err) == 0 && status == 3);
	char *killed[] = {(char *)"runc", (char *)"-c", (char *)"kill -TERM $$", NULL};
	CHECK(ph_runtime_run(&sh, killed, NULL, &status, &err) == 0 && status == 128 + 15);

	/* the plan, applied by the child before its execve: the bundle is
	 * checked, the transition written, then the runtime runs */
	struct sim sm;
	sim_init(&sm);
	sim_apparmor(&sm, "unconfined", 0, false, "root");
	sim_mkdir(&sm, "bundle");
	char bundle[PATH_MAX], marker[PATH_MAX], touch[PATH_MAX + 16];
	sim_path(&sm, bundle, "bundle");
	sim_path(&sm, marker, "ran");
	snprintf(touch, sizeof(touch), "touch %s", marker);
	char *run_touch[] = {(char *)"runc", (char *)"-c", touch, NULL};
	int bundle_fd = open(bundle, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	CHECK(bundle_fd >= 0);
	struct ph_child_plan plan;
	ph_child_plan_init(&plan);
	plan.ns = "phx-0123abcd-c1";
	CHECK(ph_aa_onexec_plan_transition(&sm.env, PH_AA_EXEC_PROCFS,
					   ":phx-0123abcd-c1:unconfined", false, &plan.onexec,
					   &err) == 0);
	ph_child_plan_bundle(&plan, bundle_fd, bundle);
	CHECK(ph_runtime_run(&sh, run_touch, &plan, &status, &err) == 0 && status == 0);
	CHECK(err == NULL);
	CHECK(sim_exists(&sm, "ran"));
	char *written = sim_read(&sm, "proc/self/attr/apparmor/exec");
	CHECK_STR(written, "exec :phx-0123abcd-c1:unconfined");
	free(written);
	sim_unlink(&sm, "ran");

	/* a failed AppArmor write: the runtime never runs, phoenix explains
	 * the step the child failed at */
	sim_unlink(&sm, "proc/self/attr/apparmor/exec");
	sim_mkdir(&sm, "proc/self/attr/apparmor/exec");
	CHECK(ph_runtime_run(&sh, run_touch, &plan, &status, &err) < 0);
	CHECK(err && err->status == EISDIR);
	CHECK_ERR(err, "enter policy namespace `phx-0123abcd-c1`: transition to "
		       "`:phx-0123abcd-c1:unconfined`: open `");
	ph_error_free(&err);
	CHECK(!sim_exists(&sm, "ran"));
	sim_unlink(&sm, "proc/self/attr/apparmor/exec");
	sim_write(&sm, "proc/self/attr/apparmor/exec", "");

	/* a bundle replaced after phoenix rewrote it: refused before the
	 * AppArmor writes, the runtime never runs */
	char old_bundle[PATH_MAX];
	sim_path(&sm, old_bundle, "bundle.old");
	CHECK(rename(bundle, old_bundle) == 0);
	sim_mkdir(&sm, "bundle");
	CHECK(ph_runtime_run(&sh, run_touch, &plan, &status, &err) < 0);
	CHECK(err && err->status == ESTALE);
	CHECK_ERR(err, "was replaced during create");
	ph_error_free(&err);
	CHECK(!sim_exists(&sm, "ran"));
	written = sim_read(&sm, "proc/self/attr/apparmor/exec");
	CHECK_STR(written, "");
	free(written);
	close(bundle_fd);
	sim_cleanup(&sm);

	/* a runtime that cannot be executed */
	struct ph_runtime none = {(char *)"/nonexistent/runc", (char *)"runc", false};
	CHECK(ph_runtime_run(&none, ok, NULL, &status, &err) < 0);
	CHECK(err && err->status == ENOENT);
	CHECK_ERR(err, "exec runtime `/nonexistent/runc`");
	ph_error_free(&err);

	/* capture: stdout only */
	char *echo[] = {(char *)"/bin/sh", (char *)"-c", (char *)"echo out; echo err >&2; exit 4",
			NULL};
	char *out = NULL;
	size_t len = 0;
	CHECK(ph_runtime_capture(&sh, echo, &out, &len, &status, &err) == 0);
	CHECK(status == 4 && len == 4);
	CHECK_STR(out, "out\n");
	free(out);

	T_DONE();
}
