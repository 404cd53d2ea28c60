/* phoenix denials [ID] [--json] [--follow] [--source kmsg|audit|journal|FILE] [--all]:
 * the AppArmor records of phoenix's containers, told apart.
 *
 * AppArmor's audit records are not namespaced: what a container's profile
 * denies lands in the host's kernel log (or audit log) among everything
 * else.  Each record names the profile that decided, and every phoenix
 * container's profiles live in a policy namespace of its own
 * (phx-<scope>-<id>), so the namespace says which container it was. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aa_names.h"
#include "audit_gap.h"
#include "audit_parse.h"
#include "audit_source.h"
#include "commands.h"
#include "denials_print.h"
#include "json.h"
#include "log.h"
#include "private_dir.h"
#include "state.h"

struct options {
	const char *id;
	const char *root; /* --root after the command */
	bool json, follow, all;
	enum ph_source_kind source;
	const char *file;
};

/* Namespace -> container id, from phoenix's records. */
struct ns_map {
	char **ns, **id;
	size_t n;
};

struct run {
	struct options opt;
	struct ns_map map;
	char **wanted; /* with an id: the namespaces that are that container's */
	long long boot_usec;
	struct ph_denial_table table;
	struct ph_json *array;
	struct ph_audit_gap gap; /* shim/audit/audit_gap.h */
	unsigned long gaps_told;
};

static const char usage[] =
    "Usage: phoenix denials [ID] [--json] [--follow] [--source kmsg|audit|journal|FILE] "
    "[--all]\n"
    "\n"
    "The AppArmor records (denials, audit and complain-mode records) of phoenix's\n"
    "containers, told apart by their policy namespace.\n"
    "\n"
    "  ID              only this container (its namespace under --root, or its record)\n"
    "  --root DIR      the runtime's state root that ID was created under\n"
    "  --json          a JSON array; with --follow, one JSON object a line\n"
    "  --follow, -f    wait for new records until interrupted\n"
    "  --source SRC    kmsg (/dev/kmsg), audit (" PH_AUDIT_LOG_PATH "),\n"
    "                  journal (journalctl -k), or a file (- for stdin);\n"
    "                  default: the audit log when auditd runs, else kmsg, else journal\n"
    "  --all, -a       also records of profiles outside phoenix's namespaces\n";

/* ---- arguments ---------------------------------------------------------------- */

static int parse_args(const struct ph_cli *cli, struct options *o, bool *help, ph_error_t *err)
{
	bool options_done = false;
	int r;
	o->source = PH_SOURCE_AUTO;
	for (int i = cli->command_index + 1; i < cli->argc; i++) {
		const char *a = cli->argv[i];
		if (options_done || a[0] != '-') {
			if (o->id)
				return ph_error_make(
				    err, EINVAL, "denials: more than one container id (`%s`, `%s`)",
				    o->id, a);
			o->id = a;
		} else if (strcmp(a, "--") == 0) {
			options_done = true;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "--follow") == 0 || strcmp(a, "-f") == 0) {
			o->follow = true;
		} else if (strcmp(a, "--all") == 0 || strcmp(a, "-a") == 0) {
			o->all = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*help = true;
		} else if ((r = ph_cli_option_value(cli, &i, "denials", "--source", &o->file,
						    err)) != 0) {
			if (r < 0)
				return -1;
			o->source = ph_source_kind_from_name(o->file);
		} else if ((r = ph_cli_option_value(cli, &i, "denials", "--root", &o->root, err)) !=
			   0) {
			if (r < 0)
				return -1;
		} else {
			return ph_error_make(err, EINVAL, "denials: unknown option `%s`", a);
		}
	}
	return 0;
}

/* ---- which container is which -------------------------------------------------- */

static void ns_map_release(struct ns_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->ns[i]);
		free(m->id[i]);
	}
	free(m->ns);
	free(m->id);
	memset(m, 0, sizeof(*m));
}

