/* phoenix: per-container records and locks (see state.h). */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aa_names.h"
#include "confine.h"
#include "file.h"
#include "json.h"
#include "private_dir.h"

#define STATE_MAX_SIZE (64 * 1024)
#define LOCK_ATTEMPTS 100

static int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

void ph_container_state_release(struct ph_container_state *st)
{
	free(st->id);
	free(st->root);
	free(st->ns);
	free(st->profile);
	free(st->transition);
	free(st->bundle);
	free(st->runtime);
	free(st->label);
	free(st->caps);
	memset(st, 0, sizeof(*st));
}

int ph_state_open(const char *state_dir, int *dirfd, ph_error_t *err)
{
	return ph_private_dir_open(state_dir, "state directory", true, dirfd, err);
}

static int name_of(const char *ns, const char *suffix, char *out, size_t outlen, ph_error_t *err)
{
	if (snprintf(out, outlen, "%s%s", ns, suffix) >= (int)outlen)
		return ph_error_make(err, ENAMETOOLONG, "state file name for `%s`", ns);
	return 0;
}

/* Does `fd` still hold the file named `name`?  The remover of a record
 * unlinks its lock file while it holds the lock (ph_state_remove); one
 * who opened the file before that and got the lock after it holds a lock
 * on a file no one else will open again, and must take the lock anew. */
static int still_named(int dirfd, const char *name, int fd, bool *same, ph_error_t *err)
{
	struct stat held, named;
	if (fstat(fd, &held) < 0)
		return ph_error_make(err, errno, "stat lock `%s`", name);
	if (fstatat(dirfd, name, &named, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return ph_error_make(err, errno, "stat lock `%s`", name);
		*same = false;
		return 0;
	}
	*same = held.st_dev == named.st_dev && held.st_ino == named.st_ino;
	return 0;
}

/* Take the lock on <ns>.lock with flock `op`.  *lockfd = -1 when it is
 * held by another (LOCK_NB), or, without `create`, when there is no lock
 * file (then no one holds it either). */
static int lock_file(int dirfd, const char *ns, int op, bool create, int *lockfd, bool *busy,
		     ph_error_t *err)
{
	char name[300];
	*lockfd = -1;
	*busy = false;
	if (name_of(ns, ".lock", name, sizeof(name), err) < 0)
		return -1;
	for (int attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
		int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT : 0);
		cleanup_close int fd = openat(dirfd, name, flags, 0600);
		if (fd < 0 && errno == ENOENT && !create)
			return 0;
		if (fd < 0)
			return ph_error_make(err, errno, "open lock `%s`", name);
		int r;
		while ((r = flock(fd, op)) < 0 && errno == EINTR)
			;
		if (r < 0 && errno == EWOULDBLOCK) {
			*busy = true;
			return 0;
		}
		if (r < 0)
			return ph_error_make(err, errno, "lock `%s`", name);
		bool same = false;
		if (still_named(dirfd, name, fd, &same, err) < 0)
			return -1;
		if (same) {
			*lockfd = steal_fd(&fd);
			return 0;
		}
		if (!create)
			return 0; /* removed meanwhile: nothing to lock any more */
	}
	return ph_error_make(err, EAGAIN, "lock `%s`: removed and made again %d times in a row",
			     name, LOCK_ATTEMPTS);
}

int ph_state_lock(int dirfd, const char *ns, int *lockfd, ph_error_t *err)
{
	bool busy = false;
	return lock_file(dirfd, ns, LOCK_EX, true, lockfd, &busy, err);
}

int ph_state_trylock(int dirfd, const char *ns, int *lockfd, ph_error_t *err)
{
	bool busy = false;
	return lock_file(dirfd, ns, LOCK_EX | LOCK_NB, true, lockfd, &busy, err);
}

int ph_state_trylock_existing(int dirfd, const char *ns, int *lockfd, bool *busy, ph_error_t *err)
{
	return lock_file(dirfd, ns, LOCK_EX | LOCK_NB, false, lockfd, busy, err);
}

static int take(const struct ph_json *root, const char *key, char **dst, bool required,
		ph_error_t *err)
{
	const char *v = NULL;
	int r = ph_json_get_string(root, key, &v, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		if (required)
			return ph_error_make(err, EINVAL, "%s: missing `%s`", root->origin, key);
		return 0;
	}
	*dst = strdup(v);
	return *dst ? 0 : ph_error_make(err, ENOMEM, "state");
}

/* A record is used only for the namespace it is filed under, and only
 * when its id and root are what that name is made of: gc hands both to
 * the runtime and removes the namespace the record names. */
