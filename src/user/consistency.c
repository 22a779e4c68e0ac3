/* Stack checks, return-address breakpoints, bounded retries. */
#include "user/consistency.h"

#include "user/breakpoint.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 256
/* How long the other threads stay stopped while blocked ones run to their breakpoints. */
#define ROUND_WAIT_NS (2 * 1000000ULL)

struct blocker {
	size_t ti;		/* index in the session (threads may be added meanwhile) */
	const char *func;	/* first checked function found on its stack */
	bool executing;		/* the innermost frame is in it */
	uint64_t bp;		/* where it will be clear: a return address, or 0 */
	bool arrived;
};

static const struct code_range *in_range(const struct switch_op *op, uint64_t pc, bool ret_addr)
{
	for (size_t i = 0; i < op->nranges; i++) {
		const struct code_range *r = &op->ranges[i];
		if (ret_addr ? pc > r->lo && pc <= r->hi : pc >= r->lo && pc < r->hi)
			return r;
	}
	return NULL;
}

/* Which stopped threads stand in the way; fills b, returns how many. */
static size_t find_blockers(struct lp_session *s, struct unwinder *u, const struct switch_op *op,
			    struct blocker *b)
{
	uint64_t pcs[MAX_FRAMES];
	size_t nb = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct lp_thread *t = &s->t[i];
		const struct code_range *hit = NULL;
		int n, outer = -1;
		bool complete;

		if (t->state != T_STOPPED)
			continue;
		n = unwind_thread(u, t, pcs, MAX_FRAMES, &complete);
		for (int k = 0; k < n; k++) {
			const struct code_range *r = in_range(op, pcs[k], k > 0);
			if (r) {
				if (!hit)
					hit = r;
				outer = k;
			}
		}
		if (!hit && complete)
			continue;
		if (!complete)
			lp_debug("thread %d: stack unwound only to %#llx", (int)t->tid,
				 n ? (unsigned long long)pcs[n - 1] : 0ULL);
		b[nb] = (struct blocker){
			.ti = i,
			.func = hit ? hit->name : NULL,
			.executing = outer == 0,
			.bp = hit && outer + 1 < n ? pcs[outer + 1] : 0,
		};
		nb++;
	}
	return nb;
}

/* A stop of a running thread while breakpoints are in: held when it took one of them. */
static bool at_breakpoint(struct lp_session *s, struct lp_thread *t, void *bps)
{
	/*
	 * Only the trap's own stop is taken here: another stop at a breakpoint
	 * (a stray interrupt reported before the trap) just resumes, and the
	 * trap follows at once; draining it here would reap other threads' stops.
	 * The trap was recorded for delivery like any signal: bp_took drops it.
	 * bp_took's -1 (the thread exited) holds too: it is no longer in the way.
	 */
	return t->in_sigstop && bp_took(s, t, bps, true);
}

/*
 * Wait until every blocked thread is held at a breakpoint or until. Threads
 * of the session that hit a breakpoint are held there (they are out of the
 * checked functions); other stops are passed through.
 */
static bool wait_arrivals(struct lp_session *s, struct blocker *b, size_t nb,
			  struct bp_set *bps, uint64_t until)
{
	struct lp_thread *t;
	size_t left = 0;

	for (size_t i = 0; i < nb; i++)
		left += !b[i].arrived;
	while (left && (t = sess_poll(s, until, 20000, at_breakpoint, bps)))
		for (size_t i = 0; i < nb; i++)
			if (!b[i].arrived && &s->t[b[i].ti] == t) {
				b[i].arrived = true;
				left--;
			}
	return left == 0;
}

/*
 * Let the blocked threads run to their breakpoints: first alone, the others
 * held (a call in a tight loop returns within microseconds), then, if some
 * are slower (asleep in the function), with the whole process running.
 * Ends with every thread stopped and the breakpoints out.
 */