static int ns_map_add(struct ns_map *m, struct ph_container_state *st, ph_error_t *err)
{
	char **ns = realloc(m->ns, (m->n + 1) * sizeof(char *));
	if (ns == NULL)
		return ph_error_make(err, ENOMEM, "denials");
	m->ns = ns;
	char **id = realloc(m->id, (m->n + 1) * sizeof(char *));
	if (id == NULL)
		return ph_error_make(err, ENOMEM, "denials");
	m->id = id;
	m->ns[m->n] = ph_steal(st->ns);
	m->id[m->n] = ph_steal(st->id);
	m->n++;
	return 0;
}

/* Read the records in the state directory without creating it: a host
 * without containers (or a user who may not read it) has no map, and
 * neither has one whose state directory others could write (its records
 * would name the containers). */
static int load_map(const char *state_dir, struct ns_map *m, ph_error_t *err)
{
	cleanup_close int dirfd = -1;
	ph_error_t open_err = NULL;
	if (ph_private_dir_open(state_dir, "state directory", false, &dirfd, &open_err) < 0) {
		if (open_err->status == EPERM || open_err->status == ELOOP)
			ph_warn("denials: %s: containers are not named", open_err->msg);
		else
			ph_debug("denials: %s", open_err->msg);
		ph_error_free(&open_err);
		return 0;
	}
	char **names = NULL;
	if (ph_state_list(dirfd, &names, err) < 0)
		return ph_error_wrap(err, "denials: state directory `%s`", state_dir);
	int ret = 0;
	for (size_t i = 0; names[i] && ret == 0; i++) {
		struct ph_container_state st;
		bool found = false;
		ph_error_t one = NULL;
		if (ph_state_load(dirfd, names[i], &st, &found, &one) < 0) {
			ph_debug("denials: %s", one->msg);
			ph_error_free(&one);
			continue;
		}
		if (found && st.ns && st.id)
			ret = ns_map_add(m, &st, err);
		ph_container_state_release(&st);
	}
	ph_strv_free(names);
	return ret;
}

static const char *container_of(const struct ns_map *m, const char *ns)
{
	for (size_t i = 0; ns && i < m->n; i++)
		if (strcmp(m->ns[i], ns) == 0)
			return m->id[i];
	return NULL;
}

static int strv_add(char ***v, size_t *n, const char *s, ph_error_t *err)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (nv == NULL)
		return ph_error_make(err, ENOMEM, "denials");
	*v = nv;
	nv[*n] = strdup(s);
	nv[*n + 1] = NULL;
	if (nv[*n] == NULL)
		return ph_error_make(err, ENOMEM, "denials");
	(*n)++;
	return 0;
}

/* The namespaces of container `id`: the one create gives it under this
 * --root, and those of the records that carry this id (under another
 * runtime root, as Docker's). */
static int wanted_namespaces(struct ph_context *ctx, struct run *run, ph_error_t *err)
{
	size_t n = 0;
	const char *root =
	    run->opt.root ? run->opt.root : ph_cli_effective_root(&ctx->cli, ctx->runtime.path);
	char ns[PH_AA_NS_NAME_SIZE];
	if (ph_aa_ns_name(root, run->opt.id, ns, sizeof(ns), err) < 0)
		return ph_error_wrap(err, "denials");
	if (strv_add(&run->wanted, &n, ns, err) < 0)
		return -1;
	for (size_t i = 0; i < run->map.n; i++)
		if (strcmp(run->map.id[i], run->opt.id) == 0 &&
		    strv_add(&run->wanted, &n, run->map.ns[i], err) < 0)
			return -1;
	return 0;
}

static bool wanted(const struct run *run, const struct ph_audit_record *rec)
{
	if (run->opt.id == NULL)
		return rec->phoenix || run->opt.all;
	if (!rec->phoenix)
		return false;
	for (size_t i = 0; run->wanted[i]; i++)
		if (strcmp(run->wanted[i], rec->ns) == 0)
			return true;
	return false;
}

/* The wall-clock time of boot, for /dev/kmsg's microseconds since boot
 * (as dmesg -T computes it: not exact across suspend). */
static long long boot_time_usec(void)
{
	struct timespec now, up;
	if (clock_gettime(CLOCK_REALTIME, &now) < 0 || clock_gettime(CLOCK_BOOTTIME, &up) < 0)
		return 0;
	return (now.tv_sec - up.tv_sec) * 1000000LL + (now.tv_nsec - up.tv_nsec) / 1000;
}

