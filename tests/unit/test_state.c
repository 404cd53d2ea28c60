/* phoenix's private directories (private_dir.h) and the state directory's
 * records and locks (state.h), on real temporary directories. */
#include "aa_names.h"
#include "private_dir.h"
#include "state.h"
#include "t.h"
#include "test_json_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/phoenix-test-state.XXXXXX";

static const char *at(const char *rel)
{
	static char path[4][4096];
	static int slot;
	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", tmpdir, rel);
	return path[slot];
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0u;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static int open_dir(const char *path, bool create, ph_error_t *err)
{
	int fd = -1;
	if (ph_private_dir_open(path, "state directory", create, &fd, err) < 0)
		return -1;
	return fd;
}

static void test_private_dir(void)
{
	ph_error_t err = NULL;
	/* parents 0755 and the directory 0700, whatever the umask */
	mode_t old = umask(077);
	int fd = open_dir(at("run/phoenix"), true, &err);
	umask(old);
	CHECK(fd >= 0);
	close(fd);
	CHECK(mode_of(at("run")) == 0755);
	CHECK(mode_of(at("run/phoenix")) == 0700);

	/* without create, a missing directory is ENOENT */
	CHECK(open_dir(at("run/none"), false, &err) < 0);
	CHECK(err != NULL && err->status == ENOENT);
	ph_error_free(&err);

	/* root's, not writable by others: 0755, 0750 accepted */
	CHECK(chmod(at("run/phoenix"), 0755) == 0);
	CHECK((fd = open_dir(at("run/phoenix"), true, &err)) >= 0);
	close(fd);
	CHECK(chmod(at("run/phoenix"), 0750) == 0);
	CHECK((fd = open_dir(at("run/phoenix"), false, &err)) >= 0);
	close(fd);

	/* group- or other-writable: refused, even with the sticky bit */
	const unsigned bad[] = {0777, 0770, 0702, 01777};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(chmod(at("run/phoenix"), bad[i]) == 0);
		CHECK(open_dir(at("run/phoenix"), true, &err) < 0);
		CHECK(err != NULL && err->status == EPERM);
		CHECK_ERR(err, "must belong to root and not be writable by group or others");
		ph_error_free(&err);
	}
	CHECK(chmod(at("run/phoenix"), 0700) == 0);

	/* owned by someone else: refused */
	CHECK(chown(at("run/phoenix"), 65534, 65534) == 0);
	CHECK(open_dir(at("run/phoenix"), true, &err) < 0);
	CHECK_ERR(err, "belongs to uid 65534 with mode 0700");
	ph_error_free(&err);
	CHECK(chown(at("run/phoenix"), 0, 0) == 0);

	/* a parent others can write (they could rename the directory and
	 * put their own in its place): refused; a sticky one (/tmp) is not */
	CHECK(chmod(at("run"), 0777) == 0);
	CHECK(open_dir(at("run/phoenix"), true, &err) < 0);
	CHECK_ERR(err, "(a parent) belongs to uid 0 with mode 0777");
	ph_error_free(&err);
	CHECK(chmod(at("run"), 01777) == 0);
	CHECK((fd = open_dir(at("run/phoenix"), true, &err)) >= 0);
	close(fd);
	/* ... but below a sticky parent, the entry must still be root's */
	CHECK(chown(at("run/phoenix"), 65534, 65534) == 0);
	CHECK(open_dir(at("run/phoenix"), true, &err) < 0);
	CHECK(err != NULL && err->status == EPERM);
	ph_error_free(&err);
	CHECK(chown(at("run/phoenix"), 0, 0) == 0);
	CHECK(chmod(at("run"), 0755) == 0);

	/* a symlink, as the directory or as a parent: refused, not followed */
	CHECK(symlink(at("run/phoenix"), at("link")) == 0);
	CHECK(open_dir(at("link"), true, &err) < 0);
	CHECK(err != NULL && err->status == ELOOP);
	CHECK_ERR(err, "is a symbolic link");
	ph_error_free(&err);
	CHECK(symlink(at("run"), at("runlink")) == 0);
	CHECK(open_dir(at("runlink/phoenix"), true, &err) < 0);
	CHECK_ERR(err, "runlink` is a symbolic link");
	ph_error_free(&err);
	CHECK(!exists(at("run/phoenix/phoenix")));

	/* a file in the way, a relative path, `..` */
	int f = open(at("file"), O_CREAT | O_WRONLY, 0600);
	CHECK(f >= 0);
	close(f);
	CHECK(open_dir(at("file/x"), true, &err) < 0);
	CHECK(err != NULL && err->status == ENOTDIR);
	ph_error_free(&err);
	CHECK(open_dir("run/phoenix", true, &err) < 0);
	CHECK_ERR(err, "is not an absolute path");
	ph_error_free(&err);
	CHECK(open_dir(at("run/../run/phoenix"), true, &err) < 0);
	CHECK_ERR(err, "`.` and `..` are refused");
	ph_error_free(&err);

	/* the state directory is opened by the same rule */
	CHECK(chmod(at("run/phoenix"), 0777) == 0);
	CHECK(ph_state_open(at("run/phoenix"), &fd, &err) < 0);
	CHECK_ERR(err, "state directory");
	ph_error_free(&err);
	CHECK(chmod(at("run/phoenix"), 0700) == 0);
}

