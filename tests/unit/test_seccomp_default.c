/* phoenix's default seccomp filter: its content, where it is inserted,
 * its round trip through JSON, its documentation, and what it does to a
 * process that runs under it. */
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "seccomp_default.h"
#include "seccomp_support.h"
#include "seccomp_validate.h"
#include "spec.h"
#include "t.h"
#include "test_json_util.h"
#include "test_spec_util.h"
#include "test_seccomp_util.h"

static int corpus;

static char *serialized(const struct ph_json *node)
{
	char *out = NULL;
	size_t len = 0;
	ph_error_t err = NULL;
	if (ph_json_serialize(node, &out, &len, &err) < 0)
		abort();
	return out;
}

/* The rule whose names hold `name`; *count says in how many rules and
 * how often it appears. */
static const struct ph_json *rule_for(const struct ph_json *filter, const char *name, int *count)
{
	const struct ph_json *found = NULL;
	const struct ph_json *rules = ph_json_object_get(filter, "syscalls");
	*count = 0;
	for (size_t i = 0; rules && i < rules->u.array.count; i++) {
		const struct ph_json *names = ph_json_object_get(rules->u.array.items[i], "names");
		for (size_t j = 0; names && j < names->u.array.count; j++)
			if (strcmp(names->u.array.items[j]->u.string.ptr, name) == 0) {
				found = rules->u.array.items[i];
				(*count)++;
			}
	}
	return found;
}

static const char *string_at(const struct ph_json *obj, const char *key)
{
	const struct ph_json *v = ph_json_object_get(obj, key);
	return v && v->type == PH_JSON_STRING ? v->u.string.ptr : NULL;
}

static const char *number_at(const struct ph_json *obj, const char *key)
{
	const struct ph_json *v = ph_json_object_get(obj, key);
	return v && v->type == PH_JSON_NUMBER ? v->u.number.text : NULL;
}

/* Has the syscall a number on one of the filter's architectures? */
static bool exists(const struct ph_json *filter, const char *name)
{
	const struct ph_json *archs = ph_json_object_get(filter, "architectures");
	for (size_t i = 0; archs && i < archs->u.array.count; i++)
		if (seccomp_syscall_resolve_name_arch(
			ph_seccomp_arch_token(archs->u.array.items[i]->u.string.ptr), name) >= 0)
			return true;
	return false;
}

static void check_denied(const struct ph_json *filter, const char *name, const char *errno_ret)
{
	int count = 0;
	const struct ph_json *rule = rule_for(filter, name, &count);
	if (!exists(filter, name)) {
		CHECK(count == 0);
		return;
	}
	CHECK(count == 1);
	if (count != 1) {
		fprintf(stderr, "  `%s` appears %d times\n", name, count);
		return;
	}
	CHECK_STR(string_at(rule, "action"), "SCMP_ACT_ERRNO");
	CHECK_STR(number_at(rule, "errnoRet"), errno_ret);
}

/* [{"index": i, "value": CLONE_NEWUSER, "valueTwo": CLONE_NEWUSER, "op": MASKED_EQ}] */
static void check_newuser_args(const struct ph_json *filter, const char *name, const char *index)
{
	int count = 0;
	const struct ph_json *rule = rule_for(filter, name, &count);
	const struct ph_json *args = rule ? ph_json_object_get(rule, "args") : NULL;
	CHECK(args != NULL && args->type == PH_JSON_ARRAY && args->u.array.count == 1);
	if (args == NULL || args->u.array.count != 1)
		return;
	char flag[32];
	snprintf(flag, sizeof(flag), "%d", CLONE_NEWUSER);
	const struct ph_json *arg = args->u.array.items[0];
	CHECK_STR(number_at(arg, "index"), index);
	CHECK_STR(number_at(arg, "value"), flag);
	CHECK_STR(number_at(arg, "valueTwo"), flag);
	CHECK_STR(string_at(arg, "op"), "SCMP_CMP_MASKED_EQ");
}