/* ---- records --------------------------------------------------------------------- */

static int show(struct run *run, const struct ph_audit_record *rec, ph_error_t *err)
{
	struct ph_denial_context dc = {NULL, run->boot_usec};
	if (rec->phoenix)
		dc.container = container_of(&run->map, rec->ns);
	if (!run->opt.json)
		return ph_denial_table_add(&run->table, rec, &dc, stdout, err);
	struct ph_json *o = ph_denial_json(rec, &dc, err);
	if (o == NULL)
		return -1;
	if (!run->opt.follow)
		return ph_json_array_append(run->array, o, err);
	int r = ph_denial_json_line(o, stdout, err);
	ph_json_free(o);
	return r;
}

/* Say on stderr, as soon as it is seen, that records may be missing. */
static void report_gap(struct run *run, const char *line, size_t len)
{
	ph_audit_gap_line(&run->gap, line, len);
	if (run->gap.events == run->gaps_told)
		return;
	run->gaps_told = run->gap.events;
	char text[256];
	ph_audit_gap_describe(&run->gap, text, sizeof(text));
	fprintf(stderr, "phoenix: denials: %s\n", text);
}

static int read_all(struct run *run, struct ph_audit_source *src, ph_error_t *err)
{
	for (;;) {
		const char *line;
		size_t len;
		int r = ph_audit_source_next(src, &line, &len, err);
		if (r <= 0)
			return r;
		report_gap(run, line, len);
		struct ph_audit_record rec;
		r = ph_audit_parse(line, len, &rec, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (wanted(run, &rec))
			r = show(run, &rec, err);
		ph_audit_record_release(&rec);
		if (r < 0)
			return -1;
	}
}

static int print_collected(struct run *run, ph_error_t *err)
{
	if (!run->opt.json) {
		ph_denial_table_print(&run->table, stdout);
		return 0;
	}
	if (run->array->u.array.count == 0) {
		fputs("[]\n", stdout);
		return 0;
	}
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (ph_json_serialize(run->array, &text, &len, err) < 0)
		return -1;
	fwrite(text, 1, len, stdout);
	return 0;
}

static int run_denials(struct ph_context *ctx, struct run *run, ph_error_t *err)
{
	if (load_map(ctx->config.state_dir, &run->map, err) < 0)
		return -1;
	if (run->opt.id && wanted_namespaces(ctx, run, err) < 0)
		return -1;
	run->boot_usec = boot_time_usec();
	run->table.stream = run->opt.follow;
	if (run->opt.json && !run->opt.follow && (run->array = ph_json_new_array(err)) == NULL)
		return -1;
	struct ph_audit_source src;
	if (ph_audit_source_open(&src, run->opt.source, run->opt.file, NULL, run->opt.follow, err) <
	    0)
		return ph_error_wrap(err, "denials");
	ph_debug("denials: reading %s `%s`", ph_source_kind_name(src.kind), src.path);
	if (run->opt.follow && !run->opt.json) {
		ph_denial_table_header(stdout);
		fflush(stdout);
	}
	int r = read_all(run, &src, err);
	ph_error_t close_err = NULL;
	if (ph_audit_source_close(&src, &close_err) < 0 && r == 0) {
		ph_error_move(err, &close_err);
		r = -1;
	}
	ph_error_free(&close_err);
	if (r < 0)
		return ph_error_wrap(err, "denials");
	if (!run->opt.follow && print_collected(run, err) < 0)
		return ph_error_wrap(err, "denials");
	fflush(stdout);
	return 0;
}

int ph_cmd_denials(struct ph_context *ctx, ph_error_t *err)
{
	struct run run;
	memset(&run, 0, sizeof(run));
	ph_audit_gap_init(&run.gap);
	bool help = false;
	if (parse_args(&ctx->cli, &run.opt, &help, err) < 0)
		return -1;
	if (help) {
		fputs(usage, stdout);
		return 0;
	}
	int r = run_denials(ctx, &run, err);
	ns_map_release(&run.map);
	ph_strv_free(run.wanted);
	ph_denial_table_release(&run.table);
	ph_json_free(run.array);
	return r < 0 ? -1 : 0;
}
