/* phoenix: the member names of a runtime-spec document, read as both
 * runtimes read them (see spec_internal.h).
 *
 * runc decodes config.json (and the file of `exec --process`) with Go's
 * encoding/json: a key that is not exactly a field's name still sets the
 * field when it equals it without regard to case, and when several keys
 * name one field the last one wins.  crun's parser (libocispec) matches
 * keys exactly and ignores the others.  So `"Capabilities"` inside
 * `process`, or a second `"ApparmorProfile"` after `"apparmorProfile"`,
 * would mean one thing to runc, another to crun and nothing to phoenix,
 * which reads exact names.  phoenix refuses such a document: then every
 * key of a spec object either is a field, for all three, or is nothing.
 *
 * The names are those of opencontainers/runtime-spec specs-go/config.go
 * (up to v1.3: execCPUAffinity, netDevices, memoryPolicy,
 * intelRdt.enableMonitoring), taken as json tags.  Objects that Go
 * decodes into a map (annotations, linux.sysctl, linux.resources.unified,
 * the keys of linux.resources.rdma, linux.timeOffsets, linux.netDevices)
 * match their keys exactly in both runtimes and are not checked; the
 * values of the last three are structs again and are. */
#include "spec.h"
#include "spec_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- folding ---------------------------------------------------------------
 *
 * Go's encoding/json (fold.go) compares a key with a field name after
 * folding both:
 *   - Go >= 1.21: foldName() upper-cases ASCII and maps every other rune
 *     to the smallest rune of its unicode.SimpleFold orbit;
 *   - Go < 1.21: foldFunc() picks bytes.EqualFold, or equalFoldRight
 *     for names with k or s, which accept U+212A KELVIN SIGN for k and
 *     U+017F LATIN SMALL LETTER LONG S for s.
 * The only non-ASCII runes whose orbit holds an ASCII letter are those
 * two.  Field names are ASCII, so folding a key to a field name comes
 * down to ASCII case plus that short table.  U+0130 and U+0131 (dotted
 * capital and dotless small i) do not fold to `i` in Go, but a
 * ToUpper(ToLower(r)) folding would make them I; they are listed too, as
 * refusing a key no engine writes costs nothing. */
static const struct {
	const char *utf8;
	char letter; /* the upper-case ASCII letter it folds to */
} fold_runes[] = {
    {"\xc5\xbf", 'S'},	   /* U+017F LATIN SMALL LETTER LONG S */
    {"\xe2\x84\xaa", 'K'}, /* U+212A KELVIN SIGN */
    {"\xc4\xb0", 'I'},	   /* U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE */
    {"\xc4\xb1", 'I'},	   /* U+0131 LATIN SMALL LETTER DOTLESS I */
};

static int ascii_upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* The folded character at key[*i] (an upper-case ASCII letter, or the
 * byte itself), advancing *i past it; -1 for a byte of any other
 * non-ASCII character, which cannot match an ASCII name. */
static int fold_next(const char *key, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)key[*i];
	if (c < 0x80) {
		(*i)++;
		return ascii_upper(c);
	}
	for (size_t r = 0; r < sizeof(fold_runes) / sizeof(fold_runes[0]); r++) {
		size_t n = strlen(fold_runes[r].utf8);
		if (len - *i >= n && memcmp(key + *i, fold_runes[r].utf8, n) == 0) {
			*i += n;
			return fold_runes[r].letter;
		}
	}
	(*i)++;
	return -1;
}

bool ph_spec_key_folds_to(const char *key, size_t len, const char *name)
{
	size_t i = 0;
	for (const char *p = name; *p != '\0'; p++) {
		if (i == len || fold_next(key, len, &i) != ascii_upper((unsigned char)*p))
			return false;
	}
	return i == len;
}

/* ---- the spec's objects --------------------------------------------------- */

enum shape {
	SCALAR,	    /* a value phoenix does not look into: string, number,
		     * array of strings, or a map matched exactly */
	STRUCT,	    /* an object with the fields of `type` */
	STRUCTS,    /* an array of such objects */
	STRUCT_MAP, /* an object whose keys are free, each value such an object */
};

struct field {
	const char *name;
	enum shape shape;
	const struct field *type; /* NULL-terminated, for the STRUCT shapes */
};

/* clang-format off */
#define F(n)       {n, SCALAR, NULL}
#define OBJ(n, t)  {n, STRUCT, t}
#define LIST(n, t) {n, STRUCTS, t}
#define MAP(n, t)  {n, STRUCT_MAP, t}
#define END        {NULL, SCALAR, NULL}
/* clang-format on */

