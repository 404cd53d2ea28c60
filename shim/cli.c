/* phoenix: runc's command-line grammar (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

enum opt_kind { OPT_BOOL, OPT_VALUE };

/* Where phoenix keeps an option it needs; OPT_IGNORE for the others. */
enum opt_target {
	T_IGNORE = 0,
	T_BUNDLE,
	T_PROCESS,
	T_APPARMOR,
	T_PID_FILE,
	T_CONSOLE,
	T_DETACH,
	T_KEEP,
	T_FORCE,
	T_NNP,
	T_HELP,
	T_ROOT,
	T_LOG,
	T_LOG_FORMAT,
	T_DEBUG,
	T_SYSTEMD,
	T_VERSION,
};

struct opt {
	const char *name;  /* long name without dashes */
	const char *alias; /* one-letter alias or NULL */
	enum opt_kind kind;
	enum opt_target target;
};

/* runc's global options, plus crun's (--cgroup-manager, --log-level),
 * which phoenix passes on untouched like every other. */
static const struct opt global_opts[] = {
    {"debug", NULL, OPT_BOOL, T_DEBUG},
    {"log", NULL, OPT_VALUE, T_LOG},
    {"log-format", NULL, OPT_VALUE, T_LOG_FORMAT},
    {"log-level", NULL, OPT_VALUE, T_IGNORE},
    {"root", NULL, OPT_VALUE, T_ROOT},
    {"criu", NULL, OPT_VALUE, T_IGNORE},
    {"systemd-cgroup", NULL, OPT_BOOL, T_SYSTEMD},
    {"cgroup-manager", NULL, OPT_VALUE, T_IGNORE},
    {"rootless", NULL, OPT_VALUE, T_IGNORE},
    {"help", "h", OPT_BOOL, T_HELP},
    {"version", "v", OPT_BOOL, T_VERSION},
    {NULL, NULL, 0, 0},
};

#define HELP_OPT                                                                                   \
	{                                                                                          \
		"help", "h", OPT_BOOL, T_HELP                                                      \
	}
#define END_OPT                                                                                    \
	{                                                                                          \
		NULL, NULL, 0, 0                                                                   \
	}

static const struct opt create_opts[] = {
    {"bundle", "b", OPT_VALUE, T_BUNDLE},
    {"console-socket", NULL, OPT_VALUE, T_CONSOLE},
    {"pid-file", NULL, OPT_VALUE, T_PID_FILE},
    {"no-pivot", NULL, OPT_BOOL, T_IGNORE},
    {"no-new-keyring", NULL, OPT_BOOL, T_IGNORE},
    {"preserve-fds", NULL, OPT_VALUE, T_IGNORE},
    HELP_OPT,
    END_OPT,
};

static const struct opt run_opts[] = {
    {"bundle", "b", OPT_VALUE, T_BUNDLE},
    {"console-socket", NULL, OPT_VALUE, T_CONSOLE},
    {"detach", "d", OPT_BOOL, T_DETACH},
    {"keep", NULL, OPT_BOOL, T_KEEP},
    {"pid-file", NULL, OPT_VALUE, T_PID_FILE},
    {"no-subreaper", NULL, OPT_BOOL, T_IGNORE},
    {"no-pivot", NULL, OPT_BOOL, T_IGNORE},
    {"no-new-keyring", NULL, OPT_BOOL, T_IGNORE},
    {"preserve-fds", NULL, OPT_VALUE, T_IGNORE},
    HELP_OPT,
    END_OPT,
};

