/*
 * The consistency model: a function is switched only while no thread is
 * executing it or has it anywhere on its stack (DWARF unwinding of every
 * thread). Threads in the way run on alone, with a breakpoint at the return
 * address of their outermost frame in a checked function, while the others
 * stay stopped; when they are out, the change is made. Rounds repeat, with
 * the process running in between, until a deadline; then the process is
 * left as it was and the blocking thread and function are named.
 */
#ifndef LPATCH_USER_CONSISTENCY_H
#define LPATCH_USER_CONSISTENCY_H

#include "user/session.h"
#include "user/unwind.h"

struct code_range {
	uint64_t lo, hi;
	const char *name;	/* for messages */
};

struct switch_op {
	const struct code_range *ranges;
	size_t nranges;
	int (*commit)(void *ctx);	/* every thread stopped and clear of the ranges */
	void *ctx;
	int timeout_ms;
	const char *what;		/* "apply" or "revert", for messages */
};

struct switch_stats {
	int rounds;
};

/*
 * Run op. 0: committed; 1: still blocked at the deadline (message printed);
 * -1: failure (process gone, commit failed). Threads are left stopped.
 */
int consistency_switch(struct lp_session *s, struct unwinder *u, const struct switch_op *op,
		       struct switch_stats *st);

#endif
