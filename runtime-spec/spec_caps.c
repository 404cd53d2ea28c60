/* phoenix: process.capabilities (see spec.h). */
#include "spec.h"
#include "spec_internal.h"

#include <stdio.h>
#include <string.h>

static const struct {
	enum ph_cap_set bit;
	const char *name;
} cap_sets[] = {
    {PH_CAP_BOUNDING, "bounding"},	 {PH_CAP_EFFECTIVE, "effective"},
    {PH_CAP_INHERITABLE, "inheritable"}, {PH_CAP_PERMITTED, "permitted"},
    {PH_CAP_AMBIENT, "ambient"},
};

const char *ph_cap_set_name(enum ph_cap_set set)
{
	for (size_t i = 0; i < sizeof(cap_sets) / sizeof(cap_sets[0]); i++)
		if (cap_sets[i].bit == set)
			return cap_sets[i].name;
	return NULL;
}

/* "process.capabilities.bounding" or "capabilities.bounding". */
static const char *set_path(const struct ph_spec *spec, const char *set_name,
			    char buf[PH_SPEC_PATH_MAX])
{
	char field[64];
	snprintf(field, sizeof(field), "capabilities.%s", set_name);
	return ph_spec_process_path(spec, field, buf);
}

int ph_spec_get_capabilities(const struct ph_spec *spec, enum ph_cap_set set, char ***caps,
			     ph_error_t *err)
{
	char path[PH_SPEC_PATH_MAX];
	const char *name = ph_cap_set_name(set);
	*caps = NULL;
	if (name == NULL)
		return ph_error_make(err, 0, "%s: no capability set %d", spec->origin, (int)set);
	return ph_json_get_strv(spec->root, set_path(spec, name, path), caps, err);
}

/* Look for `cap` in every set, removing it when `remove` is set; *sets
 * receives the mask of the sets where it was found. */
static int scan_sets(const struct ph_spec *spec, const char *cap, bool remove, unsigned *sets,
		     ph_error_t *err)
{
	*sets = 0;
	for (size_t s = 0; s < sizeof(cap_sets) / sizeof(cap_sets[0]); s++) {
		char path[PH_SPEC_PATH_MAX];
		struct ph_json *arr = NULL;
		int r = ph_json_get_array(spec->root, set_path(spec, cap_sets[s].name, path), &arr,
					  err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		for (size_t i = arr->u.array.count; i-- > 0;) {
			const char *name = NULL;
			if (ph_spec_array_string(spec, path, arr, i, &name, err) < 0)
				return -1;
			if (strcmp(name, cap) != 0)
				continue;
			*sets |= cap_sets[s].bit;
			if (remove && ph_json_array_remove(arr, i, err) < 0)
				return -1;
		}
	}
	return 0;
}

int ph_spec_capability_sets(const struct ph_spec *spec, const char *cap, unsigned *sets,
			    ph_error_t *err)
{
	return scan_sets(spec, cap, false, sets, err);
}

int ph_spec_drop_capability(struct ph_spec *spec, const char *cap, unsigned *removed_from,
			    ph_error_t *err)
{
	/* A first pass that changes nothing, so that a malformed set is
	 * reported before any other set is changed. */
	if (scan_sets(spec, cap, false, removed_from, err) < 0)
		return -1;
	return scan_sets(spec, cap, true, removed_from, err);
}
