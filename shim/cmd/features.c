/* phoenix features: the runtime's features document with phoenix's own
 * annotations added.  When the runtime has no `features` command (crun
 * 1.8 and older), phoenix answers with a document of its own, built from
 * what libseccomp and libcap report at run time (see features_own.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "features_own.h"
#include "json.h"

static int add_annotations(struct ph_json *doc, ph_error_t *err)
{
	struct ph_json *ann = ph_json_ensure_object(doc, "annotations", err);
	if (ann == NULL)
		return -1;
	struct ph_json *v = ph_json_new_string(PHOENIX_VERSION, err);
	if (v == NULL || ph_json_object_set(ann, "org.phoenix.version", v, err) < 0)
		return -1;
	v = ph_json_new_string("true", err);
	if (v == NULL ||
	    ph_json_object_set(ann, "org.phoenix.apparmor.policyNamespaces", v, err) < 0)
		return -1;
	return 0;
}

int ph_cmd_features(struct ph_context *ctx, ph_error_t *err)
{
	char *argv[] = {ctx->runtime.path, (char *)"features", NULL};
	cleanup_free char *out = NULL;
	size_t len = 0;
	int status = 0;
	if (ph_runtime_capture(&ctx->runtime, argv, &out, &len, &status, err) < 0)
		return ph_error_wrap(err, "features");
	cleanup_json struct ph_json *doc = NULL;
	ph_error_t perr = NULL;
	if (status != 0 || out == NULL ||
	    ph_json_parse(out, len, "runtime features", &doc, &perr) < 0 ||
	    doc->type != PH_JSON_OBJECT) {
		ph_error_free(&perr);
		ph_json_free(doc);
		doc = NULL;
		if (ph_features_own(&doc, err) < 0)
			return ph_error_wrap(err, "features");
	}
	if (add_annotations(doc, err) < 0)
		return ph_error_wrap(err, "features");
	cleanup_free char *text = NULL;
	size_t tlen = 0;
	if (ph_json_serialize(doc, &text, &tlen, err) < 0)
		return ph_error_wrap(err, "features");
	if (fwrite(text, 1, tlen, stdout) != tlen || fflush(stdout) != 0)
		return ph_error_make(err, EIO, "features: write");
	return 0;
}
