/* phoenix: linux.seccomp checked before the runtime sees it (see
 * seccomp_validate.h). */
#include "seccomp_validate.h"

#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "seccomp_support.h"

/* The kernel's MAX_ERRNO: libseccomp refuses SCMP_ACT_ERRNO(n) for n at
 * or above it, and runc then fails with "invalid argument". */
#define MAX_ERRNO 4095
/* SCMP_ACT_TRACE hands the tracer 16 bits (SECCOMP_RET_DATA). */
#define MAX_TRACE_DATA 0xffffu
/* Arguments of a syscall: 0..5. */
#define MAX_ARG_INDEX 5
#define MAX_ARCHES 32
/* room for "linux.seccomp.syscalls[N]", then ".args[K]", then ".valueTwo" */
#define RULE_PATH_LEN 64
#define ARG_PATH_LEN 96
#define PATH_LEN 160

struct check {
	const struct ph_spec *spec;
	unsigned api;
	char library[96]; /* "libseccomp 2.5.4, API level 6" */
	char version[48]; /* "libseccomp 2.5.4" */
	/* the native architecture first, then the listed ones, each once */
	uint32_t arches[MAX_ARCHES];
	const char *arch_names[MAX_ARCHES];
	size_t n_arches;
	bool notify; /* some rule uses SCMP_ACT_NOTIFY */
	size_t notify_rule;
};

