/*
 * The objects of a user-space build: the scratch copy of the source tree,
 * building it with the project's own command, and which objects the diff
 * changed (compared byte for byte; both builds run in the same directory,
 * so paths recorded in the objects agree).
 */
#ifndef LPATCH_USER_OBJECTS_H
#define LPATCH_USER_OBJECTS_H

#include <stddef.h>

struct objlist {
	char **rel;		/* paths relative to the tree, e.g. "src/main.o" */
	size_t n, cap;
};

/* Objects are the *.o files, and *.lo files that are ELF objects themselves (zlib's
 * Makefile builds its PIC objects so); libtool's .lo text files are not. */

/*
 * Copy src into tree. A tree that was built before keeps its build outputs
 * (objects, archives, programs, libraries: ELF and ar files), listed in aged,
 * with their time set older than any source, so that the build remakes every
 * one it has a rule for while stamp files and what has no rule stay as they
 * are (redis's deps/: a build that relies on them still links). CMake and
 * Meson build directories found (listed in configured, "" for the tree
 * itself) are left out of the copy: they name the original tree's paths.
 */
int objects_copy_tree(const char *src, const char *tree, struct objlist *aged,
		      struct objlist *configured);
/* The objects of objs the build did not remake since objects_copy_tree. */
int objects_stale(const char *tree, const struct objlist *objs, struct objlist *stale);
/* Run cmd (a shell command line) in tree with env; the log in logfile; errors printed. */
int objects_build(const char *tree, const char *cmd, const char *const *env, const char *logfile);
/* Every *.o under tree; copies them to save (same relative paths) when save is not NULL. */
int objects_list(const char *tree, const char *save, struct objlist *out);
/* The objects under tree that differ from their copies under saved, copied to into. */
int objects_changed(const char *tree, const char *saved, const char *into, struct objlist *out);
void objlist_free(struct objlist *l);

#endif
