/* The container's init process: pid files and start times. */
#include "init_pid.h"
#include "t.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void pid_files(void)
{
	char dir[] = "/tmp/phoenix-initpid.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[128], link[128];
	snprintf(path, sizeof(path), "%s/pid", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	ph_error_t err = NULL;
	pid_t pid = -1;

	CHECK(ph_pid_file_read(path, &pid, &err) == 0 && pid == 0); /* missing */
	write_file(path, "1234");
	CHECK(ph_pid_file_read(path, &pid, &err) == 0 && pid == 1234);
	write_file(path, "1234\n");
	CHECK(ph_pid_file_read(path, &pid, &err) == 0 && pid == 1234);
	const char *bad[] = {"", "x", "-5", "0", "12x", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i]);
		pid = -1;
		CHECK(ph_pid_file_read(path, &pid, &err) == 0 && pid == 0);
	}
	/* a symlink is not followed */
	CHECK(symlink(path, link) == 0);
	CHECK(ph_pid_file_read(link, &pid, &err) < 0);
	CHECK_ERR(err, "open pid file");
	ph_error_free(&err);
	unlink(link);
	unlink(path);
	rmdir(dir);
}

static void start_times(void)
{
	ph_error_t err = NULL;
	unsigned long long self = 0, again = 0, child = 0;
	CHECK(ph_pid_start_time("/proc", getpid(), &self, &err) == 0 && self > 0);
	CHECK(ph_pid_start_time("/proc", getpid(), &again, &err) == 0 && again == self);
	/* a later process started later (or in the same tick) */
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK(ph_pid_start_time("/proc", pid, &child, &err) == 0 && child >= self);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* gone: 0, not an error */
	CHECK(ph_pid_start_time("/proc", pid, &child, &err) == 0 && child == 0);
	CHECK(err == NULL);
}

/* What a process runs, read from the real /proc: a child that exec'd
 * /bin/sleep, taken for the runtime when the runtime is that file (by
 * inode: /bin/sleep is reached through the /bin symlink on a merged /usr)
 * and for the container's program otherwise.  (Not this test process:
 * under valgrind its executable is valgrind's tool.) */
static void exe_kinds(void)
{
	CHECK(ph_pid_exe_kind("/proc", getpid(), "/bin/sh") == PH_INIT_EXE_OTHER);
	CHECK(ph_pid_exe_kind("/proc", getpid(), NULL) == PH_INIT_EXE_OTHER);

	int ready[2];
	CHECK(pipe(ready) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		fcntl(ready[1], F_SETFD, FD_CLOEXEC);
		execl("/bin/sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	char c;
	CHECK(read(ready[0], &c, 1) == 0); /* closed by the execve */
	close(ready[0]);
	CHECK(ph_pid_exe_kind("/proc", pid, "/bin/sh") == PH_INIT_EXE_OTHER);
	CHECK(ph_pid_exe_kind("/proc", pid, "/bin/sleep") == PH_INIT_EXE_RUNTIME);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* gone: no opinion */
	CHECK(ph_pid_exe_kind("/proc", pid, "/bin/sleep") == PH_INIT_EXE_UNKNOWN);

	/* runc's memfd copy of itself, as /proc shows it: a simulated tree */
	char dir[] = "/tmp/phoenix-initexe.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char piddir[128], link[160];
	snprintf(piddir, sizeof(piddir), "%s/42", dir);
	snprintf(link, sizeof(link), "%s/exe", piddir);
	CHECK(mkdir(piddir, 0700) == 0);
	CHECK(symlink("/memfd:runc_cloned:/proc/self/exe (deleted)", link) == 0);
	CHECK(ph_pid_exe_kind(dir, 42, "/usr/sbin/runc") == PH_INIT_EXE_RUNTIME);
	unlink(link);
	CHECK(symlink("/memfd:other (deleted)", link) == 0);
	CHECK(ph_pid_exe_kind(dir, 42, "/usr/sbin/runc") == PH_INIT_EXE_UNKNOWN);
	unlink(link);
	rmdir(piddir);
	rmdir(dir);
}

/* runc 1.2+'s binary in its detached overlayfs: one component, the
 * runtime's inode number, size and mtime, on an overlayfs; anything else
 * is not the runtime. */
static void sealed_overlay(void)
{
	struct stat rt = {.st_ino = 4815, .st_size = 9000000};
	rt.st_mtim.tv_sec = 1700000000;
	rt.st_mtim.tv_nsec = 5;
	struct stat exe = rt;
	exe.st_dev = 43;
	const long ovl = OVERLAYFS_SUPER_MAGIC;
	CHECK(ph_exe_is_sealed_overlay("/runc", &exe, ovl, &rt));
	CHECK(!ph_exe_is_sealed_overlay("/runc", &exe, EXT4_SUPER_MAGIC, &rt));
	CHECK(!ph_exe_is_sealed_overlay("/usr/sbin/runc", &exe, ovl, &rt));
	CHECK(!ph_exe_is_sealed_overlay("/", &exe, ovl, &rt));
	CHECK(!ph_exe_is_sealed_overlay("runc", &exe, ovl, &rt));
	exe.st_ino = 4816;
	CHECK(!ph_exe_is_sealed_overlay("/runc", &exe, ovl, &rt));
	exe.st_ino = rt.st_ino;
	exe.st_size = rt.st_size + 1;
	CHECK(!ph_exe_is_sealed_overlay("/runc", &exe, ovl, &rt));
	exe.st_size = rt.st_size;
	exe.st_mtim.tv_nsec = 6;
	CHECK(!ph_exe_is_sealed_overlay("/runc", &exe, ovl, &rt));
}

int main(void)
{
	pid_files();
	start_times();
	exe_kinds();
	sealed_overlay();
	T_DONE();
}
