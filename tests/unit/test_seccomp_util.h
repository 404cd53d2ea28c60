/* What the seccomp unit tests share: a spec from a seccomp section, the
 * --log output, and an independent judge of a seccomp section: the
 * libseccomp calls a runtime makes with it (runc's order: default action,
 * architectures, then one rule per name). */
#ifndef PHOENIX_TEST_SECCOMP_UTIL_H
#define PHOENIX_TEST_SECCOMP_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp_support.h"
#include "spec.h"
#include "test_log_util.h"

/* A config.json holding `seccomp` (JSON text) as linux.seccomp. */
static inline struct ph_spec *spec_with_seccomp(const char *seccomp)
{
	char *text = NULL;
	struct ph_spec *spec = NULL;
	ph_error_t err = NULL;
	if (asprintf(&text, "{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":%s}}", seccomp) < 0)
		abort();
	if (ph_spec_parse(text, strlen(text), "config.json", false, &spec, &err) < 0) {
		fprintf(stderr, "test document does not parse: %s\n%s\n", err->msg, text);
		abort();
	}
	free(text);
	return spec;
}

/* ---- a runtime's view: the section loaded into libseccomp --------------------- */

static inline const struct ph_json *sc_member(const struct ph_json *obj, const char *key)
{
	const struct ph_json *v = ph_json_object_get(obj, key);
	return v != NULL && v->type != PH_JSON_NULL ? v : NULL;
}

static inline uint64_t sc_uint(const struct ph_json *node, uint64_t fallback)
{
	return node != NULL ? strtoull(node->u.number.text, NULL, 10) : fallback;
}

/* An action as libseccomp takes it; the errno defaults to EPERM, as in
 * the runtime-spec. */
static inline int sc_action(const char *name, const struct ph_json *ret, uint32_t *act)
{
	uint32_t e = (uint32_t)sc_uint(ret, EPERM);
	if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*act = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*act = SCMP_ACT_ERRNO(e);
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*act = SCMP_ACT_TRACE(e);
	else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*act = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*act = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*act = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*act = SCMP_ACT_LOG;
	else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		*act = SCMP_ACT_NOTIFY;
	else
		return -1;
	return 0;
}

static inline int sc_op(const char *name, enum scmp_compare *op)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0) {
			*op = ops[i].op;
			return 0;
		}
	return -1;
}

static inline int sc_add_rule(scmp_filter_ctx ctx, uint32_t def, const struct ph_json *rule)
{
	uint32_t act;
	if (sc_action(sc_member(rule, "action")->u.string.ptr, sc_member(rule, "errnoRet"), &act) <
	    0)
		return -EINVAL;
	if (act == def)
		return 0; /* runc skips what the default does anyway */
	struct scmp_arg_cmp cmps[6];
	unsigned n = 0;
	const struct ph_json *args = sc_member(rule, "args");
	for (size_t k = 0; args != NULL && k < args->u.array.count && n < 6; k++, n++) {
		const struct ph_json *arg = args->u.array.items[k];
		enum scmp_compare op;
		if (sc_op(sc_member(arg, "op")->u.string.ptr, &op) < 0)
			return -EINVAL;
		cmps[n] =
		    (struct scmp_arg_cmp){.arg = (unsigned)sc_uint(sc_member(arg, "index"), 0),
					  .op = op,
					  .datum_a = sc_uint(sc_member(arg, "value"), 0),
					  .datum_b = sc_uint(sc_member(arg, "valueTwo"), 0)};
	}
	const struct ph_json *names = sc_member(rule, "names");
	for (size_t j = 0; j < names->u.array.count; j++) {
		int nr = seccomp_syscall_resolve_name(names->u.array.items[j]->u.string.ptr);
		if (nr == __NR_SCMP_ERROR)
			continue; /* runc skips names it cannot resolve */
		int rc = seccomp_rule_add_array(ctx, act, nr, n, cmps);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Build the filter of a linux.seccomp section (0, or libseccomp's
 * negative errno). */
static inline int sc_build(const struct ph_json *seccomp, scmp_filter_ctx *out)
{
	uint32_t def;
	*out = NULL;
	if (sc_action(sc_member(seccomp, "defaultAction")->u.string.ptr,
		      sc_member(seccomp, "defaultErrnoRet"), &def) < 0)
		return -EINVAL;
	scmp_filter_ctx ctx = seccomp_init(def);
	if (ctx == NULL)
		return -EINVAL;
	int rc = 0;
	const struct ph_json *archs = sc_member(seccomp, "architectures");
	for (size_t i = 0; archs != NULL && i < archs->u.array.count && rc == 0; i++) {
		rc = seccomp_arch_add(ctx,
				      ph_seccomp_arch_token(archs->u.array.items[i]->u.string.ptr));
		if (rc == -EEXIST)
			rc = 0;
	}
	const struct ph_json *rules = sc_member(seccomp, "syscalls");
	for (size_t i = 0; rules != NULL && i < rules->u.array.count && rc == 0; i++)
		rc = sc_add_rule(ctx, def, rules->u.array.items[i]);
	if (rc < 0) {
		seccomp_release(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

/* Build and export the filter as BPF: does libseccomp accept it? */
static inline int sc_compiles(const struct ph_json *seccomp)
{
	scmp_filter_ctx ctx;
	int rc = sc_build(seccomp, &ctx);
	if (rc < 0)
		return rc;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return rc;
}

#endif
