/* phoenix: the directories only root may write (the state directory, the
 * compiled-policy cache).
 *
 * phoenix runs as root and executes, loads or trusts what it finds there,
 * so every one of them is opened by one function with one rule:
 *   - the path is absolute and is walked from `/` one component at a time
 *     with openat(O_DIRECTORY | O_NOFOLLOW): a symbolic link anywhere on
 *     the way is refused, so nothing can be swapped in by a link;
 *   - every component is checked on the opened descriptor (fstat): it must
 *     belong to root (or to the caller's uid, for tests run unprivileged);
 *   - the final directory must not be writable by group or others; a
 *     parent must not be either, unless it has the sticky bit (like /tmp:
 *     there only an entry's owner may rename or remove it, and the entry's
 *     owner is checked next);
 *   - with `create`, missing components are made as runc and Docker make
 *     theirs: parents 0755, the final directory 0700, each owned by root.
 * A directory a package or `install -d` made (root, 0755) is accepted:
 * what matters is that no one but root can write it. */
#ifndef PHOENIX_PRIVATE_DIR_H
#define PHOENIX_PRIVATE_DIR_H

#include <stdbool.h>

#include "error.h"

/* Open (and with `create`, make) `path`; *dirfd is an O_RDONLY directory
 * descriptor.  `what` names the directory in messages ("state directory",
 * "policy cache"). */
int ph_private_dir_open(const char *path, const char *what, bool create, int *dirfd,
			ph_error_t *err);

#endif
