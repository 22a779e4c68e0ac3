/* Source diffs: which files they touch, applying them, and saying why they do not apply. */
#ifndef LPATCH_PATCH_PATCHSET_H
#define LPATCH_PATCH_PATCHSET_H

#include <stdbool.h>
#include <stddef.h>

struct patch_file {
	char *path;		/* relative to the tree, a/ b/ prefix stripped */
	int hunks;
	int added;		/* the diff creates it */
	int removed;		/* the diff deletes it */
};

struct patchset {
	char **patches;		/* the diff files, in order (absolute paths, for messages) */
	char **texts;		/* their bytes, read once: what is hashed and applied */
	size_t *lens;
	size_t npatches;
	struct patch_file *files;
	size_t nfiles, filecap;
};

/* Read the diffs, once; error (naming the file) when one cannot be read or
 * holds no unified diff. */
int patchset_read(struct patchset *ps, char **paths, size_t n);
/* sha256 of the concatenated diffs as read, hex (caller frees), or NULL
 * with an error printed. */
char *patchset_sha256(const struct patchset *ps);
/* Apply every diff, as read, to the tree at dir (patch -p1); on failure say
 * which file and hunk. */
int patchset_apply(const struct patchset *ps, const char *dir);
/* Would the diffs apply to the tree at dir, or with reverse, would their
 * reverse (the tree has them already)? Dry runs only, the tree untouched.
 * With several diffs the forward check covers the first (the others may
 * build on it) and the reverse check each one alone. 1 yes, 0 no (say_why:
 * which file and hunk, as patchset_apply says it), -1 patch failed to run. */
int patchset_applies(const struct patchset *ps, const char *dir, bool reverse, bool say_why);
void patchset_free(struct patchset *ps);

#endif
