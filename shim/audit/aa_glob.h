/* phoenix: AppArmor's path globbing, for checking a concrete path against
 * a rule of a profile (apparmor.d(5), "Globbing"):
 *
 *   *        any characters but '/'
 *   **       any characters, '/' included
 *   ?        one character but '/'
 *   [abc] [a-z] [^a-z]   one character of (or not of) a set, never '/'
 *   {a,b,c}  one of the alternatives, which may nest and hold globs
 *   \x       x itself
 *
 * Variables (@{PROC}) must have been replaced by the caller.  This is the
 * matcher the parser compiles into the DFA, written as a backtracking
 * match: the patterns it is used for are the few deny rules of phoenix's
 * bounds abstraction, the paths those of one container's records. */
#ifndef PHOENIX_AA_GLOB_H
#define PHOENIX_AA_GLOB_H

#include <stdbool.h>

/* Whether `path` matches `pattern` as a whole. */
bool ph_aa_glob_match(const char *pattern, const char *path);

#endif
