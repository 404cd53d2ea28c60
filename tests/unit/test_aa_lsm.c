/* The LSM system calls (aa_lsm.h): which interface each kernel's answers
 * choose, the lsm_ctx phoenix builds, the plan through the system call,
 * and the fallbacks to procfs (ENOSYS, EOPNOTSUPP, a seccomp errno), the
 * latter on a simulated /proc.  That the kernel takes the context is
 * shown on the real kernel (integration/tests/phoenix-ops.bats). */
#include "aa-fixtures/sim.h"
#include "aa_fault.h"
#include "aa_lsm.h"
#include "aa_onexec.h"
#include "aa_probe.h"
#include "t.h"

#include <stdint.h>

/* lockdown, capability, yama, apparmor, bpf (include/uapi/linux/lsm.h) */
static const uint64_t with_apparmor[] = {111, 101, 105, 104, 110};
static const uint64_t without_apparmor[] = {111, 101, 105, 110};

static void test_decide(void)
{
	struct ph_aa_lsm_probe d;

	/* Linux 6.1: no system calls */
	ph_aa_lsm_decide(ENOSYS, NULL, 0, -1, &d);
	CHECK(d.iface == PH_AA_EXEC_PROCFS);
	CHECK(d.list_errno == ENOSYS);
	CHECK_STR(d.why_not, "no LSM system calls (Linux before 6.8)");

	/* a seccomp filter that refuses lsm_list_modules */
	ph_aa_lsm_decide(EPERM, NULL, 0, -1, &d);
	CHECK(d.iface == PH_AA_EXEC_PROCFS);
	CHECK(strstr(d.why_not, "lsm_list_modules(2) failed") != NULL);

	/* 6.8+ without AppArmor active (SELinux chosen in lsm=) */
	ph_aa_lsm_decide(0, without_apparmor, 4, EOPNOTSUPP, &d);
	CHECK(d.iface == PH_AA_EXEC_PROCFS);
	CHECK(!d.apparmor_listed);
	CHECK_STR(d.why_not, "AppArmor is not among the LSMs lsm_list_modules(2) lists");

	/* listed, but lsm_set_self_attr does not reach it */
	ph_aa_lsm_decide(0, with_apparmor, 5, EOPNOTSUPP, &d);
	CHECK(d.iface == PH_AA_EXEC_PROCFS);
	CHECK(d.apparmor_listed);
	CHECK_STR(d.why_not, "lsm_set_self_attr(2) does not reach AppArmor (EOPNOTSUPP)");
	ph_aa_lsm_decide(0, with_apparmor, 5, ENOSYS, &d); /* filtered with ENOSYS */
	CHECK(d.iface == PH_AA_EXEC_PROCFS);
	ph_aa_lsm_decide(0, with_apparmor, 5, EPERM, &d);
	CHECK(d.iface == PH_AA_EXEC_PROCFS);
	CHECK(strstr(d.why_not, "not answered by AppArmor") != NULL);

	/* 6.12, 7.2: AppArmor's do_setattr() refuses the empty command */
	ph_aa_lsm_decide(0, with_apparmor, 5, EINVAL, &d);
	CHECK(d.iface == PH_AA_EXEC_SYSCALL);
	CHECK(d.why_not == NULL);
	CHECK_STR(ph_aa_exec_iface_name(d.iface), "lsm_set_self_attr(2)");
	CHECK_STR(ph_aa_exec_iface_name(PH_AA_EXEC_PROCFS), "procfs");
}

static void test_ctx_build(void)
{
	_Alignas(8) unsigned char buf[64];
	const char *cmd = "exec :ns:p";
	long n = ph_aa_lsm_ctx_build(buf, sizeof(buf), cmd);
	CHECK(n == 32 + 11);
	struct ph_lsm_ctx_head h;
	memcpy(&h, buf, sizeof(h));
	CHECK(h.id == 104);
	CHECK(h.flags == 0);
	CHECK(h.len == 43);
	CHECK(h.ctx_len == 11); /* the NUL included */
	CHECK(memcmp(buf + 32, "exec :ns:p\0", 11) == 0);

	/* security_setselfattr() wants size >= len >= head + ctx_len: the
	 * empty probe context is exactly that */
	n = ph_aa_lsm_ctx_build(buf, sizeof(buf), "");
	memcpy(&h, buf, sizeof(h));
	CHECK(n == 33 && h.len == 33 && h.ctx_len == 1 && buf[32] == '\0');

	/* too long for the buffer: refused, nothing written past it */
	CHECK(ph_aa_lsm_ctx_build(buf, 40, "exec a-label-longer-than-eight") == -ENAMETOOLONG);
	CHECK(ph_aa_lsm_ctx_build(buf, 16, "") == -ENAMETOOLONG);
}

