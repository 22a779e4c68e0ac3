/* Stack checks, return-address trampolines, bounded retries. */
#include "user/consistency.h"

#include "user/mem.h"
#include "util/log.h"
#include "util/str.h"
#include "util/testpoint.h"

#include <stdlib.h>
#include <sys/ptrace.h>
#include <string.h>

#define MAX_FRAMES 256
/*
 * How long blocked threads run alone towards their trampolines, and then,
 * with the rest of the process running, how long after the last one came out.
 */
#define ROUND_WAIT_NS (2 * 1000000ULL)

struct blocker {
	size_t ti;		/* index in the session (threads may be added meanwhile) */
	const char *func;	/* first checked function found on its stack */
	bool executing;		/* the innermost frame is in it */
	uint64_t ra;		/* where it will be clear: a return address, or 0 */
	uint64_t slot;		/* the stack word holding ra, or 0 */
	int tramp;		/* its trampoline while it runs, or -1 */
	bool arrived;
};

static const unsigned char tramp_code[TRAMP_SIZE] = {
	0x48, 0x89, 0x44, 0x24, 0xf8,		/* mov %rax, -8(%rsp) */
	0x48, 0x89, 0x4c, 0x24, 0xf0,		/* mov %rcx, -16(%rsp) */
	0x4c, 0x89, 0x5c, 0x24, 0xe8,		/* mov %r11, -24(%rsp) */
	0xb8, 0x27, 0x00, 0x00, 0x00,		/* mov $39, %eax (getpid) */
	0x0f, 0x05,				/* syscall */
	0x48, 0x8b, 0x44, 0x24, 0xf8,		/* mov -8(%rsp), %rax */
	0x48, 0x8b, 0x4c, 0x24, 0xf0,		/* mov -16(%rsp), %rcx */
	0x4c, 0x8b, 0x5c, 0x24, 0xe8,		/* mov -24(%rsp), %r11 */
	0xff, 0x25, 0x05, 0x00, 0x00, 0x00,	/* jmp *ra(%rip) */
	0x0f, 0x1f, 0x44, 0x00, 0x00,		/* nop */
	/* ra: 8 bytes at TRAMP_RA, written when used */
};
#define TRAMP_MOV_EAX 15	/* rax is saved once the thread is past this */
#define TRAMP_AFTER_SYSCALL 22
#define TRAMP_JMP 37
#define TRAMP_RA 48

void tramp_fill(unsigned char *page)
{
	for (size_t k = 0; k < TRAMP_SLOTS; k++)
		memcpy(page + k * TRAMP_SIZE, tramp_code, sizeof(tramp_code));
}

bool tramp_present(pid_t pid, uint64_t addr)
{
	unsigned char code[TRAMP_RA];

	return addr && !rmem_read(pid, addr, code, sizeof(code)) &&
	       !memcmp(code, tramp_code, sizeof(code));
}

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
	uint64_t pcs[MAX_FRAMES], slots[MAX_FRAMES];
	size_t nb = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct lp_thread *t = &s->t[i];
		const struct code_range *hit = NULL;
		int n, outer = -1;
		bool complete;

		if (t->state != T_STOPPED)
			continue;
		n = unwind_thread_slots(u, t, pcs, slots, MAX_FRAMES, &complete);
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
			.ra = hit && outer + 1 < n ? pcs[outer + 1] : 0,
			.slot = hit && outer + 1 < n ? slots[outer + 1] : 0,
			.tramp = -1,
		};
		nb++;
	}
	return nb;
}

static uint64_t tramp_addr(const struct switch_op *op, int k)
{
	return op->tramp + (uint64_t)k * TRAMP_SIZE;
}

/*
 * Point the return address of blocker b at trampoline k, which jumps on to
 * the real one (also without lpatch). 0, or -1 when the stack does not hold
 * what the unwinder said (the blocker then waits otherwise).
 */
static int hijack(struct lp_session *s, const struct switch_op *op, struct blocker *b, int k)
{
	uint64_t cur, tr = tramp_addr(op, k);

	if (!b->slot || rmem_read(s->pid, b->slot, &cur, sizeof(cur)) || cur != b->ra)
		return -1;
	/* the trampoline's target first: from the next write on, the thread may use it */
	if (rmem_write(s->pid, tr + TRAMP_RA, &b->ra, sizeof(b->ra)) ||
	    rmem_write(s->pid, b->slot, &tr, sizeof(tr))) {
		lp_perr("process %d: cannot redirect a return address at %#llx", (int)s->pid,
			(unsigned long long)b->slot);
		rmem_write(s->pid, b->slot, &b->ra, sizeof(b->ra));
		return -1;
	}
	b->tramp = k;
	lp_debug("thread %d: return address %#llx pointed at trampoline %d", (int)s->t[b->ti].tid,
		 (unsigned long long)b->ra, k);
	return 0;
}

