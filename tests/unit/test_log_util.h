/* The --log file of a unit test: what phoenix logs (debug included) goes
 * to a temporary file, read back and emptied by log_take(). */
#ifndef PHOENIX_TEST_LOG_UTIL_H
#define PHOENIX_TEST_LOG_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

static char test_log_path[64] __attribute__((unused));

static inline void log_capture_start(void)
{
	snprintf(test_log_path, sizeof(test_log_path), "/tmp/phoenix-test-log-XXXXXX");
	int fd = mkstemp(test_log_path);
	if (fd < 0)
		abort();
	close(fd);
	ph_log_setup(test_log_path, PH_LOG_TEXT, true);
}

/* What was logged since the last call (free it); the file is emptied. */
static inline char *log_take(void)
{
	FILE *f = fopen(test_log_path, "re");
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	if (f == NULL || out == NULL)
		abort();
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(f);
	if (fclose(out) != 0 || truncate(test_log_path, 0) < 0)
		abort();
	return buf;
}

static inline void log_capture_end(void)
{
	unlink(test_log_path);
}

#endif
