/* phoenix: messages in runc's --log conventions.
 *
 * runc appends logrus lines to the file named by --log (default stderr):
 *   json: {"level":"error","msg":"…","time":"2006-01-02T15:04:05Z07:00"}
 *   text: time="…" level=error msg="…"
 * containerd (go-runc) reads the last error line of that file and shows its
 * msg in `docker run`'s error, so phoenix writes its own failures the same
 * way, prefixed "phoenix: ".  Nothing ever goes to stdout, and stderr only
 * when no --log is given: for create/run/exec stdio belongs to the container.
 */
#ifndef PHOENIX_LOG_H
#define PHOENIX_LOG_H

#include <stdbool.h>
#include "cli.h"
#include "error.h"

enum ph_log_level { PH_LOG_DEBUG, PH_LOG_INFO, PH_LOG_WARNING, PH_LOG_ERROR };

/* Take --log, --log-format and --debug from the command line. */
void ph_log_setup(const struct ph_cli *cli);
/* Turn debug tracing on (the config's `debug` key). */
void ph_log_enable_debug(void);
bool ph_log_debug_enabled(void);

void ph_log(enum ph_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define ph_debug(...)                                                                              \
	do {                                                                                       \
		if (ph_log_debug_enabled())                                                        \
			ph_log(PH_LOG_DEBUG, __VA_ARGS__);                                         \
	} while (0)
#define ph_warn(...) ph_log(PH_LOG_WARNING, __VA_ARGS__)

/* Report err as runc reports its own fatal errors. */
void ph_log_error(ph_error_t err);

/* Format one line (without the trailing newline) into a malloc'd buffer;
 * exposed for tests.  `when` is seconds since the epoch. */
char *ph_log_format_line(enum ph_log_format format, enum ph_log_level level, const char *msg,
			 long long when);

#endif
