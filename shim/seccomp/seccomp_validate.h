/* phoenix: linux.seccomp checked against the installed libseccomp and the
 * running kernel before the runtime sees it.
 *
 * A runtime that meets a seccomp section it cannot load fails inside
 * container init ("error adding seccomp filter rule for syscall ...:
 * invalid argument"), after the namespaces are made and the mounts done,
 * with a message that names neither the field nor the cause.  phoenix
 * checks the section first and names both:
 *
 *   config.json: linux.seccomp.syscalls[12].action: SCMP_ACT_NOTIFY needs
 *   libseccomp API level 5; this system has libseccomp 2.5.4, API level 3
 *
 * What is checked:
 *  - defaultAction and every syscalls[i].action: a runtime-spec action,
 *    supported at this API level; SCMP_ACT_NOTIFY neither as the default
 *    nor for write(2), and only together with listenerPath (and
 *    listenerPath only when some rule uses it);
 *  - defaultErrnoRet, syscalls[i].errnoRet: only with SCMP_ACT_ERRNO
 *    (0..4094, what libseccomp accepts) or SCMP_ACT_TRACE (0..65535);
 *  - architectures[]: runtime-spec names that this libseccomp knows, of
 *    the native architecture's byte order (one filter cannot mix them);
 *  - flags[]: runtime-spec flags, supported at this API level;
 *  - syscalls[i].names[j]: known to libseccomp on the native architecture
 *    or on one of the listed ones.  A name known on some of them only is
 *    fine: libseccomp skips it (or, for socket calls on 32-bit x86,
 *    translates it) where it has no number, and so does the runtime.  A
 *    name known on none is an error, except in a rule whose action is
 *    SCMP_ACT_ALLOW: the runtime skips it, so the syscall keeps the
 *    default action and the container is never less confined than
 *    written; phoenix warns instead.  This keeps profiles that list
 *    syscalls newer than the installed libseccomp working, as they do
 *    with runc;
 *  - syscalls[i].args[k]: op a runtime-spec operator, index 0..5, value
 *    and valueTwo unsigned 64-bit integers.
 *
 * Nothing is rewritten.  Unknown members are left alone, as runc does. */
#ifndef PHOENIX_SECCOMP_VALIDATE_H
#define PHOENIX_SECCOMP_VALIDATE_H

#include "error.h"
#include "spec.h"

/* 0 when linux.seccomp is absent or loadable here; -1 with an error
 * naming the first problem's JSON path otherwise.  A process document
 * has no seccomp section and always passes. */
int ph_seccomp_validate(const struct ph_spec *spec, ph_error_t *err);

#endif