static void content(void)
{
	struct ph_json *filter = NULL;
	ph_error_t err = NULL;
	CHECK(ph_seccomp_default_build(&filter, &err) == 0);
	if (filter == NULL)
		return;
	CHECK_STR(string_at(filter, "defaultAction"), "SCMP_ACT_ALLOW");
	CHECK(ph_json_object_get(filter, "defaultErrnoRet") == NULL);
	CHECK(ph_json_object_get(filter, "flags") == NULL);

	/* the native architecture first, then its companions */
	const struct ph_json *archs = ph_json_object_get(filter, "architectures");
	const char *native = ph_seccomp_native_arch();
	CHECK(archs != NULL && archs->u.array.count >= 1 && native != NULL);
	if (archs && archs->u.array.count >= 1 && native)
		CHECK_STR(archs->u.array.items[0]->u.string.ptr, native);
	char *text = serialized(archs);
	if (native && strcmp(native, "SCMP_ARCH_X86_64") == 0)
		CHECK_STR(
		    text,
		    "[\n\t\"SCMP_ARCH_X86_64\",\n\t\"SCMP_ARCH_X86\",\n\t\"SCMP_ARCH_X32\"\n]\n");
	if (native && strcmp(native, "SCMP_ARCH_AARCH64") == 0)
		CHECK_STR(text, "[\n\t\"SCMP_ARCH_AARCH64\",\n\t\"SCMP_ARCH_ARM\"\n]\n");
	free(text);

	/* what the documentation promises, named here independently of the
	 * table */
	const char *eperm[] = {"init_module",
			       "finit_module",
			       "delete_module",
			       "kexec_load",
			       "kexec_file_load",
			       "bpf",
			       "perf_event_open",
			       "unshare",
			       "clone",
			       "add_key",
			       "request_key",
			       "keyctl",
			       "ptrace",
			       "mount",
			       "umount2",
			       "pivot_root",
			       "fsopen",
			       "fsmount",
			       "move_mount",
			       "open_tree",
			       "fspick",
			       "swapon",
			       "swapoff",
			       "reboot",
			       "acct",
			       "settimeofday",
			       "clock_settime",
			       "open_by_handle_at",
			       "userfaultfd",
			       "lookup_dcookie",
			       "quotactl",
			       "nfsservctl",
			       "iopl",
			       "ioperm",
			       "vm86"};
	char eperm_text[16], enosys_text[16];
	snprintf(eperm_text, sizeof(eperm_text), "%d", EPERM);
	snprintf(enosys_text, sizeof(enosys_text), "%d", ENOSYS);
	CHECK_STR(eperm_text, "1");
	CHECK_STR(enosys_text, "38");
	for (size_t i = 0; i < sizeof(eperm) / sizeof(eperm[0]); i++)
		check_denied(filter, eperm[i], "1");
	check_denied(filter, "clone3", "38");
	/* on x86 every one of them has a number somewhere: none left out */
	int count = 0;
	if (native && strcmp(native, "SCMP_ARCH_X86_64") == 0)
		for (size_t i = 0; i < sizeof(eperm) / sizeof(eperm[0]); i++) {
			CHECK(rule_for(filter, eperm[i], &count) != NULL);
			if (count != 1)
				fprintf(stderr, "  missing on x86_64: %s\n", eperm[i]);
		}
	check_newuser_args(filter, "unshare", "0");
	check_newuser_args(filter, "clone", native && strstr(native, "S390") ? "1" : "0");
	/* only those two are conditional */
	const struct ph_json *rules = ph_json_object_get(filter, "syscalls");
	size_t with_args = 0;
	for (size_t i = 0; rules && i < rules->u.array.count; i++) {
		const struct ph_json *names = ph_json_object_get(rules->u.array.items[i], "names");
		CHECK(names != NULL && names->u.array.count > 0);
		with_args += ph_json_object_get(rules->u.array.items[i], "args") != NULL;
	}
	CHECK(with_args == 2);

	/* every name of the table: once if it exists here, else not at all */
	size_t n_rules = 0;
	for (const struct ph_seccomp_deny *d = ph_seccomp_default_rules; d->names; d++, n_rules++) {
		snprintf(eperm_text, sizeof(eperm_text), "%d", d->errno_ret);
		for (size_t i = 0; d->names[i]; i++)
			check_denied(filter, d->names[i], eperm_text);
		CHECK(d->reason != NULL && strlen(d->reason) > 10);
		CHECK(d->reason && !strchr(d->reason, '|') && !strchr(d->reason, '\n'));
	}
	CHECK(n_rules >= 20);
	CHECK(rules != NULL && rules->u.array.count <= n_rules);

	/* libseccomp takes it as a runtime would */
	CHECK(sc_compiles(filter) == 0);
	ph_json_free(filter);
}

