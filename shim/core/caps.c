/* phoenix: capability names and the MAC capabilities policy (see caps.h). */
#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "log.h"

static const enum ph_cap_set all_sets[] = {
    PH_CAP_BOUNDING, PH_CAP_EFFECTIVE, PH_CAP_INHERITABLE, PH_CAP_PERMITTED, PH_CAP_AMBIENT,
};
#define N_SETS (sizeof(all_sets) / sizeof(all_sets[0]))

static const cap_value_t mac_caps[PH_CAPS_MAC_COUNT] = {CAP_MAC_ADMIN, CAP_MAC_OVERRIDE};

/* What each MAC capability lets a container do, for the `keep` warning. */
static const char *mac_power(cap_value_t cap)
{
	return cap == CAP_MAC_ADMIN ? "it can load, replace and remove AppArmor profiles in its "
				      "policy namespace, its own profile included"
				    : "it can override mandatory access control checks";
}

static const char *const policy_names[] = {
    [PH_CAP_DROP] = "drop",
    [PH_CAP_KEEP] = "keep",
    [PH_CAP_REFUSE] = "refuse",
};

const char *ph_caps_policy_name(enum ph_cap_policy policy)
{
	if ((size_t)policy < sizeof(policy_names) / sizeof(policy_names[0]))
		return policy_names[policy];
	return "?";
}

int ph_caps_policy_parse(const char *name, enum ph_cap_policy *policy, ph_error_t *err)
{
	for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
		if (strcmp(policy_names[i], name) == 0) {
			*policy = (enum ph_cap_policy)i;
			return 0;
		}
	return ph_error_make(err, EINVAL,
			     "`%s` is not a capabilities policy (drop, keep or refuse)", name);
}

const char *ph_caps_sets_format(unsigned sets, char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < N_SETS && used < len; i++) {
		if (!(sets & all_sets[i]))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
				 ph_cap_set_name(all_sets[i]));
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* The runtime-spec spelling of capability `cap` ("CAP_CHOWN") from
 * libcap's name ("cap_chown").  False when libcap has no name for it (it
 * then answers with the number). */
static bool canonical_name(cap_value_t cap, char *out, size_t len)
{
	char *name = cap_to_name(cap);
	if (name == NULL)
		return false;
	bool named = strncmp(name, "cap_", 4) == 0;
	size_t n = 0;
	for (const char *p = name; named && *p && n < len - 1; p++)
		out[n++] = (char)toupper((unsigned char)*p);
	out[n] = '\0';
	cap_free(name);
	return named;
}

/* cap_from_name() is lenient: any case, numbers, and trailing text after
 * a known name ("CAP_MAC_ADMIN2" is CAP_MAC_ADMIN).  A name is accepted
 * only when it is exactly libcap's name of what it resolves to. */
static int check_name(const struct ph_spec *spec, const char *set, size_t i, const char *name,
		      ph_error_t *err)
{
	const char *prefix = spec->is_process ? "" : "process.";
	cap_value_t cap;
	char canonical[64];
	if (cap_from_name(name, &cap) == 0 && canonical_name(cap, canonical, sizeof(canonical))) {
		if (strcmp(canonical, name) == 0)
			return 0;
		if (strcasecmp(canonical, name) == 0)
			return ph_error_make(err, EINVAL,
					     "%s: %scapabilities.%s[%zu]: capability `%s` must be "
					     "written `%s`",
					     spec->origin, prefix, set, i, name, canonical);
	}
	return ph_error_make(err, EINVAL, "%s: %scapabilities.%s[%zu]: unknown capability `%s`",
			     spec->origin, prefix, set, i, name);
}

