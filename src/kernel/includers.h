/* Which source files of a kernel tree include a given file, directly or not. */
#ifndef LPATCH_KERNEL_INCLUDERS_H
#define LPATCH_KERNEL_INCLUDERS_H

#include <stddef.h>

/*
 * The .c files of tree src (relative paths, sorted) that include one of
 * files[] (relative paths: headers, or .c files that others include), through
 * any chain of #include directives. The match errs on the side of too many:
 * a quoted name is tried beside the includer, in the include directories of
 * arch (e.g. "x86") and the kernel, and as a path suffix within the
 * includer's subsystem (its first two path components), because kbuild adds
 * -I options per directory. Trees arch/<other>, Documentation, tools,
 * samples and scripts are not read. Stops when more than max .c files are
 * found. Returns the count (> max when it stopped), or -1 on errors;
 * *out is NULL-terminated, caller frees all.
 */
long find_includers(const char *src, const char *arch, char *const *files, size_t nfiles,
		    size_t max, char ***out);

#endif
