/* phoenix bench: the in-process AppArmor work of one container, alone.
 *
 *   bench_aa --profiles DIR --profile NAME --cache DIR [--parser PATH]
 *            [--noop PATH] [--rounds N] [--parser-rounds M]
 *
 * Needs root and AppArmor (run it in the integration VM).  Each round, in
 * a scratch namespace `phx-bench-<pid>`:
 *   mkdir   create the namespace          (ph_aa_ns_create)
 *   load    load NAME from phoenix's compiled cache into it
 *           (ph_aa_cache_load_profile, as create does; must be a hit)
 *   onexec  (with --noop, between load and rmdir) fork, the child writes
 *           `exec :<ns>:unconfined` to its exec attribute as phoenix's
 *           runtime child does (ph_aa_onexec_apply) and execs the no-op,
 *           which starts in the namespace; compare with `exec`
 *   rmdir   remove the namespace           (ph_aa_ns_remove)
 * then the same load in its two halves, into a fresh namespace:
 *   lookup  the cache key (profile files, kernel features, parser
 *           identity) and the read of the entry (ph_aa_policy_cached)
 *   kernel  the write to the namespace's .replace
 *           (ph_aa_policy_load_ns_features, the features text at hand)
 *   rmdir   remove the namespace           (ph_aa_ns_remove)
 *   exec    fork + execve of the static no-op (--noop) and wait
 * and every N/M rounds, interleaved with them:
 *   parser  what a shim without the cache would do per container:
 *           `apparmor_parser -r -T -q -n <ns> -I DIR DIR/NAME` (compile and
 *           load, the parser's own cache skipped), then rmdir
 * Output: one tab-separated line per step:
 *   step n median p10 p90 mad    (microseconds) */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aa_cache.h"
#include "aa_features.h"
#include "aa_env.h"
#include "aa_lsm.h"
#include "aa_ns.h"
#include "aa_onexec.h"
#include "aa_policy.h"
#include "error.h"

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void fail(const char *what, ph_error_t *err)
{
	fprintf(stderr, "bench_aa: %s: %s\n", what, *err ? (*err)->msg : "?");
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(const double *s, int n, double p)
{
	double pos = p / 100.0 * (n - 1);
	int i = (int)pos;
	if (i >= n - 1)
		return s[n - 1];
	return s[i] + (pos - i) * (s[i + 1] - s[i]);
}

static void report(const char *step, double *s, int n)
{
	if (n == 0)
		return;
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	double med = percentile(s, n, 50), p10 = percentile(s, n, 10), p90 = percentile(s, n, 90);
	double *dev = calloc((size_t)n, sizeof(*dev));
	if (dev == NULL)
		exit(2);
	for (int i = 0; i < n; i++)
		dev[i] = s[i] > med ? s[i] - med : med - s[i];
	qsort(dev, (size_t)n, sizeof(*dev), cmp_double);
	printf("%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\n", step, n, med, p10, p90, percentile(dev, n, 50));
	free(dev);
}

/* fork + (the planned AppArmor writes, if any) + execve argv, wait; exits
 * on failure. */
static void run_planned(char *const argv[], const struct ph_aa_onexec *plan)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		int errnum = 0;
		if (plan && ph_aa_onexec_apply(plan, &errnum) != PH_AA_ONEXEC_OK)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(2);
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_aa: %s failed (status %d)\n", argv[0], status);
		exit(1);
	}
}

static void run(char *const argv[])
{
	run_planned(argv, NULL);
}

