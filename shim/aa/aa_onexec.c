/* phoenix: the AppArmor writes right before execve (see aa_onexec.h). */
#include "aa_onexec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aa_attr.h"
#include "aa_fault.h"
#include "aa_io.h"

void ph_aa_onexec_init(struct ph_aa_onexec *p)
{
	memset(p, 0, sizeof(*p));
}

static int copy_path(char *dst, const char *src, const char *what, ph_error_t *err)
{
	size_t n = strlen(src);
	if (n >= PATH_MAX)
		return ph_error_make(err, ENAMETOOLONG, "%s: path too long", what);
	memcpy(dst, src, n + 1);
	return 0;
}

/* The display-LSM write from the facts: the LSM list (NULL: none; its read
 * failed with lsm_errno when not 0) and the display attribute's path. */
static int plan_display(const char *lsm_path, const char *lsms, int lsm_errno,
			const char *display_attr, struct ph_aa_onexec *p, ph_error_t *err)
{
	if (lsm_errno != 0)
		return ph_error_make(err, lsm_errno, "set display LSM: read `%s`", lsm_path);
	if (lsms == NULL || !ph_aa_lsm_list_stacked(lsms))
		return 0;
	if (display_attr == NULL)
		return ph_error_make(
		    err, ENOTSUP,
		    "set display LSM: AppArmor is stacked with another major LSM "
		    "(`%s`) but this kernel has no display LSM interface "
		    "(/proc/self/attr/interface_lsm or display): it needs a kernel "
		    "with the LSM stacking patches (as Ubuntu's) or boot without "
		    "smack/selinux in `lsm=`",
		    lsms);
	p->display_fault = ph_aa_fault(PH_AA_OP_DISPLAY);
	return copy_path(p->display_path, display_attr, "set display LSM", err);
}

int ph_aa_onexec_plan_display_probed(const struct ph_aa_probe *probe, struct ph_aa_onexec *p,
				     ph_error_t *err)
{
	cleanup_free char *lsm_path = NULL;
	if (probe->lsm_list_errno != 0 &&
	    (lsm_path = ph_aa_pathf(err, "%s/lsm", probe->securityfs)) == NULL)
		return -1;
	return plan_display(lsm_path, probe->lsm_list, probe->lsm_list_errno, probe->display_attr,
			    p, err);
}

int ph_aa_onexec_plan_display(const struct ph_aa_env *env, struct ph_aa_onexec *p, ph_error_t *err)
{
	cleanup_free char *securityfs = NULL;
	if (ph_aa_env_securityfs(env, &securityfs, err) < 0)
		return ph_error_wrap(err, "set display LSM");
	if (securityfs == NULL)
		return 0; /* no LSM list to read: nothing says AppArmor is stacked */
	cleanup_free char *lsm_path = ph_aa_pathf(err, "%s/lsm", securityfs);
	if (lsm_path == NULL)
		return -1;
	cleanup_free char *lsms = NULL;
	int r = ph_aa_read_line(lsm_path, &lsms);
	if (r == -ENOENT)
		return 0; /* before Linux 5.1 there is no list, and no stacking */
	if (r < 0)
		return plan_display(lsm_path, NULL, -r, NULL, p, err);
	if (!ph_aa_lsm_list_stacked(lsms))
		return 0;
	cleanup_free char *path = NULL;
	if (ph_aa_display_attr_path(env, &path, err) < 0)
		return ph_error_wrap(err, "set display LSM");
	return plan_display(lsm_path, lsms, 0, path, p, err);
}

static bool label_well_formed(const char *label)
{
	size_t n = strnlen(label, PH_AA_LABEL_MAX + 1);
	if (n == 0 || n > PH_AA_LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)label[i];
		if (c <= ' ' || c == 0x7f)
			return false;
	}
	return true;
}

