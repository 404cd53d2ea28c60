/* PHOENIX_FAULT: each kernel operation of shim/aa fails with the chosen
 * errno before touching the (simulated) kernel, and reports it through
 * the message a real failure gets.  Builds without
 * -DPHOENIX_FAULT_INJECTION must ignore the variable. */
#include "aa-fixtures/sim.h"
#include "aa_attr.h"
#include "aa_onexec.h"
#include "aa_cache.h"
#include "aa_fault.h"
#include "aa_ns.h"
#include "aa_policy.h"
#include "t.h"

#include <dirent.h>

#define NS "phx-0123abcd-c1"
#define NS_DIR "sec/apparmor/policy/namespaces/" NS

#ifdef PHOENIX_FAULT_INJECTION
/* Run `call` with PHOENIX_FAULT=`spec`; it must fail with `status` and a
 * message containing `needle`, reported through the caller's `err`. */
#define EXPECT_FAULT(spec, call, status_, needle)                                                  \
	do {                                                                                       \
		setenv("PHOENIX_FAULT", spec, 1);                                                  \
		int r_ = (call);                                                                   \
		unsetenv("PHOENIX_FAULT");                                                         \
		CHECK(r_ < 0);                                                                     \
		CHECK(err != NULL && err->status == (status_));                                    \
		CHECK_ERR(err, needle);                                                            \
		if (err != NULL && err->status != (status_))                                       \
			fprintf(stderr, "  (%s: status %d: %s)\n", spec, err->status, err->msg);   \
		ph_error_free(&err);                                                               \
	} while (0)

static void test_spec_parsing(void)
{
	setenv("PHOENIX_FAULT", "ns_create:EACCES", 1);
	CHECK(ph_aa_fault("ns_create") == EACCES);
	CHECK(ph_aa_fault("ns_remove") == 0);
	setenv("PHOENIX_FAULT", "transition:2,ns_create:EPERM", 1);
	CHECK(ph_aa_fault("transition") == ENOENT);
	CHECK(ph_aa_fault("ns_create") == EPERM);
	CHECK(ph_aa_fault("ns_creat") == 0);
	CHECK(ph_aa_fault("ns_create_more") == 0);
	setenv("PHOENIX_FAULT", "ns_create:ENOTANERRNO,ns_create:EBUSY", 1);
	CHECK(ph_aa_fault("ns_create") == EBUSY); /* the bad entry is skipped */
	setenv("PHOENIX_FAULT", "", 1);
	CHECK(ph_aa_fault("ns_create") == 0);
	unsetenv("PHOENIX_FAULT");
	CHECK(ph_aa_fault("ns_create") == 0);
}