static const struct field id_mapping[] = {F("containerID"), F("hostID"), F("size"), END};

/* process */
static const struct field box[] = {F("height"), F("width"), END};
static const struct field user[] = {F("uid"),	   F("gid"), F("umask"), F("additionalGids"),
				    F("username"), END};
static const struct field capabilities[] = {F("bounding"),  F("effective"), F("inheritable"),
					    F("permitted"), F("ambient"),   END};
static const struct field rlimit[] = {F("type"), F("hard"), F("soft"), END};
static const struct field scheduler[] = {F("policy"),  F("nice"),     F("priority"), F("flags"),
					 F("runtime"), F("deadline"), F("period"),   END};
static const struct field io_priority[] = {F("class"), F("priority"), END};
static const struct field cpu_affinity[] = {F("initial"), F("final"), END};
static const struct field process[] = {
    F("terminal"),
    OBJ("consoleSize", box),
    OBJ("user", user),
    F("args"),
    F("commandLine"),
    F("env"),
    F("cwd"),
    OBJ("capabilities", capabilities),
    LIST("rlimits", rlimit),
    F("noNewPrivileges"),
    F("apparmorProfile"),
    F("oomScoreAdj"),
    OBJ("scheduler", scheduler),
    F("selinuxLabel"),
    OBJ("ioPriority", io_priority),
    OBJ("execCPUAffinity", cpu_affinity),
    END,
};

/* root, mounts, hooks */
static const struct field root_fs[] = {F("path"), F("readonly"), END};
static const struct field mount[] = {
    F("destination"),
    F("type"),
    F("source"),
    F("options"),
    LIST("uidMappings", id_mapping),
    LIST("gidMappings", id_mapping),
    END,
};
static const struct field hook[] = {F("path"), F("args"), F("env"), F("timeout"), END};
static const struct field hooks[] = {
    LIST("prestart", hook),
    LIST("createRuntime", hook),
    LIST("createContainer", hook),
    LIST("startContainer", hook),
    LIST("poststart", hook),
    LIST("poststop", hook),
    END,
};

/* linux.resources */
static const struct field device_cgroup[] = {F("allow"), F("type"),   F("major"),
					     F("minor"), F("access"), END};
static const struct field memory[] = {
    F("limit"),
    F("reservation"),
    F("swap"),
    F("kernel"),
    F("kernelTCP"),
    F("swappiness"),
    F("disableOOMKiller"),
    F("useHierarchy"),
    F("checkBeforeUpdate"),
    END,
};
static const struct field cpu[] = {
    F("shares"),	 F("quota"), F("burst"), F("period"), F("realtimeRuntime"),
    F("realtimePeriod"), F("cpus"),  F("mems"),	 F("idle"),   END,
};
static const struct field pids[] = {F("limit"), END};
static const struct field weight_device[] = {F("major"), F("minor"), F("weight"), F("leafWeight"),
					     END};
static const struct field throttle_device[] = {F("major"), F("minor"), F("rate"), END};
static const struct field block_io[] = {
    F("weight"),
    F("leafWeight"),
    LIST("weightDevice", weight_device),
    LIST("throttleReadBpsDevice", throttle_device),
    LIST("throttleWriteBpsDevice", throttle_device),
    LIST("throttleReadIOPSDevice", throttle_device),
    LIST("throttleWriteIOPSDevice", throttle_device),
    END,
};
static const struct field hugepage_limit[] = {F("pageSize"), F("limit"), END};
static const struct field interface_priority[] = {F("name"), F("priority"), END};
static const struct field network[] = {F("classID"), LIST("priorities", interface_priority), END};
static const struct field rdma[] = {F("hcaHandles"), F("hcaObjects"), END};
static const struct field resources[] = {
    LIST("devices", device_cgroup),
    OBJ("memory", memory),
    OBJ("cpu", cpu),
    OBJ("pids", pids),
    OBJ("blockIO", block_io),
    LIST("hugepageLimits", hugepage_limit),
    OBJ("network", network),
    MAP("rdma", rdma),
    F("unified"),
    END,
};

/* linux */
static const struct field linux_namespace[] = {F("type"), F("path"), END};
static const struct field device[] = {F("path"),     F("type"), F("major"), F("minor"),
				      F("fileMode"), F("uid"),	F("gid"),   END};
static const struct field seccomp_arg[] = {F("index"), F("value"), F("valueTwo"), F("op"), END};
static const struct field seccomp_syscall[] = {F("names"), F("action"), F("errnoRet"),
					       LIST("args", seccomp_arg), END};
