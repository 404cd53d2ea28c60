/* phoenix: the generic cleanup functions (see cleanup.h). */
#include "cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

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

void ph_cleanup_closedirp(DIR **d)
{
	if (*d != NULL) {
		int saved = errno;
		closedir(*d);
		errno = saved;
	}
}
