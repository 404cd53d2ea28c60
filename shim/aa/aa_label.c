/* phoenix: printed labels (see aa_label.h). */
#include "aa_label.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>

int ph_aa_label_split(const char *text, char **label, char **mode, ph_error_t *err)
{
	cleanup_free char *buf = strdup(text);
	if (buf == NULL)
		return ph_error_make(err, ENOMEM, "copy label");
	size_t len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		buf[--len] = '\0';
	if (len == 0)
		return ph_error_make(err, EPROTO, "the kernel returned an empty label");
	char *m = NULL;
	/* aa_splitcon() (libapparmor) strips " (mode)"; it returns NULL for a
	 * label printed without a mode other than "unconfined", such as
	 * ":ns:unconfined", which is then the whole text. */
	char *l = aa_splitcon(buf, &m);
	if (l == NULL)
		l = buf;
	cleanup_free char *lcopy = strdup(l);
	char *mcopy = strdup(m != NULL ? m : "unconfined");
	if (lcopy == NULL || mcopy == NULL) {
		free(mcopy);
		return ph_error_make(err, ENOMEM, "copy label");
	}
	*label = ph_steal(lcopy);
	*mode = mcopy;
	return 0;
}

/* Does namespace path `path` (len bytes) name `ns` or a namespace below it? */
static bool ns_path_within(const char *path, size_t len, const char *ns)
{
	size_t nlen = strlen(ns);
	if (len < nlen || strncmp(path, ns, nlen) != 0)
		return false;
	return len == nlen || (len >= nlen + 2 && path[nlen] == '/' && path[nlen + 1] == '/');
}

bool ph_aa_label_in_ns(const char *label, const char *ns)
{
	if (label == NULL || ns == NULL || ns[0] == '\0')
		return false;
	/* The namespace of the previous member: a member without ":ns:"
	 * belongs to it (see prev_ns in aa_profile_snxprint()); before any,
	 * that is the reader's own namespace, never a child. */
	const char *cur_ns = NULL;
	size_t cur_len = 0;
	const char *member = label;
	for (;;) {
		const char *end = strstr(member, "//&");
		if (member[0] == ':') {
			const char *close = strchr(member + 1, ':');
			if (close == NULL || (end != NULL && close > end))
				return false; /* not a label the kernel prints */
			cur_ns = member + 1;
			cur_len = (size_t)(close - cur_ns);
		}
		if (cur_ns != NULL && ns_path_within(cur_ns, cur_len, ns))
			return true;
		if (end == NULL)
			return false;
		member = end + 3;
	}
}
