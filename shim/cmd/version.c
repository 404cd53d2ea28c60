/* phoenix --version: the real runtime's version text, then phoenix's.
 *
 * Two parsers read this output:
 *  - go-runc (containerd) requires the FIRST line to be "runc version X"
 *    and reads "commit: " and "spec: " lines: it keeps seeing the real
 *    runc's version, commit and spec;
 *  - dockerd takes the LAST line containing "version" for the runtime name
 *    and version and the "commit:" line: `docker info` shows
 *    "phoenix" with phoenix's version and the real runtime's commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"

int ph_cmd_version(struct ph_context *ctx, ph_error_t *err)
{
	char *argv[] = {ctx->runtime.path, (char *)"--version", NULL};
	char *out = NULL;
	size_t len = 0;
	int status = 0;
	if (ph_runtime_capture(&ctx->runtime, argv, &out, &len, &status, err) < 0)
		return ph_error_wrap(err, "%s --version", ctx->runtime.path);
	if (out && len) {
		fwrite(out, 1, len, stdout);
		if (out[len - 1] != '\n')
			putchar('\n');
	}
	free(out);
	printf("phoenix version %s\n", PHOENIX_VERSION);
	printf("phoenix-runtime: %s\n", ctx->runtime.path);
	if (fflush(stdout) != 0)
		return ph_error_make(err, 5 /* EIO */, "write version");
	return status;
}
