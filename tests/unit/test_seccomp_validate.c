/* linux.seccomp checked against libseccomp: real profiles pass, and each
 * kind of mistake gets its own message naming the JSON path.  Where
 * libseccomp itself can judge, the test asks it too (test_seccomp_util.h). */
#include <seccomp.h>

#include "seccomp_support.h"
#include "seccomp_validate.h"
#include "spec.h"
#include "t.h"
#include "test_json_util.h"
#include "test_spec_util.h"
#include "test_seccomp_util.h"

static int corpus;
static char library[96]; /* "libseccomp 2.5.4, API level 6" */
static char version[48]; /* "libseccomp 2.5.4" */

static void force_api(unsigned level)
{
	CHECK(seccomp_api_set(level) == 0);
	CHECK(ph_seccomp_api() == level);
	ph_seccomp_describe_library(library, sizeof(library));
}

/* A corpus document, "docker.json" or "seccomp/minimal.json". */
static struct ph_spec *load(const char *name)
{
	struct ph_spec *spec = NULL;
	ph_error_t err = NULL;
	int dirfd = corpus;
	const char *slash = strchr(name, '/');
	if (slash != NULL) {
		char dir[64];
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - name), name);
		dirfd = openat(corpus, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	int r = ph_spec_load(dirfd, slash ? slash + 1 : name, "config.json", &spec, &err);
	if (dirfd != corpus)
		close(dirfd);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", name, err->msg);
		exit(2);
	}
	return spec;
}

/* Valid, unchanged by the check, and accepted by libseccomp. */
static void expect_valid_spec(struct ph_spec *spec, const char *what)
{
	ph_error_t err = NULL;
	char *before = spec_text(spec);
	int r = ph_seccomp_validate(spec, &err);
	CHECK(r == 0);
	if (r < 0)
		fprintf(stderr, "  %s: %s\n", what, err->msg);
	ph_error_free(&err);
	char *after = spec_text(spec);
	CHECK_STR(after, before);
	struct ph_json *seccomp = NULL;
	CHECK(ph_spec_get_seccomp(spec, &seccomp, &err) >= 0);
	if (seccomp != NULL) {
		int rc = sc_compiles(seccomp);
		CHECK(rc == 0);
		if (rc != 0)
			fprintf(stderr, "  %s: libseccomp refuses it: %s\n", what, strerror(-rc));
	}
	free(before);
	free(after);
}

static void expect_valid(const char *seccomp)
{
	struct ph_spec *spec = spec_with_seccomp(seccomp);
	expect_valid_spec(spec, seccomp);
	ph_spec_free(spec);
}

/* Invalid, with a message containing `message`; `refused_by_libseccomp`
 * when the judge must refuse it too. */
static void expect_error_judged(const char *seccomp, const char *message,
				bool refused_by_libseccomp)
{
	struct ph_spec *spec = spec_with_seccomp(seccomp);
	ph_error_t err = NULL;
	CHECK(ph_seccomp_validate(spec, &err) < 0);
	CHECK_ERR(err, message);
	CHECK(err != NULL && strncmp(err->msg, "config.json: linux.seccomp", 26) == 0);
	ph_error_free(&err);
	if (refused_by_libseccomp) {
		struct ph_json *section = NULL;
		CHECK(ph_spec_get_seccomp(spec, &section, &err) == 1);
		CHECK(section != NULL && sc_compiles(section) < 0);
	}
	ph_spec_free(spec);
}

static void expect_error(const char *seccomp, const char *message)
{
	expect_error_judged(seccomp, message, false);
}

