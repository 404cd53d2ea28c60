/* The --debug trace's timing records (timing.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "t.h"
#include "timing.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* The value of record `timing: create: <step> <ms> ms` in the log, or -1. */
static double step_ms(const char *log, const char *step)
{
	char needle[64];
	snprintf(needle, sizeof(needle), "timing: create: %s ", step);
	const char *p = strstr(log, needle);
	return p ? strtod(p + strlen(needle), NULL) : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

int main(void)
{
	char path[] = "/tmp/phoenix-test-timing.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	/* without debug: no record at all */
	ph_log_setup(path, PH_LOG_JSON, false);
	ph_timing_begin();
	ph_timing_command("create");
	ph_timing_mark("parse");
	ph_timing_end();
	const char *log = slurp(path);
	CHECK(log != NULL && *log == 0);

	/* with debug: one record per step, the time since the previous mark */
	ph_log_enable_debug();
	ph_timing_begin();
	sleep_ms(100);
	ph_timing_mark("parse");
	ph_timing_mark("load");
	sleep_ms(10);
	ph_timing_mark("runtime");
	ph_timing_end();
	log = slurp(path);
	CHECK(log != NULL);
	double parse = step_ms(log, "parse"), load = step_ms(log, "load"),
	       runtime = step_ms(log, "runtime"), total = step_ms(log, "total");
	CHECK(parse >= 100 && parse < 5000);
	/* since the previous mark, not since the clock started */
	CHECK(load >= 0 && load < 100);
	CHECK(runtime >= 10 && runtime < 5000);
	CHECK(total >= parse + load + runtime);
	CHECK(strstr(log, "\"level\":\"debug\"") != NULL);
	unlink(path);
	T_DONE();
}