static void insertion(void)
{
	ph_error_t err = NULL;
	bool inserted = true;

	/* a section that is there is left alone, whatever it says */
	struct ph_spec *spec = NULL;
	CHECK(ph_spec_load(corpus, "docker.json", "config.json", &spec, &err) == 0);
	char *before = serialized(spec->root);
	CHECK(ph_seccomp_insert_default(spec, &inserted, &err) == 0);
	CHECK(!inserted);
	char *after = serialized(spec->root);
	CHECK_STR(after, before);
	free(before);
	free(after);
	ph_spec_free(spec);

	spec = parse("{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_KILL\"}}}", false);
	CHECK(ph_seccomp_insert_default(spec, &inserted, &err) == 0);
	CHECK(!inserted);
	CHECK_STR(string_at(ph_json_lookup(spec->root, "linux.seccomp"), "defaultAction"),
		  "SCMP_ACT_KILL");
	ph_spec_free(spec);

	/* absent: inserted, and valid; everything else unchanged */
	CHECK(ph_spec_load(corpus, "runc-spec.json", "config.json", &spec, &err) == 0);
	before = serialized(spec->root);
	CHECK(ph_seccomp_insert_default(spec, &inserted, &err) == 0);
	CHECK(inserted);
	CHECK(ph_seccomp_validate(spec, &err) == 0);
	CHECK(ph_json_lookup(spec->root, "linux.seccomp.syscalls") != NULL);
	/* a second call finds it */
	CHECK(ph_seccomp_insert_default(spec, &inserted, &err) == 0);
	CHECK(!inserted);
	CHECK(ph_json_remove(spec->root, "linux.seccomp") == 1);
	after = serialized(spec->root);
	CHECK_STR(after, before);
	free(before);
	free(after);
	ph_spec_free(spec);

	const char *absent[] = {"{}", "{\"linux\":{}}", "{\"linux\":null}",
				"{\"linux\":{\"seccomp\":null}}"};
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		spec = parse(absent[i], false);
		CHECK(ph_seccomp_insert_default(spec, &inserted, &err) == 0);
		CHECK(inserted);
		CHECK(ph_seccomp_validate(spec, &err) == 0);
		CHECK_STR(string_at(ph_json_lookup(spec->root, "linux.seccomp"), "defaultAction"),
			  "SCMP_ACT_ALLOW");
		ph_spec_free(spec);
	}

	/* what cannot hold it */
	spec = parse("{\"linux\":{\"seccomp\":\"default\"}}", false);
	CHECK(ph_seccomp_insert_default(spec, &inserted, &err) < 0);
	CHECK_ERR(err, "config.json: linux.seccomp: expected an object, got string");
	CHECK(!inserted);
	ph_error_free(&err);
	ph_spec_free(spec);
	spec = parse("{\"linux\":[]}", false);
	CHECK(ph_seccomp_insert_default(spec, &inserted, &err) < 0);
	CHECK_ERR(err, "config.json: linux: expected an object, got array");
	ph_error_free(&err);
	ph_spec_free(spec);
	spec = parse("{\"args\":[\"sh\"],\"cwd\":\"/\"}", true);
	CHECK(ph_seccomp_insert_default(spec, &inserted, &err) < 0);
	CHECK_ERR(err, "process.json: a process document has no seccomp section");
	ph_error_free(&err);
	ph_spec_free(spec);
}

