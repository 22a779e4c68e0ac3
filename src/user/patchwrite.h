/*
 * Writing a process patch (.lpatch, docs/user-patch-format.md) from the
 * differ's results: one relocatable object holding every changed object's
 * new code and data, their unwind entries, undefined symbols for what the
 * target provides (imports named with their symbol versions), and the
 * .lpatch.meta that binds it to the target's build-id.
 */
#ifndef LPATCH_USER_PATCHWRITE_H
#define LPATCH_USER_PATCHWRITE_H

#include "diff/diff.h"

#include <stddef.h>

struct user_part {
	const char *object;		/* relative path, for messages */
	const char *patched;		/* the patched object (its .eh_frame is taken from it) */
	struct diff_result *res;	/* with res->out */
};

struct patch_meta {
	const char *name;
	const char *build_id;
	const char *object;		/* file name of the target as a process maps it */
	/* the target that runs is stripped (its symbols come from a rebuild): each ref=
	 * line also says what the symbol is (func, object, tls) and cold= lines give the
	 * functions' .cold parts, which the runtime cannot look up there */
	bool stripped;
};

/* Write the patch to path (atomically). Errors printed; LP_EXIT_* returned. */
int patchwrite(struct parent *target, struct user_part *parts, size_t nparts,
	       const struct patch_meta *meta, const char *path);

#endif
