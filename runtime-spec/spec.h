/* phoenix: the OCI runtime-spec documents phoenix reads and changes.
 *
 * Two kinds of document: a bundle's config.json, and the process file of
 * `exec --process FILE`, which is the bare `process` object of a
 * config.json.  The accessors below work on both: the process fields are
 * found at `process.*` in the first and at the top level in the second.
 * Everything phoenix does not touch is written back unchanged (see
 * json.h).
 *
 * Accessors that read return 1 when the field is present, 0 when it is
 * absent or null, -1 on error.  Errors name the file and the JSON path:
 * "config.json: process.apparmorProfile: expected a string, got number".
 */
#ifndef PHOENIX_SPEC_H
#define PHOENIX_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "json.h"

/* Largest document phoenix reads: 16 MiB.  Real config.json files are a
 * few kilobytes (Docker's, with its seccomp profile, about 30); the limit
 * only keeps a hostile bundle from making phoenix read without end. */
#define PH_SPEC_MAX_SIZE (16u * 1024 * 1024)

struct ph_spec {
	struct ph_json *root; /* always an object */
	char *origin;	      /* names the document in messages */
	bool is_process;      /* an `exec --process` document */
	int dirfd;	      /* directory of the file, -1 when not from a file */
	char *name;	      /* file name inside dirfd */
};

/* Load `name` (normally "config.json") from the bundle directory.
 * `origin` names it in messages (e.g. "/run/bundle/config.json"); NULL
 * means `name`.  The file must be a regular file (no symbolic link), at
 * most PH_SPEC_MAX_SIZE bytes, and hold a JSON object. */
int ph_spec_load(int bundle_dirfd, const char *name, const char *origin, struct ph_spec **out,
		 ph_error_t *err);

/* Load the process file of `exec --process PATH`; PATH is absolute or
 * relative to the working directory.  Its directory is opened normally,
 * the file itself without following a symbolic link. */
int ph_spec_load_process(const char *path, struct ph_spec **out, ph_error_t *err);

/* A document from memory (ph_spec_save() is then refused). */
int ph_spec_parse(const char *buf, size_t len, const char *origin, bool is_process,
		  struct ph_spec **out, ph_error_t *err);

/* Write the document back over its file, atomically, keeping the file's
 * permissions and owner. */
int ph_spec_save(struct ph_spec *spec, ph_error_t *err);

void ph_spec_free(struct ph_spec *spec);
void ph_spec_freep(struct ph_spec **spec);
#define cleanup_spec __attribute__((cleanup(ph_spec_freep)))

/* The process object: root.process of a config.json (NULL when absent),
 * the root of a process document.  A `process` that is not an object is
 * an error. */
int ph_spec_process(const struct ph_spec *spec, struct ph_json **process, ph_error_t *err);

/* ---- process.apparmorProfile, process.noNewPrivileges ------------------- */

int ph_spec_get_apparmor_profile(const struct ph_spec *spec, const char **profile, ph_error_t *err);
int ph_spec_set_apparmor_profile(struct ph_spec *spec, const char *profile, ph_error_t *err);

int ph_spec_get_no_new_privileges(const struct ph_spec *spec, bool *value, ph_error_t *err);
int ph_spec_set_no_new_privileges(struct ph_spec *spec, bool value, ph_error_t *err);

/* ---- process.capabilities ----------------------------------------------------- */

/* The five capability sets, as bits for masks. */
enum ph_cap_set {
	PH_CAP_BOUNDING = 1 << 0,
	PH_CAP_EFFECTIVE = 1 << 1,
	PH_CAP_INHERITABLE = 1 << 2,
	PH_CAP_PERMITTED = 1 << 3,
	PH_CAP_AMBIENT = 1 << 4,
};
#define PH_CAP_ALL_SETS 0x1fu

/* "bounding", "effective", ... for one bit; NULL otherwise. */
const char *ph_cap_set_name(enum ph_cap_set set);

/* The capability names ("CAP_CHOWN", ...) of one set, as a
 * NULL-terminated vector to free with ph_strv_free(). */
int ph_spec_get_capabilities(const struct ph_spec *spec, enum ph_cap_set set, char ***caps,
			     ph_error_t *err);

/* The sets that contain capability `cap`, as a mask in *sets (0 if none,
 * or if there are no capabilities). */
int ph_spec_capability_sets(const struct ph_spec *spec, const char *cap, unsigned *sets,
			    ph_error_t *err);

/* Remove `cap` from every set (every occurrence); *removed_from receives
 * the mask of the sets it was removed from. */
int ph_spec_drop_capability(struct ph_spec *spec, const char *cap, unsigned *removed_from,
			    ph_error_t *err);

/* ---- annotations (config.json only) ------------------------------------------- */

int ph_spec_get_annotation(const struct ph_spec *spec, const char *key, const char **value,
			   ph_error_t *err);
int ph_spec_set_annotation(struct ph_spec *spec, const char *key, const char *value,
			   ph_error_t *err);

/* Call fn for each annotation in document order.  A negative return of
 * fn stops the walk and is returned (with *err set by fn); a positive one
 * stops it and is returned; 0 continues.  A value that is not a string is
 * an error. */
typedef int (*ph_spec_annotation_fn)(const char *key, const char *value, void *data,
				     ph_error_t *err);
int ph_spec_foreach_annotation(const struct ph_spec *spec, ph_spec_annotation_fn fn, void *data,
			       ph_error_t *err);

/* ---- hooks (config.json only) --------------------------------------------------- */

struct ph_spec_hook {
	const char *path;	 /* absolute, required */
	const char *const *args; /* NULL-terminated, or NULL for none */
	const char *const *env;	 /* NULL-terminated, or NULL for none */
	int timeout;		 /* seconds; 0 for none */
};

/* Append a hook to hooks.<phase>, where phase is one of prestart,
 * createRuntime, createContainer, startContainer, poststart, poststop. */
int ph_spec_append_hook(struct ph_spec *spec, const char *phase, const struct ph_spec_hook *hook,
			ph_error_t *err);

/* ---- linux.seccomp, linux.devices, root.path (config.json only) --------------- */

int ph_spec_get_seccomp(const struct ph_spec *spec, struct ph_json **seccomp, ph_error_t *err);

/* Call fn for each entry of linux.devices (same stopping rules as
 * ph_spec_foreach_annotation); `device` is the whole entry. */
typedef int (*ph_spec_device_fn)(const char *path, const struct ph_json *device, void *data,
				 ph_error_t *err);
int ph_spec_foreach_device(const struct ph_spec *spec, ph_spec_device_fn fn, void *data,
			   ph_error_t *err);

int ph_spec_get_root_path(const struct ph_spec *spec, const char **path, ph_error_t *err);

/* ---- process.env ---------------------------------------------------------------- */

/* Call fn for each "NAME=value" entry (same stopping rules as above). */
typedef int (*ph_spec_env_fn)(const char *entry, void *data, ph_error_t *err);
int ph_spec_foreach_env(const struct ph_spec *spec, ph_spec_env_fn fn, void *data, ph_error_t *err);

/* The value of variable `name`: a pointer into the entry after '='.  When
 * the variable appears more than once the last entry wins, as it does for
 * the runtime. */
int ph_spec_get_env(const struct ph_spec *spec, const char *name, const char **value,
		    ph_error_t *err);

#endif
