/* phoenix: reading and replacing files without following symbolic links.
 *
 * phoenix runs as root on bundles that other users prepared.  Files are
 * therefore named by a directory fd and a single path component, opened
 * with O_NOFOLLOW, and replaced atomically: a temporary file in the same
 * directory is written, synced and renamed over the old one, so a reader
 * sees either the old or the new content, never a mix. */
#ifndef PHOENIX_FILE_H
#define PHOENIX_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Read the regular file `name` in `dirfd` (which may be AT_FDCWD).
 * `name` must be one path component.  Refuses symbolic links ("`name` is
 * a symbolic link"), FIFOs, directories and devices ("`name` is not a
 * regular file", without blocking on a FIFO) and files larger than
 * `max_size` bytes, also when the size that fstat reports is wrong (as
 * for /proc files).  *buf is NUL-terminated (the NUL is not counted in
 * *len); free() it. */
int ph_file_read(int dirfd, const char *name, size_t max_size, char **buf, size_t *len,
		 ph_error_t *err);

/* Write all of buf to fd, again after EINTR and short writes: 0, or -1
 * with errno set. */
int ph_file_write_all(int fd, const char *buf, size_t len);

/* Replace (or create) `name` in `dirfd` with `len` bytes of `buf` and
 * permissions `mode`: write a temporary `.name.XXXXXX` in the same
 * directory (O_CREAT|O_EXCL|O_NOFOLLOW), fchmod, fsync, rename it over
 * `name`, fsync the directory.  An existing `name` that is a symbolic
 * link or not a regular file is left alone and reported.  The temporary
 * file is removed on any failure. */
int ph_file_write_atomic(int dirfd, const char *name, const char *buf, size_t len, mode_t mode,
			 ph_error_t *err);

/* ph_file_write_atomic() for a file that must already exist, keeping its
 * permission bits and, where they differ from ours, its owner and group. */
int ph_file_replace(int dirfd, const char *name, const char *buf, size_t len, ph_error_t *err);

/* Open the directory part of `path` (absolute, or relative to the
 * working directory; symbolic links in it are followed as usual) with
 * O_PATH|O_DIRECTORY and return its fd; *base receives a copy of the
 * last component, which must name a file (not "", "." or "..").  For
 * reading `path` with ph_file_read(). */
int ph_file_open_parent(const char *path, char **base, ph_error_t *err);

/* ph_file_open_parent() and ph_file_read() in one step. */
int ph_file_read_path(const char *path, size_t max_size, char **buf, size_t *len, ph_error_t *err);

#endif
