/* phoenix: the kernel's policy features, read once per boot.
 *
 * The compiled-policy cache key and libapparmor's kernel interface both
 * need the features the kernel offers (<apparmorfs>/features), which
 * libapparmor reads by walking that tree: some eighty files, the largest
 * single cost of a cached profile load.  The tree cannot change while
 * the kernel runs (AppArmor is built in), so phoenix keeps its flattened
 * text in the policy cache under the boot's id
 * (/proc/sys/kernel/random/boot_id) and reads that one file instead. */
#ifndef PHOENIX_AA_FEATURES_H
#define PHOENIX_AA_FEATURES_H

#include <stddef.h>

#include "aa_env.h"
#include "error.h"

/* The features text of the running kernel: from <cache_dirfd>/features.<boot id>
 * when present and trustworthy (a regular file of the caller's uid that
 * no one else can write), else read from `features_path` and stored
 * there (atomically; files of earlier boots are removed).  cache_dirfd
 * < 0: never stored.  *text is NUL-terminated; *len excludes the NUL. */
int ph_aa_features_text(const struct ph_aa_env *env, const char *features_path, int cache_dirfd,
			char **text, size_t *len, ph_error_t *err);

#endif
