/* phoenix: does a container ask for a GPU?
 *
 * Yes when its spec lists NVIDIA or DRI device nodes (linux.devices), when
 * the NVIDIA container toolkit's variables select devices
 * (NVIDIA_VISIBLE_DEVICES other than "void"/"none"/empty), or when the
 * annotation org.phoenix.gpu is "true" ("false" forces no). */
#ifndef PHOENIX_GPU_H
#define PHOENIX_GPU_H

#include <stdbool.h>
#include "error.h"
#include "spec.h"

int ph_spec_wants_gpu(const struct ph_spec *spec, const char *annotation, bool *gpu,
		      ph_error_t *err);

#endif
