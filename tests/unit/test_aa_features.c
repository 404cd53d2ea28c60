/* The kernel's features text, kept per boot in the policy cache
 * (aa_features.c): read from apparmorfs once, then from the stored file;
 * a file phoenix did not write is not trusted; earlier boots' files go. */
#include "aa-fixtures/sim.h"
#include "aa_features.h"
#include "t.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOOT_A "0f3c2a9e-1b2c-4d5e-8f90-0123456789ab"
#define BOOT_B "7a1b2c3d-4e5f-4a6b-9c8d-fedcba987654"

static char *features_of(struct sim *s, int dirfd)
{
	char path[PATH_MAX];
	sim_path(s, path, "sec/apparmor/features");
	char *text = NULL;
	size_t len = 0;
	ph_error_t err = NULL;
	if (ph_aa_features_text(&s->env, path, dirfd, &text, &len, &err) < 0) {
		fprintf(stderr, "features: %s\n", err->msg);
		ph_error_free(&err);
		return NULL;
	}
	CHECK(len == strlen(text));
	return text;
}

/* AppArmor on, boot BOOT_A, an empty cache directory: its fd. */
static int setup(struct sim *s)
{
	char path[PATH_MAX];
	sim_init(s);
	sim_apparmor(s, "unconfined", 0, false, "root");
	sim_write(s, "proc/sys/kernel/random/boot_id", BOOT_A "\n");
	sim_mkdir(s, "cache");
	sim_path(s, path, "cache");
	chmod(path, 0700);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void test_stored_per_boot(void)
{
	struct sim s;
	int dirfd = setup(&s);
	CHECK(dirfd >= 0);

	/* first call: the tree, flattened by libapparmor, then stored */
	char *first = features_of(&s, dirfd);
	CHECK(first != NULL && strstr(first, "set_load") != NULL);
	CHECK(sim_exists(&s, "cache/features." BOOT_A));
	char *stored = sim_read(&s, "cache/features." BOOT_A);
	CHECK(stored != NULL && first != NULL && strcmp(stored, first) == 0);
	free(stored);

	/* same boot: the stored text, even after the tree changed (it
	 * cannot on a real kernel; here it shows which one was read) */
	sim_write(&s, "sec/apparmor/features/domain/version", "1.2\n");
	char *second = features_of(&s, dirfd);
	CHECK(second != NULL && first != NULL && strcmp(second, first) == 0);

	/* a new boot reads the tree again and removes the old boot's file */
	sim_write(&s, "proc/sys/kernel/random/boot_id", BOOT_B "\n");
	char *third = features_of(&s, dirfd);
	CHECK(third != NULL && strstr(third, "version") != NULL);
	CHECK(sim_exists(&s, "cache/features." BOOT_B));
	CHECK(!sim_exists(&s, "cache/features." BOOT_A));

	free(first);
	free(second);
	free(third);
	close(dirfd);
	sim_cleanup(&s);
}

static void test_untrusted_or_unkeyed(void)
{
	struct sim s;
	int dirfd = setup(&s);
	CHECK(dirfd >= 0);

	/* a group-writable file is not ours: read the tree, replace it */
	sim_write(&s, "cache/features." BOOT_A, "forged {yes\n}\n");
	char path[PATH_MAX];
	sim_path(&s, path, "cache/features." BOOT_A);
	chmod(path, 0664);
	char *text = features_of(&s, dirfd);
	CHECK(text != NULL && strstr(text, "forged") == NULL);
	free(text);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 077) == 0);

	/* a symlink is never followed */
	sim_unlink(&s, "cache/features." BOOT_A);
	sim_write(&s, "elsewhere", "forged {yes\n}\n");
	sim_path(&s, path, "elsewhere");
	sim_symlink(&s, path, "cache/features." BOOT_A);
	text = features_of(&s, dirfd);
	CHECK(text != NULL && strstr(text, "forged") == NULL);
	free(text);

	/* a boot id that is not a UUID names no file: nothing is stored */
	sim_unlink(&s, "cache/features." BOOT_A);
	sim_write(&s, "proc/sys/kernel/random/boot_id", "../../etc/x\n");
	text = features_of(&s, dirfd);
	CHECK(text != NULL);
	free(text);
	CHECK(!sim_exists(&s, "cache/features.../../etc/x"));

	/* no cache directory: read every time, store nothing */
	text = features_of(&s, -1);
	CHECK(text != NULL && strstr(text, "set_load") != NULL);
	free(text);

	/* no features tree: the error names it */
	sim_remove_tree(&s, "sec/apparmor/features");
	sim_write(&s, "proc/sys/kernel/random/boot_id", BOOT_B "\n");
	sim_path(&s, path, "sec/apparmor/features");
	char *none = NULL;
	size_t len = 0;
	ph_error_t err = NULL;
	CHECK(ph_aa_features_text(&s.env, path, dirfd, &none, &len, &err) < 0);
	CHECK_ERR(err, "read kernel features");
	ph_error_free(&err);
	CHECK(none == NULL);

	close(dirfd);
	sim_cleanup(&s);
}

int main(void)
{
	test_stored_per_boot();
	test_untrusted_or_unkeyed();
	T_DONE();
}