static int check_record(const char *name, const char *ns, const struct ph_container_state *st,
			ph_error_t *err)
{
	if (strcmp(st->ns, ns) != 0)
		return ph_error_make(err, EINVAL, "state `%s` names namespace `%s`", name, st->ns);
	if (st->root[0] != '/')
		return ph_error_make(err, EINVAL, "state `%s`: runtime root `%s` is not absolute",
				     name, st->root);
	if (ph_validate_id(st->id, err) < 0)
		return ph_error_wrap(err, "state `%s`", name);
	char want[PH_AA_NS_NAME_SIZE];
	if (ph_aa_ns_name(st->root, st->id, want, sizeof(want), err) < 0)
		return ph_error_wrap(err, "state `%s`", name);
	if (strcmp(want, ns) != 0)
		return ph_error_make(err, EINVAL,
				     "state `%s`: container `%s` of root `%s` has namespace `%s`",
				     name, st->id, st->root, want);
	return 0;
}

int ph_state_load(int dirfd, const char *ns, struct ph_container_state *st, bool *found,
		  ph_error_t *err)
{
	char name[300];
	memset(st, 0, sizeof(*st));
	*found = false;
	if (snprintf(name, sizeof(name), "%s.json", ns) >= (int)sizeof(name))
		return ph_error_make(err, ENAMETOOLONG, "state name");
	cleanup_free char *buf = NULL;
	size_t len = 0;
	ph_error_t rerr = NULL;
	if (ph_file_read(dirfd, name, STATE_MAX_SIZE, &buf, &len, &rerr) < 0) {
		if (rerr->status == ENOENT) {
			ph_error_free(&rerr);
			return 0;
		}
		ph_error_move(err, &rerr);
		return ph_error_wrap(err, "read state");
	}
	cleanup_json struct ph_json *root = NULL;
	if (ph_json_parse(buf, len, name, &root, err) < 0)
		return ph_error_wrap(err, "state");
	if (take(root, "id", &st->id, true, err) < 0 ||
	    take(root, "root", &st->root, true, err) < 0 ||
	    take(root, "namespace", &st->ns, true, err) < 0 ||
	    take(root, "profile", &st->profile, true, err) < 0 ||
	    take(root, "transition", &st->transition, true, err) < 0 ||
	    take(root, "bundle", &st->bundle, false, err) < 0 ||
	    take(root, "runtime", &st->runtime, false, err) < 0 ||
	    take(root, "label", &st->label, false, err) < 0 ||
	    take(root, "capabilities", &st->caps, false, err) < 0) {
		ph_container_state_release(st);
		return -1;
	}
	const char *created = NULL;
	if (ph_json_get_number(root, "created", &created, err) < 0) {
		ph_container_state_release(st);
		return -1;
	}
	st->created = created ? atoll(created) : 0;
	const char *init_pid = NULL, *init_start = NULL;
	if (ph_json_get_number(root, "initPid", &init_pid, err) < 0 ||
	    ph_json_get_number(root, "initStart", &init_start, err) < 0) {
		ph_container_state_release(st);
		return -1;
	}
	st->init_pid = init_pid ? atoll(init_pid) : 0;
	st->init_start = init_start ? strtoull(init_start, NULL, 10) : 0;
	if (check_record(name, ns, st, err) < 0) {
		ph_container_state_release(st);
		return -1;
	}
	*found = true;
	return 0;
}

/* `a` and `b` name the same runtime root (trailing slashes aside, as in
 * the namespace name's scope tag). */
