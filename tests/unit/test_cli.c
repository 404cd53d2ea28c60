/* runc's grammar as phoenix reads it. */
#include "cli.h"
#include "t.h"

#define ARGV(...) ((char *[]){"phoenix", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"phoenix", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(cli, ...) ph_cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (cli), &err)

int main(void)
{
	struct ph_cli c;
	ph_error_t err = NULL;

	/* containerd's create */
	CHECK(PARSE(&c, "--root", "/run/containerd/runc/moby", "--log", "/x/log.json",
		    "--log-format", "json", "--systemd-cgroup", "create", "--bundle", "/b",
		    "--pid-file", "/b/init.pid", "--console-socket", "/tmp/s", "cid") == 0);
	CHECK(c.command == PH_CMD_CREATE);
	CHECK_STR(c.root, "/run/containerd/runc/moby");
	CHECK_STR(c.log, "/x/log.json");
	CHECK(c.log_format == PH_LOG_JSON);
	CHECK(c.systemd_cgroup);
	CHECK_STR(c.bundle, "/b");
	CHECK_STR(c.pid_file, "/b/init.pid");
	CHECK_STR(c.console_socket, "/tmp/s");
	CHECK_STR(c.id, "cid");
	CHECK(ph_cli_intercepted(&c));

	/* = forms, single dash, options after the id (urfave reorders) */
	CHECK(PARSE(&c, "-root=/r", "-log-format=text", "create", "cid", "-b=/b2", "--no-pivot",
		    "--preserve-fds", "3") == 0);
	CHECK_STR(c.root, "/r");
	CHECK(c.log_format == PH_LOG_TEXT);
	CHECK_STR(c.bundle, "/b2");
	CHECK_STR(c.id, "cid");
	CHECK(c.nargs == 1);

	/* run with detach, keep; booleans with values */
	CHECK(PARSE(&c, "run", "-d", "--keep=true", "--no-subreaper", "c2") == 0);
	CHECK(c.command == PH_CMD_RUN && c.detach && c.keep);
	CHECK_STR(c.id, "c2");
	CHECK(PARSE(&c, "run", "--detach=false", "c2") == 0);
	CHECK(!c.detach);
	CHECK(PARSE(&c, "run", "--detach=maybe", "c2") < 0);
	CHECK_ERR(err, "invalid boolean value `maybe`");
	ph_error_free(&err);

	/* exec: options end at the id; the rest belongs to the process */
	CHECK(PARSE(&c, "exec", "--process", "/p.json", "--detach", "--pid-file", "/pid", "cid",
		    "sh", "-c", "--process=x") == 0);
	CHECK(c.command == PH_CMD_EXEC);
	CHECK_STR(c.process, "/p.json");
	CHECK_STR(c.pid_file, "/pid");
	CHECK(c.detach);
	CHECK_STR(c.id, "cid");
	CHECK(c.nargs == 4);
	CHECK(PARSE(&c, "exec", "-p=/q.json", "-t", "-e", "A=B", "--apparmor", "prof", "cid") == 0);
	CHECK_STR(c.process, "/q.json");
	CHECK_STR(c.apparmor, "prof");
	CHECK(PARSE(&c, "exec", "--cap", "CAP_SYS_ADMIN", "-u", "0:0", "--cwd", "/", "cid", "ls") ==
	      0);
	CHECK_STR(c.id, "cid");

	/* restore has -no-subreaper with one dash too */
	CHECK(PARSE(&c, "restore", "-no-subreaper", "--image-path", "/img", "-b", "/b", "-d",
		    "cid") == 0);
	CHECK(c.command == PH_CMD_RESTORE);
	CHECK_STR(c.bundle, "/b");
	CHECK_STR(c.id, "cid");

	/* delete --force, both orders */
	CHECK(PARSE(&c, "delete", "--force", "cid") == 0);
	CHECK(c.force);
	CHECK_STR(c.id, "cid");
	CHECK(PARSE(&c, "delete", "cid", "-f") == 0);
	CHECK(c.force);
	CHECK_STR(c.id, "cid");

	/* `--` ends the options */
	CHECK(PARSE(&c, "create", "--", "-odd-id") == 0);
	CHECK_STR(c.id, "-odd-id");

	/* an unknown option of an intercepted command is refused */
	CHECK(PARSE(&c, "create", "--frobnicate", "cid") < 0);
	CHECK_ERR(err, "unknown option `--frobnicate`");
	ph_error_free(&err);

	/* a missing value */
	CHECK(PARSE(&c, "create", "cid", "--bundle") < 0);
	CHECK_ERR(err, "needs a value");
	ph_error_free(&err);
	CHECK(PARSE(&c, "--root") < 0);
	ph_error_free(&err);

	/* bad log format */
	CHECK(PARSE(&c, "--log-format", "xml", "state", "c") < 0);
	CHECK_ERR(err, "invalid log format `xml`");
	ph_error_free(&err);

	/* pass-through commands: not intercepted, id recorded */
	CHECK(PARSE(&c, "state", "cid") == 0);
	CHECK(c.command == PH_CMD_STATE && !ph_cli_intercepted(&c));
	CHECK_STR(c.id, "cid");
	CHECK(PARSE(&c, "kill", "--all", "cid", "KILL") == 0);
	CHECK(c.command == PH_CMD_KILL);
	CHECK_STR(c.id, "cid");
	CHECK(PARSE(&c, "update", "--resources", "-", "cid") == 0);
	CHECK(c.command == PH_CMD_UPDATE);
	CHECK(PARSE(&c, "ps", "cid", "-ef") == 0);
	CHECK(c.command == PH_CMD_PS);
	CHECK(PARSE(&c, "future-command", "x") == 0);
	CHECK(c.command == PH_CMD_UNKNOWN && !ph_cli_intercepted(&c));
	CHECK(PARSE(&c, "features") == 0);
	CHECK(c.command == PH_CMD_FEATURES);

	/* global --version / --help, no command */
	CHECK(PARSE(&c, "--version") == 0);
	CHECK(c.version && c.command == PH_CMD_NONE);
	CHECK(PARSE(&c, "-v") == 0);
	CHECK(c.version);
	CHECK(PARSE(&c, "-h") == 0);
	CHECK(c.help);
	/* `create --help` is the runtime's help: passed through */
	CHECK(PARSE(&c, "create", "--help") == 0);
	CHECK(c.command_help && !ph_cli_intercepted(&c));

	/* unknown global options are passed on; their value is skipped */
	CHECK(PARSE(&c, "--future", "v", "state", "cid") == 0);
	CHECK(c.command == PH_CMD_STATE);
	CHECK_STR(c.id, "cid");
	CHECK(PARSE(&c, "--future-flag", "state", "cid") == 0);
	CHECK(c.command == PH_CMD_STATE);
	CHECK(PARSE(&c, "--rootless", "true", "--criu", "/c", "--cgroup-manager", "systemd",
		    "--log-level", "debug", "delete", "cid") == 0);
	CHECK(c.command == PH_CMD_DELETE);
	CHECK_STR(c.id, "cid");

	/* the runtime's default root */
	CHECK(PARSE(&c, "state", "c") == 0);
	CHECK_STR(ph_cli_effective_root(&c, "/usr/sbin/runc"), "/run/runc");
	CHECK_STR(ph_cli_effective_root(&c, "/usr/bin/crun"), "/run/crun");
	CHECK(PARSE(&c, "--root", "/x", "state", "c") == 0);
	CHECK_STR(ph_cli_effective_root(&c, "/usr/bin/crun"), "/x");

	/* bare phoenix */
	char *bare[] = {"phoenix", NULL};
	CHECK(ph_cli_parse(1, bare, &c, &err) == 0);
	CHECK(c.command == PH_CMD_NONE);
	T_DONE();
}
