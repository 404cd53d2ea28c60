/* phoenix: the operator's configuration, /etc/phoenix/phoenix.json
 * ($PHOENIX_CONFIG overrides the path).  Every key is documented in the
 * README and phoenix.json(5); unknown keys and wrong types are errors that
 * name the key.  A missing file means all defaults. */
#ifndef PHOENIX_CONFIG_H
#define PHOENIX_CONFIG_H

#include <stdbool.h>
#include "error.h"

#define PH_CONFIG_DEFAULT_PATH PHOENIX_SYSCONFDIR "/phoenix/phoenix.json"
#define PH_ANNOTATION_PREFIX "org.phoenix."

enum ph_unconfined_policy {
	PH_UNCONFINED_NAMESPACE, /* "namespace": the namespace's unconfined, still bounded */
	PH_UNCONFINED_DEFAULT,	 /* "default": replaced by the default profile */
	PH_UNCONFINED_REFUSE,	 /* "refuse": the container does not start */
};

enum ph_transition_mode {
	PH_TRANSITION_AUTO,  /* decided from the caller's label */
	PH_TRANSITION_EXEC,  /* always `exec :ns:unconfined` */
	PH_TRANSITION_STACK, /* always `stack :ns:unconfined` */
};

enum ph_cap_policy { PH_CAP_DROP, PH_CAP_KEEP, PH_CAP_REFUSE };

#define PH_CONFIG_MAX_LIST 32

struct ph_config {
	char *path;			      /* the file read, or NULL when absent */
	char *runtime;			      /* "runtime": path of runc/crun; NULL = search */
	char *state_dir;		      /* "stateDir" */
	char *profiles_dir;		      /* "profilesDir": phoenix's in-namespace profiles */
	char *local_profiles_dir;	      /* "localProfilesDir": the operator's own profiles */
	char *cache_dir;		      /* "cacheDir": compiled policy */
	char *parser;			      /* "apparmorParser" */
	char *default_profile;		      /* "defaultProfile" */
	char *gpu_profile;		      /* "gpuProfile" */
	enum ph_unconfined_policy unconfined; /* "unconfined" */
	enum ph_transition_mode transition;   /* "transition" */
	bool allow_root_ns_stack;	      /* "allowRootNamespaceStack" */
	bool require_apparmor;		      /* "requireApparmor" */
	bool verify;			      /* "verifyLabel" */
	bool debug;			      /* "debug" */
	bool poststop_hook;		      /* "poststopHook" */
	char *hook_path;		      /* "hookPath": the phoenix binary the hook runs */
	enum ph_cap_policy mac_caps;	      /* "macCapabilities" */
	bool seccomp_validate;		      /* "seccompValidate" */
	bool seccomp_default;		      /* "seccompDefault" */
	char *complain[PH_CONFIG_MAX_LIST];   /* "complain": profiles loaded in complain mode */
	int n_complain;
	char *allowed_annotations[PH_CONFIG_MAX_LIST]; /* "allowedAnnotations" */
	int n_allowed_annotations;
};

/* Load from $PHOENIX_CONFIG or the default path. */
int ph_config_load(struct ph_config *conf, ph_error_t *err);
/* Load from a given path (NULL = defaults only). */
int ph_config_load_path(struct ph_config *conf, const char *path, bool must_exist, ph_error_t *err);
void ph_config_release(struct ph_config *conf);

bool ph_config_complain(const struct ph_config *conf, const char *profile);

/* The directory that holds profile file `name`: the operator's
 * (localProfilesDir) first, then phoenix's own; NULL when neither has it. */
const char *ph_config_profile_dir(const struct ph_config *conf, const char *name);
/* May the annotation org.phoenix.<key> override the config for a container? */
bool ph_config_annotation_allowed(const struct ph_config *conf, const char *key);

#endif
