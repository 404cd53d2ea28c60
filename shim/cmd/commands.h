/* phoenix: one function per command phoenix handles itself. Each returns
 * the process exit status to use, or a negative value with *err set. */
#ifndef PHOENIX_COMMANDS_H
#define PHOENIX_COMMANDS_H

#include "cli.h"
#include "config.h"
#include "error.h"
#include "runtime.h"

struct ph_context {
	struct ph_cli cli;
	struct ph_config config;
	struct ph_runtime runtime;
};

int ph_cmd_version(struct ph_context *ctx, ph_error_t *err);
int ph_cmd_features(struct ph_context *ctx, ph_error_t *err);
int ph_cmd_create(struct ph_context *ctx, ph_error_t *err); /* create, run, restore */
int ph_cmd_exec(struct ph_context *ctx, ph_error_t *err);
int ph_cmd_start(struct ph_context *ctx, ph_error_t *err);
int ph_cmd_delete(struct ph_context *ctx, ph_error_t *err);
int ph_cmd_check(struct ph_context *ctx, ph_error_t *err);
int ph_cmd_gc(struct ph_context *ctx, ph_error_t *err);
int ph_cmd_hook(struct ph_context *ctx, ph_error_t *err);

struct ph_spec;
/* Add phoenix's poststop hook to a container's config.json (hook.c). */
int ph_hook_inject(struct ph_context *ctx, struct ph_spec *spec, const char *root, ph_error_t *err);
int ph_cmd_denials(struct ph_context *ctx, ph_error_t *err);
int ph_cmd_learn(struct ph_context *ctx, ph_error_t *err); /* learn.c */

#endif
