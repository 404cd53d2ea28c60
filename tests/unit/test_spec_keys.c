/* Keys that Go's encoding/json folds to a field of the runtime spec:
 * the folding itself, and the documents refused for it (config.json and
 * `exec --process` files), with the path and both spellings named. */
#include "spec.h"
#include "spec_internal.h"
#include "t.h"

#define FOLDS(key, name) ph_spec_key_folds_to(key, sizeof(key) - 1, name)

static void test_folding(void)
{
	/* ASCII case, anywhere in the name */
	CHECK(FOLDS("capabilities", "capabilities"));
	CHECK(FOLDS("Capabilities", "capabilities"));
	CHECK(FOLDS("CAPABILITIES", "capabilities"));
	CHECK(FOLDS("apparmorprofile", "apparmorProfile"));
	CHECK(FOLDS("L3cacheschema", "l3CacheSchema"));
	CHECK(FOLDS("dnssearchlist", "DNSSearchList"));
	/* U+017F LONG S and U+212A KELVIN SIGN: Go's fold.go, every version */
	CHECK(FOLDS("capabilitie\xc5\xbf", "capabilities"));
	CHECK(FOLDS("\xc5\xbf"
		    "eccomp",
		    "seccomp"));
	CHECK(FOLDS("\xe2\x84\xaa"
		    "ernel",
		    "kernel"));
	CHECK(FOLDS("\xe2\x84\xaa"
		    "ERNELtcp",
		    "kernelTCP"));
	/* U+0130 and U+0131, refused too (see spec_keys.c) */
	CHECK(FOLDS("apparmorProf\xc4\xb1le", "apparmorProfile"));
	CHECK(FOLDS("apparmorProf\xc4\xb0le", "apparmorProfile"));
	CHECK(FOLDS("\xc4\xb0"
		    "nheritable",
		    "inheritable"));
	/* what folds to nothing */
	CHECK(!FOLDS("capabilitie", "capabilities"));
	CHECK(!FOLDS("capabilitiess", "capabilities"));
	CHECK(!FOLDS("", "capabilities"));
	CHECK(!FOLDS("capabilitie\xc3\xa9", "capabilities")); /* é is not e */
	CHECK(!FOLDS("capabilitie\xc5", "capabilities"));     /* a cut sequence */
	CHECK(!FOLDS("\xe2\x84\xab"
		     "ernel",
		     "kernel"));			      /* U+212B ANGSTROM SIGN */
	CHECK(!FOLDS("apparmor_profile", "apparmorProfile")); /* v1 keeps delimiters */
	CHECK(!FOLDS("ſ", "ss"));
	CHECK(ph_spec_key_folds_to("args\0", 5, "args") == false); /* a NUL counts */
	CHECK(!FOLDS("\xc5\xbf", "k"));
	CHECK(!FOLDS("\xe2\x84\xaa", "s"));
}

/* Parsing `text` must fail with exactly `message`. */
static void refused(const char *text, bool is_process, const char *message)
{
	struct ph_spec *spec = (struct ph_spec *)1;
	ph_error_t err = NULL;
	const char *origin = is_process ? "process.json" : "config.json";
	CHECK(ph_spec_parse(text, strlen(text), origin, is_process, &spec, &err) < 0 &&
	      spec == NULL);
	CHECK_STR(err ? err->msg : NULL, message);
	ph_error_free(&err);
}

static void accepted(const char *text, bool is_process)
{
	struct ph_spec *spec = NULL;
	ph_error_t err = NULL;
	int r = ph_spec_parse(text, strlen(text), "config.json", is_process, &spec, &err);
	CHECK(r == 0);
	if (r < 0)
		fprintf(stderr, "  refused: %s\n", err->msg);
	ph_error_free(&err);
	ph_spec_free(spec);
}

#define WHY "for runc (Go matches keys to fields without regard to case) but not for crun"

