/* Kernel trees and images: is a tree prepared, which release is it, prepare one. */
#ifndef LPATCH_TARGET_TREE_H
#define LPATCH_TARGET_TREE_H

#include "util/run.h"

/* The release a prepared tree builds for (include/generated/utsrelease.h);
 * NULL when the tree has none. Caller frees. */
char *tree_utsrelease(const char *tree);
/* "6.1.192" from the tree's Makefile (VERSION.PATCHLEVEL.SUBLEVEL); NULL if unreadable. */
char *tree_makefile_version(const char *tree);

/* 0 when src is a configured tree with modules_prepare done; else -1 with
 * an error naming what is missing and the command that makes it. */
int tree_check_prepared(const char *src);

/*
 * Configure and prepare an extracted source tree for release exactly as the
 * target was built: config copied in, `make olddefconfig`, `make
 * modules_prepare`, with CC and KERNELRELEASE given and also recorded in
 * .kernelvariables (read by Debian's Makefile), so later `make` runs in the
 * tree use them too. Output goes to log. 0, or -1 with an error.
 */
int tree_prepare(const char *src, const char *config, const char *release, const char *cc,
		 const char *log);
/* tree_prepare with make run as o says (target_run_opts: in a build root). */
int tree_prepare_in(const char *src, const char *config, const char *release, const char *cc,
		    const char *log, const struct run_opts *o);

/* The release in a vmlinux's banner ("Linux version <release> (..."), read
 * from .rodata. NULL with an error when it has none. Caller frees. */
char *vmlinux_release(const char *vmlinux);

#endif
