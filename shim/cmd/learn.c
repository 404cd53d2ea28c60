/* phoenix learn ID PROFILE [--root DIR] [--source SRC] [--base PROFILE]
 *                           [--dry-run] [--force] [--allow-gaps]:
 * turn the records of one container that ran under the recording profile
 * (phoenix-learn, complain mode, in the container's own policy namespace,
 * stacked under the host's profile) into a profile of its own.
 *
 *   1. read the records (the same sources as `phoenix denials`), keep
 *      those of the container's namespace and, for the correlation, the
 *      denials of every other label (learn_rules.h);
 *   2. refuse records of two namespaces of the same name under different
 *      parents (two LXC containers' nested containers): one container's
 *      records only;
 *   3. turn them into rules, show the profile as a diff against the base
 *      profile, list what was not learned and any gap in the records;
 *   4. write it to localProfilesDir/PROFILE, where the next
 *      `--security-opt apparmor=PROFILE` finds it. */
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
#include "file.h"
#include "json.h"
#include "learn_rules.h"
#include "log.h"
#include "private_dir.h"
#include "state.h"

#define PH_LEARN_PROFILE "phoenix-learn"
#define PH_BOUNDS_ABSTRACTION "abstractions/phoenix-container-bounds"
#define MAX_PROFILE_SIZE (1u << 20)

struct options {
	const char *id, *name, *root, *base, *file;
	enum ph_source_kind source;
	bool dry_run, force, allow_gaps;
};

struct run {
	struct options opt;
	char **wanted; /* the container's namespace names */
	size_t n_wanted;
	char *ns_path; /* the full path (below root) the records name */
	struct ph_learn learn;
	struct ph_learn_bounds bounds;
	struct ph_audit_gap gap;
};

static const char usage[] =
    "Usage: phoenix learn ID PROFILE [--root DIR] [--source SRC] [--base PROFILE]\n"
    "                     [--dry-run] [--force] [--allow-gaps]\n"
    "\n"
    "Turn the AppArmor records of container ID, which ran under the recording\n"
    "profile " PH_LEARN_PROFILE " (complain mode), into the profile PROFILE: shown as a\n"
    "diff against the base profile and written to localProfilesDir/PROFILE.\n"
    "\n"
    "  --root DIR      the runtime's state root that ID was created under\n"
    "  --source SRC    kmsg, audit, journal or a file (as `phoenix denials`)\n"
    "  --base PROFILE  the profile to compare with (default: defaultProfile)\n"
    "  --dry-run       show the profile, write nothing\n"
    "  --force         replace an existing PROFILE\n"
    "  --allow-gaps    write the profile although records may be missing\n";

static int positional(struct options *o, const char *a, ph_error_t *err)
{
	if (o->id == NULL)
		o->id = a;
	else if (o->name == NULL)
		o->name = a;
	else
		return ph_error_make(err, EINVAL, "learn: unexpected argument `%s`", a);
	return 0;
}

