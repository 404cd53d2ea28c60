/* phoenix: reading labels as the kernel prints them.
 *
 * /proc/<pid>/attr/current shows a task's label relative to the reader's
 * policy namespace (security/apparmor/procattr.c, aa_getprocattr(), with
 * FLAG_SHOW_MODE | FLAG_VIEW_SUBNS | FLAG_HIDDEN_UNCONFINED), printed by
 * aa_label_snxprint() in security/apparmor/label.c (Linux 4.13 to 6.x):
 *
 *   - members are joined with "//&"; members in namespaces the reader
 *     cannot see (ancestors, siblings) are left out;
 *   - a member in the reader's own namespace is its profile name
 *     ("lxc-foo", "p//hat");
 *   - a member in a descendant namespace is ":<ns path>:<profile>", the
 *     path relative to the reader with "//" between levels
 *     (policy_ns.c, aa_ns_name()): from the root, a profile `p` in
 *     namespace `phx` below the LXC namespace `ct` is ":ct//phx:p";
 *     from inside `ct` it is ":phx:p";
 *   - a member in the same namespace as the member printed before it
 *     omits the namespace (aa_profile_snxprint()'s prev_ns): profiles a
 *     and b in `phx` print as ":phx:a//&b";
 *   - " (mode)" follows once, unless every visible member is its
 *     namespace's `unconfined`: "host//&:ct//phx:p (enforce)",
 *     ":phx:unconfined", "unconfined".
 *
 * A label none of whose members the reader can see is refused with
 * EACCES by aa_getprocattr().
 */
#ifndef PHOENIX_AA_LABEL_H
#define PHOENIX_AA_LABEL_H

#include <stdbool.h>

#include "error.h"

/* Split the text of attr/current ("label (mode)\n") into heap copies of
 * the label and the mode.  A label printed without a mode has only
 * namespace-`unconfined` members: *mode is then "unconfined". */
int ph_aa_label_split(const char *text, char **label, char **mode, ph_error_t *err);

/* Whether a label (without its mode), as printed to a reader, has a
 * member in the reader's child namespace `ns` or below it. */
bool ph_aa_label_in_ns(const char *label, const char *ns);

#endif
