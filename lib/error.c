/* phoenix: the error type (see error.h). */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Out of memory while building an error: there is nothing better to do
 * than to keep a static message; the caller still sees a failure. */
static struct ph_error oom_error = {ENOMEM, (char *)"out of memory"};

static int set_error(ph_error_t *err, int status, char *msg)
{
	if (err == NULL) {
		free(msg);
		return -1;
	}
	ph_error_free(err);
	if (msg == NULL) {
		*err = &oom_error;
		return -1;
	}
	struct ph_error *e = malloc(sizeof(*e));
	if (e == NULL) {
		free(msg);
		*err = &oom_error;
		return -1;
	}
	e->status = status;
	e->msg = msg;
	*err = e;
	return -1;
}

int ph_error_make(ph_error_t *err, int status, const char *fmt, ...)
{
	char *head = NULL, *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&head, fmt, ap);
	va_end(ap);
	if (r < 0)
		return set_error(err, ENOMEM, NULL);
	if (status == 0)
		return set_error(err, 0, head);
	r = asprintf(&msg, "%s: %s", head, strerror(status));
	free(head);
	return set_error(err, status, r < 0 ? NULL : msg);
}

int ph_error_wrap(ph_error_t *err, const char *fmt, ...)
{
	char *context = NULL, *msg = NULL;
	if (err == NULL || *err == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&context, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1; /* keep the original message */
	r = asprintf(&msg, "%s: %s", context, (*err)->msg);
	free(context);
	if (r < 0)
		return -1;
	int status = (*err)->status;
	return set_error(err, status, msg);
}

void ph_error_free(ph_error_t *err)
{
	if (err == NULL || *err == NULL)
		return;
	if (*err != &oom_error) {
		free((*err)->msg);
		free(*err);
	}
	*err = NULL;
}

void ph_error_move(ph_error_t *to, ph_error_t *from)
{
	ph_error_free(to);
	*to = *from;
	*from = NULL;
}

void ph_cleanup_freep(void *p)
{
	void **pp = p;
	free(*pp);
}

void ph_cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

void ph_cleanup_errorp(ph_error_t *err)
{
	ph_error_free(err);
}