static int parse_args(const struct ph_cli *cli, struct options *o, bool *help, ph_error_t *err)
{
	bool options_done = false;
	int r;
	o->source = PH_SOURCE_AUTO;
	for (int i = cli->command_index + 1; i < cli->argc; i++) {
		const char *a = cli->argv[i];
		if (options_done || a[0] != '-') {
			if (positional(o, a, err) < 0)
				return -1;
		} else if (strcmp(a, "--") == 0) {
			options_done = true;
		} else if (strcmp(a, "--dry-run") == 0) {
			o->dry_run = true;
		} else if (strcmp(a, "--force") == 0) {
			o->force = true;
		} else if (strcmp(a, "--allow-gaps") == 0) {
			o->allow_gaps = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*help = true;
		} else if ((r = ph_cli_option_value(cli, &i, "learn", "--source", &o->file, err)) !=
			   0) {
			if (r < 0)
				return -1;
			o->source = ph_source_kind_from_name(o->file);
		} else if ((r = ph_cli_option_value(cli, &i, "learn", "--root", &o->root, err)) !=
			       0 ||
			   (r = ph_cli_option_value(cli, &i, "learn", "--base", &o->base, err)) !=
			       0) {
			if (r < 0)
				return -1;
		} else {
			return ph_error_make(err, EINVAL, "learn: unknown option `%s`", a);
		}
	}
	if (*help)
		return 0;
	if (o->id == NULL || o->name == NULL)
		return ph_error_make(err, EINVAL,
				     "learn: needs a container id and a profile name "
				     "(phoenix learn ID PROFILE)");
	if (!ph_aa_name_valid(o->name) || strcmp(o->name, PH_LEARN_PROFILE) == 0 ||
	    strcmp(o->name, "unconfined") == 0)
		return ph_error_make(err, EINVAL,
				     "learn: profile name `%.64s` is not allowed: a profile name "
				     "must match [A-Za-z0-9][A-Za-z0-9_.+-]* and be neither `%s` "
				     "nor `unconfined`",
				     o->name, PH_LEARN_PROFILE);
	if (o->base && !ph_aa_name_valid(o->base))
		return ph_error_make(err, EINVAL, "learn: base profile name `%.64s` is not allowed",
				     o->base);
	return 0;
}

/* ---- which records are the container's ----------------------------------------- */

static int wanted_add(struct run *run, const char *ns, ph_error_t *err)
{
	for (size_t i = 0; i < run->n_wanted; i++)
		if (strcmp(run->wanted[i], ns) == 0)
			return 0;
	char **nv = realloc(run->wanted, (run->n_wanted + 1) * sizeof(char *));
	if (nv == NULL)
		return ph_error_make(err, ENOMEM, "learn");
	run->wanted = nv;
	if ((nv[run->n_wanted] = strdup(ns)) == NULL)
		return ph_error_make(err, ENOMEM, "learn");
	run->n_wanted++;
	return 0;
}

/* The namespace create gives ID under this --root, and those of the
 * records that carry ID (a container of another runtime root). */
static int wanted_namespaces(struct ph_context *ctx, struct run *run, ph_error_t *err)
{
	const char *root =
	    run->opt.root ? run->opt.root : ph_cli_effective_root(&ctx->cli, ctx->runtime.path);
	char ns[PH_AA_NS_NAME_SIZE];
	if (ph_aa_ns_name(root, run->opt.id, ns, sizeof(ns), err) < 0 ||
	    wanted_add(run, ns, err) < 0)
		return ph_error_wrap(err, "learn");
	cleanup_close int dirfd = -1;
	ph_error_t open_err = NULL;
	if (ph_private_dir_open(ctx->config.state_dir, "state directory", false, &dirfd,
				&open_err) < 0) {
		ph_debug("learn: %s", open_err->msg);
		ph_error_free(&open_err);
		return 0;
	}
	char **names = NULL;
	if (ph_state_list(dirfd, &names, err) < 0)
		return ph_error_wrap(err, "learn: state directory");
	int r = 0;
	for (size_t i = 0; names[i] && r == 0; i++) {
		struct ph_container_state st;
		bool found = false;
		ph_error_t one = NULL;
		if (ph_state_load(dirfd, names[i], &st, &found, &one) < 0) {
			ph_error_free(&one);
			continue;
		}
		if (found && st.ns && st.id && strcmp(st.id, run->opt.id) == 0)
			r = wanted_add(run, st.ns, err);
		ph_container_state_release(&st);
	}
	ph_strv_free(names);
	return r;
}

/* The full namespace path (below the root) of the record's member in
 * namespace `ns`, or NULL. */
static const char *member_path(const struct ph_audit_record *rec, const char *ns)
{
	size_t n = strlen(ns);
	for (size_t i = rec->n_members; i-- > 0;) {
		const char *p = rec->members[i].ns;
		size_t len = strlen(p);
		if (len >= n && strcmp(p + len - n, ns) == 0 &&
		    (len == n || strncmp(p + len - n - 2, "//", 2) == 0))
			return p;
	}
	return NULL;
}