/* Written, read back, written again: the same text; jq reads it as we do. */
static void round_trip(void)
{
	ph_error_t err = NULL;
	bool inserted = false;
	struct ph_spec *spec = NULL;
	CHECK(ph_spec_load(corpus, "runc-spec.json", "config.json", &spec, &err) == 0);
	CHECK(ph_seccomp_insert_default(spec, &inserted, &err) == 0);
	char *first = serialized(spec->root);
	struct ph_spec *again = parse(first, false);
	CHECK(ph_seccomp_validate(again, &err) == 0);
	char *second = serialized(again->root);
	CHECK_STR(second, first);

	char *dir = make_temp_dir();
	char path[512];
	snprintf(path, sizeof(path), "%s/config.json", dir);
	CHECK(write_text(path, first, strlen(first)) == 0);
	const char *clone3[] = {
	    "-r", ".linux.seccomp.syscalls[] | select(.names | index(\"clone3\")) | .errnoRet",
	    path, NULL};
	char *out = run_jq(clone3);
	CHECK_STR(out, "38\n");
	free(out);
	const char *clone[] = {
	    "-c", ".linux.seccomp.syscalls[] | select(.names == [\"clone\"]) | .args", path, NULL};
	out = run_jq(clone);
	CHECK_STR(out, "[{\"index\":0,\"value\":268435456,\"valueTwo\":268435456,"
		       "\"op\":\"SCMP_CMP_MASKED_EQ\"}]\n");
	free(out);
	const char *top[] = {"-c", ".linux.seccomp | [.defaultAction, (.syscalls | length > 10)]",
			     path, NULL};
	out = run_jq(top);
	CHECK_STR(out, "[\"SCMP_ACT_ALLOW\",true]\n");
	free(out);
	remove_tree(dir);
	free(first);
	free(second);
	ph_spec_free(again);
	ph_spec_free(spec);
}

static void describe(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ph_seccomp_default_describe(f);
	fclose(f);
	CHECK(strncmp(text, "| Syscalls | Errno | Reason |\n|---|---|---|\n", 43) == 0);
	size_t rows = 0, n_rules = 0;
	for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
		rows++;
	for (const struct ph_seccomp_deny *d = ph_seccomp_default_rules; d->names; d++) {
		n_rules++;
		char cell[64];
		for (size_t i = 0; d->names[i]; i++) {
			snprintf(cell, sizeof(cell), "`%s`", d->names[i]);
			CHECK(strstr(text, cell) != NULL);
		}
		CHECK(strstr(text, d->reason) != NULL);
	}
	CHECK(rows == n_rules + 2);
	CHECK(strstr(text, "| `bpf` | EPERM (1) | loads eBPF programs") != NULL);
	CHECK(strstr(text, "| `clone3` | ENOSYS (38) | ") != NULL);
	CHECK(strstr(text, "| `unshare` | EPERM (1) | only with CLONE_NEWUSER") != NULL);
	free(text);
}

/* ---- under the filter ------------------------------------------------------------ */

static long try_keyctl(void)
{
	return syscall(SYS_keyctl, 0, 0, 0, 0, 0);
}
static long try_bpf(void)
{
	return syscall(SYS_bpf, 0, NULL, 0);
}
static long try_ptrace(void)
{
	return syscall(SYS_ptrace, -1L, 0, 0, 0);
}
static long try_perf(void)
{
	return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
}
static long try_open_by_handle(void)
{
	return syscall(SYS_open_by_handle_at, -1, NULL, 0);
}
static long try_userfaultfd(void)
{
	return syscall(SYS_userfaultfd, -1);
}
static long try_umount(void)
{
	return syscall(SYS_umount2, "", 0);
}
static long try_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0);
}
static long try_unshare_user(void)
{
	return syscall(SYS_unshare, CLONE_NEWUSER);
}
static long try_unshare_nothing(void)
{
	return syscall(SYS_unshare, 0);
}

