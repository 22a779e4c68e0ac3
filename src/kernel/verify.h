/* Checking the original objects lpatch compiled against the target's own code. */
#ifndef LPATCH_KERNEL_VERIFY_H
#define LPATCH_KERNEL_VERIFY_H

#include "diff/verify.h"

/*
 * Compare every function of the original object obj (path; shown as name)
 * with the same function in the parent (vmlinux or the module's .ko),
 * relocation sites masked. Each mismatch is printed as an error naming the
 * function and where it differs. Returns 0 when all match, 1 when some do
 * not, -1 on errors; st (if not NULL) gets the counts.
 */
int kernel_verify_object(const char *obj, const char *name, const struct parent *p,
			 struct verify_stats *st);

#endif
