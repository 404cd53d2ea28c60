/* phoenix: the few file primitives the AppArmor module is built on.
 *
 * Kernel interface files (procattr files, apparmorfs, module
 * parameters) are small, are read in full, and take one command per
 * write(2).  These functions return 0 or a negative errno value and never
 * build messages: the caller knows what a failure means. */
#ifndef PHOENIX_AA_IO_H
#define PHOENIX_AA_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* asprintf() that reports ENOMEM through *err; NULL on failure. */
char *ph_aa_pathf(ph_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read all of `fd` (at most `max` bytes, else -EFBIG) into a NUL-terminated
 * heap buffer.  *len excludes the NUL. */
int ph_aa_read_fd(int fd, size_t max, char **out, size_t *len);
/* The same with the size the caller expects (a regular file's st_size):
 * the buffer starts that large, so that the file takes one read and the
 * one that sees its end. */
int ph_aa_read_fd_sized(int fd, size_t max, size_t expected, char **out, size_t *len);

/* Read a procattr file (/proc/<pid>/attr/...) with ONE read(2) of up to
 * `max` bytes (-EFBIG if it fills them).  The kernel builds the text anew
 * at every read and serves it from the file offset
 * (fs/proc/base.c, proc_pid_attr_read(): security_getprocattr() then
 * simple_read_from_buffer()), so a second read after the task exec'd
 * returns the tail of its new label: `:ns:unconfined` + `ault (enforce)`. */
int ph_aa_read_attr_fd(int fd, size_t max, char **out);

/* Open `path` (O_NOFOLLOW on the last component) and read it all. */
int ph_aa_read_file(const char *path, size_t max, char **out, size_t *len);

/* Read a one-line text file and strip the trailing newline. */
int ph_aa_read_line(const char *path, char **out);

/* Read a kernel boolean file: "Y"/"yes"/"1" -> true, "N"/"no"/"0" -> false. */
int ph_aa_read_bool(const char *path, bool *value);

/* Write `len` bytes in one write(2); a short write is -EPROTO, because
 * kernel interface files take whole commands only (apparmorfs rejects
 * writes at a non-zero offset with ESPIPE, procattr with EINVAL). */
int ph_aa_write_once(int fd, const void *buf, size_t len);

/* 0 if `path` is a directory, -ENOTDIR if it is something else, -errno. */
int ph_aa_is_dir(const char *path);

#endif
