/* phoenix: the one error type of the whole program.
 *
 * A function that can fail takes `ph_error_t *err` as its last argument,
 * returns a negative value on failure and leaves *err set.  Callers add
 * context on the way up with ph_error_wrap(), so that the message reads
 * like a sentence: "create: load profile `phoenix-default`: write
 * `.../.replace`: Permission denied".  main() reports it once.
 */
#ifndef PHOENIX_ERROR_H
#define PHOENIX_ERROR_H

#include <stdarg.h>
#include <stddef.h>

struct ph_error {
	int status; /* errno value, 0 when no system error is involved */
	char *msg;  /* full message, without the errno text appended twice */
};
typedef struct ph_error *ph_error_t;

/* Set *err to a new error.  When status is non-zero, ": strerror(status)"
 * is appended to the message.  Always returns -1. */
int ph_error_make(ph_error_t *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message of *err with "context: ".  Keeps the status.
 * Always returns -1, so `return ph_error_wrap (err, "...")` reads well. */
int ph_error_wrap(ph_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Release *err and set it to NULL.  NULL-safe. */
void ph_error_free(ph_error_t *err);

/* Move an error from *from to *to (releasing whatever *to held). */
void ph_error_move(ph_error_t *to, ph_error_t *from);

/* Cleanup helpers in the style of crun: a resource's release is declared
 * where it is acquired. */
void ph_cleanup_freep(void *p);
void ph_cleanup_closep(int *fd);
void ph_cleanup_errorp(ph_error_t *err);
#define cleanup_free __attribute__((cleanup(ph_cleanup_freep)))
#define cleanup_close __attribute__((cleanup(ph_cleanup_closep)))
#define cleanup_error __attribute__((cleanup(ph_cleanup_errorp)))

/* Steal a pointer from a cleanup variable. */
#define ph_steal(p)                                                                                \
	({                                                                                         \
		__typeof__(p) ph_tmp_ = (p);                                                       \
		(p) = NULL;                                                                        \
		ph_tmp_;                                                                           \
	})

#endif
