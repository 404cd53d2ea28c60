/* phoenix: the default seccomp filter (see seccomp_default.h). */
#include "seccomp_default.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>

#include "seccomp_support.h"

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Every entry is a decision: the reason is what the README shows. */
const struct ph_seccomp_deny ph_seccomp_default_rules[] = {
    {NAMES("init_module", "finit_module", "delete_module"), EPERM, PH_DENY_ALWAYS,
     "loads or removes code in the kernel, which the host and every container share"},
    {NAMES("kexec_load", "kexec_file_load"), EPERM, PH_DENY_ALWAYS, "replaces the running kernel"},
    {NAMES("bpf"), EPERM, PH_DENY_ALWAYS,
     "loads eBPF programs into the kernel, where they can read kernel memory and watch "
     "other processes"},
    {NAMES("perf_event_open"), EPERM, PH_DENY_ALWAYS,
     "observes the kernel and other processes through performance events; a frequent "
     "source of kernel bugs"},
    {NAMES("unshare"), EPERM, PH_DENY_NEWUSER,
     "only with CLONE_NEWUSER: a new user namespace grants every capability inside it and "
     "opens kernel interfaces otherwise reserved to the host's root"},
    {NAMES("clone"), EPERM, PH_DENY_CLONE_NEWUSER,
     "only with CLONE_NEWUSER, for the same reason as unshare"},
    {NAMES("clone3"), ENOSYS, PH_DENY_ALWAYS,
     "passes its flags in memory, where seccomp cannot see CLONE_NEWUSER; ENOSYS makes the "
     "C library fall back to clone, whose flags are checked"},
    {NAMES("add_key", "request_key", "keyctl"), EPERM, PH_DENY_ALWAYS,
     "the kernel keyrings are not separated per container: keys of the host and of other "
     "containers could be reached"},
    {NAMES("ptrace"), EPERM, PH_DENY_ALWAYS,
     "reads and changes the memory and registers of other processes"},
    {NAMES("mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick",
	   "move_mount", "open_tree", "mount_setattr"),
     EPERM, PH_DENY_ALWAYS,
     "changes the container's mounts: could expose host file systems or undo the read-only "
     "and masked paths the runtime set up"},
    {NAMES("swapon", "swapoff"), EPERM, PH_DENY_ALWAYS, "changes the host's swap"},
    {NAMES("reboot"), EPERM, PH_DENY_ALWAYS,
     "restarts or halts the machine, or ends the container's PID namespace"},
    {NAMES("acct"), EPERM, PH_DENY_ALWAYS, "switches process accounting, a host-wide setting"},
    {NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"), EPERM, PH_DENY_ALWAYS,
     "sets the system clock, which the host and every container share"},
    {NAMES("open_by_handle_at"), EPERM, PH_DENY_ALWAYS,
     "opens files by handle, around the container's mount namespace: the way out of the "
     "container in the \"shocker\" exploit"},
    {NAMES("userfaultfd"), EPERM, PH_DENY_ALWAYS,
     "lets a process stall the kernel in the middle of copying user memory, a common aid in "
     "exploiting kernel races"},
    {NAMES("lookup_dcookie"), EPERM, PH_DENY_ALWAYS,
     "a kernel profiling interface that returns host paths"},
    {NAMES("quotactl", "quotactl_fd"), EPERM, PH_DENY_ALWAYS,
     "manages the disk quotas of host file systems"},
    {NAMES("nfsservctl"), EPERM, PH_DENY_ALWAYS,
     "controls the kernel's NFS server (gone since Linux 3.1)"},
    {NAMES("iopl", "ioperm"), EPERM, PH_DENY_ALWAYS,
     "gives direct access to the machine's I/O ports (x86)"},
    {NAMES("vm86", "vm86old"), EPERM, PH_DENY_ALWAYS,
     "virtual 8086 mode, a legacy interface of 32-bit x86 with a history of kernel bugs"},
    {NULL, 0, PH_DENY_ALWAYS, NULL},
};

/* The architectures a native one also runs processes of. */
static const struct {
	const char *native;
	const char *other[2];
	unsigned clone_flags_arg;
} families[] = {
    {"SCMP_ARCH_X86_64", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"}, 0},
    {"SCMP_ARCH_AARCH64", {"SCMP_ARCH_ARM", NULL}, 0},
    /* s390 passes clone(2) the stack first and the flags second */
    {"SCMP_ARCH_S390X", {"SCMP_ARCH_S390", NULL}, 1},
    {"SCMP_ARCH_S390", {NULL, NULL}, 1},
};

struct arches {
	uint32_t token[3];
	const char *name[4]; /* NULL-terminated */
	size_t n;
	unsigned clone_flags_arg;
};

static void add_arch(struct arches *a, const char *name)
{
	uint32_t token = ph_seccomp_arch_token(name);
	if (token != 0 && a->n < sizeof(a->token) / sizeof(a->token[0])) {
		a->token[a->n] = token;
		a->name[a->n++] = name;
	}
}

static int filter_arches(struct arches *a, ph_error_t *err)
{
	memset(a, 0, sizeof(*a));
	const char *native = ph_seccomp_native_arch();
	if (native == NULL)
		return ph_error_make(err, ENOTSUP,
				     "seccomp: the runtime-spec has no name for this machine's "
				     "architecture");
	add_arch(a, native);
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		if (strcmp(families[f].native, native) != 0)
			continue;
		a->clone_flags_arg = families[f].clone_flags_arg;
		for (size_t i = 0; i < 2 && families[f].other[i]; i++)
			add_arch(a, families[f].other[i]);
	}
	return 0;
}