static void real_profiles(void)
{
	const char *names[] = {"seccomp/docker-like.json",
			       "seccomp/minimal.json",
			       "seccomp/empty-syscalls.json",
			       "seccomp/notify.json",
			       "docker.json",
			       "podman.json",
			       "runc-spec.json"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ph_spec *spec = load(names[i]);
		expect_valid_spec(spec, names[i]);
		ph_spec_free(spec);
	}
	/* the realistic profile has the shapes it claims */
	struct ph_spec *spec = load("seccomp/docker-like.json");
	struct ph_json *names0 = ph_json_lookup(spec->root, "linux.seccomp.syscalls");
	CHECK(names0 != NULL && names0->u.array.count >= 10);
	CHECK(names0 != NULL && names0->u.array.items[0]->type == PH_JSON_OBJECT &&
	      ph_json_object_get(names0->u.array.items[0], "names")->u.array.count >= 50);
	ph_spec_free(spec);

	/* no section, a null one, empty rules, a process document */
	expect_valid("null");
	expect_valid("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":null}");
	expect_valid("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[],"
		     "\"architectures\":[],\"flags\":[]}");
	ph_error_t err = NULL;
	struct ph_spec *proc = NULL;
	const char *text = "{\"args\":[\"sh\"],\"cwd\":\"/\"}";
	CHECK(ph_spec_parse(text, strlen(text), "process.json", true, &proc, &err) == 0);
	CHECK(ph_seccomp_validate(proc, &err) == 0);
	ph_spec_free(proc);
	/* a section that is not an object */
	spec = spec_with_seccomp("[]");
	CHECK(ph_seccomp_validate(spec, &err) < 0);
	CHECK_ERR(err, "config.json: linux.seccomp: expected an object, got array");
	ph_error_free(&err);
	ph_spec_free(spec);
}

static void actions(void)
{
	char msg[512];
	expect_error("{}", "config.json: linux.seccomp: no defaultAction");
	expect_error("{\"defaultAction\":1}",
		     "config.json: linux.seccomp.defaultAction: expected a string, got number");
	expect_error("{\"defaultAction\":\"SCMP_ACT_FOO\"}",
		     "config.json: linux.seccomp.defaultAction: unknown action "
		     "`SCMP_ACT_FOO` (known: SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, ");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bpf\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"kcmp\"],\"action\":\"errno\"}]}",
		     "config.json: linux.seccomp.syscalls[1].action: unknown action `errno`");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bpf\"]}]}",
		     "config.json: linux.seccomp.syscalls[0]: no action");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[\"bpf\"]}",
		     "config.json: linux.seccomp.syscalls[0]: expected an object, got string");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
		     "config.json: linux.seccomp.syscalls: expected an array, got object");

	/* supported at this API level: an older kernel is simulated */
	force_api(2);
	snprintf(msg, sizeof(msg),
		 "config.json: linux.seccomp.syscalls[1].action: SCMP_ACT_LOG needs libseccomp "
		 "API level 3; this system has %s",
		 library);
	CHECK(strstr(library, "API level 2") != NULL);
	expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		     "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"kcmp\"],\"action\":"
		     "\"SCMP_ACT_LOG\"}]}",
		     msg);
	expect_error("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\"}",
		     "config.json: linux.seccomp.defaultAction: SCMP_ACT_KILL_PROCESS needs "
		     "libseccomp API level 3");
	force_api(4);
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/a.sock\","
		     "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		     "config.json: linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs "
		     "libseccomp API level 5; this system has ");
	force_api(6);
	expect_valid("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[{\"names\":"
		     "[\"read\",\"write\",\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		     "{\"names\":[\"kcmp\"],\"action\":\"SCMP_ACT_LOG\"}]}");

	/* SCMP_ACT_NOTIFY: its listener, and not where the runtime would hang */
	expect_error("{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/run/a.sock\"}",
		     "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the "
		     "default action");
	expect_error(
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/a.sock\","
	    "\"syscalls\":[{\"names\":[\"mkdir\",\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
	    "config.json: linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be "
	    "used for write");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bpf\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"mkdir\"],\"action\":"
		     "\"SCMP_ACT_NOTIFY\"}]}",
		     "config.json: linux.seccomp.syscalls[1].action: SCMP_ACT_NOTIFY needs "
		     "linux.seccomp.listenerPath");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"\",\"syscalls\":"
		     "[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		     "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/a.sock\"}",
		     "config.json: linux.seccomp.listenerPath: set, but no rule uses "
		     "SCMP_ACT_NOTIFY");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":7}",
		     "config.json: linux.seccomp.listenerPath: expected a string, got number");
}

