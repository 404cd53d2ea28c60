/* phoenix: AppArmor feature probe (see aa_probe.h). */
#include "aa_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "aa_attr.h"
#include "aa_io.h"

#define USERNS_WALK_MAX 64 /* the kernel nests at most 32 user namespaces */

/* Read <root>/<rel> as a boolean; absent or unreadable is false. */
static bool read_flag(const char *root, const char *rel)
{
	bool v = false;
	cleanup_free char *path = NULL;
	if (root == NULL || asprintf(&path, "%s/%s", root, rel) < 0) {
		path = NULL;
		return false;
	}
	return ph_aa_read_bool(path, &v) == 0 && v;
}

/* Read <root>/<rel> as a decimal integer; `absent` when it cannot be. */
static int read_int(const char *root, const char *rel, int absent)
{
	cleanup_free char *path = NULL, *s = NULL;
	if (root == NULL || asprintf(&path, "%s/%s", root, rel) < 0) {
		path = NULL;
		return absent;
	}
	if (ph_aa_read_line(path, &s) < 0)
		return absent;
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1 << 20)
		return absent;
	return (int)v;
}

/* Read <root>/<rel> as one line; NULL when absent.  Fails on ENOMEM only. */
static int read_text(const char *root, const char *rel, char **out, ph_error_t *err)
{
	cleanup_free char *path = NULL;
	*out = NULL;
	if (root == NULL)
		return 0;
	path = ph_aa_pathf(err, "%s/%s", root, rel);
	if (path == NULL)
		return -1;
	int r = ph_aa_read_line(path, out);
	if (r == -ENOMEM)
		return ph_error_make(err, ENOMEM, "read `%s`", path);
	return 0;
}

static bool has_cap_mac_admin(void)
{
	cap_t caps = cap_get_proc();
	if (caps == NULL)
		return false;
	cap_flag_value_t v = CAP_CLEAR;
	int r = cap_get_flag(caps, CAP_MAC_ADMIN, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return r == 0 && v == CAP_SET;
}

/* Count the user namespaces above ours with NS_GET_PARENT (Linux 4.9).
 * The kernel answers EPERM once the parent lies outside the caller's own
 * user namespace (fs/nsfs.c, ns_get_owner()), so a process can only ever
 * see the namespaces below its own: the count is 0 from inside a
 * container.  That is why in_userns (from uid_map) is what the denial
 * hint relies on. */
static int userns_visible_depth(const struct ph_aa_env *env)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/self/ns/user", env->proc) < 0) {
		path = NULL;
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int depth = 0;
	while (depth < USERNS_WALK_MAX) {
		int parent = ioctl(fd, NS_GET_PARENT);
		if (parent < 0)
			break;
		close(fd);
		fd = parent;
		depth++;
	}
	int e = errno;
	close(fd);
	return depth == USERNS_WALK_MAX || e == EPERM ? depth : -1;
}

