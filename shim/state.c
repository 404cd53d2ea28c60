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

#include "file.h"
#include "json.h"

#define STATE_MAX_SIZE (64 * 1024)

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

/* mkdir -p, refusing symlinks on the way: the state lives where root
 * writes. */
static int open_dir_chain(const char *path, int *out, ph_error_t *err)
{
	if (path[0] != '/')
		return ph_error_make(err, EINVAL, "state directory `%s` is not absolute", path);
	int fd = open("/", O_DIRECTORY | O_CLOEXEC | O_PATH);
	if (fd < 0)
		return ph_error_make(err, errno, "open /");
	cleanup_free char *copy = strdup(path);
	if (copy == NULL) {
		close(fd);
		return ph_error_make(err, ENOMEM, "state directory");
	}
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (mkdirat(fd, c, 0700) < 0 && errno != EEXIST) {
			int e = errno;
			close(fd);
			return ph_error_make(err, e, "create state directory `%s`", path);
		}
		int next = openat(fd, c, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_PATH);
		int e = errno;
		close(fd);
		if (next < 0)
			return ph_error_make(err, e == ELOOP ? ENOTDIR : e,
					     "open state directory `%s` (component `%s`)", path, c);
		fd = next;
	}
	/* re-open for reading entries and as an *at() base */
	int dfd = openat(fd, ".", O_DIRECTORY | O_CLOEXEC | O_RDONLY);
	int e = errno;
	close(fd);
	if (dfd < 0)
		return ph_error_make(err, e, "open state directory `%s`", path);
	*out = dfd;
	return 0;
}

int ph_state_open(const char *state_dir, int *dirfd, ph_error_t *err)
{
	return open_dir_chain(state_dir, dirfd, err);
}

static int lock_file(int dirfd, const char *ns, int op, int *lockfd, ph_error_t *err);

int ph_state_lock(int dirfd, const char *ns, int *lockfd, ph_error_t *err)
{
	return lock_file(dirfd, ns, LOCK_EX, lockfd, err);
}

int ph_state_trylock(int dirfd, const char *ns, int *lockfd, ph_error_t *err)
{
	return lock_file(dirfd, ns, LOCK_EX | LOCK_NB, lockfd, err);
}

static int lock_file(int dirfd, const char *ns, int op, int *lockfd, ph_error_t *err)
{
	char name[300];
	if (snprintf(name, sizeof(name), "%s.lock", ns) >= (int)sizeof(name))
		return ph_error_make(err, ENAMETOOLONG, "lock name");
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ph_error_make(err, errno, "open lock `%s`", name);
	*lockfd = -1;
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			close(fd);
			return 0;
		}
		int e = errno;
		close(fd);
		return ph_error_make(err, e, "lock `%s`", name);
	}
	*lockfd = fd;
	return 0;
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
	*found = true;
	return 0;
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

int ph_state_list(int dirfd, char ***names, ph_error_t *err)
{
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
		if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		ret = strv_append(&v, &n, &cap, de->d_name, len - 5);
	}
	closedir(d);
	if (ret < 0) {
		ph_strv_free(v);
		return ph_error_make(err, ENOMEM, "list state");
	}
	*names = v;
	return 0;
}
