/* phoenix fuzz target: the operator's configuration file.
 *
 * The input is written to a file in a private directory (on /dev/shm
 * when there is one) and loaded with ph_config_load_path(), the way
 * phoenix reads /etc/phoenix/phoenix.json.  A failure must come with a
 * message and leave nothing allocated; a success must give a usable
 * configuration. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256];

static void remove_dir(void)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", path);
	unlink(path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		rmdir(dir);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char dir[] = "/dev/shm/phoenix-fuzz-config.XXXXXX";
	char alt[] = "/tmp/phoenix-fuzz-config.XXXXXX";
	const char *d = mkdtemp(dir);
	if (d == NULL)
		d = mkdtemp(alt);
	if (d == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(path, sizeof(path), "%s/phoenix.json", d);
	atexit(remove_dir);
	return 0;
}

static void write_input(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (size > 0) {
		ssize_t n = write(fd, data, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror(path);
			abort();
		}
		data += n;
		size -= (size_t)n;
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ph_config conf;
	ph_error_t err = NULL;

	write_input(data, size);
	if (ph_config_load_path(&conf, path, true, &err) < 0) {
		if (err == NULL || err->msg == NULL || *err->msg == '\0')
			abort();
		ph_error_free(&err);
		/* a failed load leaves nothing to release, and releasing
		 * again must be harmless */
		ph_config_release(&conf);
		return 0;
	}
	if (conf.state_dir == NULL || conf.state_dir[0] != '/' || conf.cache_dir == NULL ||
	    conf.cache_dir[0] != '/' || conf.default_profile == NULL || conf.gpu_profile == NULL ||
	    conf.n_complain > PH_CONFIG_MAX_LIST || conf.n_allowed_annotations > PH_CONFIG_MAX_LIST)
		abort();
	(void)ph_config_complain(&conf, conf.default_profile);
	(void)ph_config_annotation_allowed(&conf, "profile");
	ph_config_release(&conf);
	return 0;
}