/* Does the syscall have a number on one of the architectures? */
static bool exists(const struct arches *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (seccomp_syscall_resolve_name_arch(a->token[i], name) >= 0)
			return true;
	return false;
}

static int set_new(struct ph_json *obj, const char *key, struct ph_json *value, ph_error_t *err)
{
	return value == NULL ? -1 : ph_json_object_set(obj, key, value, err);
}

/* [{"index": i, "value": CLONE_NEWUSER, "valueTwo": CLONE_NEWUSER,
 *   "op": "SCMP_CMP_MASKED_EQ"}]: (flags & CLONE_NEWUSER) == CLONE_NEWUSER */
static struct ph_json *newuser_args(unsigned index, ph_error_t *err)
{
	struct ph_json *args = ph_json_new_array(err);
	if (args == NULL)
		return NULL;
	struct ph_json *arg = ph_json_new_object(err);
	if (arg == NULL || ph_json_array_append(args, arg, err) < 0 ||
	    set_new(arg, "index", ph_json_new_int(index, err), err) < 0 ||
	    set_new(arg, "value", ph_json_new_int(CLONE_NEWUSER, err), err) < 0 ||
	    set_new(arg, "valueTwo", ph_json_new_int(CLONE_NEWUSER, err), err) < 0 ||
	    set_new(arg, "op", ph_json_new_string("SCMP_CMP_MASKED_EQ", err), err) < 0) {
		ph_json_free(args);
		return NULL;
	}
	return args;
}

static int add_rule(struct ph_json *syscalls, const struct ph_seccomp_deny *d,
		    const struct arches *a, ph_error_t *err)
{
	struct ph_json *rule = ph_json_new_object(err);
	if (rule == NULL)
		return -1;
	struct ph_json *names = ph_json_new_array(err);
	if (set_new(rule, "names", names, err) < 0)
		goto fail;
	for (size_t i = 0; d->names[i]; i++)
		if (exists(a, d->names[i]) &&
		    ph_json_array_append_string(names, d->names[i], err) < 0)
			goto fail;
	if (names->u.array.count == 0) {
		ph_json_free(rule);
		return 0;
	}
	if (set_new(rule, "action", ph_json_new_string("SCMP_ACT_ERRNO", err), err) < 0 ||
	    set_new(rule, "errnoRet", ph_json_new_int(d->errno_ret, err), err) < 0)
		goto fail;
	if (d->when != PH_DENY_ALWAYS) {
		unsigned index = d->when == PH_DENY_CLONE_NEWUSER ? a->clone_flags_arg : 0;
		if (set_new(rule, "args", newuser_args(index, err), err) < 0)
			goto fail;
	}
	return ph_json_array_append(syscalls, rule, err);
fail:
	ph_json_free(rule);
	return -1;
}

int ph_seccomp_default_build(struct ph_json **filter, ph_error_t *err)
{
	struct arches a;
	*filter = NULL;
	if (filter_arches(&a, err) < 0)
		return -1;
	struct ph_json *f = ph_json_new_object(err);
	if (f == NULL)
		return -1;
	struct ph_json *syscalls = NULL;
	if (set_new(f, "defaultAction", ph_json_new_string("SCMP_ACT_ALLOW", err), err) < 0 ||
	    set_new(f, "architectures", ph_json_new_strv(a.name, err), err) < 0 ||
	    set_new(f, "syscalls", (syscalls = ph_json_new_array(err)), err) < 0)
		goto fail;
	for (const struct ph_seccomp_deny *d = ph_seccomp_default_rules; d->names; d++)
		if (add_rule(syscalls, d, &a, err) < 0)
			goto fail;
	*filter = f;
	return 0;
fail:
	ph_json_free(f);
	return -1;
}

int ph_seccomp_insert_default(struct ph_spec *spec, bool *inserted, ph_error_t *err)
{
	struct ph_json *seccomp = NULL, *filter = NULL;
	*inserted = false;
	if (spec->is_process)
		return ph_error_make(err, EINVAL, "%s: a process document has no seccomp section",
				     spec->origin);
	if (ph_spec_get_seccomp(spec, &seccomp, err) < 0)
		return -1;
	if (seccomp != NULL)
		return 0;
	if (ph_seccomp_default_build(&filter, err) < 0 ||
	    ph_json_set(spec->root, "linux.seccomp", filter, err) < 0)
		return ph_error_wrap(err, "%s: default seccomp filter", spec->origin);
	*inserted = true;
	return 0;
}

void ph_seccomp_default_describe(FILE *out)
{
	fprintf(out, "| Syscalls | Errno | Reason |\n|---|---|---|\n");
	for (const struct ph_seccomp_deny *d = ph_seccomp_default_rules; d->names; d++) {
		fputs("| ", out);
		for (size_t i = 0; d->names[i]; i++)
			fprintf(out, "%s`%s`", i ? ", " : "", d->names[i]);
		const char *name = strerrorname_np(d->errno_ret);
		fprintf(out, " | %s (%d) | %s |\n", name ? name : "errno", d->errno_ret, d->reason);
	}
}
