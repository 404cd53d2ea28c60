/* phoenix: the AppArmor kernel interface, in one include.
 *
 *   aa_env.h     where /proc, /sys and securityfs are
 *   aa_probe.h   what the kernel supports and who the caller is
 *   aa_names.h   namespace and profile names
 *   aa_ns.h      policy namespace lifecycle
 *   aa_policy.h  compiling and loading policy
 *   aa_cache.h   compiled-policy cache
 *   aa_blob.h    namespace field of compiled policy
 *   aa_attr.h    label reads, attribute paths
 *   aa_onexec.h  the exec transition and display LSM, written before execve
 *   aa_label.h   labels as the kernel prints them
 *   aa_fault.h   fault injection for tests
 */
#ifndef PHOENIX_AA_H
#define PHOENIX_AA_H

#include "aa_attr.h"
#include "aa_blob.h"
#include "aa_cache.h"
#include "aa_env.h"
#include "aa_label.h"
#include "aa_names.h"
#include "aa_ns.h"
#include "aa_onexec.h"
#include "aa_policy.h"
#include "aa_probe.h"

#endif
