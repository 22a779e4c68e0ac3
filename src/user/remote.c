/* Injected system calls: mmap, mprotect and munmap in the target. */
#include "user/remote.h"

#include "user/mem.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

static uint64_t search(const struct proc_maps *pm, const struct mapping *m)
{
	size_t len = m->end - m->start;
	unsigned char *buf;
	uint64_t found = 0;

	if (len > (64u << 20))
		len = 64u << 20;
	buf = xmalloc(len);
	if (!rmem_read(pm->pid, m->start, buf, len))
		for (size_t i = 0; i + 1 < len; i++)
			if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
				found = m->start + i;
				break;
			}
	free(buf);
	return found;
}

uint64_t remote_find_syscall(const struct proc_maps *pm)
{
	/* The vDSO first: small, always executable, never patched by us. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < pm->n; i++) {
			const struct mapping *m = &pm->m[i];
			uint64_t at;

			if (!(m->prot & PROT_EXEC) || (pass == 0) != !strcmp(m->path, "[vdso]"))
				continue;
			at = search(pm, m);
			if (at)
				return at;
		}
	lp_err("process %d: no `syscall` instruction found in its executable mappings",
	       (int)pm->pid);
	return 0;
}

static int inject(struct lp_session *s, struct lp_thread *t, uint64_t gadget, long nr,
		  const long args[6], long *ret)
{
	struct user_regs_struct *cur = sess_regs(t), saved, call;

	if (!cur) {
		lp_perr("cannot read the registers of thread %d", (int)t->tid);
		return -1;
	}
	saved = *cur;
	call = saved;
	call.rip = gadget;
	call.rax = (unsigned long long)nr;
	call.orig_rax = (unsigned long long)-1;
	call.rdi = (unsigned long long)args[0];
	call.rsi = (unsigned long long)args[1];
	call.rdx = (unsigned long long)args[2];
	call.r10 = (unsigned long long)args[3];
	call.r8 = (unsigned long long)args[4];
	call.r9 = (unsigned long long)args[5];
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &call)) {
		lp_perr("cannot set the registers of thread %d", (int)t->tid);
		return -1;
	}
	/* Stops before the step (a pending interrupt, a signal) just step again. */
	for (int tries = 0; tries < 100; tries++) {
		struct user_regs_struct now;
		int status;

		if (ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0)) {
			lp_perr("cannot step thread %d", (int)t->tid);
			goto fail;
		}
		t->state = T_RUNNING;
		if (sess_wait_for(s, t, &status)) {
			lp_err("thread %d exited during an injected system call", (int)t->tid);
			return -1;
		}
		if (sess_note_status(t, status, true) < 0) {
			lp_err("thread %d exited during an injected system call", (int)t->tid);
			return -1;
		}
		if (ptrace(PTRACE_GETREGS, t->tid, 0, &now)) {
			lp_perr("cannot read the registers of thread %d", (int)t->tid);
			goto fail;
		}
		if (now.rip == gadget + 2) {
			*ret = (long)now.rax;
			t->regs = saved;
			t->have_regs = true;
			t->regs_dirty = true;
			return 0;
		}
		if (now.rip != gadget) {
			lp_err("thread %d went astray during an injected system call (at %#llx)",
			       (int)t->tid, now.rip);
			goto fail;
		}
	}
	lp_err("thread %d did not run the injected system call", (int)t->tid);
fail:
	t->regs = saved;
	t->have_regs = true;
	t->regs_dirty = true;
	return -1;
}

/*
 * Signals are blocked in the thread while it runs the call: a signal arriving
 * meanwhile stays pending in the kernel (queued ones stay queued, none is
 * taken out by a signal-delivery-stop) and is delivered once the thread runs
 * its own code again with its own mask.
 */
int remote_syscall(struct lp_session *s, struct lp_thread *t, uint64_t gadget, long nr,
		   const long args[6], long *ret)
{
	uint64_t mask, all = ~0ULL;
	bool masked = !ptrace(PTRACE_GETSIGMASK, t->tid, sizeof(mask), &mask) &&
		      !ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(all), &all);
	int rc = inject(s, t, gadget, nr, args, ret);

	if (masked && ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(mask), &mask) && rc == 0) {
		lp_perr("cannot restore the signal mask of thread %d", (int)t->tid);
		return -1;
	}
	return rc;
}
