/* Compiling single objects of a prepared kernel tree through kbuild. */
#ifndef LPATCH_KERNEL_KBUILD_H
#define LPATCH_KERNEL_KBUILD_H

#include "target/target.h"

#include <stdbool.h>
#include <stddef.h>

/* make the objects (paths relative to t->src, e.g. fs/proc/meminfo.o) with
 * -ffunction-sections -fdata-sections; log appended to log. -1 when make
 * failed (with an error, unless keep_going: make -k, and the caller looks
 * at which objects were made). */
int kbuild_objects(const struct kernel_target *t, char **objs, size_t n, const char *log,
		   bool keep_going);
/* The module an object is built into (KBUILD_MODNAME), or NULL for vmlinux. */
char *kbuild_object_module(const struct kernel_target *t, const char *obj);

#endif
