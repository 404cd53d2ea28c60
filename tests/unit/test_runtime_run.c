/* Running the runtime as a child: exit statuses, the step a
 * before-exec hook fails at and its explanation, a runtime that cannot be
 * executed, and the argument vector left as it was. */
#include "runtime.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

struct probe {
	const char *path; /* apply opens it for writing */
};

static int apply_open(void *data, int *errnum)
{
	struct probe *p = data;
	int fd = open(p->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*errnum = errno;
		return 3;
	}
	close(fd);
	return 0;
}

static int explain(void *data, int step, int errnum, ph_error_t *err)
{
	struct probe *p = data;
	return ph_error_make(err, errnum, "step %d: open `%s`", step, p->path);
}

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

	/* a hook that succeeds, then one that fails: the runtime never runs */
	char dir[] = "/tmp/phoenix-rtrun.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char file[128], marker[128];
	snprintf(file, sizeof(file), "%s/f", dir);
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	char touch[200];
	snprintf(touch, sizeof(touch), "touch %s", marker);
	char *run_touch[] = {(char *)"runc", (char *)"-c", touch, NULL};
	struct probe good = {file};
	struct ph_before_exec before = {apply_open, explain, &good};
	CHECK(ph_runtime_run(&sh, run_touch, &before, &status, &err) == 0 && status == 0);
	CHECK(access(file, F_OK) == 0 && access(marker, F_OK) == 0);
	unlink(marker);
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/no/such/dir/f", dir);
	struct probe bad = {missing};
	before.data = &bad;
	CHECK(ph_runtime_run(&sh, run_touch, &before, &status, &err) < 0);
	CHECK(err && err->status == ENOENT);
	CHECK_ERR(err, "step 3: open");
	ph_error_free(&err);
	CHECK(access(marker, F_OK) != 0);

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

	unlink(file);
	rmdir(dir);
	T_DONE();
}