int ph_aa_onexec_plan_transition(const struct ph_aa_env *env, enum ph_aa_exec_iface iface,
				 const char *label, bool stack, struct ph_aa_onexec *p,
				 ph_error_t *err)
{
	if (label == NULL || !label_well_formed(label))
		return ph_error_make(
		    err, EINVAL,
		    "transition to `%s`: malformed label (empty, too long, or with "
		    "whitespace or control characters)",
		    label ? label : "(null)");
	const char *verb = stack ? "stack " : "exec ";
	snprintf(p->cmd, sizeof(p->cmd), "%s%s", verb, label);
	p->label = p->cmd + strlen(verb);
	p->stack = stack;
	p->iface = iface;
	p->exec_fault = ph_aa_fault(PH_AA_OP_TRANSITION);
	if (iface == PH_AA_EXEC_SYSCALL) {
		p->exec_path[0] = '\0';
		long n = ph_aa_lsm_ctx_build(p->lsm_ctx, sizeof(p->lsm_ctx), p->cmd);
		if (n < 0)
			return ph_error_make(err, (int)-n, "transition to `%s`: build lsm_ctx",
					     label);
		p->lsm_ctx_size = (uint32_t)n;
		return 0;
	}
	p->lsm_ctx_size = 0;
	cleanup_free char *path = NULL;
	if (ph_aa_attr_path(env, "thread-self", "exec", &path, err) < 0)
		return -1;
	return copy_path(p->exec_path, path, "transition", err);
}

int ph_aa_onexec_plan_probed(const struct ph_aa_env *env, const struct ph_aa_probe *probe,
			     const char *label, bool stack, struct ph_aa_onexec *p, ph_error_t *err)
{
	if (probe->lsm.iface == PH_AA_EXEC_PROCFS &&
	    ph_aa_onexec_plan_display_probed(probe, p, err) < 0)
		return -1;
	return ph_aa_onexec_plan_transition(env, probe->lsm.iface, label, stack, p, err);
}

const char *ph_aa_onexec_interface(const struct ph_aa_onexec *p)
{
	if (p->lsm_ctx_size != 0)
		return "lsm_set_self_attr(2)";
	return p->exec_path[0] != '\0' ? p->exec_path : "none";
}

/* open + one write, errno kept; no allocation. */
static enum ph_aa_onexec_step write_attr(const char *path, const char *text, int fault,
					 enum ph_aa_onexec_step open_step, int *errnum)
{
	if (fault != 0) {
		*errnum = fault;
		return open_step;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*errnum = errno;
		return open_step;
	}
	int r = ph_aa_write_once(fd, text, strlen(text));
	close(fd);
	if (r < 0) {
		*errnum = -r;
		return open_step + 1; /* the write step follows its open step */
	}
	return PH_AA_ONEXEC_OK;
}

enum ph_aa_onexec_step ph_aa_onexec_apply(const struct ph_aa_onexec *p, int *errnum)
{
	*errnum = 0;
	if (p->display_path[0] != '\0') {
		/* The stacking patches take the display LSM only from the
		 * thread-group leader, through /proc/self. */
		if (gettid() != getpid()) {
			*errnum = EPERM;
			return PH_AA_ONEXEC_DISPLAY_LEADER;
		}
		enum ph_aa_onexec_step s = write_attr(p->display_path, "apparmor", p->display_fault,
						      PH_AA_ONEXEC_DISPLAY_OPEN, errnum);
		if (s != PH_AA_ONEXEC_OK)
			return s;
	}
	if (p->lsm_ctx_size != 0) {
		/* the same hook as the procfs write, by the LSM's id: no
		 * display LSM, no file (aa_lsm.h) */
		int r = p->exec_fault != 0 ? -p->exec_fault
					   : ph_aa_lsm_set_exec(p->lsm_ctx, p->lsm_ctx_size);
		if (r < 0) {
			*errnum = -r;
			return PH_AA_ONEXEC_EXEC_SYSCALL;
		}
		return PH_AA_ONEXEC_OK;
	}
	if (p->exec_path[0] != '\0') {
		/* an injected fault stands for the kernel refusing the write */
		if (p->exec_fault != 0) {
			*errnum = p->exec_fault;
			return PH_AA_ONEXEC_EXEC_WRITE;
		}
		return write_attr(p->exec_path, p->cmd, 0, PH_AA_ONEXEC_EXEC_OPEN, errnum);
	}
	return PH_AA_ONEXEC_OK;
}

