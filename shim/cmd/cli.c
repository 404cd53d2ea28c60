/* phoenix: runc's command-line grammar (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum opt_kind { OPT_BOOL, OPT_VALUE };

/* Where phoenix keeps an option it needs; T_IGNORE for the others. */
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
	T_CAP,
	T_PRESERVE_FDS,
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
    {"preserve-fds", NULL, OPT_VALUE, T_PRESERVE_FDS},
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
    {"preserve-fds", NULL, OPT_VALUE, T_PRESERVE_FDS},
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
    {"cap", "c", OPT_VALUE, T_CAP},
    {"preserve-fds", NULL, OPT_VALUE, T_PRESERVE_FDS},
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
	bool reorder;		/* urfave moves options before the positional arguments */
	int args;		/* runc's checkArgs: the number of arguments, -1 = unchecked */
	bool args_min;		/* `args` is a minimum (minArgs), not exact */
};

static const struct command commands[] = {
    {"checkpoint", PH_CMD_CHECKPOINT, NULL, true, -1, false},
    {"create", PH_CMD_CREATE, create_opts, true, 1, false},
    {"delete", PH_CMD_DELETE, delete_opts, true, 1, false},
    {"events", PH_CMD_EVENTS, NULL, true, -1, false},
    {"exec", PH_CMD_EXEC, exec_opts, false, 1, true},
    {"features", PH_CMD_FEATURES, NULL, true, -1, false},
    {"help", PH_CMD_HELP, NULL, true, -1, false},
    {"h", PH_CMD_HELP, NULL, true, -1, false},
    {"kill", PH_CMD_KILL, NULL, true, -1, false},
    {"list", PH_CMD_LIST, NULL, true, -1, false},
    {"pause", PH_CMD_PAUSE, NULL, true, -1, false},
    {"ps", PH_CMD_PS, NULL, false, -1, false},
    {"restore", PH_CMD_RESTORE, restore_opts, true, 1, false},
    {"resume", PH_CMD_RESUME, NULL, true, -1, false},
    {"run", PH_CMD_RUN, run_opts, true, 1, false},
    {"spec", PH_CMD_SPEC, NULL, true, -1, false},
    {"start", PH_CMD_START, start_opts, true, 1, false},
    {"state", PH_CMD_STATE, NULL, true, -1, false},
    {"update", PH_CMD_UPDATE, NULL, true, -1, false},
    {"check", PH_CMD_CHECK, NULL, true, -1, false},
    {"gc", PH_CMD_GC, NULL, true, -1, false},
    {"denials", PH_CMD_DENIALS, NULL, true, -1, false},
    {"learn", PH_CMD_LEARN, NULL, true, -1, false},
    {"hook", PH_CMD_HOOK, NULL, true, -1, false},
    {NULL, 0, NULL, false, -1, false},
};

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

/* Go's strconv underscoreOK: underscores only between digits, or between
 * a base prefix and a digit. */
