/* phoenix: does a container ask for a GPU? (see gpu.h) */
#include "gpu.h"

#include <errno.h>
#include <string.h>

static bool gpu_device(const char *path)
{
	return strncmp(path, "/dev/nvidia", 11) == 0 || strncmp(path, "/dev/dri/", 9) == 0;
}

static int check_device(const char *path, const struct ph_json *device, void *data, ph_error_t *err)
{
	(void)device;
	(void)err;
	if (path && gpu_device(path))
		*(bool *)data = true;
	return 0;
}

int ph_spec_wants_gpu(const struct ph_spec *spec, const char *annotation, bool *gpu,
		      ph_error_t *err)
{
	*gpu = false;
	if (annotation && *annotation) {
		if (strcmp(annotation, "true") == 0)
			return *gpu = true, 0;
		if (strcmp(annotation, "false") == 0)
			return 0;
		return ph_error_make(err, EINVAL,
				     "annotation org.phoenix.gpu: `%s` is neither \"true\" nor "
				     "\"false\"",
				     annotation);
	}
	if (ph_spec_foreach_device(spec, check_device, gpu, err) < 0)
		return -1;
	if (*gpu)
		return 0;
	const char *visible = NULL;
	if (ph_spec_get_env(spec, "NVIDIA_VISIBLE_DEVICES", &visible, err) < 0)
		return -1;
	if (visible && *visible && strcmp(visible, "void") != 0 && strcmp(visible, "none") != 0)
		*gpu = true;
	return 0;
}
