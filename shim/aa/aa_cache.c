/* phoenix: compiled-policy cache (see aa_cache.h). */
#include "aa_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aa_blob.h"
#include "aa_features.h"
#include "aa_io.h"
#include "aa_names.h"
#include "aa_policy.h"
#include "private_dir.h"

#define CACHE_FORMAT "phoenix-policy-cache-2"
#define BLOB_MAX (64 * 1024 * 1024)
#define TREE_DEPTH_MAX 16
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* What one cache lookup needs. */
struct cache_req {
	const struct ph_aa_env *env;
	const char *cache_dir;
	const char *profiles_dir;
	const char *profile_name;
	char *parser;	     /* resolved path */
	char *features_path; /* <apparmorfs>/features */
	char *profile_path;  /* <profiles_dir>/<profile_name> */
	char *features;	     /* the kernel's features text (aa_features.h) */
	int dirfd;	     /* cache_dir */
	bool complain;	     /* compiled in complain mode (a cache entry of its own) */
};

static void cache_req_release(struct cache_req *req)
{
	free(req->parser);
	free(req->features_path);
	free(req->profile_path);
	free(req->features);
	if (req->dirfd >= 0)
		close(req->dirfd);
}

static uint64_t mix_u64(uint64_t h, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return ph_aa_fnv1a64(h, b, sizeof(b));
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	return ph_aa_fnv1a64(h, s, strlen(s) + 1);
}

static int hash_fd(int fd, uint64_t *h)
{
	char buf[16384];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		*h = ph_aa_fnv1a64(*h, buf, (size_t)r);
	}
}

/* Every regular file below `dir` (symlinks to files followed, to
 * directories not), in sorted order: relative path, size, content. */
static int hash_tree(const char *dir, const char *rel, int depth, uint64_t *h, ph_error_t *err)
{
	if (depth > TREE_DEPTH_MAX)
		return ph_error_make(err, ELOOP, "hash `%s`: too deep", dir);
	struct dirent **entries = NULL;
	int n = scandir(dir, &entries, NULL, alphasort);
	if (n < 0)
		return ph_error_make(err, errno, "hash profiles: list `%s`", dir);
	int ret = 0;
	for (int i = 0; i < n; i++) {
		const char *name = entries[i]->d_name;
		if (ret < 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		cleanup_free char *path = ph_aa_pathf(err, "%s/%s", dir, name);
		cleanup_free char *sub = ph_aa_pathf(err, "%s%s%s", rel, *rel ? "/" : "", name);
		struct stat st;
		if (path == NULL || sub == NULL) {
			ret = -1;
			continue;
		}
		if (lstat(path, &st) < 0) {
			ret = ph_error_make(err, errno, "hash profiles: stat `%s`", path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = hash_tree(path, sub, depth + 1, h, err);
			continue;
		}
		cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			continue; /* dangling link, socket, ...: nothing the parser reads */
		*h = mix_str(*h, sub);
		*h = mix_u64(*h, (uint64_t)st.st_size);
		int r = hash_fd(fd, h);
		if (r < 0)
			ret = ph_error_make(err, -r, "hash profiles: read `%s`", path);
	}
	for (int i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
	return ret;
}

/* ---- the key: what the parser reads ---------------------------------------
 *
 * apparmor_parser reads the profile, every file its `include`, `#include`
 * and `abi` rules name (recursively; a directory means every file in it;
 * `include if exists` may name nothing), looked up in the include path:
 * parser.conf's `Include` directories, then -I (the profiles directory),
 * then the base directory (parser.conf's `base`, default /etc/apparmor.d);
 * a quoted relative name is taken from the base directory.  The key hashes
 * every candidate of every name in every directory of that path (present
 * with its content, or absent), so it changes whichever of them the parser
 * picks, and whatever order it searches in.  Lines are scanned for the
 * three keywords without parsing the language; a keyword met inside a
 * comment or a rule only adds files to the key, which costs a rebuild at
 * worst.  parser.conf itself and the feature files it names are hashed
 * too. */

#define CLOSURE_FILES_MAX 4096
#define DEFAULT_BASE "/etc/apparmor.d"

struct closure {
	uint64_t h;
	const char *dirs[34]; /* the include path */
	size_t ndirs;
	const char *base;
	char **seen; /* paths hashed already */
	size_t nseen, capseen;
	char *conf_dirs[32]; /* owned copies of parser.conf's paths */
	size_t nconf;
	char *conf_base;
};

static void closure_release(struct closure *c)
{
	for (size_t i = 0; i < c->nseen; i++)
		free(c->seen[i]);
	free(c->seen);
	for (size_t i = 0; i < c->nconf; i++)
		free(c->conf_dirs[i]);
	free(c->conf_base);
}

/* false when `path` was hashed already (cycles, shared includes) */
static int closure_visit(struct closure *c, const char *path, bool *first, ph_error_t *err)
{
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], path) == 0) {
			*first = false;
			return 0;
		}
	if (c->nseen >= CLOSURE_FILES_MAX)
		return ph_error_make(err, E2BIG, "hash policy includes: more than %d files",
				     CLOSURE_FILES_MAX);
	if (c->nseen == c->capseen) {
		size_t ncap = c->capseen ? c->capseen * 2 : 64;
		char **n = realloc(c->seen, ncap * sizeof(*n));
		if (n == NULL)
			return ph_error_make(err, ENOMEM, "hash policy includes");
		c->seen = n;
		c->capseen = ncap;
	}
	c->seen[c->nseen] = strdup(path);
	if (c->seen[c->nseen] == NULL)
		return ph_error_make(err, ENOMEM, "hash policy includes");
	c->nseen++;
	*first = true;
	return 0;
}