static const struct opt exec_opts[] = {
    {"console-socket", NULL, OPT_VALUE, T_CONSOLE},
    {"cwd", NULL, OPT_VALUE, T_IGNORE},
    {"env", "e", OPT_VALUE, T_IGNORE},
    {"tty", "t", OPT_BOOL, T_IGNORE},
    {"user", "u", OPT_VALUE, T_IGNORE},
    {"additional-gids", "g", OPT_VALUE, T_IGNORE},
    {"process", "p", OPT_VALUE, T_PROCESS},
    {"detach", "d", OPT_BOOL, T_DETACH},
    {"pid-file", NULL, OPT_VALUE, T_PID_FILE},
    {"process-label", NULL, OPT_VALUE, T_IGNORE},
    {"apparmor", NULL, OPT_VALUE, T_APPARMOR},
    {"no-new-privs", NULL, OPT_BOOL, T_NNP},
    {"cap", "c", OPT_VALUE, T_IGNORE},
    {"preserve-fds", NULL, OPT_VALUE, T_IGNORE},
    {"cgroup", NULL, OPT_VALUE, T_IGNORE},
    {"ignore-paused", NULL, OPT_BOOL, T_IGNORE},
    HELP_OPT,
    END_OPT,
};

static const struct opt restore_opts[] = {
    {"console-socket", NULL, OPT_VALUE, T_CONSOLE},
    {"image-path", NULL, OPT_VALUE, T_IGNORE},
    {"work-path", NULL, OPT_VALUE, T_IGNORE},
    {"tcp-established", NULL, OPT_BOOL, T_IGNORE},
    {"ext-unix-sk", NULL, OPT_BOOL, T_IGNORE},
    {"shell-job", NULL, OPT_BOOL, T_IGNORE},
    {"file-locks", NULL, OPT_BOOL, T_IGNORE},
    {"manage-cgroups-mode", NULL, OPT_VALUE, T_IGNORE},
    {"bundle", "b", OPT_VALUE, T_BUNDLE},
    {"detach", "d", OPT_BOOL, T_DETACH},
    {"pid-file", NULL, OPT_VALUE, T_PID_FILE},
    {"no-subreaper", NULL, OPT_BOOL, T_IGNORE},
    {"no-pivot", NULL, OPT_BOOL, T_IGNORE},
    {"empty-ns", NULL, OPT_VALUE, T_IGNORE},
    {"auto-dedup", NULL, OPT_BOOL, T_IGNORE},
    {"lazy-pages", NULL, OPT_BOOL, T_IGNORE},
    {"lsm-profile", NULL, OPT_VALUE, T_IGNORE},
    {"lsm-mount-context", NULL, OPT_VALUE, T_IGNORE},
    HELP_OPT,
    END_OPT,
};

static const struct opt delete_opts[] = {
    {"force", "f", OPT_BOOL, T_FORCE},
    HELP_OPT,
    END_OPT,
};

static const struct opt start_opts[] = {
    HELP_OPT,
    END_OPT,
};

struct command {
	const char *name;
	enum ph_command command;
	const struct opt *opts; /* NULL: passed through, options not needed */
	bool reorder;		/* options may follow the positional arguments */
};

static const struct command commands[] = {
    {"checkpoint", PH_CMD_CHECKPOINT, NULL, true},
    {"create", PH_CMD_CREATE, create_opts, true},
    {"delete", PH_CMD_DELETE, delete_opts, true},
    {"events", PH_CMD_EVENTS, NULL, true},
    {"exec", PH_CMD_EXEC, exec_opts, false},
    {"features", PH_CMD_FEATURES, NULL, true},
    {"help", PH_CMD_HELP, NULL, true},
    {"h", PH_CMD_HELP, NULL, true},
    {"kill", PH_CMD_KILL, NULL, true},
    {"list", PH_CMD_LIST, NULL, true},
    {"pause", PH_CMD_PAUSE, NULL, true},
    {"ps", PH_CMD_PS, NULL, false},
    {"restore", PH_CMD_RESTORE, restore_opts, true},
    {"resume", PH_CMD_RESUME, NULL, true},
    {"run", PH_CMD_RUN, run_opts, true},
    {"spec", PH_CMD_SPEC, NULL, true},
    {"start", PH_CMD_START, start_opts, true},
    {"state", PH_CMD_STATE, NULL, true},
    {"update", PH_CMD_UPDATE, NULL, true},
    {"check", PH_CMD_CHECK, NULL, true},
    {"gc", PH_CMD_GC, NULL, true},
    {"denials", PH_CMD_DENIALS, NULL, true},
    {"hook", PH_CMD_HOOK, NULL, true},
    {NULL, 0, NULL, false},
};