static void test_config_refusals(void)
{
	/* the reproductions of issue 15 */
	refused(
	    "{\"process\":{\"args\":[\"sh\"],\"Capabilities\":{\"bounding\":[\"CAP_MAC_ADMIN\"]}}}",
	    false,
	    "config.json: process.Capabilities: key \"Capabilities\" is the field "
	    "\"capabilities\" " WHY ": spell it \"capabilities\"");
	refused("{\"process\":{\"apparmorProfile\":\"phoenix-default\","
		"\"ApparmorProfile\":\"unconfined\"}}",
		false,
		"config.json: process.ApparmorProfile: key \"ApparmorProfile\" is the field "
		"\"apparmorProfile\" " WHY ": spell it \"apparmorProfile\"");
	/* a whole second process */
	refused("{\"process\":{},\"PROCESS\":{}}", false,
		"config.json: PROCESS: key \"PROCESS\" is the field \"process\" " WHY
		": spell it \"process\"");
	refused("{\"proce\\u017fs\":{}}", false,
		"config.json: proce\xc5\xbfs: key \"proce\xc5\xbfs\" is the field \"process\" " WHY
		": spell it \"process\"");
	/* every set of the capabilities */
	const struct {
		const char *key, *field;
	} sets[] = {{"Bounding", "bounding"},
		    {"EFFECTIVE", "effective"},
		    {"inheritablE", "inheritable"},
		    {"Permitted", "permitted"},
		    {"ambienT", "ambient"}};
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		char text[256], message[512];
		snprintf(text, sizeof(text), "{\"process\":{\"capabilities\":{\"%s\":[]}}}",
			 sets[i].key);
		snprintf(message, sizeof(message),
			 "config.json: process.capabilities.%s: key \"%s\" is the field \"%s\" " WHY
			 ": spell it \"%s\"",
			 sets[i].key, sets[i].key, sets[i].field, sets[i].field);
		refused(text, false, message);
	}
	refused("{\"process\":{\"noNewPrivileges\":true,\"NoNewPrivileges\":false}}", false,
		"config.json: process.NoNewPrivileges: key \"NoNewPrivileges\" is the field "
		"\"noNewPrivileges\" " WHY ": spell it \"noNewPrivileges\"");
	refused(
	    "{\"process\":{\"apparmorProf\\u0131le\":\"unconfined\"}}", false,
	    "config.json: process.apparmorProf\xc4\xb1le: key \"apparmorProf\xc4\xb1le\" is the "
	    "field \"apparmorProfile\" " WHY ": spell it \"apparmorProfile\"");
	refused(
	    "{\"process\":{\"apparmorProf\\u0130le\":\"unconfined\"}}", false,
	    "config.json: process.apparmorProf\xc4\xb0le: key \"apparmorProf\xc4\xb0le\" is the "
	    "field \"apparmorProfile\" " WHY ": spell it \"apparmorProfile\"");
	refused("{\"process\":{\"Env\":[\"LD_PRELOAD=/x\"]}}", false,
		"config.json: process.Env: key \"Env\" is the field \"env\" " WHY
		": spell it \"env\"");
	refused("{\"process\":{\"ARGS\":[\"sh\"]}}", false,
		"config.json: process.ARGS: key \"ARGS\" is the field \"args\" " WHY
		": spell it \"args\"");
	refused("{\"Annotations\":{}}", false,
		"config.json: Annotations: key \"Annotations\" is the field \"annotations\" " WHY
		": spell it \"annotations\"");
	/* linux, its seccomp, devices and resources */
	refused("{\"Linux\":{}}", false,
		"config.json: Linux: key \"Linux\" is the field \"linux\" " WHY
		": spell it \"linux\"");
	refused("{\"linux\":{\"\\u017feccomp\":{}}}", false,
		"config.json: linux.\xc5\xbf"
		"eccomp: key \"\xc5\xbf"
		"eccomp\" is the field "
		"\"seccomp\" " WHY ": spell it \"seccomp\"");
	refused("{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		"\"DefaultAction\":\"SCMP_ACT_ALLOW\"}}}",
		false,
		"config.json: linux.seccomp.DefaultAction: key \"DefaultAction\" is the field "
		"\"defaultAction\" " WHY ": spell it \"defaultAction\"");
	refused("{\"linux\":{\"seccomp\":{\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_"
		"ERRNO\"},{\"names\":[\"b\"],\"Action\":\"SCMP_ACT_ALLOW\"}]}}}",
		false,
		"config.json: linux.seccomp.syscalls[1].Action: key \"Action\" is the field "
		"\"action\" " WHY ": spell it \"action\"");
	refused(
	    "{\"linux\":{\"seccomp\":{\"syscalls\":[{\"names\":[\"a\"],"
	    "\"args\":[{\"index\":0,\"value\":1,\"OP\":\"SCMP_CMP_EQ\"}]}]}}}",
	    false,
	    "config.json: linux.seccomp.syscalls[0].args[0].OP: key \"OP\" is the field \"op\" " WHY
	    ": spell it \"op\"");
	refused("{\"linux\":{\"devices\":[{\"path\":\"/dev/a\"},{\"Path\":\"/dev/kmsg\"}]}}", false,
		"config.json: linux.devices[1].Path: key \"Path\" is the field \"path\" " WHY
		": spell it \"path\"");
	refused("{\"linux\":{\"resources\":{\"memory\":{\"\\u212aernel\":1}}}}", false,
		"config.json: linux.resources.memory.\xe2\x84\xaa"
		"ernel: key \"\xe2\x84\xaa"
		"ernel\" is the field \"kernel\" " WHY ": spell it \"kernel\"");
	refused("{\"linux\":{\"resources\":{\"rdma\":{\"mlx5_0\":{\"HcaHandles\":1}}}}}", false,
		"config.json: linux.resources.rdma.mlx5_0.HcaHandles: key \"HcaHandles\" is the "
		"field \"hcaHandles\" " WHY ": spell it \"hcaHandles\"");
	refused("{\"linux\":{\"timeOffsets\":{\"mono\\u001b[2J\":{\"Secs\":1}}}}", false,
		"config.json: linux.timeOffsets.mono\\x1b[2J.Secs: key \"Secs\" is the field "
		"\"secs\" " WHY ": spell it \"secs\"");
	refused("{\"mounts\":[{\"destination\":\"/a\",\"uidMappings\":[{\"ContainerID\":0}]}]}",
		false,
		"config.json: mounts[0].uidMappings[0].ContainerID: key \"ContainerID\" is the "
		"field \"containerID\" " WHY ": spell it \"containerID\"");
	/* hooks and each hook */
	refused("{\"hooks\":{\"Prestart\":[{\"path\":\"/bin/true\"}]}}", false,
		"config.json: hooks.Prestart: key \"Prestart\" is the field \"prestart\" " WHY
		": spell it \"prestart\"");
	refused("{\"hooks\":{\"prestart\":[{\"Path\":\"/bin/true\"}]}}", false,
		"config.json: hooks.prestart[0].Path: key \"Path\" is the field \"path\" " WHY
		": spell it \"path\"");
	refused("{\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\",\"ARGS\":[]}]}}", false,
		"config.json: hooks.poststop[0].ARGS: key \"ARGS\" is the field \"args\" " WHY
		": spell it \"args\"");
	refused("{\"HOOKS\":{}}", false,
		"config.json: HOOKS: key \"HOOKS\" is the field \"hooks\" " WHY
		": spell it \"hooks\"");
}

