/*
 * The consistency model: a function is switched only while no thread is
 * executing it or has it anywhere on its stack (DWARF unwinding of every
 * thread). Threads in the way run on alone, the return address of their
 * outermost frame in a checked function pointed at a trampoline in the
 * patch region (a getpid system call lpatch stops them at, then a jump to
 * the real return address), while the others stay stopped; when they are
 * out, the change is made. Rounds repeat, with the process running in
 * between, until a deadline; then the process is left as it was and the
 * blocking thread and function are named. Nothing written to the process
 * while threads run is dangerous to it without lpatch: no trap instruction,
 * and a trampoline leads back where the thread was going.
 */
#ifndef LPATCH_USER_CONSISTENCY_H
#define LPATCH_USER_CONSISTENCY_H

#include "user/session.h"
#include "user/unwind.h"

/* A page of TRAMP_SLOTS trampolines ends the code area of every patch region. */
#define TRAMP_SIZE 64
#define TRAMP_SLOTS 64
#define TRAMP_PAGE (TRAMP_SIZE * TRAMP_SLOTS)
/* Write the trampolines into a region's image (TRAMP_PAGE bytes). */
void tramp_fill(unsigned char *page);
/* Are there trampolines at addr in process pid (regions made before them have none)? */
bool tramp_present(pid_t pid, uint64_t addr);

struct code_range {
	uint64_t lo, hi;
	const char *name;	/* for messages */
};

struct switch_op {
	const struct code_range *ranges;
	size_t nranges;
	int (*commit)(void *ctx);	/* every thread stopped and clear of the ranges */
	void *ctx;
	uint64_t tramp;			/* the trampoline page to use, 0 if none */
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
