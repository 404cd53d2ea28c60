/* What the runtime-spec unit tests share: the corpus, temporary
 * directories, and jq as an independent judge of JSON equality. */
#ifndef PHOENIX_TEST_JSON_UTIL_H
#define PHOENIX_TEST_JSON_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The corpus directory: $PHOENIX_TEST_CORPUS, or the path from the repo
 * root, where the Makefile runs the tests. */
static inline const char *corpus_dir(void)
{
	const char *dir = getenv("PHOENIX_TEST_CORPUS");
	return dir != NULL ? dir : "tests/unit/corpus";
}

static inline int open_corpus(void)
{
	int fd = open(corpus_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr,
			"cannot open corpus `%s` (run from the repo root or set "
			"PHOENIX_TEST_CORPUS): %s\n",
			corpus_dir(), strerror(errno));
		exit(2);
	}
	return fd;
}

/* Read a whole file (test inputs only: no limits, no checks). */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(f);
	fclose(out);
	*len = size;
	return buf;
}

static inline int write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	size_t n = fwrite(text, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

static inline char *make_temp_dir(void)
{
	char tmpl[] = "/tmp/phoenix-test-XXXXXX";
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	return strdup(tmpl);
}

static inline int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void remove_tree(char *dir)
{
	if (dir != NULL)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Number of entries in a directory, not counting . and .. */
static inline int count_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Run jq with `args` (NULL-terminated, without argv[0]) and return its
 * standard output, or NULL if it did not exit 0. */
static inline char *run_jq(const char *const *args)
{
	const char *argv[16] = {"jq"};
	size_t n = 1;
	while (args[n - 1] != NULL && n < 15) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	pid_t pid;
	int r = posix_spawnp(&pid, "jq", &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		fprintf(stderr, "cannot run jq: %s\n", strerror(r));
		return NULL;
	}
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	char chunk[65536];
	ssize_t got;
	while ((got = read(pipefd[0], chunk, sizeof(chunk))) > 0 || (got < 0 && errno == EINTR))
		if (got > 0)
			fwrite(chunk, 1, (size_t)got, out);
	close(pipefd[0]);
	fclose(out);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* `jq -S .` of a file: the canonical form used to compare documents. */
static inline char *jq_canonical(const char *path)
{
	const char *args[] = {"-S", ".", path, NULL};
	return run_jq(args);
}

/* The leaves of a document, one per line, sorted: `jq -c tostream`
 * without the closing events, so that two documents can be compared
 * field by field regardless of key order. */
static inline int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct leaves {
	char *text;
	char **lines;
	size_t count;
};

static inline int jq_leaves(const char *path, struct leaves *out)
{
	const char *args[] = {"-c", "tostream | select(length == 2)", path, NULL};
	memset(out, 0, sizeof(*out));
	out->text = run_jq(args);
	if (out->text == NULL)
		return -1;
	size_t cap = 0;
	for (char *save = NULL, *line = strtok_r(out->text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (out->count == cap) {
			cap = cap ? cap * 2 : 64;
			out->lines = realloc(out->lines, cap * sizeof(char *));
		}
		out->lines[out->count++] = line;
	}
	qsort(out->lines, out->count, sizeof(char *), compare_lines);
	return 0;
}

static inline void leaves_free(struct leaves *l)
{
	free(l->text);
	free(l->lines);
}

/* Leaves in `a` but not in `b` (multiset difference); the first one
 * found goes to *example. */
static inline size_t leaves_missing(const struct leaves *a, const struct leaves *b,
				    const char **example)
{
	size_t i = 0, j = 0, missing = 0;
	while (i < a->count) {
		int c = j < b->count ? strcmp(a->lines[i], b->lines[j]) : -1;
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			if (missing++ == 0 && example != NULL)
				*example = a->lines[i];
			i++;
		} else {
			j++;
		}
	}
	return missing;
}

#endif