/*
 * Stopped thread t of blocker b, if it stands in its trampoline: put it
 * where the trampoline leads, at the return address with its registers as
 * they were there (those the trampoline saved taken back from the stack),
 * so it does not run the rest. Returns whether it was there.
 */
static bool leave_tramp(struct lp_session *s, const struct switch_op *op, struct blocker *b,
			struct lp_thread *t)
{
	struct user_regs_struct *r = sess_regs(t);
	uint64_t tr = tramp_addr(op, b->tramp), saved[3];

	if (!r || r->rip < tr || r->rip > tr + TRAMP_JMP)
		return false;
	if (r->rip > tr + TRAMP_MOV_EAX) {
		/* rax (and past the syscall rcx, r11) live on the stack: -8, -16, -24 */
		if (rmem_read(s->pid, r->rsp - 24, saved, sizeof(saved))) {
			lp_perr("cannot read the stack of thread %d", (int)t->tid);
			return false;
		}
		r->rax = saved[2];
		if (r->rip >= tr + TRAMP_AFTER_SYSCALL) {
			r->rcx = saved[1];
			r->r11 = saved[0];
		}
	}
	r->rip = b->ra;
	r->orig_rax = (unsigned long long)-1;	/* no system call to restart or run */
	t->regs_dirty = true;
	return true;
}

struct arrivals {
	const struct switch_op *op;
	struct blocker *b;
	size_t nb;
	bool *held;	/* per thread of the session: caught, kept stopped */
};

/* A stop of a running thread: held when it is a blocker at its trampoline's system call. */
static bool at_tramp(struct lp_session *s, struct lp_thread *t, void *arg)
{
	struct arrivals *a = arg;

	if (!t->syscall_stop)
		return false;
	for (size_t i = 0; i < a->nb; i++) {
		struct blocker *b = &a->b[i];
		struct user_regs_struct *r;

		if (&s->t[b->ti] != t || b->tramp < 0 || b->arrived)
			continue;
		r = sess_regs(t);
		if (!r || r->rip != tramp_addr(a->op, b->tramp) + TRAMP_AFTER_SYSCALL)
			return false;
		/*
		 * The enter-stop of its getpid: skipped, the thread put at its
		 * return address, and those registers written at once, so that
		 * it stands there even if lpatch dies (its trampoline may then
		 * serve another thread) and can stay stopped over later rounds.
		 */
		if (leave_tramp(s, a->op, b, t)) {
			if (ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs)) {
				lp_perr("cannot set the registers of thread %d", (int)t->tid);
				return false;
			}
			t->regs_dirty = false;
			b->arrived = true;
			a->held[b->ti] = true;
			t->trace_syscalls = false;
			test_kill_point("tramp-arrived");
			return true;
		}
		return false;
	}
	return false;
}

static size_t left_of(const struct blocker *b, size_t nb)
{
	size_t left = 0;

	for (size_t i = 0; i < nb; i++)
		left += b[i].tramp >= 0 && !b[i].arrived;
	return left;
}

/*
 * Until every trampolined blocker has arrived, or ROUND_WAIT_NS pass (after
 * the last arrival when extend), or the deadline.
 */
static void wait_arrivals(struct lp_session *s, struct arrivals *a, uint64_t deadline, bool extend)
{
	uint64_t until = now_ns() + ROUND_WAIT_NS;
	size_t left = left_of(a->b, a->nb);

	while (left) {
		struct lp_thread *t = sess_poll(s, until < deadline ? until : deadline, 20000,
						at_tramp, a);
		size_t now_left = left_of(a->b, a->nb);

		if (!t)
			break;
		if (extend && now_left < left)
			until = now_ns() + ROUND_WAIT_NS;	/* progress: more time */
		left = now_left;
	}
}

/*
 * Let the blocked threads run out of the checked functions: each one's
 * return address is pointed at a trampoline of its own, which makes a
 * getpid system call (lpatch runs the thread under PTRACE_SYSCALL and
 * catches it there, out of the function) and then jumps to the real return
 * address. Nothing is written to the program's code and no trap is set: if
 * lpatch dies meanwhile, the thread just returns through the trampoline.
 * The others stay stopped for up to ROUND_WAIT_NS. Blockers not out by then
 * may wait for another thread (the workers of tests/user/12 spin in hop()
 * until a ticker thread ticks): the rest of the process then runs too,
 * except the held threads (held[i] for s->t[i]), blockers caught at their
 * trampolines, which stand outside the checked functions and stay stopped
 * there, this round and the next ones, until every blocker is out or
 * ROUND_WAIT_NS pass without one coming out. Ends with every thread
 * stopped, every return address the program's own again, and the blockers
 * that came out held. Returns how many blockers are still in the way (their
 * trampolines unused), or -1; *out, how many came out.
 */
