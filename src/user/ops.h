/* Applying and reverting process patches: the whole operation on one process. */
#ifndef LPATCH_USER_OPS_H
#define LPATCH_USER_OPS_H

#include "user/patchfile.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct user_opts {
	int timeout_ms;		/* for the consistency check */
	/*
	 * The process is starting and waits for lpatch (`hook-apply`): when it
	 * is one thread clear of the old code by a scan of its whole stack, the
	 * switch is made at once, without letting it run or unwinding it.
	 */
	bool fresh;
	/* The caller exits next (hook-apply): what an apply read is left to the exit to free. */
	bool exit_after;
};

struct user_result {
	uint64_t base;		/* the patch region */
	uint64_t pause_ns;	/* threads held in the round that switched */
	uint64_t max_pause_ns;	/* longest hold in any round */
	uint64_t load_pause_ns;	/* one thread held while the region was mapped */
	int rounds;
	char name[64];
};

/* LP_EXIT_OK, LP_EXIT_FAIL, or LP_EXIT_REFUSED (wrong build-id, already applied...). */
int user_apply(pid_t pid, struct user_patch *pf, const struct user_opts *o, struct user_result *res);
/* Revert the patch called name (the newest when NULL). */
int user_revert(pid_t pid, const char *name, const struct user_opts *o, struct user_result *res);
/*
 * Does pid map pf's target object with pf's build-id? 1 yes, 0 not mapped
 * or other build-id (quiet), -1 process unreadable.
 */
int user_process_matches(pid_t pid, const struct user_patch *pf);

#endif