static void errno_values(void)
{
	expect_valid("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38}");
	expect_valid("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bpf\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":4094},{\"names\":[\"kcmp\"],"
		     "\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":65535},{\"names\":[\"acct\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0}]}");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
		     "config.json: linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and "
		     "SCMP_ACT_TRACE return a value, and the action is SCMP_ACT_ALLOW");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		     "\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":1}]}",
		     "config.json: linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and "
		     "SCMP_ACT_TRACE return a value, and the action is SCMP_ACT_ALLOW");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bpf\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":-1}]}",
		     "config.json: linux.seccomp.syscalls[0].errnoRet: must not be negative, "
		     "got -1");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-38}",
		     "config.json: linux.seccomp.defaultErrnoRet: must not be negative, got -38");
	/* libseccomp refuses an errno of MAX_ERRNO (4095) and above */
	expect_error_judged("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4095}",
			    "config.json: linux.seccomp.defaultErrnoRet: 4095 is out of range for "
			    "SCMP_ACT_ERRNO: 0..4094",
			    true);
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kcmp\"],"
		     "\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":65536}]}",
		     "config.json: linux.seccomp.syscalls[0].errnoRet: 65536 is out of range for "
		     "SCMP_ACT_TRACE: 0..65535");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1.5}",
		     "config.json: linux.seccomp.defaultErrnoRet: expected an integer in 0..4094, "
		     "got 1.5");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":\"1\"}",
		     "config.json: linux.seccomp.defaultErrnoRet: expected an integer in 0..4094, "
		     "got string");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1e1}", "got 1e1");
}

static void architectures_and_flags(void)
{
	char msg[256];
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	expect_valid(
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
	    "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\",\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\","
	    "\"SCMP_ARCH_PPC64LE\",\"SCMP_ARCH_RISCV64\"]}");
#endif
	/* one byte order per filter: libseccomp refuses to mix */
	const char *native = ph_seccomp_native_arch();
	if (native != NULL && ph_seccomp_arch_token(native) == SCMP_ARCH_X86_64) {
		expect_error_judged(
		    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
		    "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_S390X\"]}",
		    "config.json: linux.seccomp.architectures[1]: architecture "
		    "`SCMP_ARCH_S390X` has another byte order than SCMP_ARCH_X86_64: "
		    "one filter cannot hold both",
		    true);
	}
	snprintf(msg, sizeof(msg),
		 "config.json: linux.seccomp.architectures[1]: unknown architecture "
		 "`SCMP_ARCH_FOO` (%s knows: SCMP_ARCH_X86, SCMP_ARCH_X86_64, ",
		 version);
	expect_error(
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
	    "\"SCMP_ARCH_FOO\"]}",
	    msg);
	/* Docker's profile says "amd64" in its own fields; the spec does not */
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"amd64\"]}",
		     "config.json: linux.seccomp.architectures[0]: unknown architecture `amd64`");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x86_64\"]}",
		     "unknown architecture `x86_64`");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[3]}",
		     "config.json: linux.seccomp.architectures[0]: expected a string, got number");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":\"SCMP_ARCH_X86\"}",
		     "config.json: linux.seccomp.architectures: expected an array, got string");
	/* a runtime-spec name this libseccomp may not know (added in 2.6) */
	const char *newer = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
			    "[\"SCMP_ARCH_LOONGARCH64\"]}";
	if (ph_seccomp_arch_token("SCMP_ARCH_LOONGARCH64") == 0) {
		snprintf(msg, sizeof(msg),
			 "config.json: linux.seccomp.architectures[0]: architecture "
			 "`SCMP_ARCH_LOONGARCH64` is not known to %s",
			 version);
		expect_error(newer, msg);
	} else {
		expect_valid(newer);
	}

	expect_valid(
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\","
	    "\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
		     "\"SECCOMP_FILTER_FLAG_FOO\"]}",
		     "config.json: linux.seccomp.flags[1]: unknown flag `SECCOMP_FILTER_FLAG_FOO` "
		     "(known: SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, "
		     "SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)");
	snprintf(
	    msg, sizeof(msg),
	    "config.json: linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs "
	    "libseccomp API level 7; this system has %s",
	    library);
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":"
		     "[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
		     msg);
	force_api(3);
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
		     "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}",
		     "config.json: linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_SPEC_ALLOW needs "
		     "libseccomp API level 4");
	force_api(6);
}

