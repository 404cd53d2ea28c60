/* phoenix: process.capabilities of a config.json or of an
 * `exec --process` document.
 *
 * Every name in the five sets (bounding, effective, inheritable,
 * permitted, ambient) must be a capability libcap knows, written as the
 * runtime-spec writes it: "CAP_" and the upper-case name.  Anything else
 * is an error naming the element ("config.json:
 * process.capabilities.bounding[3]: unknown capability `CAP_FOO`").  The
 * spelling is strict because runtimes disagree on the rest: runc ignores
 * "cap_mac_admin" while crun, which asks libcap, grants it (and "33" too),
 * so a lenient reading would let CAP_MAC_ADMIN past the policy below.
 *
 * The policy (config key "macCapabilities", or the annotation
 * org.phoenix.capabilities when the operator lists "capabilities" in
 * "allowedAnnotations") decides what happens to the two capabilities that
 * weaken AppArmor confinement:
 *   CAP_MAC_ADMIN     loads, replaces and removes profiles in the
 *                     container's policy namespace, its own profile included
 *   CAP_MAC_OVERRIDE  overrides mandatory access control checks
 * drop (default)  removed from every set; the container starts
 * keep            left as they are, with a warning
 * refuse          the container (or exec) does not start
 *
 * Privileged containers.  `docker run --privileged` gives a container
 * every capability and no AppArmor profile ("unconfined", in phoenix the
 * unconfined profile of the container's own namespace).  The policy
 * applies to them exactly as to any other container, so by default a
 * privileged container loses CAP_MAC_ADMIN and CAP_MAC_OVERRIDE and keeps
 * everything else.  Being unconfined in its namespace it gains nothing
 * from replacing profiles, but with CAP_MAC_ADMIN it could load policy
 * into the namespace and create namespaces below it, which phoenix's
 * bound does not foresee.  The cost: AppArmor policy cannot be managed
 * from inside (Docker-in-Docker cannot load its docker-default profile).
 * An operator who wants that sets "macCapabilities": "keep", or allows
 * the annotation and sets org.phoenix.capabilities=keep on that container.
 * The report says when the container looked privileged, so the message
 * can say why such a container lacks the two capabilities.
 */
#ifndef PHOENIX_CAPS_H
#define PHOENIX_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "error.h"
#include "spec.h"

#define PH_CAPS_ANNOTATION PH_ANNOTATION_PREFIX "capabilities"
#define PH_CAPS_MAC_COUNT 2

struct ph_caps_mac {
	char name[32];	  /* "CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE" (from libcap) */
	unsigned held;	  /* the sets (enum ph_cap_set bits) that held it */
	unsigned removed; /* the sets it was removed from */
};

struct ph_caps_report {
	enum ph_cap_policy policy; /* the policy applied */
	bool annotated;		   /* chosen by org.phoenix.capabilities */
	bool privileged;	   /* the bounding set held every capability of the kernel */
	struct ph_caps_mac mac[PH_CAPS_MAC_COUNT];
};

/* Check the names of every set, then apply the policy.  `annotation` is
 * the value of org.phoenix.capabilities ("drop", "keep" or "refuse"), or
 * NULL; it is honoured only when the config allows the key
 * "capabilities", and otherwise ignored with a warning.  Changes the
 * document only under drop; on error nothing is changed. */
int ph_caps_apply(const struct ph_config *conf, struct ph_spec *spec, const char *annotation,
		  struct ph_caps_report *report, ph_error_t *err);

/* Only the name check of ph_caps_apply. */
int ph_caps_check_names(const struct ph_spec *spec, ph_error_t *err);

/* "drop", "keep", "refuse". */
const char *ph_caps_policy_name(enum ph_cap_policy policy);
/* The policy named `name`; -1 with an error naming the choices otherwise. */
int ph_caps_policy_parse(const char *name, enum ph_cap_policy *policy, ph_error_t *err);

/* "bounding, effective, permitted" for a mask of sets ("" for none). */
const char *ph_caps_sets_format(unsigned sets, char *buf, size_t len);

#endif