static long run_out(struct lp_session *s, const struct switch_op *op, struct blocker *b, size_t nb,
		    bool *held, uint64_t deadline, size_t *out)
{
	struct arrivals a = { op, b, nb, held };
	int k = 0;
	long left = 0;

	for (size_t i = 0; i < nb; i++) {
		b[i].arrived = false;
		if (op->tramp && k < TRAMP_SLOTS && b[i].ra && !hijack(s, op, &b[i], k))
			k++;
		else
			left++;	/* no way to catch it out: it stays in the way */
	}
	for (size_t i = 0; i < nb; i++)
		if (b[i].tramp >= 0) {
			s->t[b[i].ti].trace_syscalls = true;
			/* scheduled at once, not behind the machine's other work, while the rest wait */
			sess_boost(&s->t[b[i].ti]);
			if (sess_resume(s, &s->t[b[i].ti]))
				b[i].arrived = true;	/* gone: no longer in the way */
		}
	if (k)
		test_kill_point("tramp-wait");
	wait_arrivals(s, &a, deadline, false);
	sess_unboost_all(s);
	if (k && left_of(b, nb)) {
		lp_debug("blocked threads not out after %.3f ms: the process runs meanwhile",
			 ROUND_WAIT_NS / 1e6);
		for (size_t i = 0; i < s->n; i++)
			if (!held[i] && !s->t[i].trace_syscalls)
				sess_resume(s, &s->t[i]);
		wait_arrivals(s, &a, deadline, true);
	}
	if (sess_stop_all(s))
		left = -1;
	for (size_t i = 0; i < s->n; i++)
		s->t[i].trace_syscalls = false;
	/*
	 * A thread stopped in a syscall-stop of its own call would have that call
	 * skipped by an injected one: let it on into the interrupt stop pending.
	 */
	for (int tries = 0; tries < 3 && left >= 0; tries++) {
		bool again = false;

		for (size_t i = 0; i < s->n; i++) {
			struct lp_thread *t = &s->t[i];
			bool ours = false;

			for (size_t j = 0; j < nb; j++)
				ours |= b[j].ti == i && b[j].arrived;
			ours |= held[i];
			if (t->state == T_STOPPED && t->syscall_stop && !ours && !sess_resume(s, t))
				again = true;
		}
		if (!again)
			break;
		if (sess_stop_all(s))
			left = -1;
	}
	for (size_t i = 0; i < nb; i++) {
		struct lp_thread *t = &s->t[b[i].ti];
		uint64_t cur, tr;

		if (b[i].tramp < 0 || b[i].arrived)
			continue;
		tr = tramp_addr(op, b[i].tramp);
		if (t->state == T_STOPPED && leave_tramp(s, op, &b[i], t))
			continue;
		/* not back yet: its return address is the program's own again */
		if (!rmem_read(s->pid, b[i].slot, &cur, sizeof(cur)) && cur == tr &&
		    rmem_write(s->pid, b[i].slot, &b[i].ra, sizeof(b[i].ra)))
			lp_perr("process %d: cannot restore a return address at %#llx",
				(int)s->pid, (unsigned long long)b[i].slot);
		if (left >= 0)
			left++;
	}
	*out = 0;
	for (size_t i = 0; i < nb; i++)
		*out += b[i].tramp >= 0 && b[i].arrived && held[b[i].ti];
	if (k && left > 0)
		lp_debug("%zu blocked threads out, %ld not within %.3f ms of the last one", *out,
			 left, ROUND_WAIT_NS / 1e6);
	return left;
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
	bool *held = NULL;	/* per thread of s: stopped outside, kept so */
	size_t nheld = 0;
	uint64_t backoff_ns = 1000000;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	for (;;) {
		size_t nb;
		bool waitable = false;

		if (sess_stop_all(s))
			goto out;
		st->rounds++;
		b = xrealloc(b, (s->n + 1) * sizeof(*b));
		held = xrealloc(held, (s->n + 1) * sizeof(*held));
		for (; nheld < s->n; nheld++)
			held[nheld] = false;
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
			waitable |= b[i].ra != 0;
		if (waitable && op->tramp) {
			size_t came_out = 0;
			long left = run_out(s, op, b, nb, held, deadline, &came_out);

			if (left < 0)
				goto out;
			/*
			 * Everything stopped, or some came out: check again, those
			 * out held, the rest to be waited for (threads that ran
			 * meanwhile may have entered a checked function).
			 */
			if (left == 0 || came_out)
				continue;
		}
		/* Nothing moves: let the whole process run a while, then try again. */
		memset(held, 0, nheld * sizeof(*held));
		sess_resume_all(s);
		sess_pump(s, now_ns() + backoff_ns + (uint64_t)(rand() % 1000) * 1000);
		if (backoff_ns < 20000000)
			backoff_ns *= 2;
	}
out:
	free(held);
	free(b);
	return rc;
}
