/* phoenix bench: time commands against each other, interleaved.
 *
 *   bench_exec [-n ROUNDS] [-w WARMUP] [-s] [-r RAW.tsv] [-q] \
 *       -- NAME [VAR=VALUE...] PROGRAM [ARG...] [:: NAME ... ]...
 *
 * Each variant is a name, optional environment assignments (added to the
 * inherited environment, as env(1) does) and a command line; variants are
 * separated by a `::` word.  Every round runs each variant once with
 * fork + execve (stdin, stdout and stderr on /dev/null), timed with
 * CLOCK_MONOTONIC from just before fork to the return of wait4.  The
 * order inside a round rotates from round to round so that a slow moment
 * of the machine hits every variant alike; -s (sequence) keeps the given
 * order instead, for steps that depend on each other (create, then
 * delete).  A command that does not exit 0 stops the run (status 3).
 *
 * Output, one tab-separated line per variant:
 *   name n median p10 p90 mad mean maxrss_kib dmedian dp10 dp90 cpu dcpu
 * times in microseconds; maxrss_kib is the largest ru_maxrss of the
 * variant's processes; d* are the per-round differences to the first
 * variant (the baseline): the median of (variant - baseline) over the
 * rounds and its 10th/90th percentiles.  cpu is the median CPU time
 * (user + system, from wait4's rusage) of one run and dcpu the median
 * per-round difference of it to the baseline: unlike wall time it hardly
 * moves when other work competes for the processors.  -r writes every
 * sample (round, variant, wall and CPU microseconds). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct variant {
	const char *name;
	char **env;  /* the environment for execve */
	char **argv; /* NULL-terminated, points into main's argv */
	double *us;  /* one sample per round */
	double *cpu; /* CPU time of the same runs */
	long maxrss;
};

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p == NULL)
		die("calloc");
	return p;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_exec [-n ROUNDS] [-w WARMUP] [-s] [-r RAW] [-q] -- "
			"NAME [VAR=VALUE...] PROGRAM [ARG...] [:: NAME ...]...\n");
	return 2;
}

/* The environment of a variant: ours, with `assign` added or replacing
 * variables of the same name. */
static char **make_env(char **assign, int n_assign)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = xcalloc(n + (size_t)n_assign + 1, sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(environ[i], "=");
		int replaced = 0;
		for (int j = 0; j < n_assign; j++)
			if (strncmp(assign[j], environ[i], len + 1) == 0)
				replaced = 1;
		if (!replaced)
			env[k++] = environ[i];
	}
	for (int j = 0; j < n_assign; j++)
		env[k++] = assign[j];
	env[k] = NULL;
	return env;
}

static double run_once(struct variant *v, int devnull, double *cpu)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execve(v->argv[0], v->argv, v->env);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_exec: %s: `%s` failed (%s %d)\n", v->name, v->argv[0],
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		exit(3);
	}
	if (cpu)
		*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	if (ru.ru_maxrss > v->maxrss)
		v->maxrss = ru.ru_maxrss;
	return (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Percentile p (0..100) of sorted s[0..n-1], interpolated. */
static double percentile(const double *s, int n, double p)
{
	if (n == 1)
		return s[0];
	double pos = p / 100.0 * (n - 1);
	int i = (int)pos;
	if (i >= n - 1)
		return s[n - 1];
	return s[i] + (pos - i) * (s[i + 1] - s[i]);
}

struct stats {
	double median, p10, p90, mad, mean;
};

static struct stats describe(const double *samples, int n)
{
	struct stats st;
	double *s = xcalloc((size_t)n, sizeof(*s));
	double sum = 0;
	for (int i = 0; i < n; i++) {
		s[i] = samples[i];
		sum += s[i];
	}
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	st.median = percentile(s, n, 50);
	st.p10 = percentile(s, n, 10);
	st.p90 = percentile(s, n, 90);
	st.mean = sum / n;
	for (int i = 0; i < n; i++)
		s[i] = s[i] > st.median ? s[i] - st.median : st.median - s[i];
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	st.mad = percentile(s, n, 50);
	free(s);
	return st;
}

int main(int argc, char **argv)
{
	int rounds = 200, warmup = 10, sequence = 0, quiet = 0;
	const char *raw = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "+n:w:sr:q")) != -1) {
		switch (opt) {
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 's':
			sequence = 1;
			break;
		case 'r':
			raw = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return usage();
		}
	}
	if (rounds < 1 || warmup < 0 || optind >= argc)
		return usage();

	/* split the rest on "::" */
	struct variant *v = xcalloc((size_t)argc, sizeof(*v));
	int nv = 0;
	for (int i = optind; i < argc;) {
		int end = i;
		while (end < argc && strcmp(argv[end], "::") != 0)
			end++;
		if (end - i < 2)
			return usage();
		struct variant *x = &v[nv++];
		x->name = argv[i];
		int first = i + 1, prog = first;
		while (prog < end && strchr(argv[prog], '=') != NULL && argv[prog][0] != '/' &&
		       argv[prog][0] != '.')
			prog++;
		if (prog == end)
			return usage();
		x->env = make_env(&argv[first], prog - first);
		argv[end < argc ? end : argc] = NULL; /* terminates this variant's argv */
		x->argv = &argv[prog];
		x->us = xcalloc((size_t)rounds, sizeof(double));
		x->cpu = xcalloc((size_t)rounds, sizeof(double));
		i = end + 1;
	}

	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		die("/dev/null");
	for (int w = 0; w < warmup; w++)
		for (int k = 0; k < nv; k++)
			run_once(&v[k], devnull, NULL);
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < nv; k++) {
			int idx = sequence ? k : (k + r) % nv;
			v[idx].us[r] = run_once(&v[idx], devnull, &v[idx].cpu[r]);
		}
		if (!quiet && rounds >= 20 && (r + 1) % (rounds / 10) == 0)
			fprintf(stderr, "bench_exec: %d/%d rounds\n", r + 1, rounds);
	}

	if (raw) {
		FILE *f = fopen(raw, "w");
		if (f == NULL)
			die(raw);
		for (int r = 0; r < rounds; r++)
			for (int k = 0; k < nv; k++)
				fprintf(f, "%d\t%s\t%.1f\t%.1f\n", r, v[k].name, v[k].us[r],
					v[k].cpu[r]);
		fclose(f);
	}
	double *diff = xcalloc((size_t)rounds, sizeof(double));
	for (int k = 0; k < nv; k++) {
		struct stats st = describe(v[k].us, rounds);
		for (int r = 0; r < rounds; r++)
			diff[r] = v[k].us[r] - v[0].us[r];
		struct stats d = describe(diff, rounds);
		struct stats c = describe(v[k].cpu, rounds);
		for (int r = 0; r < rounds; r++)
			diff[r] = v[k].cpu[r] - v[0].cpu[r];
		struct stats dc = describe(diff, rounds);
		printf("%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n",
		       v[k].name, rounds, st.median, st.p10, st.p90, st.mad, st.mean, v[k].maxrss,
		       d.median, d.p10, d.p90, c.median, dc.median);
	}
	free(diff);
	return 0;
}