/* The simulated tree never asks the kernel: its /proc is the one used. */
static void test_probe_sim(void)
{
	struct sim s;
	struct ph_aa_probe p;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.lsm.iface == PH_AA_EXEC_PROCFS);
	CHECK_STR(p.lsm.why_not, "not used with a simulated /proc");
	ph_aa_probe_release(&p);
	CHECK(ph_aa_probe_basic(&s.env, &p, &err) == 0);
	CHECK(p.lsm.iface == PH_AA_EXEC_PROCFS);
	CHECK_STR(p.lsm.why_not, "not probed");
	ph_aa_probe_release(&p);
	sim_cleanup(&s);
}

/* The plan through the system call: the context built beforehand, no
 * procfs path, no display-LSM write even where AppArmor is stacked and
 * no display interface exists. */
static void test_plan_syscall(void)
{
	struct sim s;
	struct ph_aa_probe p;
	struct ph_aa_onexec plan;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	sim_write(&s, "sec/lsm", "lockdown,capability,smack,apparmor");

	CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
	CHECK(p.lsm_stacked && p.display_attr == NULL);
	/* through procfs the stack needs a display LSM this kernel lacks */
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_probed(&s.env, &p, ":ns:unconfined", false, &plan, &err) < 0);
	CHECK(err != NULL && err->status == ENOTSUP);
	ph_error_free(&err);

	/* through the system call it does not */
	p.lsm.iface = PH_AA_EXEC_SYSCALL;
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_probed(&s.env, &p, ":ns:unconfined", false, &plan, &err) == 0);
	CHECK_STR(plan.display_path, "");
	CHECK_STR(plan.exec_path, "");
	CHECK_STR(ph_aa_onexec_interface(&plan), "lsm_set_self_attr(2)");
	CHECK(plan.lsm_ctx_size == 32 + sizeof("exec :ns:unconfined"));
	struct ph_lsm_ctx_head h;
	memcpy(&h, plan.lsm_ctx, sizeof(h));
	CHECK(h.id == PH_LSM_ID_APPARMOR && h.len == plan.lsm_ctx_size);
	CHECK_STR((const char *)plan.lsm_ctx + 32, "exec :ns:unconfined");
	ph_aa_probe_release(&p);

	/* stack */
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_transition(&s.env, PH_AA_EXEC_SYSCALL, ":ns:p", true, &plan,
					   &err) == 0);
	CHECK_STR((const char *)plan.lsm_ctx + 32, "stack :ns:p");
	/* a malformed label is refused before anything is built */
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_transition(&s.env, PH_AA_EXEC_SYSCALL, "a b", false, &plan, &err) <
	      0);
	CHECK(err != NULL && err->status == EINVAL && plan.lsm_ctx_size == 0);
	ph_error_free(&err);

	/* procfs: the path, no context */
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_transition(&s.env, PH_AA_EXEC_PROCFS, ":ns:p", false, &plan,
					   &err) == 0);
	CHECK(plan.lsm_ctx_size == 0);
	CHECK(strstr(ph_aa_onexec_interface(&plan), "/proc/thread-self/attr/apparmor/exec") !=
	      NULL);
	ph_aa_onexec_init(&plan);
	CHECK_STR(ph_aa_onexec_interface(&plan), "none");
	sim_cleanup(&s);
}

/* Applied here, the system call never touches the simulated file, and
 * whatever this kernel answers (ENOSYS before 6.8, EOPNOTSUPP without
 * AppArmor, ENOENT for a namespace that does not exist) is an error that
 * names the interface. */
static void test_apply_syscall_here(void)
{
	struct sim s;
	struct ph_aa_onexec plan;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	ph_aa_onexec_init(&plan);
	CHECK(ph_aa_onexec_plan_transition(&s.env, PH_AA_EXEC_SYSCALL,
					   ":phx-unit-test-no-such-ns:unconfined", false, &plan,
					   &err) == 0);
	int e = 0;
	enum ph_aa_onexec_step step = ph_aa_onexec_apply(&plan, &e);
	CHECK(step == PH_AA_ONEXEC_EXEC_SYSCALL);
	CHECK(e != 0);
	CHECK(ph_aa_onexec_explain(&plan, step, e, &err) < 0);
	CHECK(err != NULL && err->status == e);
	CHECK_ERR(err, "lsm_set_self_attr");
	ph_error_free(&err);
	char *written = sim_read(&s, "proc/self/attr/apparmor/exec");
	CHECK_STR(written, "");
	free(written);
	sim_cleanup(&s);
}

