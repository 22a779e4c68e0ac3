/* The objects a kernel diff touches: the .c files it changes, and those a
 * changed header (or included .c file) reaches. */
#ifndef LPATCH_KERNEL_OBJECTS_H
#define LPATCH_KERNEL_OBJECTS_H

#include "patch/patchset.h"
#include "target/target.h"

#include <stdbool.h>
#include <stddef.h>

/* Objects compiled for one build; at most this many reached through headers. */
#define OBJECTS_INCLUDED_MAX 300

struct objset {
	char **objs;		/* fs/proc/meminfo.o, relative to the tree */
	bool *included;		/* reached through a changed header, not changed itself */
	bool *builtin;		/* a compile unit of the target's vmlinux */
	size_t n, cap;
};

/* Pick the objects for ps; LP_EXIT_OK, or LP_EXIT_REFUSED / LP_EXIT_FAIL
 * with the reason printed. */
int objects_pick(const struct kernel_target *t, const struct patchset *ps, struct objset *os);
/* Drop object i (an included one that does not build here). */
void objects_drop(struct objset *os, size_t i);
void objects_free(struct objset *os);

#endif
