/* phoenix: the LSM system calls of Linux 6.8 (see aa_lsm.h). */
#include "aa_lsm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "aa_fault.h"

/* More LSMs than any kernel activates (Linux 6.18 has 15 LSM ids). */
#define LSM_IDS_MAX 32

void ph_aa_lsm_decide(int list_errno, const uint64_t *ids, size_t n_ids, int set_errno,
		      struct ph_aa_lsm_probe *out)
{
	memset(out, 0, sizeof(*out));
	out->iface = PH_AA_EXEC_PROCFS;
	out->list_errno = list_errno;
	out->set_errno = set_errno;
	for (size_t i = 0; list_errno == 0 && i < n_ids; i++)
		if (ids[i] == PH_LSM_ID_APPARMOR)
			out->apparmor_listed = true;
	if (list_errno == ENOSYS)
		out->why_not = "no LSM system calls (Linux before 6.8)";
	else if (list_errno != 0)
		out->why_not = "lsm_list_modules(2) failed (a seccomp filter?)";
	else if (!out->apparmor_listed)
		out->why_not = "AppArmor is not among the LSMs lsm_list_modules(2) lists";
	else if (set_errno == EOPNOTSUPP)
		out->why_not = "lsm_set_self_attr(2) does not reach AppArmor (EOPNOTSUPP)";
	else if (set_errno != EINVAL)
		out->why_not =
		    "lsm_set_self_attr(2) is not answered by AppArmor (a seccomp filter?)";
	else
		out->iface = PH_AA_EXEC_SYSCALL;
}

void ph_aa_lsm_probe(const struct ph_aa_env *env, struct ph_aa_lsm_probe *out)
{
	if (!env->lsm_syscalls) {
		ph_aa_lsm_decide(0, NULL, 0, -1, out);
		out->why_not = "not used with a simulated /proc";
		return;
	}
	uint64_t ids[LSM_IDS_MAX];
	uint32_t size = sizeof(ids);
	long n = PH_AA_CALL(PH_AA_OP_LSM_LIST, syscall(__NR_lsm_list_modules, ids, &size, 0));
	if (n < 0) {
		ph_aa_lsm_decide(errno, NULL, 0, -1, out);
		return;
	}
	/* An empty AppArmor context passes security_setselfattr()'s checks
	 * (flags 0, len >= head + ctx_len) and makes AppArmor's do_setattr()
	 * return EINVAL at once: no command, nothing changed, no audit. */
	_Alignas(8) unsigned char ctx[sizeof(struct ph_lsm_ctx_head) + 8];
	long csize = ph_aa_lsm_ctx_build(ctx, sizeof(ctx), "");
	int set_errno = 0;
	if (PH_AA_CALL(PH_AA_OP_LSM_SET, syscall(__NR_lsm_set_self_attr, PH_LSM_ATTR_EXEC, ctx,
						 (uint32_t)csize, 0)) < 0)
		set_errno = errno;
	ph_aa_lsm_decide(0, ids, (size_t)n < LSM_IDS_MAX ? (size_t)n : LSM_IDS_MAX, set_errno, out);
}

const char *ph_aa_exec_iface_name(enum ph_aa_exec_iface iface)
{
	return iface == PH_AA_EXEC_SYSCALL ? "lsm_set_self_attr(2)" : "procfs";
}

long ph_aa_lsm_ctx_build(void *buf, size_t cap, const char *text)
{
	size_t n = strlen(text) + 1;
	struct ph_lsm_ctx_head head = {
	    .id = PH_LSM_ID_APPARMOR, .flags = 0, .len = sizeof(head) + n, .ctx_len = n};
	if (cap < sizeof(head) || cap - sizeof(head) < n)
		return -ENAMETOOLONG;
	memcpy(buf, &head, sizeof(head));
	memcpy((unsigned char *)buf + sizeof(head), text, n);
	return (long)(sizeof(head) + n);
}

int ph_aa_lsm_set_exec(const void *ctx, uint32_t size)
{
	if (syscall(__NR_lsm_set_self_attr, PH_LSM_ATTR_EXEC, ctx, size, 0) < 0)
		return -errno;
	return 0;
}

int ph_aa_lsm_get_self(unsigned int attr, char **text)
{
	*text = NULL;
	/* a label is at most a page (aa_getprocattr()), the head on top */
	uint32_t size = 4096 + 2 * sizeof(struct ph_lsm_ctx_head);
	cleanup_free uint64_t *buf = calloc(1, size);
	if (buf == NULL)
		return -ENOMEM;
	struct ph_lsm_ctx_head head = {.id = PH_LSM_ID_APPARMOR};
	memcpy(buf, &head, sizeof(head)); /* LSM_FLAG_SINGLE reads the id from here */
	long n = syscall(__NR_lsm_get_self_attr, attr, buf, &size, PH_LSM_FLAG_SINGLE);
	if (n < 0)
		return -errno;
	memcpy(&head, buf, sizeof(head));
	if (n != 1 || head.id != PH_LSM_ID_APPARMOR || head.ctx_len > size - sizeof(head))
		return -EPROTO;
	/* lsm_fill_user_ctx() copies the value without a terminating NUL
	 * (aa_getprocattr()'s length excludes it) */
	const char *ctx = (const char *)buf + sizeof(head);
	size_t len = (size_t)head.ctx_len;
	while (len > 0 && (ctx[len - 1] == '\0' || ctx[len - 1] == '\n'))
		len--;
	*text = strndup(ctx, len);
	return *text ? 0 : -ENOMEM;
}