#ifdef PHOENIX_FAULT_INJECTION
/* The kernel's refusals of the system call, each naming it. */
static void test_syscall_errors(void)
{
	static const struct {
		const char *spec;
		int status;
		const char *needle;
	} cases[] = {
	    {"transition:EINVAL", EINVAL,
	     "transition to `:ns:p` through lsm_set_self_attr(2) (LSM_ATTR_EXEC, "
	     "LSM_ID_APPARMOR): refused as malformed"},
	    {"transition:EACCES", EACCES,
	     "transition to `:ns:p` denied through lsm_set_self_attr(2): the caller's profile "
	     "needs `change_profile -> :ns:p`"},
	    {"transition:ENOENT", ENOENT,
	     "through lsm_set_self_attr(2): label `:ns:p` not found in this policy namespace"},
	    {"transition:EOPNOTSUPP", EOPNOTSUPP,
	     "lsm_set_self_attr(LSM_ATTR_EXEC, LSM_ID_APPARMOR), which the probe found working"},
	};
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("PHOENIX_FAULT", cases[i].spec, 1);
		CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_SYSCALL, ":ns:p", false, &err) <
		      0);
		unsetenv("PHOENIX_FAULT");
		CHECK(err != NULL && err->status == cases[i].status);
		CHECK_ERR(err, cases[i].needle);
		ph_error_free(&err);
	}
	/* the same EINVAL through procfs keeps its words */
	setenv("PHOENIX_FAULT", "transition:EINVAL", 1);
	CHECK(ph_aa_transition_onexec(&s.env, PH_AA_EXEC_PROCFS, ":ns:p", false, &err) < 0);
	unsetenv("PHOENIX_FAULT");
	CHECK_ERR(err, "transition to `:ns:p`: malformed label");
	CHECK(err != NULL && strstr(err->msg, "lsm_set_self_attr") == NULL);
	ph_error_free(&err);
	sim_cleanup(&s);
}

/* The probe on a kernel whose system calls fail as PHOENIX_FAULT says:
 * procfs chosen, and create's plan writes the simulated file. */
static void test_probe_fallback(void)
{
	struct sim s;
	ph_error_t err = NULL;
	sim_init(&s);
	sim_apparmor(&s, "unconfined", 0, false, "root");
	s.env.lsm_syscalls = true; /* ask the (faulted) kernel */

	static const char *const specs[] = {"lsm_list:ENOSYS", "lsm_list:EPERM"};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct ph_aa_probe p;
		setenv("PHOENIX_FAULT", specs[i], 1);
		CHECK(ph_aa_probe(&s.env, &p, &err) == 0);
		unsetenv("PHOENIX_FAULT");
		CHECK(p.lsm.iface == PH_AA_EXEC_PROCFS);
		CHECK(p.lsm.list_errno == (i == 0 ? ENOSYS : EPERM));
		struct ph_aa_onexec plan;
		ph_aa_onexec_init(&plan);
		CHECK(ph_aa_onexec_plan_probed(&s.env, &p, ":ns:unconfined", false, &plan, &err) ==
		      0);
		int e = 0;
		CHECK(ph_aa_onexec_apply(&plan, &e) == PH_AA_ONEXEC_OK);
		char *written = sim_read(&s, "proc/self/attr/apparmor/exec");
		CHECK_STR(written, "exec :ns:unconfined");
		free(written);
		sim_write(&s, "proc/self/attr/apparmor/exec", "");
		ph_aa_probe_release(&p);
	}

	/* lsm_set_self_attr faulted: whatever the list says, never the
	 * system call */
	struct ph_aa_lsm_probe d;
	setenv("PHOENIX_FAULT", "lsm_set:EOPNOTSUPP", 1);
	ph_aa_lsm_probe(&s.env, &d);
	unsetenv("PHOENIX_FAULT");
	CHECK(d.iface == PH_AA_EXEC_PROCFS);
	CHECK(d.set_errno == EOPNOTSUPP || !d.apparmor_listed);
	sim_cleanup(&s);
}
#endif

int main(void)
{
	test_decide();
	test_ctx_build();
	test_probe_sim();
	test_plan_syscall();
	test_apply_syscall_here();
#ifdef PHOENIX_FAULT_INJECTION
	test_syscall_errors();
	test_probe_fallback();
#endif
	T_DONE();
}
