/* phoenix: a runtime-spec features document of phoenix's own, for runtimes
 * without a `features` command.  linux.seccomp comes from libseccomp and
 * linux.capabilities from libcap, at run time. */
#ifndef PHOENIX_FEATURES_OWN_H
#define PHOENIX_FEATURES_OWN_H

#include "error.h"
#include "json.h"

int ph_features_own(struct ph_json **doc, ph_error_t *err);

#endif
