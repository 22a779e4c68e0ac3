/*
 * Crash-safe edits of the prepared tree. A build applies the diff to the
 * shared source tree; before it does, the pristine copy of every file the
 * diff touches is saved beside the tree with a manifest. The edit is undone
 * from that copy when the build ends, and, if the build died half-way
 * (killed, out of memory, power), by whoever takes the tree next.
 */
#ifndef LPATCH_KERNEL_JOURNAL_H
#define LPATCH_KERNEL_JOURNAL_H

#include <stddef.h>

struct tree_journal {
	char *dir;		/* <target dir>/journal */
	char *src;		/* the tree */
};

/* Open the journal of the tree src kept under state_dir, putting back the
 * tree first when a dead build left it edited. Hold the tree's lock. */
int journal_open(struct tree_journal *j, const char *state_dir, const char *src);
/*
 * Save files (tree-relative) before the tree changes; objs are outputs the
 * edited tree may leave that must not outlive the edit. 0, or -1 with the
 * tree untouched.
 */
int journal_begin(struct tree_journal *j, char *const *files, size_t nfiles,
		  char *const *objs, size_t nobjs);
/* Put the tree back as journal_begin found it and forget the journal. */
int journal_end(struct tree_journal *j);
void journal_close(struct tree_journal *j);

#endif