static const struct field seccomp[] = {
    F("defaultAction"),
    F("defaultErrnoRet"),
    F("architectures"),
    F("flags"),
    F("listenerPath"),
    F("listenerMetadata"),
    LIST("syscalls", seccomp_syscall),
    END,
};
static const struct field intel_rdt[] = {
    F("closID"),    F("schemata"),  F("l3CacheSchema"),	   F("memBwSchema"),
    F("enableCMT"), F("enableMBM"), F("enableMonitoring"), END,
};
static const struct field personality[] = {F("domain"), F("flags"), END};
static const struct field time_offset[] = {F("secs"), F("nanosecs"), END};
static const struct field net_device[] = {F("name"), END};
static const struct field memory_policy[] = {F("mode"), F("nodes"), F("flags"), END};
static const struct field linux_[] = {
    LIST("uidMappings", id_mapping),
    LIST("gidMappings", id_mapping),
    F("sysctl"),
    OBJ("resources", resources),
    F("cgroupsPath"),
    LIST("namespaces", linux_namespace),
    LIST("devices", device),
    OBJ("seccomp", seccomp),
    F("rootfsPropagation"),
    F("maskedPaths"),
    F("readonlyPaths"),
    F("mountLabel"),
    OBJ("intelRdt", intel_rdt),
    OBJ("personality", personality),
    MAP("timeOffsets", time_offset),
    MAP("netDevices", net_device),
    OBJ("memoryPolicy", memory_policy),
    END,
};

/* the other platforms: runc decodes them too */
static const struct field solaris_anet[] = {
    F("linkname"),  F("lowerLink"),	 F("allowedAddress"), F("configureAllowedAddress"),
    F("defrouter"), F("linkProtection"), F("macAddress"),     END,
};
static const struct field solaris_cpu[] = {F("ncpus"), END};
static const struct field solaris_memory[] = {F("physical"), F("swap"), END};
static const struct field solaris[] = {
    F("milestone"),
    F("limitpriv"),
    F("maxShmMemory"),
    LIST("anet", solaris_anet),
    OBJ("cappedCPU", solaris_cpu),
    OBJ("cappedMemory", solaris_memory),
    END,
};
static const struct field windows_device[] = {F("id"), F("idType"), END};
static const struct field windows_memory[] = {F("limit"), END};
static const struct field windows_cpu[] = {F("count"), F("shares"), F("maximum"), END};
static const struct field windows_storage[] = {F("iops"), F("bps"), F("sandboxSize"), END};
static const struct field windows_resources[] = {
    OBJ("memory", windows_memory), OBJ("cpu", windows_cpu), OBJ("storage", windows_storage), END};
static const struct field windows_hyperv[] = {F("utilityVMPath"), END};
static const struct field windows_network[] = {
    F("endpointList"),	   F("allowUnqualifiedDNSQuery"),
    F("DNSSearchList"),	   F("networkSharedContainerName"),
    F("networkNamespace"), END,
};
static const struct field windows[] = {
    F("layerFolders"),
    LIST("devices", windows_device),
    OBJ("resources", windows_resources),
    F("credentialSpec"),
    F("servicing"),
    F("ignoreFlushesDuringBoot"),
    OBJ("hyperv", windows_hyperv),
    OBJ("network", windows_network),
    END,
};
static const struct field vm_hypervisor[] = {F("path"), F("parameters"), END};
static const struct field vm_kernel[] = {F("path"), F("parameters"), F("initrd"), END};
static const struct field vm_image[] = {F("path"), F("format"), END};
static const struct field vm[] = {OBJ("hypervisor", vm_hypervisor), OBJ("kernel", vm_kernel),
				  OBJ("image", vm_image), END};
static const struct field zos[] = {LIST("devices", device), END};

static const struct field config_doc[] = {
    F("ociVersion"),
    OBJ("process", process),
    OBJ("root", root_fs),
    F("hostname"),
    F("domainname"),
    LIST("mounts", mount),
    OBJ("hooks", hooks),
    F("annotations"),
    OBJ("linux", linux_),
    OBJ("solaris", solaris),
    OBJ("windows", windows),
    OBJ("vm", vm),
    OBJ("zos", zos),
    F("freebsd"),
    END,
};

/* ---- checking ---------------------------------------------------------------- */

/* The path to the object being checked, innermost last: a chain on the
 * stack, put into words only for a message. */
