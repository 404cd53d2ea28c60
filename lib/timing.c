/* phoenix: where a command's time goes (see timing.h). */
#include "timing.h"

#include <time.h>

#include "log.h"

static struct {
	const char *command;
	long long begin_ns, last_ns;
} timing;

static long long monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void ph_timing_begin(void)
{
	timing.begin_ns = timing.last_ns = monotonic_ns();
}

void ph_timing_command(const char *name)
{
	if (name != NULL)
		timing.command = name;
}

void ph_timing_mark(const char *step)
{
	if (timing.command == NULL || !ph_log_debug_enabled())
		return;
	long long now = monotonic_ns();
	ph_debug("timing: %s: %s %.3f ms", timing.command, step,
		 (double)(now - timing.last_ns) / 1e6);
	/* the record's own write is left out of the next step (it is in
	 * `total`: the trace's cost is total minus the sum of the steps) */
	timing.last_ns = monotonic_ns();
}

void ph_timing_end(void)
{
	if (timing.command == NULL || !ph_log_debug_enabled())
		return;
	ph_debug("timing: %s: total %.3f ms", timing.command,
		 (double)(monotonic_ns() - timing.begin_ns) / 1e6);
}
