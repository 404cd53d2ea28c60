/* phoenix: runc's command-line grammar.
 *
 * phoenix must understand exactly as much of a runc command line as it
 * needs (the command, the global options, the bundle, the container id,
 * the `exec --process` file) without changing a byte of it: the real
 * runtime is always handed the original argument vector.
 *
 * runc parses with urfave/cli v1 (1.22, Debian's golang-github-urfave-cli)
 * on top of Go's flag package (flag.go: parseOne), and phoenix reads the
 * command line by the same rules, every option through one table:
 *  - `-name` and `--name` are the same option, for long and one-letter
 *    names alike; values come as `--name value` or `--name=value`
 *    (`--name=` is an empty value); booleans are `--name` or
 *    `--name=BOOL` (strconv.ParseBool), never `--name BOOL`;
 *  - `---name`, `-=x` and `--=x` are errors ("bad flag syntax"), so is an
 *    option that is not in the table ("flag provided but not defined")
 *    and one-letter options run together (`-dt`: runc does not enable
 *    urfave's short-option handling);
 *  - an option given twice: the last value wins, except for the list
 *    options (`exec --cap`, `--env`), whose values are all kept; its long
 *    and its one-letter name together (`--cap A -c B`) are an error
 *    (urfave's normalizeFlags: "Cannot use two forms of the same flag");
 *  - global options end at the first word that is not an option (the
 *    command);
 *  - command options may also follow the positional arguments: urfave
 *    moves them to the front (command.go: reorderArgs, reproduced here
 *    with its quirks), except for `exec` and `ps`, whose options end at
 *    the first positional argument (SkipArgReorder);
 *  - `--` ends the options.
 */
#ifndef PHOENIX_CLI_H
#define PHOENIX_CLI_H

#include <stdbool.h>
#include "error.h"

enum ph_command {
	PH_CMD_NONE = 0, /* no command: `phoenix --help`, `phoenix --version`, bare */
	PH_CMD_CHECKPOINT,
	PH_CMD_CREATE,
	PH_CMD_DELETE,
	PH_CMD_EVENTS,
	PH_CMD_EXEC,
	PH_CMD_FEATURES,
	PH_CMD_HELP,
	PH_CMD_KILL,
	PH_CMD_LIST,
	PH_CMD_PAUSE,
	PH_CMD_PS,
	PH_CMD_RESTORE,
	PH_CMD_RESUME,
	PH_CMD_RUN,
	PH_CMD_SPEC,
	PH_CMD_START,
	PH_CMD_STATE,
	PH_CMD_UPDATE,
	/* phoenix's own commands (never passed to the runtime) */
	PH_CMD_CHECK,
	PH_CMD_GC,
	PH_CMD_DENIALS,
	PH_CMD_LEARN,
	PH_CMD_HOOK,
	PH_CMD_UNKNOWN, /* a word runc may know and phoenix does not: passed through */
};

enum ph_log_format { PH_LOG_TEXT = 0, PH_LOG_JSON };

/* Where one value of an option is on the command line: argv[index] +
 * offset (offset > 0 for `--name=value`). */
struct ph_cli_value {
	int index;
	int offset;
};

struct ph_cli {
	int argc;
	char **argv; /* the original vector, never modified */

	/* global options */
	const char *root; /* --root, NULL when not given */
	char *root_abs;	  /* --root as runc uses it: absolute and clean (utils.go: reviseRootDir) */
	const char *log;  /* --log */
	enum ph_log_format log_format;
	bool debug;
	bool systemd_cgroup;
	bool help;    /* --help/-h before the command */
	bool version; /* --version/-v before the command */

	/* the command */
	enum ph_command command;
	const char *command_name;
	int command_index; /* argv index of the command word, 0 when none */

	/* options and arguments of the command phoenix acts on */
	const char *bundle;	    /* --bundle/-b, NULL = current directory */
	const char *id;		    /* first positional argument */
	const char *process;	    /* exec --process/-p (the last one given) */
	const char *apparmor;	    /* exec --apparmor */
	const char *pid_file;	    /* --pid-file */
	const char *console_socket; /* --console-socket */
	bool detach;		    /* --detach/-d */
	bool keep;		    /* run --keep */
	bool force;		    /* delete --force */
	bool no_new_privs;	    /* exec --no-new-privs */
	bool command_help;	    /* `phoenix create --help` */
	int preserve_fds;	    /* --preserve-fds, 0 when absent */
	const char **caps;	    /* exec --cap/-c, every value in order (runc adds them all) */
	int ncaps;
	struct ph_cli_value *process_at; /* every --process/-p value, in order */
	int nprocess;
	int first_arg_index; /* argv index of the first positional argument, 0 = none */
	int nargs;	     /* number of positional arguments */
};

/* Parse argv.  Fails only for command lines phoenix must act on and cannot
 * understand (an unknown option of `create`, a missing value): such a
 * command must not reach the runtime half-understood.  Free what it
 * allocates with ph_cli_release (also after a failure). */
int ph_cli_parse(int argc, char **argv, struct ph_cli *cli, ph_error_t *err);
void ph_cli_release(struct ph_cli *cli);

/* runc's argument count check of the commands phoenix acts on (utils.go:
 * checkArgs): create, run, restore, start and delete take exactly one
 * argument (the container id), exec at least one.  runc makes it before
 * anything else and exits 1 when it fails. */
int ph_cli_check_args(const struct ph_cli *cli, ph_error_t *err);

/* The runtime's state root: --root made absolute and clean as runc makes
 * it (Go's filepath.Abs), so that `--root r` from two directories, or
 * `/run/runc/` and `/run/runc`, are told apart or not exactly as the
 * runtime tells them; without --root, the runtime's default for its
 * binary name (runc: /run/runc, crun: /run/crun). */
const char *ph_cli_effective_root(const struct ph_cli *cli, const char *runtime_path);

/* True for commands phoenix handles itself or rewrites. */
bool ph_cli_intercepted(const struct ph_cli *cli);

/* For phoenix's own commands (denials, learn): `--name value` or
 * `--name=value` at argv[*i]; 1 with *value set (and *i past a separate
 * value), 0 for another word, -1 when the value is missing or empty. */
int ph_cli_option_value(const struct ph_cli *cli, int *i, const char *command, const char *name,
			const char **value, ph_error_t *err);

#endif