/* Split "-name", "--name" or "--name=value".  Returns false for a word
 * that is not an option ("-" alone is a value, as Go's flag package has it). */
static bool split_option(const char *arg, const char **name, size_t *name_len, const char **value)
{
	if (arg[0] != '-' || arg[1] == '\0')
		return false;
	const char *p = arg + 1;
	if (*p == '-')
		p++;
	if (*p == '\0' || *p == '-' || *p == '=')
		return false; /* "--" (handled by the caller), "---x", "-=x" */
	const char *eq = strchr(p, '=');
	*name = p;
	*name_len = eq ? (size_t)(eq - p) : strlen(p);
	*value = eq ? eq + 1 : NULL;
	return true;
}

static const struct opt *find_opt(const struct opt *opts, const char *name, size_t len)
{
	for (const struct opt *o = opts; o->name; o++) {
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return o;
		if (o->alias && strlen(o->alias) == len && memcmp(o->alias, name, len) == 0)
			return o;
	}
	return NULL;
}

/* Go's strconv.ParseBool, which the flag package uses for `--x=value`. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
	for (int i = 0; yes[i]; i++)
		if (strcmp(s, yes[i]) == 0)
			return *out = true, 0;
	for (int i = 0; no[i]; i++)
		if (strcmp(s, no[i]) == 0)
			return *out = false, 0;
	return -1;
}

static int apply(struct ph_cli *cli, const struct opt *o, const char *value, ph_error_t *err)
{
	bool b = true;
	if (o->kind == OPT_BOOL && value && parse_bool(value, &b) < 0)
		return ph_error_make(err, EINVAL, "invalid boolean value `%s` for option --%s",
				     value, o->name);
	switch (o->target) {
	case T_BUNDLE:
		cli->bundle = value;
		break;
	case T_PROCESS:
		cli->process = value;
		break;
	case T_APPARMOR:
		cli->apparmor = value;
		break;
	case T_PID_FILE:
		cli->pid_file = value;
		break;
	case T_CONSOLE:
		cli->console_socket = value;
		break;
	case T_DETACH:
		cli->detach = b;
		break;
	case T_KEEP:
		cli->keep = b;
		break;
	case T_FORCE:
		cli->force = b;
		break;
	case T_NNP:
		cli->no_new_privs = b;
		break;
	case T_HELP:
		if (cli->command == PH_CMD_NONE)
			cli->help = b;
		else
			cli->command_help = b;
		break;
	case T_VERSION:
		cli->version = b;
		break;
	case T_ROOT:
		cli->root = value;
		break;
	case T_LOG:
		cli->log = value;
		break;
	case T_LOG_FORMAT:
		if (strcmp(value, "json") == 0)
			cli->log_format = PH_LOG_JSON;
		else if (strcmp(value, "text") == 0)
			cli->log_format = PH_LOG_TEXT;
		else
			return ph_error_make(err, EINVAL,
					     "invalid log format `%s`: expected `text` or `json`",
					     value);
		break;
	case T_DEBUG:
		cli->debug = b;
		break;
	case T_SYSTEMD:
		cli->systemd_cgroup = b;
		break;
	case T_IGNORE:
		break;
	}
	return 0;
}

/* Parse the option at argv[*i] against `opts`.  Returns 1 if it was an
 * option (and advances *i past its value), 0 if argv[*i] is not an option,
 * -1 on error; *unknown is set for an option not in the table. */
static int parse_option(struct ph_cli *cli, const struct opt *opts, int *i, bool *unknown,
			ph_error_t *err)
{
	const char *arg = cli->argv[*i], *name, *value;
	size_t len;
	*unknown = false;
	if (!split_option(arg, &name, &len, &value))
		return 0;
	const struct opt *o = find_opt(opts, name, len);
	if (o == NULL) {
		*unknown = true;
		return 1;
	}
	if (o->kind == OPT_VALUE && value == NULL) {
		if (*i + 1 >= cli->argc)
			return ph_error_make(err, EINVAL, "option `%s` needs a value", arg);
		value = cli->argv[++*i];
	}
	if (apply(cli, o, value, err) < 0)
		return -1;
	return 1;
}