static int closure_path(struct closure *c, const char *path, int depth, ph_error_t *err);

/* The name written after include/abi at `p` (<...>, "..." or bare, after
 * an optional `if exists`): its length, *start and *quote ('<', '"' or
 * 0); 0 when there is none. */
static size_t include_name(const char *p, char *quote, const char **start)
{
	p += strspn(p, " \t");
	if (strncmp(p, "if", 2) == 0 && (p[2] == ' ' || p[2] == '\t')) {
		p += 2 + strspn(p + 2, " \t");
		if (strncmp(p, "exists", 6) != 0)
			return 0;
		p += 6 + strspn(p + 6, " \t");
	}
	*quote = *p;
	if (*p == '<' || *p == '"') {
		const char *e = strchr(p + 1, *p == '<' ? '>' : '"');
		if (e == NULL)
			return 0;
		*start = p + 1;
		return (size_t)(e - p - 1);
	}
	*quote = 0;
	*start = p;
	return strcspn(p, " \t,\r\n#");
}

/* Hash every candidate for one name an include or abi rule gives. */
static int closure_name(struct closure *c, const char *name, char quote, const char *from_dir,
			int depth, ph_error_t *err)
{
	if (name[0] == '/')
		return closure_path(c, name, depth, err);
	int r = 0;
	for (size_t i = 0; r == 0 && i < c->ndirs; i++) {
		cleanup_free char *p = ph_aa_pathf(err, "%s/%s", c->dirs[i], name);
		r = p ? closure_path(c, p, depth, err) : -1;
	}
	if (r == 0 && quote != '<' && from_dir != NULL) {
		cleanup_free char *p = ph_aa_pathf(err, "%s/%s", from_dir, name);
		r = p ? closure_path(c, p, depth, err) : -1;
	}
	return r;
}

static bool keyword_at(const char *line, const char *p, const char *kw)
{
	size_t n = strlen(kw);
	if (strncmp(p, kw, n) != 0 || (p[n] != ' ' && p[n] != '\t'))
		return false;
	return p == line || strchr(" \t{#", p[-1]) != NULL;
}

/* The include and abi rules of one file's text. */
static int closure_scan(struct closure *c, const char *path, char *text, int depth, ph_error_t *err)
{
	cleanup_free char *dir = strdup(path);
	if (dir == NULL)
		return ph_error_make(err, ENOMEM, "hash policy includes");
	char *slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		/* a comment, unless it is the old `#include` form */
		if (line[0] == '#' &&
		    strncmp(line + 1 + strspn(line + 1, " \t"), "include", 7) != 0)
			continue;
		for (char *p = line; (p = strpbrk(p, "ia")) != NULL; p++) {
			size_t kw;
			if (keyword_at(line, p, "include"))
				kw = 7;
			else if (keyword_at(line, p, "abi"))
				kw = 3;
			else
				continue;
			char quote = 0;
			const char *start = NULL;
			size_t n = include_name(p + kw, &quote, &start);
			if (n == 0 || n >= 4096)
				continue;
			char name[4096];
			memcpy(name, start, n);
			name[n] = '\0';
			if (closure_name(c, name, quote, dir, depth + 1, err) < 0)
				return -1;
		}
	}
	return 0;
}