static void test_faults(void)
{
	struct sim s;
	ph_error_t err = NULL;
	char cache[PATH_MAX], profiles[PATH_MAX], out[PATH_MAX];
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_path(&s, cache, "cache");
	sim_path(&s, profiles, "profiles");
	sim_path(&s, out, "out.bin");
	sim_write(&s, "profiles/p", "profile p { file, }\n");

	EXPECT_FAULT("ns_create:EACCES", ph_aa_ns_create(&s.env, NS, &err), EACCES,
		     "create policy namespace `" NS "`: not policy admin: ");
	EXPECT_FAULT("ns_create:EPERM", ph_aa_ns_create(&s.env, NS, &err), EPERM,
		     "not policy admin");
	EXPECT_FAULT("ns_create:ENOENT", ph_aa_ns_create(&s.env, NS, &err), ENOENT,
		     "securityfs is not mounted there");
	EXPECT_FAULT("ns_create:EEXIST", ph_aa_ns_create(&s.env, NS, &err), EEXIST,
		     "it exists already");
	CHECK(!sim_exists(&s, NS_DIR)); /* nothing reached the tree */

	CHECK(ph_aa_ns_create(&s.env, NS, &err) == 0);
	EXPECT_FAULT("ns_remove:EPERM", ph_aa_ns_remove(&s.env, NS, &err), EPERM,
		     "remove policy namespace `" NS "`: not policy admin");
	EXPECT_FAULT("ns_remove:EBUSY", ph_aa_ns_remove(&s.env, NS, &err), EBUSY,
		     "remove policy namespace `" NS "`: rmdir");
	CHECK(sim_exists(&s, NS_DIR));
	/* ENOENT from the kernel means gone: success, as for a real one. */
	setenv("PHOENIX_FAULT", "ns_remove:ENOENT", 1);
	CHECK(ph_aa_ns_remove(&s.env, NS, &err) == 0);
	unsetenv("PHOENIX_FAULT");
	EXPECT_FAULT("ns_remove:EACCES", ph_aa_ns_remove_via_toplevel(&s.env, NS, &err), EACCES,
		     "(top level): not policy admin");

	static const char blob[] = "\x04\x08\x00version\x00\x02";
	sim_write(&s, NS_DIR "/.replace", "");
	EXPECT_FAULT("policy_load:EPROTO",
		     ph_aa_policy_load_ns(&s.env, NS, blob, sizeof(blob), &err), EPROTO,
		     "compiled policy does not match this kernel: stale cache");
	EXPECT_FAULT("policy_load:EINVAL",
		     ph_aa_policy_load_ns(&s.env, NS, blob, sizeof(blob), &err), EINVAL,
		     "stale cache");
	EXPECT_FAULT("policy_load:EACCES",
		     ph_aa_policy_load_ns(&s.env, NS, blob, sizeof(blob), &err), EACCES,
		     "load policy into namespace `" NS "`: not policy admin");
	char *written = sim_read(&s, NS_DIR "/.replace");
	CHECK_STR(written, "");
	free(written);

	EXPECT_FAULT("transition:ENOENT",
		     ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":" NS ":p", false, &err),
		     ENOENT, "label `:" NS ":p` not found in this policy namespace");
	EXPECT_FAULT("transition:EACCES",
		     ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":" NS ":p", false, &err),
		     EACCES,
		     "transition to `:" NS ":p` denied: the caller's profile needs "
		     "`change_profile -> :" NS ":p`");
	EXPECT_FAULT("transition:EPERM",
		     ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":" NS ":p", true, &err),
		     EPERM, "needs `change_profile -> &:" NS ":p`");
	EXPECT_FAULT("transition:EINVAL",
		     ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":" NS ":p", false, &err),
		     EINVAL, "malformed label");
	written = sim_read(&s, "proc/self/attr/apparmor/exec");
	CHECK_STR(written, "");
	free(written);

	char *label = NULL, *mode = NULL;
	EXPECT_FAULT("self_label:EACCES", ph_aa_current_label(&s.env, 0, &label, &mode, &err),
		     EACCES, "read label: open");
	sim_write(&s, "proc/9/attr/apparmor/current", ":" NS ":p (enforce)\n");
	EXPECT_FAULT("label_read:EIO", ph_aa_current_label(&s.env, 9, &label, &mode, &err), EIO,
		     "read label: open");
	bool has = false;
	sim_write(&s, "proc/7/attr/apparmor/current", ":" NS ":unconfined\n");
	EXPECT_FAULT("ns_tasks:EIO", ph_aa_ns_has_tasks(&s.env, NS, &has, &err), EIO,
		     "read the label of task ");

	sim_write(&s, "sec/lsm", "capability,smack,apparmor");
	sim_write(&s, "proc/self/attr/display", "");
	EXPECT_FAULT("display:EACCES", ph_aa_display_lsm_set(&s.env, &err), EACCES,
		     "set display LSM: open");

	EXPECT_FAULT("compile:ENOMEM",
		     ph_aa_policy_compile("apparmor_parser", profiles, NULL, NULL, out, &err),
		     ENOMEM, "compile `");
	EXPECT_FAULT("compile:EAGAIN",
		     ph_aa_policy_cached(&s.env, cache, "/bin/true", profiles, "p", &written,
					 &(size_t){0}, &has, &err),
		     EAGAIN, "compile `");

	/* A stale cache entry is recompiled once, then reported. */
	const char *parser = access("/usr/sbin/apparmor_parser", X_OK) == 0
				 ? "/usr/sbin/apparmor_parser"
				 : "/sbin/apparmor_parser";
	if (access(parser, X_OK) == 0 &&
	    access("/usr/share/apparmor-features/features", R_OK) == 0) {
		sim_unlink(&s, "sec/apparmor/features");
		FILE *in = fopen("/usr/share/apparmor-features/features", "r");
		char features[65536] = "";
		size_t n = in ? fread(features, 1, sizeof(features) - 1, in) : 0;
		if (in != NULL)
			fclose(in);
		features[n] = '\0';
		sim_write(&s, "sec/apparmor/features", features);
		char *blob1 = NULL;
		size_t len1 = 0;
		bool hit = false;
		struct stat before, after;
		char entry[PATH_MAX + 256];
		CHECK(ph_aa_policy_cached(&s.env, cache, parser, profiles, "p", &blob1, &len1, &hit,
					  &err) == 0);
		free(blob1);
		DIR *d = opendir(cache);
		struct dirent *de;
		entry[0] = '\0';
		while (d != NULL && (de = readdir(d)) != NULL)
			if (de->d_name[0] == 'p')
				snprintf(entry, sizeof(entry), "%s/%s", cache, de->d_name);
		if (d != NULL)
			closedir(d);
		CHECK(stat(entry, &before) == 0);
		EXPECT_FAULT(
		    "policy_load:EPROTO",
		    ph_aa_policy_load_cached(&s.env, cache, parser, profiles, "p", NS, &err),
		    EPROTO,
		    "profile `p`: load policy into namespace `" NS "`: compiled "
		    "policy does not match this kernel: stale cache");
		CHECK(stat(entry, &after) == 0);
		CHECK(before.st_ino != after.st_ino); /* replaced by a fresh compile */
	}
	sim_cleanup(&s);
}
#endif

int main(void)
{
#ifdef PHOENIX_FAULT_INJECTION
	test_spec_parsing();
	test_faults();
#else
	/* Release builds: the variable has no effect. */
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	setenv("PHOENIX_FAULT", "ns_create:EACCES,transition:ENOENT", 1);
	CHECK(ph_aa_fault(PH_AA_OP_NS_CREATE) == 0);
	CHECK(ph_aa_ns_create(&s.env, NS, &err) == 0);
	CHECK(sim_exists(&s, NS_DIR));
	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":" NS ":unconfined", false,
				      &err) == 0);
	char *written = sim_read(&s, "proc/self/attr/apparmor/exec");
	CHECK_STR(written, "exec :" NS ":unconfined");
	free(written);
	unsetenv("PHOENIX_FAULT");
	sim_cleanup(&s);
#endif
	T_DONE();
}