static const struct command *find_command(const char *word)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, word) == 0)
			return c;
	return NULL;
}

/* Global options: an unknown one is passed through untouched.  Whether it
 * takes a value cannot be known, so `--x=v` is self-contained and a bare
 * `--x` is taken as a flag unless the next word is not a command. */
static int parse_globals(struct ph_cli *cli, int *i, ph_error_t *err)
{
	while (*i < cli->argc) {
		const char *arg = cli->argv[*i];
		if (strcmp(arg, "--") == 0) {
			++*i;
			return 0;
		}
		bool unknown;
		int r = parse_option(cli, global_opts, i, &unknown, err);
		if (r < 0)
			return ph_error_wrap(err, "global options");
		if (r == 0)
			return 0;
		if (unknown && strchr(arg, '=') == NULL && *i + 1 < cli->argc &&
		    cli->argv[*i + 1][0] != '-' && find_command(cli->argv[*i + 1]) == NULL)
			++*i; /* its value */
		++*i;
	}
	return 0;
}

static void add_positional(struct ph_cli *cli, int i)
{
	if (cli->nargs == 0) {
		cli->first_arg_index = i;
		cli->id = cli->argv[i];
	}
	cli->nargs++;
}

static int parse_command_args(struct ph_cli *cli, const struct command *c, int i, ph_error_t *err)
{
	bool options_done = false;
	for (; i < cli->argc; i++) {
		const char *arg = cli->argv[i];
		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (options_done || (!c->reorder && cli->nargs > 0)) {
			add_positional(cli, i);
			continue;
		}
		bool unknown;
		int r = parse_option(cli, c->opts, &i, &unknown, err);
		if (r < 0)
			return ph_error_wrap(err, "%s", c->name);
		if (r == 0) {
			add_positional(cli, i);
			continue;
		}
		if (unknown)
			return ph_error_make(err, EINVAL,
					     "%s: unknown option `%s`: phoenix does not pass on a "
					     "command line it cannot fully read",
					     c->name, arg);
	}
	return 0;
}

int ph_cli_parse(int argc, char **argv, struct ph_cli *cli, ph_error_t *err)
{
	memset(cli, 0, sizeof(*cli));
	cli->argc = argc;
	cli->argv = argv;
	int i = 1;
	if (parse_globals(cli, &i, err) < 0)
		return -1;
	if (i >= argc)
		return 0;
	cli->command_index = i;
	cli->command_name = argv[i];
	const struct command *c = find_command(argv[i]);
	if (c == NULL) {
		cli->command = PH_CMD_UNKNOWN;
		return 0;
	}
	cli->command = c->command;
	if (c->opts == NULL) {
		/* passed through: only the id (first word that is not an
		 * option) is recorded, for phoenix's own debug trace */
		for (int j = i + 1; j < argc; j++)
			if (argv[j][0] != '-') {
				add_positional(cli, j);
				break;
			}
		return 0;
	}
	return parse_command_args(cli, c, i + 1, err);
}

bool ph_cli_intercepted(const struct ph_cli *cli)
{
	switch (cli->command) {
	case PH_CMD_CREATE:
	case PH_CMD_RUN:
	case PH_CMD_EXEC:
	case PH_CMD_RESTORE:
	case PH_CMD_START:
	case PH_CMD_DELETE:
	case PH_CMD_CHECK:
	case PH_CMD_GC:
	case PH_CMD_DENIALS:
	case PH_CMD_HOOK:
		return !cli->command_help;
	default:
		return false;
	}
}

const char *ph_cli_effective_root(const struct ph_cli *cli, const char *runtime_path)
{
	if (cli->root)
		return cli->root;
	const char *base = runtime_path ? strrchr(runtime_path, '/') : NULL;
	base = base ? base + 1 : runtime_path;
	if (base && strcmp(base, "crun") == 0)
		return "/run/crun";
	return "/run/runc";
}