static bool is_wanted(const struct run *run, const struct ph_audit_record *rec)
{
	if (!rec->phoenix || rec->ns == NULL)
		return false;
	for (size_t i = 0; i < run->n_wanted; i++)
		if (strcmp(run->wanted[i], rec->ns) == 0)
			return true;
	return false;
}

static int one_record(struct run *run, const struct ph_audit_record *rec, ph_error_t *err)
{
	if (!is_wanted(run, rec))
		return ph_learn_add_denial(&run->learn, rec, err);
	const char *path = member_path(rec, rec->ns);
	if (path == NULL)
		return 0;
	if (run->ns_path == NULL) {
		if ((run->ns_path = strdup(path)) == NULL)
			return ph_error_make(err, ENOMEM, "learn");
	} else if (strcmp(run->ns_path, path) != 0) {
		return ph_error_make(err, EEXIST,
				     "learn: records of two namespaces named `%s`: root//%s and "
				     "root//%s (nested containers of two LXC containers?): learn "
				     "where only one container's records are read",
				     rec->ns, run->ns_path, path);
	}
	return ph_learn_add(&run->learn, rec, err);
}

static int read_records(struct run *run, ph_error_t *err)
{
	struct ph_audit_source src;
	if (ph_audit_source_open(&src, run->opt.source, run->opt.file, NULL, false, err) < 0)
		return ph_error_wrap(err, "learn");
	ph_debug("learn: reading %s `%s`", ph_source_kind_name(src.kind), src.path);
	int r;
	for (;;) {
		const char *line;
		size_t len;
		r = ph_audit_source_next(&src, &line, &len, err);
		if (r <= 0)
			break;
		ph_audit_gap_line(&run->gap, line, len);
		struct ph_audit_record rec;
		r = ph_audit_parse(line, len, &rec, err);
		if (r < 0)
			break;
		if (r == 0)
			continue;
		r = one_record(run, &rec, err);
		ph_audit_record_release(&rec);
		if (r < 0)
			break;
	}
	ph_error_t close_err = NULL;
	if (ph_audit_source_close(&src, &close_err) < 0 && r == 0) {
		ph_error_move(err, &close_err);
		r = -1;
	}
	ph_error_free(&close_err);
	return r < 0 ? -1 : 0;
}

/* ---- the diff ----------------------------------------------------------------- */

struct lines {
	char **v;
	size_t n;
};

static int split_lines(char *text, struct lines *l, ph_error_t *err)
{
	l->v = NULL;
	l->n = 0;
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char **nv = realloc(l->v, (l->n + 1) * sizeof(char *));
		if (nv == NULL)
			return ph_error_make(err, ENOMEM, "learn: diff");
		l->v = nv;
		nv[l->n++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Print a against b from their table of common-subsequence lengths. */
static int print_lcs(const char *a_name, const struct lines *a, const char *b_name,
		     const struct lines *b, ph_error_t *err)
{
	size_t w = b->n + 1;
	cleanup_free unsigned *t =
	    (a->n + 1) * w < (1u << 24) ? calloc((a->n + 1) * w, sizeof(unsigned)) : NULL;
	if (t == NULL)
		return ph_error_make(err, ENOMEM, "learn: diff of %zu and %zu lines", a->n, b->n);
	for (size_t i = a->n; i-- > 0;)
		for (size_t j = b->n; j-- > 0;) {
			unsigned down = t[(i + 1) * w + j], right = t[i * w + j + 1];
			t[i * w + j] = strcmp(a->v[i], b->v[j]) == 0
					   ? t[(i + 1) * w + j + 1] + 1
					   : (down > right ? down : right);
		}
	printf("--- %s\n+++ %s\n", a_name, b_name);
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && strcmp(a->v[i], b->v[j]) == 0) {
			printf(" %s\n", a->v[i++]);
			j++;
		} else if (j < b->n && (i == a->n || t[i * w + j + 1] >= t[(i + 1) * w + j])) {
			printf("+%s\n", b->v[j++]);
		} else {
			printf("-%s\n", a->v[i++]);
		}
	}
	return 0;
}