static int run_to_bps(struct lp_session *s, struct blocker *b, size_t nb, struct bp_set *bps,
		      uint64_t deadline)
{
	uint64_t until = now_ns() + ROUND_WAIT_NS;
	bool all;

	for (size_t i = 0; i < nb; i++) {
		b[i].arrived = false;
		if (sess_resume(s, &s->t[b[i].ti]))
			b[i].arrived = true;
	}
	all = wait_arrivals(s, b, nb, bps, until < deadline ? until : deadline);
	if (!all && now_ns() < deadline) {
		for (size_t i = 0; i < s->n; i++) {
			bool held = false;
			for (size_t k = 0; k < nb; k++)
				held |= b[k].ti == i && b[k].arrived;
			if (!held)
				sess_resume(s, &s->t[i]);
		}
		/* The process runs: the round's pause ends here. */
		sess_end_pause(s);
		lp_debug("blocked threads not at their breakpoints after %.3f ms: the process "
			 "runs meanwhile", ROUND_WAIT_NS / 1e6);
		wait_arrivals(s, b, nb, bps, deadline);
	}
	if (sess_stop_all(s)) {
		bp_remove_all(s->pid, bps);
		return -1;
	}
	/*
	 * Threads interrupted just as they hit a breakpoint: their trap is being
	 * delivered, or still pending behind the interrupt's stop. Drop it and
	 * step them back onto the breakpoint's address, while the int3 is in.
	 */
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].state == T_STOPPED)
			bp_took(s, &s->t[i], bps, true);
	bp_remove_all(s->pid, bps);
	return 0;
}

static void report(struct lp_session *s, const struct switch_op *op, struct blocker *b, size_t nb,
		   int timeout_ms)
{
	for (size_t i = 0; i < nb; i++) {
		pid_t tid = s->t[b[i].ti].tid;
		char buf[THREAD_COMM_SIZE];
		const char *comm = thread_comm(s->pid, tid, buf);

		if (b[i].func)
			lp_err("cannot %s: thread %d (%s) of process %d %s %s", op->what, (int)tid,
			       comm, (int)s->pid, b[i].executing ? "is executing" : "has on its stack",
			       b[i].func);
		else
			lp_err("cannot %s: the stack of thread %d (%s) of process %d cannot be "
			       "unwound from DWARF CFI", op->what, (int)tid, comm, (int)s->pid);
	}
	lp_hint("gave up after %d ms (--timeout MS); the process is unchanged", timeout_ms);
}

int consistency_switch(struct lp_session *s, struct unwinder *u, const struct switch_op *op,
		       struct switch_stats *st)
{
	uint64_t deadline = now_ns() + (uint64_t)op->timeout_ms * 1000000ULL;
	struct blocker *b = NULL;
	struct bp_set bps = { 0 };
	uint64_t backoff_ns = 1000000;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	for (;;) {
		size_t nb;
		bool all_wait = true;

		if (sess_stop_all(s))
			goto out;
		st->rounds++;
		b = xrealloc(b, (s->n + 1) * sizeof(*b));
		unwinder_flush(u);
		uint64_t t0 = now_ns();
		nb = find_blockers(s, u, op, b);
		lp_debug("round %d: %zu threads stopped in %.3f ms, unwound in %.3f ms, %zu in the way",
			 st->rounds, sess_live(s), (t0 - s->pause_start_ns) / 1e6, (now_ns() - t0) / 1e6, nb);
		if (!nb) {
			rc = op->commit(op->ctx) ? -1 : 0;
			lp_debug("committed %.3f ms after the stop", (now_ns() - s->pause_start_ns) / 1e6);
			goto out;
		}
		if (now_ns() >= deadline) {
			report(s, op, b, nb, op->timeout_ms);
			rc = 1;
			goto out;
		}
		for (size_t i = 0; i < nb; i++)
			all_wait &= b[i].bp != 0;
		if (all_wait) {
			bool failed = false;

			for (size_t i = 0; i < nb && !failed; i++)
				failed = bp_insert(s->pid, &bps, b[i].bp) != 0;
			if (failed) {
				bp_remove_all(s->pid, &bps);
				goto out;
			}
			if (run_to_bps(s, b, nb, &bps, deadline))
				goto out;
			continue;	/* everything stopped: check again */
		}
		/* Stacks we cannot wait on: let the process run a while, then try again. */
		sess_resume_all(s);
		sess_pump(s, now_ns() + backoff_ns + (uint64_t)(rand() % 1000) * 1000);
		if (backoff_ns < 20000000)
			backoff_ns *= 2;
	}
out:
	free(b);
	bp_free(&bps);
	return rc;
}