struct path {
	const struct path *up;
	const char *key; /* a member, or NULL for an array element */
	size_t key_len;
	size_t index;
};

/* Bytes of a key chosen by the document (a map key on the path) that
 * would garble a message or a terminal are shown as \xNN. */
static void write_component(FILE *f, const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void write_path(FILE *f, const struct path *p)
{
	if (p == NULL)
		return;
	write_path(f, p->up);
	if (p->key == NULL) {
		fprintf(f, "[%zu]", p->index);
		return;
	}
	if (ftell(f) > 0)
		fputc('.', f);
	write_component(f, p->key, p->key_len);
}

/* The refusal.  The key itself folds to an ASCII name, so it holds
 * ASCII letters and digits and the runes of fold_runes only: it is shown
 * as written. */
static int refuse(const char *origin, const struct path *parent, const struct ph_json_member *m,
		  const char *name, ph_error_t *err)
{
	cleanup_free char *where = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&where, &size);
	if (f == NULL)
		return ph_error_make(err, ENOMEM, "%s", origin);
	write_path(f, parent);
	if (ftell(f) > 0)
		fputc('.', f);
	if (fclose(f) != 0)
		return ph_error_make(err, ENOMEM, "%s", origin);
	return ph_error_make(err, 0,
			     "%s: %s%.*s: key \"%.*s\" is the field \"%s\" for runc (Go matches "
			     "keys to fields without regard to case) but not for crun: spell it "
			     "\"%s\"",
			     origin, where, (int)m->key_len, m->key, (int)m->key_len, m->key, name,
			     name);
}

static const struct field *exact_field(const struct field *fields, const char *key, size_t len)
{
	for (const struct field *f = fields; f->name != NULL; f++)
		if (strlen(f->name) == len && memcmp(f->name, key, len) == 0)
			return f;
	return NULL;
}

static const struct field *folded_field(const struct field *fields, const char *key, size_t len)
{
	for (const struct field *f = fields; f->name != NULL; f++)
		if (ph_spec_key_folds_to(key, len, f->name))
			return f;
	return NULL;
}

static int check_object(const char *origin, const struct ph_json *obj, const struct field *fields,
			const struct path *at, ph_error_t *err);

/* The value of a field of shape STRUCT, STRUCTS or STRUCT_MAP.  Values
 * of another JSON type are left to the runtime, which refuses them. */
static int check_value(const char *origin, const struct ph_json *value, const struct field *f,
		       const struct path *at, ph_error_t *err)
{
	if (f->shape == STRUCT && value->type == PH_JSON_OBJECT)
		return check_object(origin, value, f->type, at, err);
	if (f->shape == STRUCTS && value->type == PH_JSON_ARRAY) {
		for (size_t i = 0; i < value->u.array.count; i++) {
			const struct ph_json *item = value->u.array.items[i];
			struct path elem = {.up = at, .index = i};
			if (item->type == PH_JSON_OBJECT &&
			    check_object(origin, item, f->type, &elem, err) < 0)
				return -1;
		}
	}
	if (f->shape == STRUCT_MAP && value->type == PH_JSON_OBJECT) {
		for (size_t i = 0; i < value->u.object.count; i++) {
			const struct ph_json_member *m = &value->u.object.members[i];
			struct path entry = {.up = at, .key = m->key, .key_len = m->key_len};
			if (m->value->type == PH_JSON_OBJECT &&
			    check_object(origin, m->value, f->type, &entry, err) < 0)
				return -1;
		}
	}
	return 0;
}

static int check_object(const char *origin, const struct ph_json *obj, const struct field *fields,
			const struct path *at, ph_error_t *err)
{
	for (size_t i = 0; i < obj->u.object.count; i++) {
		const struct ph_json_member *m = &obj->u.object.members[i];
		const struct field *f = exact_field(fields, m->key, m->key_len);
		if (f == NULL) {
			f = folded_field(fields, m->key, m->key_len);
			if (f != NULL)
				return refuse(origin, at, m, f->name, err);
			continue; /* not a field: both runtimes ignore it */
		}
		struct path here = {.up = at, .key = m->key, .key_len = m->key_len};
		if (f->shape != SCALAR && check_value(origin, m->value, f, &here, err) < 0)
			return -1;
	}
	return 0;
}

int ph_spec_check_keys(const struct ph_json *root, bool is_process, const char *origin,
		       ph_error_t *err)
{
	if (root->type != PH_JSON_OBJECT)
		return 0;
	return check_object(origin, root, is_process ? process : config_doc, NULL, err);
}
