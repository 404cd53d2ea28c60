/* phoenix: what the runtime's child does before execve (see child_plan.h). */
#include "child_plan.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

void ph_child_plan_init(struct ph_child_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->bundle_fd = -1;
	ph_aa_onexec_init(&p->onexec);
}

void ph_child_plan_bundle(struct ph_child_plan *p, int dirfd, const char *path)
{
	p->bundle_fd = dirfd;
	p->bundle_path = path;
}

/* The runtime opens the bundle by its path (runc: os.Chdir(bundle)): a
 * directory swapped in after phoenix rewrote config.json would hand the
 * runtime a spec phoenix never saw. */
static bool bundle_unchanged(const struct ph_child_plan *p)
{
	struct stat a, b;
	return fstat(p->bundle_fd, &a) == 0 && stat(p->bundle_path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool ph_child_plan_apply(const struct ph_child_plan *p, struct ph_child_report *r)
{
	*r = (struct ph_child_report){PH_CHILD_OK, PH_AA_ONEXEC_OK, 0};
	if (p->bundle_fd >= 0 && !bundle_unchanged(p)) {
		*r = (struct ph_child_report){PH_CHILD_BUNDLE, PH_AA_ONEXEC_OK, ESTALE};
		return false;
	}
	r->apparmor = ph_aa_onexec_apply(&p->onexec, &r->errnum);
	if (r->apparmor != PH_AA_ONEXEC_OK) {
		r->step = PH_CHILD_APPARMOR;
		return false;
	}
	return true;
}

static bool is_transition(enum ph_aa_onexec_step s)
{
	return s == PH_AA_ONEXEC_EXEC_OPEN || s == PH_AA_ONEXEC_EXEC_WRITE ||
	       s == PH_AA_ONEXEC_EXEC_SYSCALL;
}

int ph_child_plan_explain(const struct ph_child_plan *p, const struct ph_child_report *r,
			  ph_error_t *err)
{
	switch (r->step) {
	case PH_CHILD_BUNDLE:
		return ph_error_make(err, r->errnum, "bundle `%s` was replaced during create",
				     p->bundle_path);
	case PH_CHILD_APPARMOR:
		ph_aa_onexec_explain(&p->onexec, r->apparmor, r->errnum, err);
		if (is_transition(r->apparmor) && p->ns != NULL)
			return ph_error_wrap(err, "enter policy namespace `%s`", p->ns);
		return -1;
	case PH_CHILD_OK:
	case PH_CHILD_EXEC:
	default:
		return ph_error_make(err, r->errnum ? r->errnum : EIO,
				     "the runtime's child failed at step %d", (int)r->step);
	}
}

int ph_child_plan_apply_now(const struct ph_child_plan *p, ph_error_t *err)
{
	struct ph_child_report r;
	return ph_child_plan_apply(p, &r) ? 0 : ph_child_plan_explain(p, &r, err);
}
