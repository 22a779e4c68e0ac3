/*
 * The jump that sends callers of an old function to its replacement: a
 * 5-byte `jmp rel32` at the function's entry, after its endbr64 when the
 * object was built for CET/IBT (indirect calls still land on endbr64).
 * Written and removed only while every thread is stopped and none is in
 * the function.
 */
#ifndef LPATCH_USER_REDIRECT_H
#define LPATCH_USER_REDIRECT_H

#include "user/state.h"

#include <stddef.h>
#include <sys/types.h>

#define JMP_LEN 5

/*
 * Fill f's site_off, site_len and orig from the target's memory; orig comes
 * from an older patch of the same function when there is one (the entry
 * then holds that patch's jump). LP_OK; LP_REFUSED when the function is too
 * small for the jump; LP_FAIL when its code cannot be read. Errors printed.
 */
int redirect_prepare(pid_t pid, const struct applied *a, size_t n, struct lp_region_func *f,
		     const char *name);
/* Point the jump site of f at target (the new code of the winning patch). */
int redirect_to(pid_t pid, const struct lp_region_func *f, uint64_t target);
/* Put the original bytes back. */
int redirect_restore(pid_t pid, const struct lp_region_func *f);

#endif