static int closure_file(struct closure *c, const char *path, int fd, const struct stat *st,
			int depth, ph_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	int r = ph_aa_read_fd_sized(fd, BLOB_MAX, (size_t)st->st_size, &text, &len);
	if (r < 0)
		return ph_error_make(err, -r, "hash policy includes: read `%s`", path);
	c->h = mix_str(c->h, "file");
	c->h = mix_str(c->h, path);
	c->h = mix_u64(c->h, len);
	c->h = ph_aa_fnv1a64(c->h, text, len);
	return closure_scan(c, path, text, depth, err);
}

static int closure_dir(struct closure *c, const char *path, int depth, ph_error_t *err)
{
	struct dirent **entries = NULL;
	int n = scandir(path, &entries, NULL, alphasort);
	if (n < 0)
		return ph_error_make(err, errno, "hash policy includes: list `%s`", path);
	c->h = mix_str(c->h, "dir");
	c->h = mix_str(c->h, path);
	int r = 0;
	for (int i = 0; i < n; i++) {
		const char *name = entries[i]->d_name;
		if (r == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			cleanup_free char *sub = ph_aa_pathf(err, "%s/%s", path, name);
			r = sub ? closure_path(c, sub, depth + 1, err) : -1;
		}
		free(entries[i]);
	}
	free(entries);
	return r;
}

/* One candidate: a file (hashed and scanned), a directory (each entry),
 * or nothing (its absence is hashed: creating it changes the key). */
static int closure_path(struct closure *c, const char *path, int depth, ph_error_t *err)
{
	if (depth > TREE_DEPTH_MAX)
		return ph_error_make(err, ELOOP, "hash policy includes: `%s` nested too deep",
				     path);
	bool first = false;
	if (closure_visit(c, path, &first, err) < 0)
		return -1;
	if (!first)
		return 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0 || (errno != ENOENT && errno != ENOTDIR))
			return ph_error_make(err, errno, "hash policy includes: open `%s`", path);
		c->h = mix_str(c->h, "absent");
		c->h = mix_str(c->h, path);
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return closure_dir(c, path, depth, err);
	if (S_ISREG(st.st_mode))
		return closure_file(c, path, fd, &st, depth, err);
	return 0; /* a socket, a fifo: nothing the parser reads */
}

static bool feature_key(const char *key, size_t len)
{
	static const char *const keys[] = {"policy-features", "override-policy-abi",
					   "features-file", "kernel-features"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == len && strncmp(key, keys[i], len) == 0)
			return true;
	return false;
}

/* A feature file or directory parser.conf names. */
static int hash_tree_or_file(const char *path, uint64_t *h, ph_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	*h = mix_str(*h, path);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd < 0 && errno == ENOENT)
			return 0;
		return ph_error_make(err, errno, "hash policy features: open `%s`", path);
	}
	if (S_ISDIR(st.st_mode))
		return hash_tree(path, "", 0, h, err);
	int r = S_ISREG(st.st_mode) ? hash_fd(fd, h) : 0;
	return r < 0 ? ph_error_make(err, -r, "hash policy features: read `%s`", path) : 0;
}

/* parser.conf's lines that decide what is read: `Include DIR`, `base DIR`,
 * and the feature files (`policy-features`, `override-policy-abi`,
 * `features-file`, `kernel-features`), each as `key value` or
 * `key=value`. */