/* The initial user namespace maps every id to itself: "0 0 4294967295". */
bool ph_aa_in_userns(const struct ph_aa_env *env)
{
	cleanup_free char *path = NULL, *map = NULL;
	if (asprintf(&path, "%s/self/uid_map", env->proc) < 0) {
		path = NULL;
		return false;
	}
	if (ph_aa_read_line(path, &map) < 0)
		return false;
	unsigned long inside = 1, outside = 1, count = 0;
	char extra = 0;
	if (sscanf(map, " %lu %lu %lu %c", &inside, &outside, &count, &extra) != 3)
		return true; /* several ranges, or none: not the identity map */
	return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

static enum ph_aa_caller_kind caller_kind(const struct ph_aa_probe *p)
{
	if (!p->enabled)
		return PH_CALLER_NO_APPARMOR;
	if (p->ns_level >= 1 || p->ns_stacked)
		return PH_CALLER_OWN_NS;
	/* Without apparmorfs the level is unknown, and an LXC container sees
	 * itself as `unconfined` just like the host's root namespace. */
	if (p->ns_level < 0 || p->label == NULL)
		return PH_CALLER_UNKNOWN;
	if (strcmp(p->label, "unconfined") == 0)
		return PH_CALLER_ROOT_UNCONFINED;
	return PH_CALLER_CONFINED_ROOT;
}

static int probe(const struct ph_aa_env *env, bool full, struct ph_aa_probe *out, ph_error_t *err)
{
	struct ph_aa_probe p = {
	    .ns_level = -1,
	    .userns_visible_depth = -1,
	    .unprivileged_userns_policy = -1,
	    .lsm = {.iface = PH_AA_EXEC_PROCFS, .set_errno = -1, .why_not = "not probed"}};
	cleanup_error ph_error_t ignored = NULL;

	p.enabled = read_flag(env->sys, "module/apparmor/parameters/enabled");
	if (ph_aa_env_securityfs(env, &p.securityfs, &ignored) < 0) {
		if (ignored->status != ENOENT) {
			ph_error_move(err, &ignored);
			goto fail;
		}
		p.securityfs = NULL;
	}
	if (p.securityfs != NULL) {
		char *dir = ph_aa_pathf(err, "%s/apparmor", p.securityfs);
		if (dir == NULL)
			goto fail;
		if (ph_aa_is_dir(dir) == 0)
			p.apparmorfs = dir;
		else
			free(dir);
	}
	p.in_userns = ph_aa_in_userns(env);
	if (!full)
		goto done;
	p.lock_policy = read_flag(env->sys, "module/apparmor/parameters/lock_policy");
	if (p.securityfs != NULL) {
		cleanup_free char *lsm = ph_aa_pathf(err, "%s/lsm", p.securityfs);
		if (lsm == NULL)
			goto fail;
		int r = ph_aa_read_line(lsm, &p.lsm_list);
		if (r == -ENOMEM) {
			ph_error_make(err, ENOMEM, "read `%s`", lsm);
			goto fail;
		}
		if (r < 0 && r != -ENOENT)
			p.lsm_list_errno = -r;
	}
	p.lsm_stacked = p.lsm_list != NULL && ph_aa_lsm_list_stacked(p.lsm_list);
	p.stack_supported = read_flag(p.apparmorfs, "features/domain/stack");
	p.ns_stacked = read_flag(p.apparmorfs, ".ns_stacked");
	p.ns_level = read_int(p.apparmorfs, ".ns_level", -1);
	if (read_text(p.apparmorfs, ".ns_name", &p.ns_name, err) < 0)
		goto fail;

	{
		cleanup_free char *dir = ph_aa_pathf(err, "%s/self/attr/apparmor", env->proc);
		if (dir == NULL)
			goto fail;
		p.attr_apparmor_dir = ph_aa_is_dir(dir) == 0;
	}
	p.cap_mac_admin = has_cap_mac_admin();
	p.userns_visible_depth = userns_visible_depth(env);
	p.unprivileged_userns_policy =
	    read_int(env->proc, "sys/kernel/unprivileged_userns_apparmor_policy", -1);
	if (p.enabled && ph_aa_current_label(env, 0, &p.label, &p.mode, &ignored) < 0) {
		p.label_error = strdup(ignored->msg); /* NULL is fine: the cause is then unnamed */
		ph_error_free(&ignored);
		p.label = p.mode = NULL;
	}
	if (ph_aa_display_attr_path(env, &p.display_attr, err) < 0)
		goto fail;
	ph_aa_lsm_probe(env, &p.lsm);
done:
	p.caller_kind = caller_kind(&p);
	*out = p;
	return 0;
fail:
	ph_aa_probe_release(&p);
	return ph_error_wrap(err, "probe AppArmor");
}

int ph_aa_probe(const struct ph_aa_env *env, struct ph_aa_probe *out, ph_error_t *err)
{
	return probe(env, true, out, err);
}

int ph_aa_probe_basic(const struct ph_aa_env *env, struct ph_aa_probe *out, ph_error_t *err)
{
	return probe(env, false, out, err);
}

void ph_aa_probe_release(struct ph_aa_probe *probe)
{
	free(probe->securityfs);
	free(probe->apparmorfs);
	free(probe->ns_name);
	free(probe->label);
	free(probe->label_error);
	free(probe->mode);
	free(probe->display_attr);
	free(probe->lsm_list);
	memset(probe, 0, sizeof(*probe));
}

const char *ph_aa_caller_kind_name(enum ph_aa_caller_kind kind)
{
	switch (kind) {
	case PH_CALLER_NO_APPARMOR:
		return "no-apparmor";
	case PH_CALLER_UNKNOWN:
		return "unknown";
	case PH_CALLER_ROOT_UNCONFINED:
		return "root-unconfined";
	case PH_CALLER_OWN_NS:
		return "own-namespace";
	case PH_CALLER_CONFINED_ROOT:
		return "confined-root";
	}
	return "invalid";
}

/* The conditions of security/apparmor/policy.c, aa_may_manage_policy()
 * and aa_policy_admin_capable() (Linux 6.1), in the order they are
 * checked, each with what fixes it. */
char *ph_aa_admin_denial_hint(const struct ph_aa_probe *p)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (f == NULL)
		return NULL;
	const char *sep = "";
	if (p->lock_policy) {
		fprintf(f,
			"%spolicy is locked (apparmor lock_policy=Y): nothing changes until "
			"reboot",
			sep);
		sep = "; ";
	}
	if (!p->cap_mac_admin) {
		fprintf(f,
			"%sCAP_MAC_ADMIN is not in the effective set: run phoenix as root "
			"with CAP_MAC_ADMIN",
			sep);
		sep = "; ";
	}
	if (p->label != NULL && strcmp(p->label, "unconfined") != 0 &&
	    (p->mode == NULL || strcmp(p->mode, "unconfined") != 0)) {
		fprintf(f, "%sthe caller's profile `%s` lacks `capability mac_admin,`", sep,
			p->label);
		sep = "; ";
	}
	if (p->ns_stacked) {
		fprintf(f,
			"%severy profile stacked on the caller's namespace (such as the LXC "
			"container's profile on the host) must allow `capability mac_admin,`",
			sep);
		sep = "; ";
	}
	if (p->in_userns) {
		if (p->unprivileged_userns_policy == 0) {
			fprintf(f,
				"%sunprivileged_userns_apparmor_policy=0: set "
				"/proc/sys/kernel/unprivileged_userns_apparmor_policy to 1 on the "
				"host",
				sep);
			sep = "; ";
		}
		fprintf(f,
			"%sthe caller runs in a user namespace, whose depth must equal the "
			"policy namespace level (.ns_level = %d), and where the per-namespace "
			"policy files (root-owned, 0640) are refused by file permissions: load "
			"through the top-level .replace instead",
			sep, p->ns_level);
		sep = "; ";
	}
	if (sep[0] == '\0')
		fprintf(f, "no cause is visible from here: look for apparmor=\"DENIED\" in the "
			   "audit log");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int ph_aa_admin_error(const struct ph_aa_env *env, int status, ph_error_t *err, const char *what)
{
	struct ph_aa_probe probe;
	cleanup_error ph_error_t probe_err = NULL;
	cleanup_free char *hint = NULL;
	if (ph_aa_probe(env, &probe, &probe_err) == 0) {
		hint = ph_aa_admin_denial_hint(&probe);
		ph_aa_probe_release(&probe);
	}
	return ph_error_make(err, status, "%s: not policy admin: %s", what,
			     hint != NULL ? hint : "the AppArmor probe failed too");
}
