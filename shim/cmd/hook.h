/* phoenix: the OCI poststop hook (hook.c).  create adds it to a
 * container's config.json; the runtime runs it as `phoenix hook poststop`
 * (ph_cmd_hook in commands.h). */
#ifndef PHOENIX_HOOK_H
#define PHOENIX_HOOK_H

#include "commands.h"
#include "error.h"

struct ph_spec;

/* Add phoenix's poststop hook to the container's config.json, `spec`:
 * `phoenix --root <root> hook poststop`, `root` being the runtime's state
 * root the container is created under. */
int ph_hook_inject(struct ph_context *ctx, struct ph_spec *spec, const char *root, ph_error_t *err);

#endif
