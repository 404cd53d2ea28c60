/* phoenix: cleanup attributes, in the style of crun (cleanup_free,
 * cleanup_close) and LXC (__do_free, move_ptr): a resource's release is
 * declared where it is acquired, and a function returns from wherever it
 * fails instead of jumping to a ladder of labels.
 *
 * The generic ones are here; a type of phoenix's own declares its
 * cleanup_* next to its release function (cleanup_json in json.h,
 * cleanup_spec in spec.h, cleanup_confinement and the rollback guard
 * cleanup_rollback in confine.h, cleanup_state in state.h,
 * cleanup_choice in profile_choice.h), so that no header here knows the
 * layers above it.  Variables are released in the reverse order of their
 * declarations: declare a guard after what it uses.
 */
#ifndef PHOENIX_CLEANUP_H
#define PHOENIX_CLEANUP_H

#include <dirent.h>

void ph_cleanup_freep(void *p);	 /* free(*(void **)p) */
void ph_cleanup_closep(int *fd); /* close(*fd) when >= 0, errno kept */
#define cleanup_free __attribute__((cleanup(ph_cleanup_freep)))
#define cleanup_close __attribute__((cleanup(ph_cleanup_closep)))
void ph_cleanup_closedirp(DIR **d); /* closedir(*d) when not NULL, errno kept */
#define cleanup_dir __attribute__((cleanup(ph_cleanup_closedirp)))

/* Take a pointer out of a cleanup variable (LXC's move_ptr): the variable
 * is left NULL, so its cleanup does nothing, and the value is returned. */
#define ph_steal(p)                                                                                \
	({                                                                                         \
		__typeof__(p) ph_tmp_ = (p);                                                       \
		(p) = NULL;                                                                        \
		ph_tmp_;                                                                           \
	})

/* The same for a descriptor (LXC's move_fd): the variable is left -1. */
#define ph_steal_fd(fd)                                                                            \
	({                                                                                         \
		int ph_tmp_fd_ = (fd);                                                             \
		(fd) = -1;                                                                         \
		ph_tmp_fd_;                                                                        \
	})

/* Disarm a guard: a pointer whose cleanup undoes work (cleanup_rollback)
 * is set to NULL once the work is to be kept. */
#define ph_disarm(p) ((void)((p) = NULL))

#endif