static bool same_root(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

bool ph_state_is_of(const struct ph_container_state *st, const char *id, const char *root)
{
	return st->id && st->root && strcmp(st->id, id) == 0 && same_root(st->root, root);
}

int ph_state_load_of(int dirfd, const char *ns, const char *id, const char *root,
		     struct ph_container_state *st, bool *found, ph_error_t *err)
{
	if (ph_state_load(dirfd, ns, st, found, err) < 0)
		return -1;
	if (!*found || ph_state_is_of(st, id, root))
		return 0;
	ph_error_make(err, EEXIST,
		      "container `%s` (runtime root `%s`) would have the policy namespace `%s` "
		      "of container `%s` (runtime root `%s`): their names hash alike; "
		      "phoenix does not share a namespace or a record, choose another id",
		      id, root, ns, st->id, st->root);
	ph_container_state_release(st);
	*found = false;
	return -1;
}

static int put(struct ph_json *root, const char *key, const char *value, ph_error_t *err)
{
	if (value == NULL)
		return 0;
	return ph_json_set_string(root, key, value, err);
}

int ph_state_save(int dirfd, const struct ph_container_state *st, ph_error_t *err)
{
	char name[300];
	if (snprintf(name, sizeof(name), "%s.json", st->ns) >= (int)sizeof(name))
		return ph_error_make(err, ENAMETOOLONG, "state name");
	cleanup_json struct ph_json *root = ph_json_new_object(err);
	if (root == NULL)
		return -1;
	if (put(root, "id", st->id, err) < 0 || put(root, "root", st->root, err) < 0 ||
	    put(root, "namespace", st->ns, err) < 0 || put(root, "profile", st->profile, err) < 0 ||
	    put(root, "transition", st->transition, err) < 0 ||
	    put(root, "label", st->label, err) < 0 || put(root, "bundle", st->bundle, err) < 0 ||
	    put(root, "runtime", st->runtime, err) < 0 ||
	    put(root, "capabilities", st->caps, err) < 0)
		return ph_error_wrap(err, "state");
	struct ph_json *created = ph_json_new_int(st->created, err);
	if (created == NULL || ph_json_object_set(root, "created", created, err) < 0)
		return ph_error_wrap(err, "state");
	if (st->init_pid > 0) {
		struct ph_json *pid = ph_json_new_int(st->init_pid, err);
		if (pid == NULL || ph_json_object_set(root, "initPid", pid, err) < 0)
			return ph_error_wrap(err, "state");
		struct ph_json *start = ph_json_new_int((long long)st->init_start, err);
		if (start == NULL || ph_json_object_set(root, "initStart", start, err) < 0)
			return ph_error_wrap(err, "state");
	}
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (ph_json_serialize(root, &text, &len, err) < 0)
		return ph_error_wrap(err, "state");
	if (ph_file_write_atomic(dirfd, name, text, len, 0600, err) < 0)
		return ph_error_wrap(err, "write state");
	return 0;
}

int ph_state_remove(int dirfd, const char *ns, ph_error_t *err)
{
	char name[300];
	if (snprintf(name, sizeof(name), "%s.json", ns) >= (int)sizeof(name))
		return ph_error_make(err, ENAMETOOLONG, "state name");
	/* the init pid file phoenix asked the runtime for, if any (create.c),
	 * before the record by which gc finds what is left */
	char pid_name[300];
	snprintf(pid_name, sizeof(pid_name), "%s.pid", ns);
	if (unlinkat(dirfd, pid_name, 0) < 0 && errno != ENOENT)
		return ph_error_make(err, errno, "remove `%s`", pid_name);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return ph_error_make(err, errno, "remove state `%s`", name);
	/* last, while the caller still holds it: a command waiting for it
	 * sees the file gone once it has it and takes a new one (lock_file) */
	char lock_name[300];
	snprintf(lock_name, sizeof(lock_name), "%s.lock", ns);
	if (unlinkat(dirfd, lock_name, 0) < 0 && errno != ENOENT)
		return ph_error_make(err, errno, "remove `%s`", lock_name);
	return 0;
}

int ph_state_reap_lock(int dirfd, const char *ns, bool dry_run, bool *removed, ph_error_t *err)
{
	char record[300], lock_name[300];
	*removed = false;
	if (name_of(ns, ".json", record, sizeof(record), err) < 0 ||
	    name_of(ns, ".lock", lock_name, sizeof(lock_name), err) < 0)
		return -1;
	cleanup_close int lockfd = -1;
	bool busy = false;
	if (ph_state_trylock_existing(dirfd, ns, &lockfd, &busy, err) < 0)
		return -1;
	if (lockfd < 0)
		return 0; /* in use, or gone already */
	/* a create may have written the record between the listing and
	 * the lock */
	struct stat st;
	if (fstatat(dirfd, record, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return ph_error_make(err, errno, "stat `%s`", record);
	if (!dry_run && unlinkat(dirfd, lock_name, 0) < 0 && errno != ENOENT)
		return ph_error_make(err, errno, "remove `%s`", lock_name);
	*removed = true;
	return 0;
}

/* Append a copy of name[0..len) to the NULL-terminated vector *v. */
static int strv_append(char ***v, size_t *n, size_t *cap, const char *name, size_t len)
{
	if (*n + 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **nv = realloc(*v, ncap * sizeof(char *));
		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	char *copy = strndup(name, len);
	if (copy == NULL)
		return -1;
	(*v)[(*n)++] = copy;
	(*v)[*n] = NULL;
	return 0;
}

static int list_suffix(int dirfd, const char *suffix, char ***names, ph_error_t *err)
{
	const size_t slen = strlen(suffix);
	int fd = openat(dirfd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ph_error_make(err, errno, "open state directory");
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		int e = errno;
		close(fd);
		return ph_error_make(err, e, "read state directory");
	}
	char **v = NULL;
	size_t n = 0, cap = 0;
	int ret = strv_append(&v, &n, &cap, "", 0); /* a valid empty vector first */
	if (ret == 0) {
		free(v[0]);
		v[0] = NULL;
		n = 0;
	}
	struct dirent *de;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len <= slen || strcmp(de->d_name + len - slen, suffix) != 0 ||
		    de->d_name[0] == '.')
			continue;
		ret = strv_append(&v, &n, &cap, de->d_name, len - slen);
	}
	closedir(d);
	if (ret < 0) {
		ph_strv_free(v);
		return ph_error_make(err, ENOMEM, "list state");
	}
	*names = v;
	return 0;
}

int ph_state_list(int dirfd, char ***names, ph_error_t *err)
{
	return list_suffix(dirfd, ".json", names, err);
}

int ph_state_list_locks(int dirfd, char ***names, ph_error_t *err)
{
	return list_suffix(dirfd, ".lock", names, err);
}
