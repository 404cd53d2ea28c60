/* runc's --log line formats. */
#include <stdlib.h>
#include <time.h>
#include "log.h"
#include "t.h"

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	char *line = ph_log_format_line(PH_LOG_JSON, PH_LOG_ERROR, "phoenix: a \"b\"\n\x01", 0);
	CHECK_STR(line, "{\"level\":\"error\",\"msg\":\"phoenix: a \\\"b\\\"\\n\\u0001\","
			"\"time\":\"1970-01-01T00:00:00Z\"}");
	free(line);
	line = ph_log_format_line(PH_LOG_TEXT, PH_LOG_WARNING, "x \"y\"\tz", 86400);
	CHECK_STR(line, "time=\"1970-01-02T00:00:00Z\" level=warning msg=\"x \\\"y\\\"\\tz\"");
	free(line);
	setenv("TZ", "CET-1", 1);
	tzset();
	line = ph_log_format_line(PH_LOG_JSON, PH_LOG_DEBUG, "m", 0);
	CHECK(line && strstr(line, "\"time\":\"1970-01-01T01:00:00+01:00\""));
	CHECK(line && strstr(line, "\"level\":\"debug\""));
	free(line);
	T_DONE();
}