static bool go_underscores_ok(const char *s)
{
	char saw = '^';
	size_t i = 0, n = strlen(s);
	bool hex = false;
	if (n >= 2 && s[0] == '0' && strchr("bBoOxX", s[1]) != NULL) {
		i = 2;
		saw = '0';
		hex = (s[1] | 0x20) == 'x';
	}
	for (; i < n; i++) {
		char c = s[i], l = (char)(c | 0x20);
		if ((c >= '0' && c <= '9') || (hex && l >= 'a' && l <= 'f')) {
			saw = '0';
			continue;
		}
		if (c == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

/* Go's strconv.ParseInt(s, 0, 64), which the flag package uses for int
 * options (--preserve-fds): a sign, then 0x, 0o, 0b or a leading 0 for
 * octal, underscores between digits. */
static int parse_go_int(const char *s, int64_t *out)
{
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	const char *digits = s;
	unsigned base = 10;
	if (s[0] == '0') {
		char b = (char)(s[1] | 0x20);
		bool prefix = s[1] != '\0' && s[2] != '\0' && (b == 'b' || b == 'o' || b == 'x');
		base = !prefix ? 8 : b == 'b' ? 2 : b == 'o' ? 8 : 16;
		s += prefix ? 2 : 1;
	}
	uint64_t v = 0;
	bool underscores = false;
	for (; *s; s++) {
		char c = *s, l = (char)(c | 0x20);
		unsigned d;
		if (c == '_') {
			underscores = true;
			continue;
		}
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (l >= 'a' && l <= 'z')
			d = (unsigned)(l - 'a') + 10;
		else
			return -1;
		if (d >= base || v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (underscores && !go_underscores_ok(digits))
		return -1;
	if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return -1;
	*out = neg ? (int64_t)(~v + 1) : (int64_t)v;
	return 0;
}

/* Make room for one more value of a list option (at most one per word). */
static int add_value(struct ph_cli *cli, void **list, size_t size, int *count, ph_error_t *err)
{
	if (*list == NULL && (*list = calloc((size_t)cli->argc, size)) == NULL)
		return ph_error_make(err, ENOMEM, "command line");
	if (*count >= cli->argc)
		return ph_error_make(err, E2BIG, "command line");
	++*count;
	return 0;
}

static int apply(struct ph_cli *cli, const struct opt *o, const char *value,
		 const struct ph_cli_value *where, ph_error_t *err)
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
		if (add_value(cli, (void **)&cli->process_at, sizeof(*cli->process_at),
			      &cli->nprocess, err) < 0)
			return -1;
		cli->process_at[cli->nprocess - 1] = *where;
		cli->process = value;
		break;
	case T_CAP:
		if (add_value(cli, (void **)&cli->caps, sizeof(*cli->caps), &cli->ncaps, err) < 0)
			return -1;
		cli->caps[cli->ncaps - 1] = value;
		break;
	case T_PRESERVE_FDS: {
		int64_t n = 0;
		if (parse_go_int(value, &n) < 0)
			return ph_error_make(err, EINVAL, "invalid value `%s` for option --%s",
					     value, o->name);
		/* runc preserves none for n <= 0; more than this many fail there */
		cli->preserve_fds = n < 0 ? 0 : n > 1 << 20 ? 1 << 20 : (int)n;
		break;
	}
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
		/* runc's configLogrus: "" leaves the default (text) */
		if (strcmp(value, "json") == 0)
			cli->log_format = PH_LOG_JSON;
		else if (strcmp(value, "text") == 0 || *value == '\0')
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

static const struct command *find_command(const char *word)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, word) == 0)
			return c;
	return NULL;
}

/* Which names of each option were used, for urfave's normalizeFlags. */
struct forms {
	uint64_t by_name, by_alias; /* bit i: opts[i] */
};

static int note_form(struct forms *f, const struct opt *opts, const struct opt *o, const char *name,
		     size_t len, ph_error_t *err)
{
	size_t i = (size_t)(o - opts);
	if (i >= 64)
		return ph_error_make(err, EOVERFLOW, "option table too large");
	bool alias = o->alias && strlen(o->alias) == len && memcmp(o->alias, name, len) == 0;
	if (alias)
		f->by_alias |= UINT64_C(1) << i;
	else
		f->by_name |= UINT64_C(1) << i;
	if ((f->by_alias & f->by_name) >> i & 1)
		return ph_error_make(err, EINVAL,
				     "cannot use two forms of the same option: `-%s` and `--%s`",
				     o->alias, o->name);
	return 0;
}

/* Go's flag.FlagSet.Parse (parseOne) over the words at[0..n-1] (argv
 * indexes): options until the first word that is not one, or after
 * `--`; *stop is the position of the first positional word.  The global
 * level passes on options it does not know (crun has others); whether
 * such an option takes a value cannot be known, so `--x=v` is
 * self-contained and a bare `--x` takes the next word unless that is an
 * option or a command. */
static int parse_flags(struct ph_cli *cli, const struct opt *opts, bool global, const int *at,
		       int n, int *stop, ph_error_t *err)
{
	struct forms forms = {0, 0};
	int k = 0;
	while (k < n) {
		const char *s = cli->argv[at[k]];
		if (s[0] != '-' || s[1] == '\0')
			break;
		int dashes = s[1] == '-' ? 2 : 1;
		if (dashes == 2 && s[2] == '\0') {
			k++;
			break;
		}
		const char *name = s + dashes;
		if (name[0] == '\0' || name[0] == '-' || name[0] == '=')
			return ph_error_make(err, EINVAL, "bad option syntax `%s`", s);
		k++;
		const char *eq = strchr(name + 1, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const char *value = eq ? eq + 1 : NULL;
		struct ph_cli_value where = {at[k - 1], eq ? (int)(eq + 1 - s) : 0};
		const struct opt *o = find_opt(opts, name, len);
		if (o == NULL && !global)
			return ph_error_make(err, EINVAL,
					     "unknown option `%s`: phoenix does not pass on a "
					     "command line it cannot fully read",
					     s);
		if (o == NULL) {
			if (value == NULL && k < n && cli->argv[at[k]][0] != '-' &&
			    find_command(cli->argv[at[k]]) == NULL)
				k++; /* its value */
			continue;
		}
		if (note_form(&forms, opts, o, name, len, err) < 0)
			return -1;
		if (o->kind == OPT_VALUE && value == NULL) {
			if (k >= n)
				return ph_error_make(err, EINVAL, "option `%s` needs a value", s);
			where.index = at[k];
			where.offset = 0;
			value = cli->argv[at[k++]];
		}
		if (apply(cli, o, value, &where, err) < 0)
			return -1;
	}
	*stop = k;
	return 0;
}

/* urfave's argIsFlag (command.go): up to three leading dashes go, and the
 * name before `=` must be in the table. */
static bool reorder_is_flag(const struct opt *opts, const char *arg)
{
	if (arg[0] != '-' || strcmp(arg, "-") == 0 || strcmp(arg, "--") == 0)
		return false;
	const char *p = arg + (arg[1] == '-' ? 2 : 0);
	if (*p == '-')
		p++;
	return find_opt(opts, p, strcspn(p, "=")) != NULL;
}

/* urfave's reorderArgs: the words after the command, options (and the
 * word after an option without `=`, be it a value or not) first, then
 * the others; from a `--` on, the others follow `--` unmoved.  at[] gets
 * the argv indexes in that order. */
static void reorder(const struct ph_cli *cli, const struct opt *opts, int from, int *at, int *rest)
{
	int n = 0, nrest = 0, dashdash = -1;
	bool may_be_value = false;
	for (int i = from; i < cli->argc; i++) {
		const char *a = cli->argv[i];
		bool flag = reorder_is_flag(opts, a);
		if (may_be_value && !flag) {
			may_be_value = false;
			at[n++] = i;
		} else if (strcmp(a, "--") == 0) {
			dashdash = i;
			break;
		} else if (flag) {
			at[n++] = i;
			may_be_value = strchr(a, '=') == NULL;
		} else {
			rest[nrest++] = i;
		}
	}
	if (dashdash >= 0)
		at[n++] = dashdash;
	for (int j = 0; j < nrest; j++)
		at[n++] = rest[j];
	for (int i = dashdash + 1; dashdash >= 0 && i < cli->argc; i++)
		at[n++] = i;
}

static void add_positional(struct ph_cli *cli, int i)
{
	if (cli->nargs == 0) {
		cli->first_arg_index = i;
		cli->id = cli->argv[i];
	}
	cli->nargs++;
}

static int parse_command_args(struct ph_cli *cli, const struct command *c, int from,
			      ph_error_t *err)
{
	int n = cli->argc - from;
	cleanup_free int *at = calloc((size_t)n + 1, sizeof(int));
	cleanup_free int *rest = calloc((size_t)n + 1, sizeof(int));
	if (at == NULL || rest == NULL)
		return ph_error_make(err, ENOMEM, "command line");
	if (c->reorder)
		reorder(cli, c->opts, from, at, rest);
	else
		for (int k = 0; k < n; k++)
			at[k] = from + k;
	int stop = 0;
	if (parse_flags(cli, c->opts, false, at, n, &stop, err) < 0)
		return ph_error_wrap(err, "%s", c->name);
	for (int k = stop; k < n; k++)
		add_positional(cli, at[k]);
	return 0;
}

/* Go's filepath.Abs: joined to the working directory when relative, then
 * filepath.Clean (no empty, `.` or `..` components, no trailing slash). */
static int absolute_clean(const char *path, char **out, ph_error_t *err)
{
	cleanup_free char *cwd = NULL;
	if (path[0] != '/' && (cwd = getcwd(NULL, 0)) == NULL)
		return ph_error_make(err, errno, "--root `%s`: working directory", path);
	size_t total = (cwd ? strlen(cwd) + 1 : 0) + strlen(path) + 2;
	cleanup_free char *joined = malloc(total);
	char *clean = malloc(total);
	if (joined == NULL || clean == NULL) {
		free(clean);
		return ph_error_make(err, ENOMEM, "--root");
	}
	snprintf(joined, total, "%s/%s", cwd ? cwd : "", path);
	size_t n = 0;
	for (const char *p = joined; *p;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && clean[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			clean[n++] = '/';
			memcpy(clean + n, p, len);
			n += len;
		}
		p += len;
	}
	if (n == 0)
		clean[n++] = '/';
	clean[n] = '\0';
	*out = clean;
	return 0;
}

static int parse_all(int argc, char **argv, struct ph_cli *cli, ph_error_t *err)
{
	memset(cli, 0, sizeof(*cli));
	cli->argc = argc;
	cli->argv = argv;
	if (argc < 1)
		return 0;
	cleanup_free int *at = calloc((size_t)argc, sizeof(int));
	if (at == NULL)
		return ph_error_make(err, ENOMEM, "command line");
	for (int k = 0; k < argc - 1; k++)
		at[k] = k + 1;
	int stop = 0;
	if (parse_flags(cli, global_opts, true, at, argc - 1, &stop, err) < 0)
		return ph_error_wrap(err, "global options");
	if (cli->root) {
		/* runc's reviseRootDir (utils.go): filepath.Abs, and `/` refused */
		if (absolute_clean(cli->root, &cli->root_abs, err) < 0)
			return ph_error_wrap(err, "global options");
		if (strcmp(cli->root_abs, "/") == 0)
			return ph_error_make(err, EINVAL,
					     "option --root argument should not be set to /");
	}
	int i = stop + 1;
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

/* On failure nothing stays allocated: the caller need not release. */
int ph_cli_parse(int argc, char **argv, struct ph_cli *cli, ph_error_t *err)
{
	int rc = parse_all(argc, argv, cli, err);
	if (rc < 0)
		ph_cli_release(cli);
	return rc;
}

void ph_cli_release(struct ph_cli *cli)
{
	free(cli->caps);
	free(cli->process_at);
	free(cli->root_abs);
	cli->root_abs = NULL;
	cli->caps = NULL;
	cli->process_at = NULL;
	cli->ncaps = cli->nprocess = 0;
}

int ph_cli_check_args(const struct ph_cli *cli, ph_error_t *err)
{
	const struct command *c = cli->command_name ? find_command(cli->command_name) : NULL;
	if (c == NULL || c->args < 0 || cli->command_help)
		return 0;
	if (c->args_min ? cli->nargs >= c->args : cli->nargs == c->args)
		return 0;
	return ph_error_make(err, EINVAL, "`%s` requires %s %d argument(s), got %d", c->name,
			     c->args_min ? "a minimum of" : "exactly", c->args, cli->nargs);
}

int ph_cli_option_value(const struct ph_cli *cli, int *i, const char *command, const char *name,
			const char **value, ph_error_t *err)
{
	const char *a = cli->argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
		return 0;
	*value = a[n] == '=' ? a + n + 1 : (*i + 1 < cli->argc ? cli->argv[++*i] : NULL);
	if (*value == NULL || **value == '\0')
		return ph_error_make(err, EINVAL, "%s: %s needs a value", command, name);
	return 1;
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
	case PH_CMD_LEARN:
	case PH_CMD_HOOK:
		return !cli->command_help;
	default:
		return false;
	}
}

const char *ph_cli_effective_root(const struct ph_cli *cli, const char *runtime_path)
{
	if (cli->root_abs)
		return cli->root_abs;
	if (cli->root)
		return cli->root;
	const char *base = runtime_path ? strrchr(runtime_path, '/') : NULL;
	base = base ? base + 1 : runtime_path;
	if (base && strcmp(base, "crun") == 0)
		return "/run/crun";
	return "/run/runc";
}
