/* phoenix: messages in runc's --log conventions (see log.h). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

static struct {
	const char *path;
	enum ph_log_format format;
	bool debug;
} log_conf;

void ph_log_setup(const struct ph_cli *cli)
{
	log_conf.path = cli->log;
	log_conf.format = cli->log_format;
	log_conf.debug = cli->debug;
}

void ph_log_enable_debug(void)
{
	log_conf.debug = true;
}

bool ph_log_debug_enabled(void)
{
	return log_conf.debug;
}

static const char *level_name(enum ph_log_level level)
{
	switch (level) {
	case PH_LOG_DEBUG:
		return "debug";
	case PH_LOG_INFO:
		return "info";
	case PH_LOG_WARNING:
		return "warning";
	case PH_LOG_ERROR:
	default:
		return "error";
	}
}

/* RFC 3339 in local time, as Go's time.RFC3339 prints it. */
static void rfc3339(long long when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;
	localtime_r(&t, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	long off = tm.tm_gmtoff;
	if (off == 0) {
		snprintf(buf + n, len - n, "Z");
		return;
	}
	char sign = off < 0 ? '-' : '+';
	off = off < 0 ? -off : off;
	snprintf(buf + n, len - n, "%c%02ld:%02ld", sign, off / 3600, (off % 3600) / 60);
}

static char *json_line(const char *level, const char *msg, const char *time)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g == NULL)
		return NULL;
	const unsigned char *buf;
	size_t len;
	char *out = NULL;
	/* logrus' JSONFormatter sorts keys: level, msg, time */
	if (yajl_gen_map_open(g) == yajl_gen_status_ok &&
	    yajl_gen_string(g, (const unsigned char *)"level", 5) == yajl_gen_status_ok &&
	    yajl_gen_string(g, (const unsigned char *)level, strlen(level)) == yajl_gen_status_ok &&
	    yajl_gen_string(g, (const unsigned char *)"msg", 3) == yajl_gen_status_ok &&
	    yajl_gen_string(g, (const unsigned char *)msg, strlen(msg)) == yajl_gen_status_ok &&
	    yajl_gen_string(g, (const unsigned char *)"time", 4) == yajl_gen_status_ok &&
	    yajl_gen_string(g, (const unsigned char *)time, strlen(time)) == yajl_gen_status_ok &&
	    yajl_gen_map_close(g) == yajl_gen_status_ok &&
	    yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		out = strndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

/* logrus' text formatter quotes values with Go's %q. */
static char *text_line(const char *level, const char *msg, const char *time)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	if (f == NULL)
		return NULL;
	fprintf(f, "time=\"%s\" level=%s msg=\"", time, level);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *ph_log_format_line(enum ph_log_format format, enum ph_log_level level, const char *msg,
			 long long when)
{
	char time[64];
	rfc3339(when, time, sizeof(time));
	if (format == PH_LOG_JSON)
		return json_line(level_name(level), msg, time);
	return text_line(level_name(level), msg, time);
}

static void emit(enum ph_log_level level, const char *msg)
{
	int saved = errno;
	char *line = ph_log_format_line(log_conf.format, level, msg, (long long)time(NULL));
	if (line == NULL)
		goto out;
	size_t len = strlen(line);
	line[len] = '\0';
	int fd = STDERR_FILENO;
	bool opened = false;
	if (log_conf.path && strcmp(log_conf.path, "/dev/stderr") != 0) {
		fd = open(log_conf.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		opened = fd >= 0;
		if (fd < 0)
			fd = STDERR_FILENO; /* as runc: the message must reach someone */
	}
	/* one write(2) per line so concurrent writers do not interleave */
	char *with_nl = malloc(len + 2);
	if (with_nl) {
		memcpy(with_nl, line, len);
		with_nl[len] = '\n';
		ssize_t w = write(fd, with_nl, len + 1);
		(void)w;
		free(with_nl);
	}
	if (opened)
		close(fd);
	free(line);
out:
	errno = saved;
}

void ph_log(enum ph_log_level level, const char *fmt, ...)
{
	if (level == PH_LOG_DEBUG && !log_conf.debug)
		return;
	char *body = NULL, *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (asprintf(&msg, "phoenix: %s", body) >= 0) {
		emit(level, msg);
		free(msg);
	}
	free(body);
}

void ph_log_error(ph_error_t err)
{
	ph_log(PH_LOG_ERROR, "%s", err ? err->msg : "unknown error");
}
