/* phoenix: which profile a container gets (see profile_choice.h). */
#include "profile_choice.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aa_names.h"

/* The names runtimes and engines give their own default profile:
 * containerd's CRI plugin (Kubernetes' RuntimeDefault, and ctr's
 * --apparmor-default-profile) names it `cri-containerd.apparmor.d`
 * (containerd pkg/cri/.../helpers_linux.go, defaultApparmorProfile). */
bool ph_profile_is_default_alias(const char *name)
{
	return name == NULL || *name == '\0' || strcmp(name, "docker-default") == 0 ||
	       strcmp(name, "runtime/default") == 0 || strcmp(name, "crun-default") == 0 ||
	       strcmp(name, "cri-containerd.apparmor.d") == 0 ||
	       strncmp(name, "containers-default-", 19) == 0;
}

bool ph_profile_complain(const struct ph_config *conf, const char *name)
{
	if (name == NULL || strcmp(name, "unconfined") == 0)
		return false;
	/* the recording profile of `phoenix learn` (shim/audit/learn_rules.h) */
	return ph_config_complain(conf, name) || strcmp(name, PH_LEARN_PROFILE_NAME) == 0;
}

static int set_choice(struct ph_profile_choice *out, const struct ph_config *conf, const char *name,
		      bool unconfined, ph_error_t *err)
{
	out->name = strdup(name);
	if (out->name == NULL)
		return ph_error_make(err, ENOMEM, "profile name");
	out->unconfined = unconfined;
	out->complain = !unconfined && ph_profile_complain(conf, name);
	return 0;
}

int ph_profile_choose(const struct ph_config *conf, const char *requested, const char *annotation,
		      bool gpu, struct ph_profile_choice *out, ph_error_t *err)
{
	memset(out, 0, sizeof(*out));
	const char *name = requested;
	const char *source = "process.apparmorProfile";
	if (annotation && *annotation) {
		name = annotation;
		source = "annotation " PH_ANNOTATION_PREFIX "profile";
	}
	if (ph_profile_is_default_alias(name))
		return set_choice(out, conf, gpu ? conf->gpu_profile : conf->default_profile, false,
				  err);
	if (strncmp(name, "localhost/", 10) == 0)
		name += 10;
	if (strcmp(name, "unconfined") == 0) {
		switch (conf->unconfined) {
		case PH_UNCONFINED_NAMESPACE:
			return set_choice(out, conf, "unconfined", true, err);
		case PH_UNCONFINED_DEFAULT:
			return set_choice(
			    out, conf, gpu ? conf->gpu_profile : conf->default_profile, false, err);
		case PH_UNCONFINED_REFUSE:
		default:
			return ph_error_make(err, EPERM,
					     "%s: profile `unconfined` is refused by the config "
					     "(key `unconfined` is \"refuse\")",
					     source);
		}
	}
	if (!ph_aa_name_valid(name))
		return ph_error_make(err, EINVAL,
				     "%s: profile name `%.64s%s` is not allowed: a profile name "
				     "must match [A-Za-z0-9][A-Za-z0-9_.+-]* (at most 200 bytes)",
				     source, name, strlen(name) > 64 ? "…" : "");
	return set_choice(out, conf, name, false, err);
}

void ph_profile_choice_release(struct ph_profile_choice *c)
{
	free(c->name);
	c->name = NULL;
}