/* A line diff (longest common subsequence) of two short texts: every
 * line, prefixed ' ', '-' or '+', as `diff -u` with the whole file as
 * context.  Profiles are a few hundred lines at most. */
static int print_diff(const char *a_name, char *a_text, const char *b_name, const char *text,
		      ph_error_t *err)
{
	struct lines a, b;
	cleanup_free char *b_text = strdup(text);
	if (b_text == NULL)
		return ph_error_make(err, ENOMEM, "learn: diff");
	if (split_lines(a_text, &a, err) < 0) {
		/* b_text is freed by its cleanup attribute, which cppcheck
		 * does not know */
		// cppcheck-suppress memleak
		return -1;
	}
	if (split_lines(b_text, &b, err) < 0) {
		free(a.v);
		return -1;
	}
	int r = print_lcs(a_name, &a, b_name, &b, err);
	free(a.v);
	free(b.v);
	return r;
}

/* ---- the command ------------------------------------------------------------------ */

/* The profile's include names the bounds by absolute path (the operator's
 * profiles directory has no abstractions of phoenix's): the path must be
 * one the parser reads as one word inside quotes. */
static int bounds_path(const struct ph_config *conf, char **path, ph_error_t *err)
{
	if (asprintf(path, "%s/%s", conf->profiles_dir, PH_BOUNDS_ABSTRACTION) < 0)
		return ph_error_make(err, ENOMEM, "learn");
	for (const char *p = *path; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_./+-", *p)))
			return ph_error_make(
			    err, EINVAL,
			    "learn: profilesDir `%s` holds a character a profile's "
			    "include cannot name",
			    conf->profiles_dir);
	return 0;
}

static void time_text(long long sec, char *buf, size_t size)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (sec < 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "-");
}

static int render(struct ph_context *ctx, struct run *run, const char *bpath, char **text,
		  ph_error_t *err)
{
	char from[32], to[32];
	time_text(run->learn.first_sec, from, sizeof(from));
	time_text(run->learn.last_sec, to, sizeof(to));
	cleanup_free char *comment = NULL;
	if (asprintf(&comment,
		     "# %s: learned by `phoenix learn` from container %s (namespace root//%s),\n"
		     "# %zu records from %s to %s.  What it does not allow is denied;\n"
		     "# phoenix's bounds (%s) and the host's profile still apply.\n\n",
		     run->opt.name, run->opt.id, run->ns_path ? run->ns_path : "?",
		     run->learn.records, from, to, PH_BOUNDS_ABSTRACTION) < 0)
		return ph_error_make(err, ENOMEM, "learn");
	(void)ctx;
	return ph_learn_render(&run->learn, run->opt.name, bpath, comment, text, err);
}

static int show(struct ph_context *ctx, struct run *run, const char *text, const char *out_path,
		ph_error_t *err)
{
	const struct ph_config *conf = &ctx->config;
	const char *base = run->opt.base ? run->opt.base : conf->default_profile;
	const char *dir = ph_config_profile_dir(conf, base);
	cleanup_free char *base_text = NULL;
	cleanup_free char *base_path = NULL;
	size_t len;
	if (dir == NULL)
		return ph_error_make(err, ENOENT, "learn: base profile `%s` not found in %s or %s",
				     base, conf->local_profiles_dir, conf->profiles_dir);
	if (asprintf(&base_path, "%s/%s", dir, base) < 0)
		return ph_error_make(err, ENOMEM, "learn");
	if (ph_file_read_path(base_path, MAX_PROFILE_SIZE, &base_text, &len, err) < 0)
		return ph_error_wrap(err, "learn: base profile");
	cleanup_free char *a_name = NULL, *b_name = NULL;
	if (asprintf(&a_name, "%s\t%s", base, base_path) < 0 ||
	    asprintf(&b_name, "%s\t%s", run->opt.name, out_path) < 0)
		return ph_error_make(err, ENOMEM, "learn");
	if (print_diff(a_name, base_text, b_name, text, err) < 0)
		return -1;
	printf("\n%zu records of container %s (namespace root//%s), %zu rules learned\n",
	       run->learn.records, run->opt.id, run->ns_path ? run->ns_path : "?",
	       run->learn.n_rules);
	for (size_t i = 0; i < run->learn.n_notes; i++)
		printf("%s\n", run->learn.notes[i]);
	return 0;
}