static struct ph_container_state record(const char *id, const char *root, char *ns)
{
	ph_error_t err = NULL;
	CHECK(ph_aa_ns_name(root, id, ns, PH_AA_NS_NAME_SIZE, &err) == 0);
	struct ph_container_state st = {
	    .id = (char *)id,
	    .root = (char *)root,
	    .ns = ns,
	    .profile = (char *)"phoenix-default",
	    .transition = (char *)"exec",
	    .runtime = (char *)"/usr/sbin/runc",
	    .created = 1,
	};
	return st;
}

static bool inode_is_named(int dirfd, const char *name, int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static void test_records_and_locks(void)
{
	ph_error_t err = NULL;
	int dirfd = -1;
	CHECK(ph_state_open(at("state"), &dirfd, &err) == 0);
	char ns[PH_AA_NS_NAME_SIZE], lock[PH_AA_NS_NAME_SIZE + 8], json[PH_AA_NS_NAME_SIZE + 8];
	struct ph_container_state st = record("c1", "/run/runc", ns);
	snprintf(lock, sizeof(lock), "%s.lock", ns);
	snprintf(json, sizeof(json), "%s.json", ns);

	int lockfd = -1;
	CHECK(ph_state_lock(dirfd, ns, &lockfd, &err) == 0 && lockfd >= 0);
	CHECK(ph_state_save(dirfd, &st, &err) == 0);
	struct ph_container_state got;
	bool found = false;
	CHECK(ph_state_load_of(dirfd, ns, "c1", "/run/runc/", &got, &found, &err) == 0 && found);
	CHECK_STR(got.runtime, "/usr/sbin/runc");
	ph_container_state_release(&got);

	/* a second locker, in a child, waits; the holder removes the record
	 * and its lock file; the waiter must end up on a lock file that is
	 * still named (the new one), not on the removed inode */
	pid_t child = fork();
	if (child == 0) {
		close(lockfd); /* the parent's lock, shared by the fork */
		ph_error_t cerr = NULL;
		int cfd = -1;
		if (ph_state_lock(dirfd, ns, &cfd, &cerr) < 0)
			_exit(2);
		_exit(inode_is_named(dirfd, lock, cfd) ? 0 : 1);
	}
	usleep(200 * 1000); /* let the child open the old file and block */
	CHECK(ph_state_remove(dirfd, ns, &err) == 0);
	CHECK(!exists(at("state/c1")) && faccessat(dirfd, json, F_OK, 0) < 0);
	CHECK(faccessat(dirfd, lock, F_OK, 0) < 0); /* gone with the record */
	close(lockfd);
	int status = 0;
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* the child left a lock file with no record: reaped, unless held */
	CHECK(faccessat(dirfd, lock, F_OK, 0) == 0);
	int held = -1;
	CHECK(ph_state_lock(dirfd, ns, &held, &err) == 0);
	bool removed = true;
	CHECK(ph_state_reap_lock(dirfd, ns, false, &removed, &err) == 0 && !removed);
	close(held);
	CHECK(ph_state_reap_lock(dirfd, ns, true, &removed, &err) == 0 && removed);
	CHECK(faccessat(dirfd, lock, F_OK, 0) == 0); /* a dry run removes nothing */
	CHECK(ph_state_reap_lock(dirfd, ns, false, &removed, &err) == 0 && removed);
	CHECK(faccessat(dirfd, lock, F_OK, 0) < 0);
	/* with a record, the lock file stays */
	CHECK(ph_state_save(dirfd, &st, &err) == 0);
	CHECK(ph_state_lock(dirfd, ns, &held, &err) == 0);
	close(held);
	CHECK(ph_state_reap_lock(dirfd, ns, false, &removed, &err) == 0 && !removed);
	CHECK(faccessat(dirfd, lock, F_OK, 0) == 0);
	/* without a lock file, trylock_existing makes none */
	CHECK(ph_state_remove(dirfd, ns, &err) == 0);
	bool busy = true;
	CHECK(ph_state_trylock_existing(dirfd, ns, &held, &busy, &err) == 0 && held < 0 && !busy);
	CHECK(faccessat(dirfd, lock, F_OK, 0) < 0);

	/* a record filed under another container's name is refused */
	char other[PH_AA_NS_NAME_SIZE], other_json[PH_AA_NS_NAME_SIZE + 8];
	CHECK(ph_aa_ns_name("/run/runc", "victim", other, sizeof(other), &err) == 0);
	snprintf(other_json, sizeof(other_json), "%s.json", other);
	CHECK(ph_state_save(dirfd, &st, &err) == 0);
	CHECK(renameat(dirfd, json, dirfd, other_json) == 0);
	CHECK(ph_state_load(dirfd, other, &got, &found, &err) < 0 && !found);
	CHECK_ERR(err, "names namespace");
	ph_error_free(&err);
	CHECK(unlinkat(dirfd, other_json, 0) == 0);
	close(dirfd);
}

/* Two ids whose FNV-1a 64 hashes are equal (found offline by a parallel
 * collision search over "+" and 11 characters of [A-Za-z0-9_.]): the
 * namespace names are the same, and create must not take the other's. */
static void test_collision(void)
{
	ph_error_t err = NULL;
	const char *a = "+s0ifxtWtiaA", *b = "+5n92B2WHfAN"; /* both 0xd3faa732fd1f4d0a */
	CHECK(strcmp(a, b) != 0);
	CHECK(ph_aa_fnv1a64(PH_AA_FNV64_INIT, a, strlen(a)) ==
	      ph_aa_fnv1a64(PH_AA_FNV64_INIT, b, strlen(b)));
	char ns_a[PH_AA_NS_NAME_SIZE], ns_b[PH_AA_NS_NAME_SIZE];
	CHECK(ph_aa_ns_name("/run/runc", a, ns_a, sizeof(ns_a), &err) == 0);
	CHECK(ph_aa_ns_name("/run/runc", b, ns_b, sizeof(ns_b), &err) == 0);
	CHECK_STR(ns_a, ns_b);

	int dirfd = -1;
	CHECK(ph_state_open(at("state"), &dirfd, &err) == 0);
	char ns[PH_AA_NS_NAME_SIZE];
	struct ph_container_state st = record(a, "/run/runc", ns);
	CHECK(ph_state_save(dirfd, &st, &err) == 0);
	struct ph_container_state got;
	bool found = true;
	CHECK(ph_state_load_of(dirfd, ns_b, b, "/run/runc", &got, &found, &err) < 0 && !found);
	CHECK(err != NULL && err->status == EEXIST);
	CHECK_ERR(err, "would have the policy namespace");
	CHECK_ERR(err, a);
	ph_error_free(&err);
	/* the same id under another runtime root is another container too */
	CHECK(ph_state_load_of(dirfd, ns_a, a, "/run/other", &got, &found, &err) < 0);
	ph_error_free(&err);
	CHECK(ph_state_load_of(dirfd, ns_a, a, "/run/runc", &got, &found, &err) == 0 && found);
	ph_container_state_release(&got);
	close(dirfd);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("%s: skipped: needs root (ownership checks)\n", __FILE__);
		return 0;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_private_dir();
	test_records_and_locks();
	test_collision();
	remove_tree(strdup(tmpdir));
	T_DONE();
}