static int closure_conf(struct closure *c, const char *conf_path, ph_error_t *err)
{
	cleanup_close int fd = open(conf_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT) {
		c->h = mix_str(c->h, "no parser.conf");
		return 0;
	}
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return ph_error_make(err, errno, "hash policy includes: open `%s`", conf_path);
	cleanup_free char *text = NULL;
	size_t len = 0;
	int r = ph_aa_read_fd_sized(fd, BLOB_MAX, (size_t)st.st_size, &text, &len);
	if (r < 0)
		return ph_error_make(err, -r, "hash policy includes: read `%s`", conf_path);
	c->h = mix_str(c->h, conf_path);
	c->h = ph_aa_fnv1a64(c->h, text, len);
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		size_t klen = strcspn(line, " \t=");
		if (line[0] == '#' || line[klen] == '\0')
			continue;
		char *value = line + klen;
		value += strspn(value, " \t=");
		value[strcspn(value, " \t\r")] = '\0';
		if (value[0] == '\0')
			continue;
		bool include = klen == 7 && strncmp(line, "Include", 7) == 0;
		bool base = klen == 4 && strncmp(line, "base", 4) == 0;
		if (include && c->nconf < sizeof(c->conf_dirs) / sizeof(c->conf_dirs[0])) {
			if ((c->conf_dirs[c->nconf++] = strdup(value)) == NULL)
				return ph_error_make(err, ENOMEM, "parser.conf");
		} else if (include) {
			return ph_error_make(err, E2BIG, "`%s`: too many Include lines", conf_path);
		} else if (base) {
			free(c->conf_base);
			if ((c->conf_base = strdup(value)) == NULL)
				return ph_error_make(err, ENOMEM, "parser.conf");
		} else if (feature_key(line, klen)) {
			if (value[0] == '/' && hash_tree_or_file(value, &c->h, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* Hash what the parser reads for `profile_path` into *h. */
static int hash_includes(const struct cache_req *req, uint64_t *h, ph_error_t *err)
{
	struct closure c = {.h = *h};
	const char *conf = req->env->parser_conf ? req->env->parser_conf : PH_AA_PARSER_CONF;
	int r = closure_conf(&c, conf, err);
	if (r == 0) {
		for (size_t i = 0; i < c.nconf; i++)
			c.dirs[c.ndirs++] = c.conf_dirs[i];
		c.dirs[c.ndirs++] = req->profiles_dir;
		c.base = c.conf_base ? c.conf_base : DEFAULT_BASE;
		c.dirs[c.ndirs++] = c.base;
		r = closure_path(&c, req->profile_path, 0, err);
	}
	*h = c.h;
	closure_release(&c);
	return r;
}

/* `parser` itself when it contains a '/', else its first executable
 * match in PATH. */
static int resolve_parser(const char *parser, char **out, ph_error_t *err)
{
	if (parser == NULL || parser[0] == '\0')
		return ph_error_make(err, EINVAL, "no policy compiler given");
	if (strchr(parser, '/') != NULL) {
		*out = strdup(parser);
		return *out ? 0 : ph_error_make(err, ENOMEM, "copy parser path");
	}
	const char *path = getenv("PATH");
	if (path == NULL || path[0] == '\0')
		path = DEFAULT_PATH;
	while (*path != '\0') {
		size_t n = strcspn(path, ":");
		if (n > 0) {
			char *candidate = ph_aa_pathf(err, "%.*s/%s", (int)n, path, parser);
			if (candidate == NULL)
				return -1;
			if (access(candidate, X_OK) == 0) {
				*out = candidate;
				return 0;
			}
			free(candidate);
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return ph_error_make(err, ENOENT, "policy compiler `%s` not found in PATH", parser);
}

static int hash_parser(const char *parser, uint64_t *h, ph_error_t *err)
{
	struct stat st;
	if (stat(parser, &st) < 0)
		return ph_error_make(err, errno, "policy compiler `%s`", parser);
	*h = mix_u64(*h, (uint64_t)st.st_dev);
	*h = mix_u64(*h, (uint64_t)st.st_ino);
	*h = mix_u64(*h, (uint64_t)st.st_size);
	*h = mix_u64(*h, (uint64_t)st.st_mtim.tv_sec);
	*h = mix_u64(*h, (uint64_t)st.st_mtim.tv_nsec);
	return 0;
}

/* Create `dir` (0700, parents 0755) if needed and open it; refuse one
 * that anyone but root could write, or a symlink on the way
 * (private_dir.h). */
static int open_cache_dir(const char *dir, int *dirfd, ph_error_t *err)
{
	return ph_private_dir_open(dir, "policy cache", true, dirfd, err);
}

static int cache_req_init(struct cache_req *req, const struct ph_aa_env *env, const char *cache_dir,
			  const char *parser, const char *profiles_dir, const char *profile_name,
			  ph_error_t *err)
{
	*req = (struct cache_req){.env = env,
				  .cache_dir = cache_dir,
				  .profiles_dir = profiles_dir,
				  .profile_name = profile_name,
				  .dirfd = -1};
	if (profile_name == NULL || !ph_aa_name_valid(profile_name))
		return ph_error_make(err, EINVAL, "invalid profile name `%s`",
				     profile_name ? profile_name : "(null)");
	if (cache_dir == NULL || profiles_dir == NULL)
		return ph_error_make(err, EINVAL, "profile `%s`: no cache or profile directory",
				     profile_name);
	cleanup_free char *aafs = NULL;
	if (resolve_parser(parser, &req->parser, err) < 0 ||
	    ph_aa_env_apparmorfs(env, &aafs, err) < 0)
		return -1;
	req->features_path = ph_aa_pathf(err, "%s/features", aafs);
	req->profile_path = ph_aa_pathf(err, "%s/%s", profiles_dir, profile_name);
	if (req->features_path == NULL || req->profile_path == NULL)
		return -1;
	size_t features_len = 0;
	if (open_cache_dir(cache_dir, &req->dirfd, err) < 0)
		return -1;
	return ph_aa_features_text(env, req->features_path, req->dirfd, &req->features,
				   &features_len, err);
}

/* The entry name for `kind` ("bin", or "nstpl" for templates of
 * namespace names of `ns_len` bytes). */
static int cache_entry_name(const struct cache_req *req, const char *kind, size_t ns_len,
			    char **name, ph_error_t *err)
{
	uint64_t h = PH_AA_FNV64_INIT;
	h = mix_str(h, CACHE_FORMAT);
	h = mix_str(h, kind);
	h = mix_u64(h, ns_len);
	h = mix_str(h, req->profile_name);
	h = mix_u64(h, req->complain);
	h = ph_aa_fnv1a64(h, req->features, strlen(req->features));
	if (hash_includes(req, &h, err) < 0 || hash_parser(req->parser, &h, err) < 0)
		return -1;
	*name = ph_aa_pathf(err, "%s.%016" PRIx64 ".%s", req->profile_name, h, kind);
	return *name ? 0 : -1;
}

/* Read a cache entry; *found = false when there is none. */
static int cache_read(const struct cache_req *req, const char *name, char **blob, size_t *len,
		      bool *found, ph_error_t *err)
{
	*found = false;
	cleanup_close int fd = openat(req->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return ph_error_make(err, errno, "open cached policy `%s/%s`", req->cache_dir,
				     name);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ph_error_make(err, errno, "stat cached policy `%s/%s`", req->cache_dir,
				     name);
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0 ||
	    st.st_size == 0)
		return 0; /* not ours, or empty: compile anew and replace it */
	int r = ph_aa_read_fd_sized(fd, BLOB_MAX, (size_t)st.st_size, blob, len);
	if (r < 0)
		return ph_error_make(err, -r, "read cached policy `%s/%s`", req->cache_dir, name);
	*found = true;
	return 0;
}

/* Compile into a fresh temporary file of the cache directory, and read
 * it back.  *tmp_path is that file, for the caller to rename or unlink. */
static int compile_to_temp(const struct cache_req *req, const char *ns, char **tmp_path,
			   char **blob, size_t *len, ph_error_t *err)
{
	*tmp_path = ph_aa_pathf(err, "%s/.%s.XXXXXX", req->cache_dir, req->profile_name);
	if (*tmp_path == NULL)
		return -1;
	int fd = mkostemp(*tmp_path, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(*tmp_path);
		*tmp_path = NULL;
		return ph_error_make(err, e, "create a file in policy cache `%s`", req->cache_dir);
	}
	close(fd);
	if (ph_aa_policy_compile_conf(req->parser, req->env->parser_conf, req->profile_path,
				      req->profiles_dir, req->features_path, ns,
				      req->complain ? PH_AA_COMPILE_COMPLAIN : 0u, *tmp_path,
				      err) < 0)
		goto fail;
	fd = open(*tmp_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ph_error_make(err, errno, "open compiled policy `%s`", *tmp_path);
		goto fail;
	}
	int r = ph_aa_read_fd(fd, BLOB_MAX, blob, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r < 0) {
		ph_error_make(err, -r, "read compiled policy `%s`", *tmp_path);
		goto fail;
	}
	if (*len == 0) {
		free(*blob);
		*blob = NULL;
		ph_error_make(err, EPROTO, "compile `%s`: the parser wrote nothing",
			      req->profile_path);
		goto fail;
	}
	return 0;
fail:
	unlink(*tmp_path);
	free(*tmp_path);
	*tmp_path = NULL;
	return -1;
}

/* Move a temporary file into place as entry `name`, durably. */
static int cache_commit(const struct cache_req *req, const char *tmp_path, const char *name,
			ph_error_t *err)
{
	const char *base = strrchr(tmp_path, '/') + 1;
	if (renameat(req->dirfd, base, req->dirfd, name) < 0) {
		int e = errno;
		unlink(tmp_path);
		return ph_error_make(err, e, "store compiled policy in `%s`", req->cache_dir);
	}
	if (fsync(req->dirfd) < 0)
		return ph_error_make(err, errno, "sync policy cache `%s`", req->cache_dir);
	return 0;
}

static int cached_plain(const struct cache_req *req, bool force, char **blob, size_t *len,
			bool *hit, ph_error_t *err)
{
	cleanup_free char *name = NULL;
	if (cache_entry_name(req, "bin", 0, &name, err) < 0)
		return -1;
	if (!force && cache_read(req, name, blob, len, hit, err) < 0)
		return -1;
	if (*hit)
		return 0;
	cleanup_free char *tmp = NULL;
	if (compile_to_temp(req, NULL, &tmp, blob, len, err) < 0)
		return -1;
	if (cache_commit(req, tmp, name, err) < 0) {
		free(*blob);
		*blob = NULL;
		return -1;
	}
	return 0;
}

/* A name of `len` bytes made of `c`: a valid, recognisable placeholder. */
static char *placeholder(char c, size_t len, ph_error_t *err)
{
	char *s = malloc(len + 1);
	if (s == NULL) {
		ph_error_make(err, ENOMEM, "placeholder namespace name");
		return NULL;
	}
	memset(s, c, len);
	s[len] = '\0';
	return s;
}

/* Compile a template with placeholder `a`, check it against placeholder
 * `b`, and cache it.  *usable = false when the compiled form depends on
 * the namespace name beyond the header. */
static int fill_template(const struct cache_req *req, const char *name, const char *a,
			 const char *b, char **blob, size_t *len, bool *usable, ph_error_t *err)
{
	cleanup_free char *tmp_a = NULL, *tmp_b = NULL, *blob_b = NULL;
	size_t len_b = 0;
	*usable = false;
	if (compile_to_temp(req, a, &tmp_a, blob, len, err) < 0)
		return -1;
	int r = compile_to_temp(req, b, &tmp_b, &blob_b, &len_b, err);
	if (r == 0) {
		unlink(tmp_b);
		r = ph_aa_blob_ns_only_diff(*blob, *len, blob_b, len_b, a, b, usable, err);
	}
	if (r == 0 && *usable) {
		if (cache_commit(req, tmp_a, name, err) == 0)
			return 0;
		free(*blob);
		*blob = NULL;
		return -1;
	}
	unlink(tmp_a);
	free(*blob);
	*blob = NULL;
	return r;
}

static int cached_for_ns(const struct cache_req *req, const char *ns, bool force, char **blob,
			 size_t *len, bool *hit, ph_error_t *err)
{
	if (ns == NULL || !ph_aa_name_valid(ns))
		return ph_error_make(err, EINVAL, "invalid namespace name `%s`",
				     ns ? ns : "(null)");
	size_t ns_len = strlen(ns);
	cleanup_free char *name = NULL;
	cleanup_free char *a = placeholder('a', ns_len, err);
	cleanup_free char *b = placeholder('b', ns_len, err);
	if (a == NULL || b == NULL || cache_entry_name(req, "nstpl", ns_len, &name, err) < 0)
		return -1;
	bool usable = true;
	if (!force && cache_read(req, name, blob, len, hit, err) < 0)
		return -1;
	if (!*hit && fill_template(req, name, a, b, blob, len, &usable, err) < 0)
		return -1;
	if (usable) {
		if (ph_aa_blob_set_ns(*blob, *len, a, ns, err) == 0)
			return 0;
		free(*blob);
		*blob = NULL;
		return ph_error_wrap(err, "cached policy `%s/%s`", req->cache_dir, name);
	}
	/* The profile names its own namespace in its rules: compile it for
	 * this one, uncached. */
	cleanup_free char *tmp = NULL;
	if (compile_to_temp(req, ns, &tmp, blob, len, err) < 0)
		return -1;
	unlink(tmp);
	return 0;
}

int ph_aa_policy_cached(const struct ph_aa_env *env, const char *cache_dir, const char *parser,
			const char *profiles_dir, const char *profile_name, char **blob,
			size_t *len, bool *hit, ph_error_t *err)
{
	struct cache_req req;
	*blob = NULL;
	*len = 0;
	*hit = false;
	int r = cache_req_init(&req, env, cache_dir, parser, profiles_dir, profile_name, err);
	if (r == 0)
		r = cached_plain(&req, false, blob, len, hit, err);
	cache_req_release(&req);
	return r;
}

int ph_aa_policy_cached_for_ns(const struct ph_aa_env *env, const char *cache_dir,
			       const char *parser, const char *profiles_dir,
			       const char *profile_name, const char *ns, char **blob, size_t *len,
			       bool *hit, ph_error_t *err)
{
	struct cache_req req;
	*blob = NULL;
	*len = 0;
	*hit = false;
	int r = cache_req_init(&req, env, cache_dir, parser, profiles_dir, profile_name, err);
	if (r == 0)
		r = cached_for_ns(&req, ns, false, blob, len, hit, err);
	cache_req_release(&req);
	return r;
}

static bool is_stale(const ph_error_t err)
{
	return err != NULL && (err->status == EPROTO || err->status == EINVAL);
}

/* Get the policy (`ns` != NULL and `toplevel`: for that namespace), load
 * it, and recompile once if the kernel refuses a cached form as stale. */
int ph_aa_cache_load_profile(const struct ph_aa_env *env, const char *cache_dir, const char *parser,
			     const char *profiles_dir, const char *profile_name, const char *ns,
			     bool toplevel, bool complain, bool *hit_out, ph_error_t *err)
{
	struct cache_req req;
	int r = cache_req_init(&req, env, cache_dir, parser, profiles_dir, profile_name, err);
	req.complain = complain;
	for (int attempt = 0; r == 0 && attempt < 2; attempt++) {
		cleanup_free char *blob = NULL;
		size_t len = 0;
		bool hit = false;
		r = toplevel ? cached_for_ns(&req, ns, attempt > 0, &blob, &len, &hit, err)
			     : cached_plain(&req, attempt > 0, &blob, &len, &hit, err);
		if (r < 0)
			break;
		if (hit_out)
			*hit_out = hit;
		r = toplevel ? ph_aa_policy_load_via_toplevel_features(env, req.features, ns, blob,
								       len, err)
			     : ph_aa_policy_load_ns_features(env, req.features, ns, blob, len, err);
		if (r == 0 || !hit || !is_stale(*err))
			break;
		ph_error_free(err); /* stale: compile again */
		r = 0;
	}
	cache_req_release(&req);
	return r < 0 ? ph_error_wrap(err, "profile `%s`", profile_name ? profile_name : "(null)")
		     : 0;
}

int ph_aa_policy_load_cached(const struct ph_aa_env *env, const char *cache_dir, const char *parser,
			     const char *profiles_dir, const char *profile_name, const char *ns,
			     ph_error_t *err)
{
	return ph_aa_cache_load_profile(env, cache_dir, parser, profiles_dir, profile_name, ns,
					false, false, NULL, err);
}

int ph_aa_policy_load_cached_via_toplevel(const struct ph_aa_env *env, const char *cache_dir,
					  const char *parser, const char *profiles_dir,
					  const char *profile_name, const char *ns, ph_error_t *err)
{
	return ph_aa_cache_load_profile(env, cache_dir, parser, profiles_dir, profile_name, ns,
					true, false, NULL, err);
}
