/* Which source files of a kernel tree include a given file, directly or not. */
#ifndef LPATCH_KERNEL_INCLUDERS_H
#define LPATCH_KERNEL_INCLUDERS_H

#include <stddef.h>

/* The tree's .c and .h files and their #include directives, read once
 * for any number of questions. */
struct includers;

/* Read tree src (src and arch must outlive the scan). Trees arch/<other>
 * (arch is e.g. "x86"), Documentation, tools, samples and scripts are not
 * read. NULL with an error printed. */
struct includers *includers_scan(const char *src, const char *arch);
void includers_free(struct includers *inc);

/*
 * The .c files of the scanned tree (relative paths, sorted) that include
 * one of files[] (relative paths: headers, or .c files that others include),
 * through any chain of #include directives. The match errs on the side of
 * too many: a quoted name is tried beside the includer, in the include
 * directories of arch and the kernel, and as a path suffix within the
 * includer's subsystem (its first two path components), because kbuild
 * adds -I options per directory. Stops when more than max .c files are
 * found. Returns the count (> max when it stopped); *out is
 * NULL-terminated, caller frees all.
 */
long includers_find(const struct includers *inc, char *const *files, size_t nfiles, size_t max,
		    char ***out);

/* includers_scan, includers_find and includers_free in one: -1 when the
 * tree cannot be read. */
long includers_search(const char *src, const char *arch, char *const *files, size_t nfiles,
		    size_t max, char ***out);

#endif
