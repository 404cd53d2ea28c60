/* phoenix: which profile a container gets.
 *
 * runc writes `exec <process.apparmorProfile>` verbatim, inside the
 * container's policy namespace, so the name phoenix leaves in the spec is
 * the name of a profile phoenix loaded into that namespace:
 *   absent, "", "docker-default", "runtime/default", Podman's
 *   "containers-default-*", crun's "crun-default"  → the default profile
 *                                  (the GPU profile when the container asks
 *                                  for GPU devices)
 *   "localhost/<name>" (Kubernetes)  → <name>
 *   "unconfined"                     → the config's `unconfined` policy
 *   any other valid name             → that profile, which must exist in
 *                                      localProfilesDir or profilesDir
 * Names that could change the meaning of the kernel write (`:`, `//`,
 * `&`, whitespace, control characters, …) are refused. */
#ifndef PHOENIX_PROFILE_CHOICE_H
#define PHOENIX_PROFILE_CHOICE_H

#include <stdbool.h>
#include "config.h"
#include "error.h"

struct ph_profile_choice {
	char *name;	 /* profile inside the namespace; "unconfined" for none */
	bool unconfined; /* nothing to load: the namespace's own unconfined */
	bool complain;	 /* load in complain mode */
};

/* `requested` is process.apparmorProfile (NULL when absent), `annotation`
 * the org.phoenix.profile annotation when the config allows it. */
int ph_profile_choose(const struct ph_config *conf, const char *requested, const char *annotation,
		      bool gpu, struct ph_profile_choice *out, ph_error_t *err);
void ph_profile_choice_release(struct ph_profile_choice *c);
#define cleanup_choice __attribute__((cleanup(ph_profile_choice_release)))

/* The recording profile of `phoenix learn`, always loaded in complain mode. */
#define PH_LEARN_PROFILE_NAME "phoenix-learn"

/* Whether profile `name` is loaded in complain mode (the config's
 * `complain` list, or the recording profile), and so what a process
 * under it must carry: create, and start and exec, which verify the
 * label of a container created before (Docker's create, then start),
 * ask the same. */
bool ph_profile_complain(const struct ph_config *conf, const char *name);

/* True for names runtimes use to mean "the default profile". */
bool ph_profile_is_default_alias(const char *name);

#endif