static int fail(const struct check *c, ph_error_t *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(const struct check *c, ph_error_t *err, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ph_error_make(err, EINVAL, "%s: %s: %s", c->spec->origin, path, msg);
}

/* ---- JSON shapes ----------------------------------------------------------- */

/* Member `key`, or NULL when absent or null. */
static const struct ph_json *member(const struct ph_json *obj, const char *key)
{
	const struct ph_json *v = ph_json_object_get(obj, key);
	return v != NULL && v->type != PH_JSON_NULL ? v : NULL;
}

static const char *article(enum ph_json_type type)
{
	switch (type) {
	case PH_JSON_OBJECT:
		return "an object";
	case PH_JSON_ARRAY:
		return "an array";
	case PH_JSON_STRING:
		return "a string";
	default:
		return "a value";
	}
}

static int expect(const struct check *c, const struct ph_json *node, const char *path,
		  enum ph_json_type type, ph_error_t *err)
{
	if (node->type == type)
		return 0;
	return fail(c, err, path, "expected %s, got %s", article(type),
		    ph_json_type_name(node->type));
}

static int string_of(const struct check *c, const struct ph_json *node, const char *path,
		     const char **out, ph_error_t *err)
{
	if (expect(c, node, path, PH_JSON_STRING, err) < 0)
		return -1;
	if (strlen(node->u.string.ptr) != node->u.string.len)
		return fail(c, err, path, "string contains a NUL character");
	*out = node->u.string.ptr;
	return 0;
}

/* What a value that is not the wanted integer is, for messages. */
static const char *shown(const struct ph_json *node)
{
	return node->type == PH_JSON_NUMBER ? node->u.number.text : ph_json_type_name(node->type);
}

/* A JSON integer in 0..UINT64_MAX, written as plain digits (Go's
 * encoding/json, which reads the spec for runc, takes nothing else). */
static bool as_uint64(const struct ph_json *node, uint64_t *out)
{
	if (node->type != PH_JSON_NUMBER)
		return false;
	const char *text = node->u.number.text;
	if (text[0] == '\0' || text[strspn(text, "0123456789")] != '\0')
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

static int uint_in(const struct check *c, const struct ph_json *node, const char *path,
		   uint64_t max, uint64_t *out, ph_error_t *err)
{
	if (!as_uint64(node, out) || *out > max)
		return fail(c, err, path, "expected an integer in 0..%" PRIu64 ", got %s", max,
			    shown(node));
	return 0;
}

/* ---- names ---------------------------------------------------------------------- */

static int check_level(const struct check *c, const struct ph_seccomp_name *e, const char *path,
		       ph_error_t *err)
{
	if (e->min_api <= c->api)
		return 0;
	return fail(c, err, path, "%s needs libseccomp API level %u; this system has %s", e->name,
		    e->min_api, c->library);
}

static int check_known(const struct check *c, const struct ph_seccomp_name *table, const char *what,
		       const char *name, const char *path, ph_error_t *err)
{
	const struct ph_seccomp_name *e = ph_seccomp_find(table, name);
	if (e == NULL) {
		char known[512];
		ph_seccomp_list_names(table, known, sizeof(known));
		return fail(c, err, path, "unknown %s `%s` (known: %s)", what, name, known);
	}
	return check_level(c, e, path, err);
}

static int check_errno(const struct check *c, const struct ph_json *node, const char *path,
		       const char *action, ph_error_t *err)
{
	bool is_errno = strcmp(action, "SCMP_ACT_ERRNO") == 0;
	if (!is_errno && strcmp(action, "SCMP_ACT_TRACE") != 0)
		return fail(c, err, path,
			    "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return a value, and the "
			    "action is %s",
			    action);
	uint64_t max = is_errno ? MAX_ERRNO - 1 : MAX_TRACE_DATA;
	uint64_t v = 0;
	if (node->type == PH_JSON_NUMBER && node->u.number.text[0] == '-')
		return fail(c, err, path, "must not be negative, got %s", node->u.number.text);
	if (!as_uint64(node, &v))
		return fail(c, err, path, "expected an integer in 0..%" PRIu64 ", got %s", max,
			    shown(node));
	if (v > max)
		return fail(c, err, path, "%" PRIu64 " is out of range for %s: 0..%" PRIu64, v,
			    action, max);
	return 0;
}

/* ---- architectures and flags ------------------------------------------------------- */

static void add_arch(struct check *c, uint32_t token, const char *name)
{
	for (size_t i = 0; i < c->n_arches; i++)
		if (c->arches[i] == token)
			return;
	if (c->n_arches < MAX_ARCHES) {
		c->arches[c->n_arches] = token;
		c->arch_names[c->n_arches++] = name;
	}
}

static void known_arches(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; ph_seccomp_archs[i] && used < len; i++) {
		if (ph_seccomp_arch_token(ph_seccomp_archs[i]) == 0)
			continue;
		int n =
		    snprintf(buf + used, len - used, "%s%s", used ? ", " : "", ph_seccomp_archs[i]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* libseccomp builds one filter for architectures of one byte order only
 * (seccomp_arch_add fails with EDOM); ask it with a filter of our own. */
static int check_byte_order(const struct check *c, uint32_t token, const char *name,
			    const char *path, ph_error_t *err)
{
	scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
	if (filter == NULL)
		return ph_error_make(err, ENOMEM, "seccomp_init");
	int rc = seccomp_arch_add(filter, token);
	seccomp_release(filter);
	if (rc == -EDOM)
		return fail(c, err, path,
			    "architecture `%s` has another byte order than %s: one filter cannot "
			    "hold both",
			    name, c->arch_names[0]);
	return 0;
}

static int check_arches(struct check *c, const struct ph_json *seccomp, ph_error_t *err)
{
	const char *native = ph_seccomp_native_arch();
	add_arch(c, seccomp_arch_native(), native ? native : "the native architecture");
	const struct ph_json *arr = member(seccomp, "architectures");
	if (arr == NULL)
		return 0;
	if (expect(c, arr, "linux.seccomp.architectures", PH_JSON_ARRAY, err) < 0)
		return -1;
	for (size_t i = 0; i < arr->u.array.count; i++) {
		char path[PATH_LEN];
		const char *name = NULL;
		snprintf(path, sizeof(path), "linux.seccomp.architectures[%zu]", i);
		if (string_of(c, arr->u.array.items[i], path, &name, err) < 0)
			return -1;
		if (!ph_seccomp_arch_in_spec(name)) {
			char known[512];
			known_arches(known, sizeof(known));
			return fail(c, err, path, "unknown architecture `%s` (%s knows: %s)", name,
				    c->version, known);
		}
		uint32_t token = ph_seccomp_arch_token(name);
		if (token == 0)
			return fail(c, err, path, "architecture `%s` is not known to %s", name,
				    c->version);
		if (check_byte_order(c, token, name, path, err) < 0)
			return -1;
		add_arch(c, token, name);
	}
	return 0;
}

static int check_flags(const struct check *c, const struct ph_json *seccomp, ph_error_t *err)
{
	const struct ph_json *arr = member(seccomp, "flags");
	if (arr == NULL)
		return 0;
	if (expect(c, arr, "linux.seccomp.flags", PH_JSON_ARRAY, err) < 0)
		return -1;
	for (size_t i = 0; i < arr->u.array.count; i++) {
		char path[PATH_LEN];
		const char *name = NULL;
		snprintf(path, sizeof(path), "linux.seccomp.flags[%zu]", i);
		if (string_of(c, arr->u.array.items[i], path, &name, err) < 0 ||
		    check_known(c, ph_seccomp_flags, "flag", name, path, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- syscalls ------------------------------------------------------------------------ */

static int check_syscall_name(const struct check *c, const char *name, bool allow, const char *path,
			      ph_error_t *err)
{
	/* A negative number other than __NR_SCMP_ERROR is libseccomp's
	 * placeholder for a syscall it knows that this architecture lacks or
	 * multiplexes (send, recv on x86): known, just not native there. */
	for (size_t a = 0; a < c->n_arches; a++)
		if (seccomp_syscall_resolve_name_arch(c->arches[a], name) != __NR_SCMP_ERROR)
			return 0;
	char list[512];
	size_t used = 0;
	list[0] = '\0';
	for (size_t a = 0; a < c->n_arches && used < sizeof(list); a++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", a ? ", " : "",
				 c->arch_names[a]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (allow) {
		ph_warn("%s: %s: unknown syscall `%s` (not known on any of: %s; %s): the runtime "
			"skips it, so it keeps the default action",
			c->spec->origin, path, name, list, c->version);
		return 0;
	}
	return fail(c, err, path, "unknown syscall `%s` (not known on any of: %s; %s)", name, list,
		    c->version);
}

static int check_names(const struct check *c, const struct ph_json *rule, const char *rule_path,
		       const char *action, ph_error_t *err)
{
	char path[PATH_LEN];
	const struct ph_json *names = member(rule, "names");
	if (names == NULL)
		return fail(c, err, rule_path, "no names");
	snprintf(path, sizeof(path), "%s.names", rule_path);
	if (expect(c, names, path, PH_JSON_ARRAY, err) < 0)
		return -1;
	bool allow = strcmp(action, "SCMP_ACT_ALLOW") == 0;
	bool notify = strcmp(action, "SCMP_ACT_NOTIFY") == 0;
	for (size_t j = 0; j < names->u.array.count; j++) {
		const char *name = NULL;
		snprintf(path, sizeof(path), "%s.names[%zu]", rule_path, j);
		if (string_of(c, names->u.array.items[j], path, &name, err) < 0)
			return -1;
		if (*name == '\0')
			return fail(c, err, path, "empty syscall name");
		/* the runtime writes the notify fd to its parent after loading
		 * the filter: a notifying write(2) would wait for ever */
		if (notify && strcmp(name, "write") == 0)
			return fail(c, err, path, "SCMP_ACT_NOTIFY cannot be used for write");
		if (check_syscall_name(c, name, allow, path, err) < 0)
			return -1;
	}
	return 0;
}

static int check_arg(const struct check *c, const struct ph_json *arg, const char *arg_path,
		     ph_error_t *err)
{
	char path[PATH_LEN];
	uint64_t v = 0;
	if (expect(c, arg, arg_path, PH_JSON_OBJECT, err) < 0)
		return -1;
	const struct ph_json *index = member(arg, "index");
	if (index == NULL)
		return fail(c, err, arg_path, "no index");
	snprintf(path, sizeof(path), "%s.index", arg_path);
	if (as_uint64(index, &v) && v > MAX_ARG_INDEX)
		return fail(c, err, path,
			    "argument %" PRIu64 " does not exist: a syscall has "
			    "arguments 0..%d",
			    v, MAX_ARG_INDEX);
	if (uint_in(c, index, path, MAX_ARG_INDEX, &v, err) < 0)
		return -1;

	const struct ph_json *op = member(arg, "op");
	const char *op_name = NULL;
	if (op == NULL)
		return fail(c, err, arg_path, "no op");
	snprintf(path, sizeof(path), "%s.op", arg_path);
	if (string_of(c, op, path, &op_name, err) < 0 ||
	    check_known(c, ph_seccomp_operators, "operator", op_name, path, err) < 0)
		return -1;

	static const char *const values[] = {"value", "valueTwo"};
	for (size_t i = 0; i < 2; i++) {
		const struct ph_json *node = member(arg, values[i]);
		snprintf(path, sizeof(path), "%s.%s", arg_path, values[i]);
		if (node != NULL && uint_in(c, node, path, UINT64_MAX, &v, err) < 0)
			return -1;
	}
	return 0;
}

static int check_rule(struct check *c, const struct ph_json *rule, size_t i, ph_error_t *err)
{
	char rule_path[RULE_PATH_LEN], path[PATH_LEN];
	snprintf(rule_path, sizeof(rule_path), "linux.seccomp.syscalls[%zu]", i);
	if (expect(c, rule, rule_path, PH_JSON_OBJECT, err) < 0)
		return -1;

	const struct ph_json *node = member(rule, "action");
	const char *action = NULL;
	if (node == NULL)
		return fail(c, err, rule_path, "no action");
	snprintf(path, sizeof(path), "%s.action", rule_path);
	if (string_of(c, node, path, &action, err) < 0 ||
	    check_known(c, ph_seccomp_actions, "action", action, path, err) < 0)
		return -1;
	if (strcmp(action, "SCMP_ACT_NOTIFY") == 0 && !c->notify) {
		c->notify = true;
		c->notify_rule = i;
	}
	if ((node = member(rule, "errnoRet")) != NULL) {
		snprintf(path, sizeof(path), "%s.errnoRet", rule_path);
		if (check_errno(c, node, path, action, err) < 0)
			return -1;
	}
	if (check_names(c, rule, rule_path, action, err) < 0)
		return -1;

	const struct ph_json *args = member(rule, "args");
	if (args == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s.args", rule_path);
	if (expect(c, args, path, PH_JSON_ARRAY, err) < 0)
		return -1;
	for (size_t k = 0; k < args->u.array.count; k++) {
		char arg_path[ARG_PATH_LEN];
		snprintf(arg_path, sizeof(arg_path), "%s.args[%zu]", rule_path, k);
		if (check_arg(c, args->u.array.items[k], arg_path, err) < 0)
			return -1;
	}
	return 0;
}

static int check_syscalls(struct check *c, const struct ph_json *seccomp, ph_error_t *err)
{
	const struct ph_json *arr = member(seccomp, "syscalls");
	if (arr == NULL)
		return 0;
	if (expect(c, arr, "linux.seccomp.syscalls", PH_JSON_ARRAY, err) < 0)
		return -1;
	for (size_t i = 0; i < arr->u.array.count; i++)
		if (check_rule(c, arr->u.array.items[i], i, err) < 0)
			return -1;
	return 0;
}

/* ---- the section ------------------------------------------------------------------------- */

static int check_default(const struct check *c, const struct ph_json *seccomp, ph_error_t *err)
{
	const struct ph_json *node = member(seccomp, "defaultAction");
	const char *action = NULL;
	if (node == NULL)
		return fail(c, err, "linux.seccomp", "no defaultAction");
	if (string_of(c, node, "linux.seccomp.defaultAction", &action, err) < 0 ||
	    check_known(c, ph_seccomp_actions, "action", action, "linux.seccomp.defaultAction",
			err) < 0)
		return -1;
	/* as for write: the runtime's own syscalls after the filter is loaded
	 * would wait for an agent that has not been told of the filter yet */
	if (strcmp(action, "SCMP_ACT_NOTIFY") == 0)
		return fail(c, err, "linux.seccomp.defaultAction",
			    "SCMP_ACT_NOTIFY cannot be the default action");
	if ((node = member(seccomp, "defaultErrnoRet")) != NULL)
		return check_errno(c, node, "linux.seccomp.defaultErrnoRet", action, err);
	return 0;
}

static int check_listener(const struct check *c, const struct ph_json *seccomp, ph_error_t *err)
{
	const struct ph_json *node = member(seccomp, "listenerPath");
	const char *listener = "";
	if (node != NULL && string_of(c, node, "linux.seccomp.listenerPath", &listener, err) < 0)
		return -1;
	/* Go reads "" as unset */
	if (*listener != '\0' && !c->notify)
		return fail(c, err, "linux.seccomp.listenerPath",
			    "set, but no rule uses SCMP_ACT_NOTIFY");
	if (*listener == '\0' && c->notify) {
		char path[PATH_LEN];
		snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu].action", c->notify_rule);
		return fail(c, err, path,
			    "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath, the socket of the "
			    "agent that answers");
	}
	return 0;
}

int ph_seccomp_validate(const struct ph_spec *spec, ph_error_t *err)
{
	struct ph_json *seccomp = NULL;
	int r = ph_spec_get_seccomp(spec, &seccomp, err);
	if (r <= 0)
		return r;
	struct check c = {.spec = spec, .api = ph_seccomp_api()};
	ph_seccomp_describe_library(c.library, sizeof(c.library));
	ph_seccomp_version(c.version, sizeof(c.version));
	if (check_default(&c, seccomp, err) < 0 || check_arches(&c, seccomp, err) < 0 ||
	    check_flags(&c, seccomp, err) < 0 || check_syscalls(&c, seccomp, err) < 0 ||
	    check_listener(&c, seccomp, err) < 0)
		return -1;
	return 0;
}