static void syscall_names(void)
{
	char msg[512];
	/* known on some of the architectures only: fine (vm86 is 32-bit x86's,
	 * send is multiplexed through socketcall there, arm_fadvise64_64 is
	 * arm's) */
	expect_valid(
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
	    "\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":[\"vm86\",\"send\","
	    "\"arm_fadvise64_64\",\"open\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");

	/* known nowhere, in a rule that restricts: an error naming where it
	 * was looked up */
	const char *native = ph_seccomp_native_arch();
	CHECK(native != NULL);
	if (native == NULL)
		native = "?";
	if (strcmp(native, "SCMP_ARCH_X86_64") == 0)
		snprintf(msg, sizeof(msg),
			 "config.json: linux.seccomp.syscalls[2].names[1]: unknown syscall `foo` "
			 "(not known on any of: SCMP_ARCH_X86_64, SCMP_ARCH_X86; %s)",
			 version);
	else
		snprintf(msg, sizeof(msg),
			 "config.json: linux.seccomp.syscalls[2].names[1]: unknown syscall `foo` "
			 "(not known on any of: %s, SCMP_ARCH_X86_64, SCMP_ARCH_X86; %s)",
			 native, version);
	const char *unknown_deny =
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
	    "\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
	    "\"SCMP_ACT_ERRNO\"},{\"names\":[\"kcmp\"],\"action\":\"SCMP_ACT_KILL\"},"
	    "{\"names\":[\"keyctl\",\"foo\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
	expect_error(unknown_deny, msg);
	/* ... with no architectures listed, the native one alone */
	snprintf(msg, sizeof(msg), "unknown syscall `mkdri` (not known on any of: %s; %s)", native,
		 version);
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdri\"],"
		     "\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
		     msg);

	/* known nowhere, in an allow rule: the runtime skips it and the
	 * syscall keeps the default action; a warning, not an error */
	log_capture_start();
	expect_valid("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\","
		     "\"lsm_get_self_attr_typo\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	char *logged = log_take();
	CHECK(strstr(logged, "level=warning") != NULL);
	CHECK(strstr(logged, "config.json: linux.seccomp.syscalls[0].names[1]: unknown syscall "
			     "`lsm_get_self_attr_typo`") != NULL);
	CHECK(strstr(logged, "the runtime skips it, so it keeps the default action") != NULL);
	free(logged);
	/* nothing to warn about in a clean profile */
	struct ph_spec *spec = load("seccomp/docker-like.json");
	expect_valid_spec(spec, "docker-like");
	ph_spec_free(spec);
	logged = log_take();
	CHECK_STR(logged, "");
	free(logged);
	log_capture_end();

	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\"}]}",
		     "config.json: linux.seccomp.syscalls[0].names[0]: empty syscall name");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":"
		     "\"SCMP_ACT_ERRNO\"}]}",
		     "config.json: linux.seccomp.syscalls[0]: no names");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":\"bpf\","
		     "\"action\":\"SCMP_ACT_ERRNO\"}]}",
		     "config.json: linux.seccomp.syscalls[0].names: expected an array, got string");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bpf\",1],"
		     "\"action\":\"SCMP_ACT_ERRNO\"}]}",
		     "config.json: linux.seccomp.syscalls[0].names[1]: expected a string, got "
		     "number");
	expect_error(
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bp\\u0000f\"],"
	    "\"action\":\"SCMP_ACT_ERRNO\"}]}",
	    "config.json: linux.seccomp.syscalls[0].names[0]: string contains a NUL "
	    "character");
}

