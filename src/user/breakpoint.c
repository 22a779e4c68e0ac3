/* int3 breakpoints, and threads that hit one. */
#include "user/breakpoint.h"

#include "user/mem.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#define INT3 0xcc
/* Stops (other signals, stray interrupts) tolerated before the trap is delivered. */
#define MAX_DETOURS 16

static bool bp_at(const struct bp_set *set, uint64_t addr)
{
	for (size_t k = 0; k < set->n; k++)
		if (set->v[k].addr == addr)
			return true;
	return false;
}

int bp_insert(pid_t pid, struct bp_set *set, uint64_t addr)
{
	unsigned char orig, int3 = INT3;

	if (bp_at(set, addr))
		return 0;
	if (rmem_read(pid, addr, &orig, 1) || rmem_write(pid, addr, &int3, 1)) {
		lp_perr("process %d: cannot set a breakpoint at %#llx", (int)pid,
			(unsigned long long)addr);
		return -1;
	}
	*ARRAY_PUSH(set->v, set->n, set->cap) = (struct bp){ .addr = addr, .orig = orig };
	return 0;
}

void bp_remove_all(pid_t pid, struct bp_set *set)
{
	for (size_t k = 0; k < set->n; k++)
		if (rmem_write(pid, set->v[k].addr, &set->v[k].orig, 1))
			lp_perr("process %d: cannot remove the breakpoint at %#llx", (int)pid,
				(unsigned long long)set->v[k].addr);
	set->n = 0;
}

void bp_free(struct bp_set *set)
{
	free(set->v);
	memset(set, 0, sizeof(*set));
}

static bool is_int3_trap(const siginfo_t *si)
{
	return si->si_signo == SIGTRAP && si->si_code == SI_KERNEL;
}

/* The current stop is the signal-delivery-stop of an int3's trap. */
static bool delivering_trap(const struct lp_thread *t)
{
	siginfo_t si;

	return t->in_sigstop && !ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) && is_int3_trap(&si);
}

/* An int3's trap waits in the thread's own queue of pending signals. */
static bool trap_pending(const struct lp_thread *t)
{
	struct __ptrace_peeksiginfo_args a = { .off = 0, .flags = 0, .nr = 8 };
	siginfo_t si[8];

	for (;;) {
		long n = ptrace(PTRACE_PEEKSIGINFO, t->tid, &a, si);

		if (n <= 0)
			return false;
		for (long k = 0; k < n; k++)
			if (is_int3_trap(&si[k]))
				return true;
		a.off += (uint64_t)n;
	}
}

/* Forget the current stop's trap, which sess_note_status kept for delivery. */
static void unrecord(struct lp_thread *t)
{
	if (t->sig == SIGTRAP && is_int3_trap(&t->si))
		t->sig = 0;
	else if (t->ndeferred && t->deferred[t->ndeferred - 1] == SIGTRAP)
		t->ndeferred--;
}

/*
 * Let t, stopped with the trap pending, into signal delivery: synchronous
 * signals come first, so it stops again at once for the trap (other stops on
 * the way are recorded and passed), without running user code. 0 when it
 * stands in the trap's signal-delivery-stop.
 */
static int drain_trap(struct lp_session *s, struct lp_thread *t)
{
	uint64_t stopped = t->stop_ns;

	if (t->regs_dirty && ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs)) {
		lp_perr("cannot set the registers of thread %d", (int)t->tid);
		return -1;
	}
	for (int k = 0; k < MAX_DETOURS; k++) {
		int status;

		if (ptrace(PTRACE_CONT, t->tid, 0, 0)) {
			lp_perr("cannot resume thread %d to drop its breakpoint trap", (int)t->tid);
			return -1;
		}
		t->state = T_RUNNING;
		if (sess_wait_for(s, t, &status) || sess_note_status(t, status, true) < 0)
			return -1;
		t->stop_ns = stopped;	/* it never left the kernel: one pause */
		if (delivering_trap(t))
			return 0;
	}
	lp_err("thread %d did not take its breakpoint trap after %d stops", (int)t->tid,
	       MAX_DETOURS);
	return -1;
}

int bp_took(struct lp_session *s, struct lp_thread *t, const struct bp_set *set, bool recorded)
{
	struct user_regs_struct *r = sess_regs(t);

	if (!r || !bp_at(set, r->rip - 1))
		return 0;
	if (delivering_trap(t)) {
		if (recorded)
			unrecord(t);
	} else if (trap_pending(t)) {
		lp_debug("thread %d: interrupted right after a breakpoint, its trap still pending",
			 (int)t->tid);
		if (drain_trap(s, t))
			return t->state == T_GONE ? -1 : 0;
		r = sess_regs(t);
		if (!r)
			return -1;
	} else {
		return 0;	/* it stood there before the int3 was written */
	}
	r->rip--;
	t->regs_dirty = true;
	return 1;
}