int ph_caps_check_names(const struct ph_spec *spec, ph_error_t *err)
{
	for (size_t s = 0; s < N_SETS; s++) {
		char **caps = NULL;
		if (ph_spec_get_capabilities(spec, all_sets[s], &caps, err) < 0)
			return -1;
		int r = 0;
		for (size_t i = 0; caps != NULL && caps[i] != NULL && r == 0; i++)
			r = check_name(spec, ph_cap_set_name(all_sets[s]), i, caps[i], err);
		ph_strv_free(caps);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Does the bounding set hold every capability of the running kernel
 * (cap_max_bits) that libcap can name?  That is what Docker, Podman and
 * containerd give a privileged container. */
static int looks_privileged(const struct ph_spec *spec, bool *privileged, ph_error_t *err)
{
	char **bounding = NULL;
	*privileged = false;
	if (ph_spec_get_capabilities(spec, PH_CAP_BOUNDING, &bounding, err) < 0)
		return -1;
	if (bounding == NULL)
		return 0;
	bool all = true;
	for (cap_value_t cap = 0; all && cap < (cap_value_t)cap_max_bits(); cap++) {
		char name[64];
		if (!canonical_name(cap, name, sizeof(name)))
			continue;
		bool found = false;
		for (size_t i = 0; bounding[i] != NULL && !found; i++)
			found = strcmp(bounding[i], name) == 0;
		all = found;
	}
	ph_strv_free(bounding);
	*privileged = all;
	return 0;
}

/* The policy from the config, overridden by an allowed annotation. */
static int choose_policy(const struct ph_config *conf, const struct ph_spec *spec,
			 const char *annotation, struct ph_caps_report *report, ph_error_t *err)
{
	report->policy = conf->mac_caps;
	if (annotation == NULL)
		return 0;
	if (!ph_config_annotation_allowed(conf, "capabilities")) {
		ph_warn("%s: annotation " PH_CAPS_ANNOTATION "=%s ignored: the config does not "
			"list \"capabilities\" in allowedAnnotations; macCapabilities is `%s`",
			spec->origin, annotation, ph_caps_policy_name(conf->mac_caps));
		return 0;
	}
	if (ph_caps_policy_parse(annotation, &report->policy, err) < 0)
		return ph_error_wrap(err, "%s: annotation " PH_CAPS_ANNOTATION, spec->origin);
	report->annotated = true;
	return 0;
}

static const char *policy_source(const struct ph_caps_report *report)
{
	return report->annotated ? "annotation " PH_CAPS_ANNOTATION : "macCapabilities";
}

/* The refusal, naming every MAC capability held and its sets. */
static int refuse(const struct ph_spec *spec, const struct ph_caps_report *report, ph_error_t *err)
{
	char held[256] = "";
	size_t used = 0;
	for (size_t m = 0; m < PH_CAPS_MAC_COUNT; m++) {
		if (report->mac[m].held == 0)
			continue;
		char sets[128];
		int n = snprintf(held + used, sizeof(held) - used, "%s%s (%s)", used ? " and " : "",
				 report->mac[m].name,
				 ph_caps_sets_format(report->mac[m].held, sets, sizeof(sets)));
		if (n < 0 || (size_t)n >= sizeof(held) - used)
			break;
		used += (size_t)n;
	}
	return ph_error_make(
	    err, EPERM,
	    "%s: %scapabilities: %s refused by %s `refuse`: these capabilities "
	    "let a container manage or override the AppArmor policy that confines "
	    "it; drop them from the container's capabilities%s",
	    spec->origin, spec->is_process ? "" : "process.", held, policy_source(report),
	    report->privileged ? " (it is privileged, but --cap-drop still applies)" : "");
}

int ph_caps_apply(const struct ph_config *conf, struct ph_spec *spec, const char *annotation,
		  struct ph_caps_report *report, ph_error_t *err)
{
	memset(report, 0, sizeof(*report));
	if (ph_caps_check_names(spec, err) < 0)
		return -1;
	if (choose_policy(conf, spec, annotation, report, err) < 0)
		return -1;
	if (looks_privileged(spec, &report->privileged, err) < 0)
		return -1;
	bool any = false;
	for (size_t m = 0; m < PH_CAPS_MAC_COUNT; m++) {
		struct ph_caps_mac *mac = &report->mac[m];
		if (!canonical_name(mac_caps[m], mac->name, sizeof(mac->name)))
			return ph_error_make(err, ENOMEM, "cap_to_name(%d)", (int)mac_caps[m]);
		if (ph_spec_capability_sets(spec, mac->name, &mac->held, err) < 0)
			return -1;
		any = any || mac->held != 0;
	}
	if (!any)
		return 0;
	if (report->policy == PH_CAP_REFUSE)
		return refuse(spec, report, err);

	for (size_t m = 0; m < PH_CAPS_MAC_COUNT; m++) {
		struct ph_caps_mac *mac = &report->mac[m];
		char sets[128];
		if (mac->held == 0)
			continue;
		ph_caps_sets_format(mac->held, sets, sizeof(sets));
		if (report->policy == PH_CAP_KEEP) {
			ph_warn("%s: the container keeps %s (%s) because %s is `keep`: %s",
				spec->origin, mac->name, sets, policy_source(report),
				mac_power(mac_caps[m]));
			continue;
		}
		if (ph_spec_drop_capability(spec, mac->name, &mac->removed, err) < 0)
			return -1;
		ph_debug("%s: %s removed from %s (%s: drop)%s", spec->origin, mac->name, sets,
			 policy_source(report), report->privileged ? ", privileged container" : "");
	}
	return 0;
}