static void arguments(void)
{
	const char *head = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
			   "[\"clone\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[";
	char doc[512];
#define ARGS(...) (snprintf(doc, sizeof(doc), "%s%s]}]}", head, __VA_ARGS__), doc)
	expect_valid(ARGS("{\"index\":0,\"value\":268435456,\"valueTwo\":268435456,"
			  "\"op\":\"SCMP_CMP_MASKED_EQ\"}"));
	expect_valid(ARGS("{\"index\":5,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_GE\"},"
			  "{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_NE\"}"));
	expect_error(ARGS("{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_FOO\"}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator "
		     "`SCMP_CMP_FOO` (known: SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, "
		     "SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)");
	expect_error(ARGS("{\"index\":0,\"value\":1,\"op\":\"==\"}"), "unknown operator `==`");
	expect_error(ARGS("{\"index\":0,\"value\":1}"),
		     "config.json: linux.seccomp.syscalls[0].args[0]: no op");
	/* libseccomp refuses argument 6 */
	expect_error_judged(ARGS("{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
				 "{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}"),
			    "config.json: linux.seccomp.syscalls[0].args[1].index: argument 6 does "
			    "not exist: a syscall has arguments 0..5",
			    true);
	expect_error(ARGS("{\"index\":-1,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].index: expected an integer in "
		     "0..5, got -1");
	expect_error(ARGS("{\"value\":1,\"op\":\"SCMP_CMP_EQ\"}"),
		     "config.json: linux.seccomp.syscalls[0].args[0]: no index");
	expect_error(ARGS("{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].value: expected an integer in "
		     "0..18446744073709551615, got -1");
	expect_error(ARGS("{\"index\":0,\"value\":18446744073709551616,\"op\":\"SCMP_CMP_EQ\"}"),
		     "args[0].value: expected an integer in 0..18446744073709551615, got "
		     "18446744073709551616");
	expect_error(
	    ARGS("{\"index\":0,\"value\":1,\"valueTwo\":\"2\",\"op\":\"SCMP_CMP_MASKED_EQ\"}"),
	    "config.json: linux.seccomp.syscalls[0].args[0].valueTwo: expected an integer "
	    "in 0..18446744073709551615, got string");
	expect_error(ARGS("7"),
		     "config.json: linux.seccomp.syscalls[0].args[0]: expected an object, got "
		     "number");
#undef ARGS
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bpf\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":{}}]}",
		     "config.json: linux.seccomp.syscalls[0].args: expected an array, got object");
}

/* The first problem is reported, in document order: a spec with several
 * gives the one a reader meets first. */
static void first_problem(void)
{
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_FOO\"],"
		     "\"syscalls\":[{\"names\":[\"foo\"],\"action\":\"SCMP_ACT_BAR\"}]}",
		     "architectures[0]: unknown architecture `SCMP_ARCH_FOO`");
	expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"foo\"],"
		     "\"action\":\"SCMP_ACT_BAR\"}]}",
		     "syscalls[0].action: unknown action `SCMP_ACT_BAR`");
}

int main(void)
{
	corpus = open_corpus();
	force_api(6);
	ph_seccomp_version(version, sizeof(version));
	CHECK(strncmp(version, "libseccomp ", 11) == 0);
	real_profiles();
	actions();
	errno_values();
	architectures_and_flags();
	syscall_names();
	arguments();
	first_problem();
	close(corpus);
	T_DONE();
}