static int transition_error(const struct ph_aa_onexec *p, int e, ph_error_t *err)
{
	const char *verb = p->stack ? "stack on" : "transition to";
	const char *label = p->label;
	/* errors of the system call name it; those of the file keep their
	 * words, which name the file where it matters */
	const char *via = p->lsm_ctx_size != 0 ? " through lsm_set_self_attr(2)" : "";
	switch (e) {
	case ENOENT:
		return ph_error_make(err, e,
				     "%s `%s`%s: label `%s` not found in this policy namespace",
				     verb, label, via, label);
	case EACCES:
	case EPERM:
		return ph_error_make(
		    err, e,
		    "%s `%s` denied%s: the caller's profile needs `change_profile -> "
		    "%s%s`",
		    verb, label, via, p->stack ? "&" : "", label);
	case EINVAL:
		if (p->lsm_ctx_size != 0)
			return ph_error_make(
			    err, e,
			    "%s `%s`%s (LSM_ATTR_EXEC, LSM_ID_APPARMOR): refused as "
			    "malformed (the label, or the lsm_ctx around it)",
			    verb, label, via);
		return ph_error_make(err, e, "%s `%s`: malformed label", verb, label);
	default:
		if (p->lsm_ctx_size != 0)
			return ph_error_make(err, e,
					     "%s `%s`: lsm_set_self_attr(LSM_ATTR_EXEC, "
					     "LSM_ID_APPARMOR), which the probe found working",
					     verb, label);
		return ph_error_make(err, e, "%s `%s`: write `%s`", verb, label, p->exec_path);
	}
}

int ph_aa_onexec_explain(const struct ph_aa_onexec *p, enum ph_aa_onexec_step step, int errnum,
			 ph_error_t *err)
{
	switch (step) {
	case PH_AA_ONEXEC_DISPLAY_LEADER:
		return ph_error_make(err, errnum,
				     "set display LSM: only the thread-group leader may set it "
				     "(called from thread %d of process %d)",
				     (int)gettid(), (int)getpid());
	case PH_AA_ONEXEC_DISPLAY_OPEN:
		return ph_error_make(err, errnum, "set display LSM: open `%s`", p->display_path);
	case PH_AA_ONEXEC_DISPLAY_WRITE:
		return ph_error_make(err, errnum, "set display LSM: write `apparmor` to `%s`",
				     p->display_path);
	case PH_AA_ONEXEC_EXEC_OPEN:
		return ph_error_make(err, errnum, "transition to `%s`: open `%s`", p->label,
				     p->exec_path);
	case PH_AA_ONEXEC_EXEC_WRITE:
	case PH_AA_ONEXEC_EXEC_SYSCALL:
		return transition_error(p, errnum, err);
	case PH_AA_ONEXEC_OK:
		break;
	}
	return ph_error_make(err, errnum ? errnum : EIO, "AppArmor exec attributes: step %d",
			     (int)step);
}

/* The same, in the calling thread, in one go. */
static int apply_now(const struct ph_aa_onexec *p, ph_error_t *err)
{
	int e = 0;
	enum ph_aa_onexec_step s = ph_aa_onexec_apply(p, &e);
	return s == PH_AA_ONEXEC_OK ? 0 : ph_aa_onexec_explain(p, s, e, err);
}

int ph_aa_transition_onexec(const struct ph_aa_env *env, enum ph_aa_exec_iface iface,
			    const char *label, bool stack, ph_error_t *err)
{
	struct ph_aa_onexec p;
	ph_aa_onexec_init(&p);
	if (ph_aa_onexec_plan_transition(env, iface, label, stack, &p, err) < 0)
		return -1;
	return apply_now(&p, err);
}

int ph_aa_display_lsm_set(const struct ph_aa_env *env, ph_error_t *err)
{
	struct ph_aa_onexec p;
	ph_aa_onexec_init(&p);
	if (ph_aa_onexec_plan_display(env, &p, err) < 0)
		return -1;
	return apply_now(&p, err);
}
