/*
 * int3 breakpoints in a traced process, and recognising a thread that has
 * just executed one. A thread that runs an int3 raises a SIGTRAP (si_code
 * SI_KERNEL) and is one byte past the breakpoint; ptrace usually reports that
 * as a signal-delivery-stop, but when the thread is interrupted
 * (PTRACE_INTERRUPT) between the int3 and the delivery, the interrupt's stop
 * is reported first and the SIGTRAP is still pending. Both are recognised
 * here; the trap is then dropped so that it never reaches the process.
 */
#ifndef LPATCH_USER_BREAKPOINT_H
#define LPATCH_USER_BREAKPOINT_H

#include "user/session.h"

struct bp {
	uint64_t addr;
	unsigned char orig;	/* the byte the int3 replaced */
};

struct bp_set {
	struct bp *v;
	size_t n, cap;
};

/* Put an int3 at addr (once per address). -1 on failure (error printed). */
int bp_insert(pid_t pid, struct bp_set *set, uint64_t addr);
/* Put the original bytes back and empty the set (it stays usable). */
void bp_remove_all(pid_t pid, struct bp_set *set);
void bp_free(struct bp_set *set);

/*
 * Stopped thread t, with the breakpoints of set in place: if it has just
 * executed one of them, drop its trap (delivered now or still pending: the
 * thread is let into the kernel's signal delivery, which runs none of its
 * code, and the trap is discarded there) and put its rip back on the
 * breakpoint's address. recorded: the current stop's signal went through
 * sess_note_status(..., ours_trap = false), which kept it for delivery.
 * 1: it had, and now stands at the breakpoint; 0: it had not; -1: it exited.
 */
int bp_took(struct lp_session *s, struct lp_thread *t, const struct bp_set *set, bool recorded);

#endif
