/* runc's grammar as phoenix reads it. */
#include "cli.h"
#include "t.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ARGV(...) ((char *[]){"phoenix", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"phoenix", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(cli, ...)                                                                            \
	(ph_cli_release(cli), ph_cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (cli), &err))

/* The value of one --process occurrence. */
static const char *value_at(const struct ph_cli *c, int i)
{
	return c->argv[c->process_at[i].index] + c->process_at[i].offset;
}

/* --preserve-fds VALUE of exec: 1 and *n when accepted, 0 when refused. */
static int preserve(const char *value, int *n)
{
	struct ph_cli c = {0};
	ph_error_t err = NULL;
	char *argv[] = {"phoenix", "exec", "--preserve-fds", (char *)value, "cid", "true", NULL};
	int r = ph_cli_parse(6, argv, &c, &err);
	*n = c.preserve_fds;
	ph_cli_release(&c);
	ph_error_free(&err);
	return r == 0;
}

int main(void)
{
	struct ph_cli c = {0};
	ph_error_t err = NULL;
	int n = 0;

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
	CHECK(PARSE(&c, "create", "--bundle") < 0);
	CHECK_ERR(err, "needs a value");
	ph_error_free(&err);
	/* urfave's reorder puts `--bundle` first and `cid` after it: the
	 * bundle is `cid`, and runc's argument check fails */
	CHECK(PARSE(&c, "create", "cid", "--bundle") == 0);
	CHECK_STR(c.bundle, "cid");
	CHECK(c.nargs == 0 && c.id == NULL);
	CHECK(ph_cli_check_args(&c, &err) < 0);
	CHECK_ERR(err, "`create` requires exactly 1 argument(s), got 0");
	ph_error_free(&err);
	/* and the word after a boolean is moved with it: the options stop
	 * there, so `--bundle /x` is two more arguments, not the bundle */
	CHECK(PARSE(&c, "create", "--no-pivot", "cid", "--bundle", "/x") == 0);
	CHECK(c.bundle == NULL && c.nargs == 3);
	CHECK_STR(c.id, "cid");
	CHECK(ph_cli_check_args(&c, &err) < 0);
	ph_error_free(&err);
	CHECK(PARSE(&c, "create", "cid", "--no-pivot", "--bundle", "/x") == 0);
	CHECK_STR(c.bundle, "/x");
	CHECK(c.nargs == 1 && ph_cli_check_args(&c, &err) == 0);

	/* every spelling Go's flag package takes, long and one-letter names
	 * alike: one or two dashes, `=value` or the next word */
	static const char *const cap_spellings[][2] = {
	    {"--cap", NULL}, {"-cap", NULL}, {"--c", NULL}, {"-c", NULL},
	    {"--cap=", ""},  {"-cap=", ""},  {"--c=", ""},  {"-c=", ""},
	};
	for (size_t i = 0; i < sizeof(cap_spellings) / sizeof(cap_spellings[0]); i++) {
		char word[64];
		bool inline_value = cap_spellings[i][1] != NULL;
		snprintf(word, sizeof(word), "%s%s", cap_spellings[i][0],
			 inline_value ? "CAP_MAC_ADMIN" : "");
		int r = inline_value ? PARSE(&c, "exec", word, "cid", "sh")
				     : PARSE(&c, "exec", word, "CAP_MAC_ADMIN", "cid", "sh");
		CHECK(r == 0);
		CHECK(c.ncaps == 1 && c.caps && strcmp(c.caps[0], "CAP_MAC_ADMIN") == 0);
		CHECK_STR(c.id, "cid");
		CHECK(c.nargs == 2);
	}
	/* --cap is a list: runc adds every value, in order */
	CHECK(PARSE(&c, "exec", "--cap", "CAP_A", "-cap=CAP_B", "--cap", "CAP_C", "cid", "sh") ==
	      0);
	CHECK(c.ncaps == 3);
	CHECK_STR(c.caps[0], "CAP_A");
	CHECK_STR(c.caps[1], "CAP_B");
	CHECK_STR(c.caps[2], "CAP_C");
	/* after the id, options belong to the process (SkipArgReorder) */
	CHECK(PARSE(&c, "exec", "cid", "--cap", "CAP_MAC_ADMIN", "sh") == 0);
	CHECK(c.ncaps == 0 && c.nargs == 4);
	/* the long and the one-letter name together: urfave refuses */
	CHECK(PARSE(&c, "exec", "--cap", "CAP_A", "-c", "CAP_B", "cid", "sh") < 0);
	CHECK_ERR(err, "cannot use two forms of the same option: `-c` and `--cap`");
	ph_error_free(&err);
	CHECK(PARSE(&c, "exec", "-p", "/a", "--process=/b", "cid") < 0);
	CHECK_ERR(err, "two forms");
	ph_error_free(&err);
	/* bad syntax is an error, not a positional argument */
	CHECK(PARSE(&c, "exec", "---c=CAP_MAC_ADMIN", "cid", "sh") < 0);
	CHECK_ERR(err, "bad option syntax `---c=CAP_MAC_ADMIN`");
	ph_error_free(&err);
	CHECK(PARSE(&c, "exec", "-=x", "cid") < 0);
	CHECK_ERR(err, "bad option syntax");
	ph_error_free(&err);
	CHECK(PARSE(&c, "---root", "/r", "state", "cid") < 0);
	CHECK_ERR(err, "bad option syntax");
	ph_error_free(&err);
	/* one-letter options do not run together */
	CHECK(PARSE(&c, "exec", "-dt", "cid", "sh") < 0);
	CHECK_ERR(err, "unknown option `-dt`");
	ph_error_free(&err);

	/* --process: the last one wins; every occurrence is known, with
	 * where its value is, for the runtime's command line */
	char *pv[] = {"phoenix", "exec", "-p", "/a", "-p=/b", "--p", "/c", "-p=", "cid", NULL};
	ph_cli_release(&c);
	CHECK(ph_cli_parse(9, pv, &c, &err) == 0);
	CHECK_STR(c.process, "");
	CHECK(c.nprocess == 4);
	CHECK(c.process_at[0].index == 3 && c.process_at[0].offset == 0);
	CHECK_STR(value_at(&c, 0), "/a");
	CHECK(c.process_at[1].index == 4 && c.process_at[1].offset == 3);
	CHECK_STR(value_at(&c, 1), "/b");
	CHECK_STR(value_at(&c, 2), "/c");
	CHECK_STR(value_at(&c, 3), "");
	CHECK(PARSE(&c, "exec", "-process=/p.json", "--apparmor=x", "-apparmor", "y",
		    "-pid-file=/pid", "--pid-file", "/pid2", "cid") == 0);
	CHECK_STR(c.process, "/p.json");
	CHECK_STR(c.apparmor, "y");
	CHECK_STR(c.pid_file, "/pid2");
	CHECK(PARSE(&c, "exec", "--", "cid", "--cap", "x") == 0);
	CHECK_STR(c.id, "cid");
	CHECK(c.ncaps == 0 && c.nargs == 3);

	/* booleans: strconv.ParseBool after `=`, never the next word */
	CHECK(PARSE(&c, "exec", "--detach=1", "cid", "sh") == 0 && c.detach);
	CHECK(PARSE(&c, "exec", "--d=t", "cid", "sh") == 0 && c.detach);
	CHECK(PARSE(&c, "exec", "-d=F", "cid", "sh") == 0 && !c.detach);
	CHECK(PARSE(&c, "exec", "-d", "false", "sh") == 0 && c.detach);
	CHECK_STR(c.id, "false");
	CHECK(PARSE(&c, "exec", "-d=", "cid") < 0);
	ph_error_free(&err);
	CHECK(PARSE(&c, "create", "--b=/b", "cid") == 0);
	CHECK_STR(c.bundle, "/b");
	CHECK(PARSE(&c, "create", "cid", "-bundle=/b1", "--bundle", "/b2") == 0);
	CHECK_STR(c.bundle, "/b2");

	/* --preserve-fds is Go's strconv.ParseInt(s, 0, 64) */
	CHECK(preserve("3", &n) && n == 3);
	CHECK(preserve("0x1_0", &n) && n == 16);
	CHECK(preserve("010", &n) && n == 8);
	CHECK(preserve("0o17", &n) && n == 15);
	CHECK(preserve("0b11", &n) && n == 3);
	CHECK(preserve("+2", &n) && n == 2);
	CHECK(preserve("-3", &n) && n == 0);
	CHECK(preserve("1_0", &n) && n == 10);
	CHECK(preserve("-9223372036854775808", &n) && n == 0);
	CHECK(!preserve("1__0", &n));
	CHECK(!preserve("_1", &n));
	CHECK(!preserve("1_", &n));
	CHECK(!preserve("0x", &n));
	CHECK(!preserve("08", &n));
	CHECK(!preserve("", &n));
	CHECK(!preserve("3 ", &n));
	CHECK(!preserve("9223372036854775808", &n));

	/* runc's argument check */
	CHECK(PARSE(&c, "exec") == 0);
	CHECK(ph_cli_check_args(&c, &err) < 0);
	CHECK_ERR(err, "`exec` requires a minimum of 1 argument(s), got 0");
	ph_error_free(&err);
	CHECK(PARSE(&c, "exec", "cid") == 0 && ph_cli_check_args(&c, &err) == 0);
	CHECK(PARSE(&c, "delete", "a", "b") == 0 && ph_cli_check_args(&c, &err) < 0);
	ph_error_free(&err);
	CHECK(PARSE(&c, "start", "--help") == 0 && ph_cli_check_args(&c, &err) == 0);
	CHECK(PARSE(&c, "state") == 0 && ph_cli_check_args(&c, &err) == 0);
	CHECK(PARSE(&c, "--root") < 0);
	ph_error_free(&err);

	/* global options: the last one wins; `--log-format=` is the default */
	CHECK(PARSE(&c, "--root=/a", "-root", "/b", "--log-format=", "state", "c") == 0);
	CHECK_STR(c.root, "/b");
	CHECK(c.log_format == PH_LOG_TEXT);

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
	/* made absolute and clean, as runc's reviseRootDir (filepath.Abs) */
	CHECK(PARSE(&c, "--root", "//run//runc/./moby/../x/", "state", "c") == 0);
	CHECK_STR(ph_cli_effective_root(&c, "/usr/sbin/runc"), "/run/runc/x");
	char cwd[4096], want[4200];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(want, sizeof(want), "%s/r", strcmp(cwd, "/") == 0 ? "" : cwd);
	CHECK(PARSE(&c, "-root", "./r/", "state", "c") == 0);
	CHECK_STR(ph_cli_effective_root(&c, "/usr/sbin/runc"), want);
	/* and `/` refused, as runc refuses it */
	CHECK(PARSE(&c, "--root=/..", "state", "c") < 0);
	CHECK_ERR(err, "should not be set to /");
	ph_error_free(&err);
	CHECK(PARSE(&c, "--root", "/", "state", "c") < 0);
	ph_error_free(&err);

	/* bare phoenix */
	char *bare[] = {"phoenix", NULL};
	CHECK(ph_cli_parse(1, bare, &c, &err) == 0);
	CHECK(c.command == PH_CMD_NONE);
	ph_cli_release(&c);
	T_DONE();
}
