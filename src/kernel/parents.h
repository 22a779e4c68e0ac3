/* The parents a kernel patch binds to: vmlinux, and each module it touches. */
#ifndef LPATCH_KERNEL_PARENTS_H
#define LPATCH_KERNEL_PARENTS_H

#include "diff/parent.h"
#include "target/target.h"

struct parents {
	const struct kernel_target *target;
	struct parent **open;	/* opened so far, each once */
	size_t n, cap;
};

/* The parent for objects of module modname (NULL: vmlinux), opened on first
 * use: vmlinux from the target's symbols, a module from its copy with
 * symbols. NULL with an error. */
struct parent *parents_get(struct parents *ps, const char *modname);
void parents_free(struct parents *ps);

#endif