static int write_profile(struct ph_context *ctx, struct run *run, const char *text, ph_error_t *err)
{
	cleanup_close int dirfd = -1;
	if (ph_private_dir_open(ctx->config.local_profiles_dir, "local profiles directory", true,
				&dirfd, err) < 0)
		return ph_error_wrap(err, "learn");
	if (!run->opt.force && faccessat(dirfd, run->opt.name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return ph_error_make(err, EEXIST,
				     "learn: profile `%s` exists in %s (--force replaces it)",
				     run->opt.name, ctx->config.local_profiles_dir);
	if (ph_file_write_atomic(dirfd, run->opt.name, text, strlen(text), 0644, err) < 0)
		return ph_error_wrap(err, "learn: write profile `%s` in %s", run->opt.name,
				     ctx->config.local_profiles_dir);
	return 0;
}

static int load_bounds(struct ph_context *ctx, struct run *run, const char *bpath, ph_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	(void)ctx;
	if (ph_file_read_path(bpath, MAX_PROFILE_SIZE, &text, &len, err) < 0)
		return ph_error_wrap(err, "learn: phoenix's bounds");
	return ph_learn_bounds_parse(text, &run->bounds, err);
}

static int run_learn(struct ph_context *ctx, struct run *run, ph_error_t *err)
{
	cleanup_free char *bpath = NULL;
	if (bounds_path(&ctx->config, &bpath, err) < 0 || load_bounds(ctx, run, bpath, err) < 0)
		return -1;
	ph_learn_init(&run->learn, PH_LEARN_PROFILE, &run->bounds);
	ph_audit_gap_init(&run->gap);
	if (wanted_namespaces(ctx, run, err) < 0 || read_records(run, err) < 0)
		return -1;
	if (run->learn.records == 0)
		return ph_error_make(err, ENOENT,
				     "learn: no records of container `%s` (namespace %s): did it "
				     "run under the profile `%s`?",
				     run->opt.id, run->wanted[0], PH_LEARN_PROFILE);
	if (ph_learn_finish(&run->learn, err) < 0)
		return -1;
	cleanup_free char *text = NULL;
	cleanup_free char *out_path = NULL;
	if (render(ctx, run, bpath, &text, err) < 0)
		return -1;
	if (asprintf(&out_path, "%s/%s", ctx->config.local_profiles_dir, run->opt.name) < 0)
		return ph_error_make(err, ENOMEM, "learn");
	if (show(ctx, run, text, out_path, err) < 0)
		return -1;
	char gap[256];
	ph_audit_gap_describe(&run->gap, gap, sizeof(gap));
	if (gap[0])
		printf("gap: %s\n", gap);
	fflush(stdout);
	if (gap[0] && !run->opt.allow_gaps && !run->opt.dry_run)
		return ph_error_make(err, 0,
				     "learn: %s: the profile would lack what those records held; "
				     "not written (--allow-gaps writes it anyway)",
				     gap);
	if (run->opt.dry_run)
		return 0;
	if (write_profile(ctx, run, text, err) < 0)
		return -1;
	printf("written: %s\n", out_path);
	return 0;
}

int ph_cmd_learn(struct ph_context *ctx, ph_error_t *err)
{
	struct run run;
	memset(&run, 0, sizeof(run));
	bool help = false;
	if (parse_args(&ctx->cli, &run.opt, &help, err) < 0)
		return -1;
	if (help) {
		fputs(usage, stdout);
		return 0;
	}
	int r = run_learn(ctx, &run, err);
	fflush(stdout);
	for (size_t i = 0; i < run.n_wanted; i++)
		free(run.wanted[i]);
	free(run.wanted);
	free(run.ns_path);
	ph_learn_release(&run.learn);
	ph_learn_bounds_release(&run.bounds);
	return r < 0 ? -1 : 0;
}