static void test_process_document_refusals(void)
{
	refused(
	    "{\"args\":[\"sh\"],\"Capabilities\":{}}", true,
	    "process.json: Capabilities: key \"Capabilities\" is the field \"capabilities\" " WHY
	    ": spell it \"capabilities\"");
	refused("{\"capabilities\":{\"ambient\":[],\"Ambient\":[\"CAP_MAC_ADMIN\"]}}", true,
		"process.json: capabilities.Ambient: key \"Ambient\" is the field \"ambient\" " WHY
		": spell it \"ambient\"");
	refused("{\"apparmorProfile\":\"a\",\"apparmorprofile\":\"unconfined\"}", true,
		"process.json: apparmorprofile: key \"apparmorprofile\" is the field "
		"\"apparmorProfile\" " WHY ": spell it \"apparmorProfile\"");
	refused("{\"user\":{\"UID\":0}}", true,
		"process.json: user.UID: key \"UID\" is the field \"uid\" " WHY
		": spell it \"uid\"");
	/* a process document has no `process` in it: that key is nothing */
	accepted("{\"args\":[\"sh\"],\"Process\":{}}", true);
}

static void test_accepted(void)
{
	/* maps match their keys exactly in both runtimes */
	accepted("{\"annotations\":{\"Foo\":\"1\",\"foo\":\"2\",\"Process\":\"x\","
		 "\"apparmorprofile\":\"y\"}}",
		 false);
	accepted("{\"linux\":{\"sysctl\":{\"Net.ipv4.ip_forward\":\"1\","
		 "\"net.ipv4.ip_forward\":\"0\"},\"resources\":{\"unified\":{\"Memory.max\":\"1\","
		 "\"memory.max\":\"2\"},\"rdma\":{\"MLX\":{\"hcaHandles\":1},"
		 "\"mlx\":{\"hcaObjects\":2}}},\"timeOffsets\":{\"Monotonic\":{\"secs\":1},"
		 "\"monotonic\":{\"secs\":2}},\"netDevices\":{\"Eth0\":{\"name\":\"a\"}}}}",
		 false);
	/* keys that are no field are nothing, to both runtimes */
	accepted("{\"process\":{\"x-phoenix\":1,\"Foo\":2,\"capabilitie\":[]},"
		 "\"org.example\":{\"Process\":{\"Capabilities\":1}}}",
		 false);
	/* values of another type are the runtime's to refuse */
	accepted("{\"process\":\"x\",\"linux\":[{\"Seccomp\":1}],\"hooks\":{\"prestart\":[1,"
		 "{\"path\":\"/a\"}]}}",
		 false);
	/* exact names everywhere */
	accepted("{\"ociVersion\":\"1.2.0\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},"
		 "\"args\":[\"sh\"],\"env\":[],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[],"
		 "\"effective\":[],\"inheritable\":[],\"permitted\":[],\"ambient\":[]},"
		 "\"noNewPrivileges\":true,\"apparmorProfile\":\"p\"},\"root\":{\"path\":\"r\"},"
		 "\"hooks\":{\"createRuntime\":[{\"path\":\"/a\",\"args\":[],\"env\":[],"
		 "\"timeout\":1}]},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		 "\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
		 "\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]},\"devices\":[{\"path\":"
		 "\"/dev/a\",\"type\":\"c\",\"major\":1,\"minor\":3}]},"
		 "\"windows\":{\"network\":{\"DNSSearchList\":[]}}}",
		 false);
}

int main(void)
{
	test_folding();
	test_config_refusals();
	test_process_document_refusals();
	test_accepted();
	T_DONE();
}