int main(int argc, char **argv)
{
	const char *profiles = NULL, *profile = NULL, *cache = NULL, *noop = NULL;
	const char *parser = "/sbin/apparmor_parser";
	int rounds = 50, parser_rounds = 15;
	static const struct option opts[] = {
	    {"profiles", required_argument, NULL, 'd'},
	    {"profile", required_argument, NULL, 'p'},
	    {"cache", required_argument, NULL, 'c'},
	    {"parser", required_argument, NULL, 'P'},
	    {"noop", required_argument, NULL, 'x'},
	    {"rounds", required_argument, NULL, 'n'},
	    {"parser-rounds", required_argument, NULL, 'm'},
	    {NULL, 0, NULL, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			profiles = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'c':
			cache = optarg;
			break;
		case 'P':
			parser = optarg;
			break;
		case 'x':
			noop = optarg;
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'm':
			parser_rounds = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!profiles || !profile || !cache || rounds < 1 || parser_rounds < 0 ||
	    parser_rounds > rounds) {
		fprintf(stderr, "usage: bench_aa --profiles DIR --profile NAME --cache DIR "
				"[--parser PATH] [--noop PATH] [--rounds N] [--parser-rounds M]\n");
		return 2;
	}

	struct ph_aa_env env;
	ph_error_t err = NULL;
	ph_aa_env_default(&env);
	char ns[64];
	snprintf(ns, sizeof(ns), "phx-bench-%d", (int)getpid());
	char profile_path[4096];
	snprintf(profile_path, sizeof(profile_path), "%s/%s", profiles, profile);

	double *mk = calloc((size_t)rounds, sizeof(double));
	double *ld = calloc((size_t)rounds, sizeof(double));
	double *rm = calloc((size_t)rounds, sizeof(double));
	double *ex = calloc((size_t)rounds, sizeof(double));
	double *total = calloc((size_t)rounds, sizeof(double));
	double *pa = calloc((size_t)rounds, sizeof(double));
	double *lk = calloc((size_t)rounds, sizeof(double));
	double *kl = calloc((size_t)rounds, sizeof(double));
	double *oe = calloc((size_t)rounds, sizeof(double));
	if (!mk || !ld || !rm || !ex || !total || !pa || !lk || !kl || !oe)
		return 2;
	int n_pa = 0;

	/* warm the cache (and the page cache) once */
	bool hit = false;
	if (ph_aa_ns_create(&env, ns, &err) < 0)
		fail("mkdir", &err);
	if (ph_aa_cache_load_profile(&env, cache, parser, profiles, profile, ns, false, false, &hit,
				     &err) < 0)
		fail("load", &err);
	if (ph_aa_ns_remove(&env, ns, &err) < 0)
		fail("rmdir", &err);

	/* the kernel's half alone: the features text read once beforehand,
	 * as phoenix has it from its per-boot file (aa_features.h) */
	char *aafs = NULL, *features_path = NULL, *features = NULL;
	size_t features_len = 0;
	if (ph_aa_env_apparmorfs(&env, &aafs, &err) < 0)
		fail("apparmorfs", &err);
	if (asprintf(&features_path, "%s/features", aafs) < 0)
		return 2;
	if (ph_aa_features_text(&env, features_path, -1, &features, &features_len, &err) < 0)
		fail("features", &err);

	/* the runtime child's transition into the namespace, planned once */
	struct ph_aa_onexec plan;
	char target[128];
	snprintf(target, sizeof(target), ":%s:unconfined", ns);
	ph_aa_onexec_init(&plan);
	struct ph_aa_lsm_probe lsm; /* the interface phoenix would choose */
	ph_aa_lsm_probe(&env, &lsm);
	if (ph_aa_onexec_plan_transition(&env, lsm.iface, target, false, &plan, &err) < 0)
		fail("plan the transition", &err);

	int every = parser_rounds ? rounds / parser_rounds : 0;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_us();
		if (ph_aa_ns_create(&env, ns, &err) < 0)
			fail("mkdir", &err);
		double t1 = now_us();
		if (ph_aa_cache_load_profile(&env, cache, parser, profiles, profile, ns, false,
					     false, &hit, &err) < 0)
			fail("load", &err);
		double t2 = now_us();
		if (!hit) {
			fprintf(stderr, "bench_aa: the cache missed in round %d\n", r);
			return 1;
		}
		if (noop) {
			char *nargv[] = {(char *)noop, NULL};
			double o0 = now_us();
			run_planned(nargv, &plan);
			oe[r] = now_us() - o0;
		}
		double rm0 = now_us();
		if (ph_aa_ns_remove(&env, ns, &err) < 0)
			fail("rmdir", &err);
		double t3 = now_us();
		mk[r] = t1 - t0;
		ld[r] = t2 - t1;
		rm[r] = t3 - rm0;
		double t4 = t3, t5 = t3;
		if (noop) {
			char *nargv[] = {(char *)noop, NULL};
			t4 = now_us();
			run(nargv);
			t5 = now_us();
			ex[r] = t5 - t4;
		}
		total[r] = (t2 - t0) + (t3 - rm0) + (t5 - t4);

		/* the two halves of the load */
		char *blob = NULL;
		size_t len = 0;
		if (ph_aa_ns_create(&env, ns, &err) < 0)
			fail("mkdir", &err);
		double h0 = now_us();
		if (ph_aa_policy_cached(&env, cache, parser, profiles, profile, &blob, &len, &hit,
					&err) < 0)
			fail("lookup", &err);
		double h1 = now_us();
		if (ph_aa_policy_load_ns_features(&env, features, ns, blob, len, &err) < 0)
			fail("kernel load", &err);
		double h2 = now_us();
		free(blob);
		if (ph_aa_ns_remove(&env, ns, &err) < 0)
			fail("rmdir", &err);
		lk[r] = h1 - h0;
		kl[r] = h2 - h1;
		if (every && r % every == 0 && n_pa < parser_rounds) {
			char *pargv[] = {
			    (char *)parser, (char *)"-r", (char *)"-T", (char *)"-q",
			    (char *)"-n",   ns,		  (char *)"-I", (char *)profiles,
			    (char *)"--",   profile_path, NULL,
			};
			double p0 = now_us();
			run(pargv);
			double p1 = now_us();
			pa[n_pa++] = p1 - p0;
			bool exists = false;
			if (ph_aa_ns_exists(&env, ns, &exists, &err) < 0)
				fail("exists", &err);
			if (!exists) {
				fprintf(stderr, "bench_aa: apparmor_parser -n did not create %s\n",
					ns);
				return 1;
			}
			if (ph_aa_ns_remove(&env, ns, &err) < 0)
				fail("rmdir", &err);
		}
	}
	free(aafs);
	free(features_path);
	free(features);
	report("mkdir", mk, rounds);
	report("load", ld, rounds);
	report("rmdir", rm, rounds);
	report("lookup", lk, rounds);
	report("kernel", kl, rounds);
	if (noop) {
		report("exec", ex, rounds);
		report("onexec", oe, rounds);
	}
	report("floor", total, rounds);
	report("parser", pa, n_pa);
	free(mk);
	free(ld);
	free(rm);
	free(ex);
	free(total);
	free(pa);
	free(lk);
	free(kl);
	free(oe);
	return 0;
}
