/* Minimal unit-test helpers: each check prints its location on failure;
 * the program exits non-zero if any check failed. */
#ifndef PHOENIX_T_H
#define PHOENIX_T_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures;
static int t_checks;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		t_checks++;                                                                        \
		if (!(cond)) {                                                                     \
			t_failures++;                                                              \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *t_a_ = (a), *t_b_ = (b);                                               \
		t_checks++;                                                                        \
		if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) {                     \
			t_failures++;                                                              \
			fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,           \
				t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                   \
		}                                                                                  \
	} while (0)

/* The message of err must contain `needle`. */
#define CHECK_ERR(err, needle)                                                                     \
	do {                                                                                       \
		t_checks++;                                                                        \
		if ((err) == NULL || strstr((err)->msg, (needle)) == NULL) {                       \
			t_failures++;                                                              \
			fprintf(stderr, "%s:%d: error \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,  \
				(err) ? (err)->msg : "(none)", (needle));                          \
		}                                                                                  \
	} while (0)

#define T_DONE()                                                                                   \
	do {                                                                                       \
		printf("%s: %d checks, %d failed\n", __FILE__, t_checks, t_failures);              \
		return t_failures ? 1 : 0;                                                         \
	} while (0)
#endif