static const struct probe {
	const char *what;
	long (*fn)(void);
	int expected; /* errno under the filter; 0 = must succeed */
} probes[] = {
    {"keyctl", try_keyctl, EPERM},
    {"bpf", try_bpf, EPERM},
    {"ptrace", try_ptrace, EPERM},
    {"perf_event_open", try_perf, EPERM},
    {"open_by_handle_at", try_open_by_handle, EPERM},
    {"userfaultfd", try_userfaultfd, EPERM},
    {"umount2", try_umount, EPERM},
    {"clone3", try_clone3, ENOSYS},
    {"unshare(CLONE_NEWUSER)", try_unshare_user, EPERM},
    {"unshare(0)", try_unshare_nothing, 0},
};
#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

/* errno of a probe, run in a process of its own (unshare changes it). */
static int run_probe(const struct probe *p)
{
	pid_t pid = fork();
	if (pid == 0) {
		errno = 0;
		long r = p->fn();
		_exit(r < 0 ? (errno & 0xff) : 0);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Load the filter in a child and run the probes there; each probe is
 * also run without the filter first, and one whose result would be the
 * same either way proves nothing and is only reported. */
static void enforced(void)
{
	struct ph_json *filter = NULL;
	ph_error_t err = NULL;
	CHECK(ph_seccomp_default_build(&filter, &err) == 0);
	int baseline[N_PROBES];
	for (size_t i = 0; i < N_PROBES; i++)
		baseline[i] = run_probe(&probes[i]);

	int pipefd[2];
	CHECK(pipe(pipefd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		scmp_filter_ctx ctx = NULL;
		int results[N_PROBES];
		if (sc_build(filter, &ctx) < 0 || seccomp_load(ctx) < 0)
			_exit(100);
		for (size_t i = 0; i < N_PROBES; i++)
			results[i] = run_probe(&probes[i]);
		ssize_t w = write(pipefd[1], results, sizeof(results));
		_exit(w == (ssize_t)sizeof(results) ? 0 : 101);
	}
	close(pipefd[1]);
	int results[N_PROBES];
	ssize_t got = read(pipefd[0], results, sizeof(results));
	close(pipefd[0]);
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(got == (ssize_t)sizeof(results));
	size_t proved = 0;
	for (size_t i = 0; got == (ssize_t)sizeof(results) && i < N_PROBES; i++) {
		int expected = probes[i].expected;
		/* ENOSYS without the filter: nothing here implements it (an
		 * emulator such as valgrind answers in the kernel's place) */
		if (baseline[i] == ENOSYS && expected != ENOSYS) {
			printf("  %s: not implemented here, not tried\n", probes[i].what);
			continue;
		}
		CHECK(results[i] == expected);
		if (results[i] != expected)
			fprintf(stderr, "  %s under the filter: errno %d, expected %d\n",
				probes[i].what, results[i], expected);
		if (baseline[i] == expected && expected != 0)
			printf("  %s: %s without the filter too, not proved here\n", probes[i].what,
			       strerrorname_np(baseline[i]));
		else
			proved++;
	}
	/* most probes must tell a filtered process from another */
	CHECK(proved >= N_PROBES / 2);
	ph_json_free(filter);
}

int main(void)
{
	corpus = open_corpus();
	content();
	insertion();
	round_trip();
	describe();
	/* valgrind emulates neither seccomp filters nor the probes' raw
	 * syscalls with bogus arguments (it dereferences bpf()'s NULL
	 * attribute itself); the plain and ASan runs cover this part */
	if (getenv("PHOENIX_UNDER_VALGRIND") == NULL)
		enforced();
	else
		fprintf(stderr,
			"test_seccomp_default: enforcement probes skipped under valgrind\n");
	close(corpus);
	T_DONE();
}
