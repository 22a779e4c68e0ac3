/* Injected system calls: mmap, mprotect and munmap in the target (remote.h: how). */
#include "user/remote.h"

#include "user/mem.h"
#include "util/log.h"
#include "util/str.h"
#include "util/testpoint.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <elf.h>
#include <signal.h>
#include <stddef.h>
#include <ucontext.h>

/*
 * The gadgets: the first address of an executable mapping (vDSO first, then the start-up hook's) where
 * `syscall; ret` starts, and where `mov $15, %rax; syscall` (rt_sigreturn)
 * starts, else its 32-bit-immediate form. Each mapping is read once for all
 * three, and the search stops once the first two are found (the hook applies
 * patches at the start of every process that needs one: libc's text, 1.4 MB,
 * used to be read twice).
 */
/* The start-up hook of installed patches (src/hook/preload.c, lpatch_gadgets; USTORE_HOOK). */
#define HOOK_LIB_NAME "liblpatch-preload.so"

static bool path_is_hook(const char *path)
{
	size_t n = strlen(path), k = strlen(HOOK_LIB_NAME);

	return n > k && path[n - k - 1] == '/' && !strcmp(path + n - k, HOOK_LIB_NAME);
}

int remote_find_gadgets(const struct proc_maps *pm, struct remote_gadgets *g)
{
	static const unsigned char call[] = { 0x0f, 0x05, 0xc3 };
	static const unsigned char sigret32[] = { 0xb8, 0x0f, 0, 0, 0, 0x0f, 0x05 };
	static const unsigned char sigret64[] = { 0x48, 0xc7, 0xc0, 0x0f, 0, 0, 0, 0x0f, 0x05 };
	uint64_t ret32 = 0;

	g->call = g->sigreturn = 0;
	/*
	 * The vDSO first (a few pages), then the start-up hook's library (it
	 * carries both sequences: a process starting with it is read a page, not
	 * libc's 1.4 MB of code), then the rest.
	 */
	for (int pass = 0; pass < 3 && !(g->call && g->sigreturn); pass++)
		for (size_t i = 0; i < pm->n && !(g->call && g->sigreturn); i++) {
			const struct mapping *m = &pm->m[i];
			size_t len = m->end - m->start;
			unsigned char *buf, *hit;
			int which = !strcmp(m->path, "[vdso]") ? 0 : path_is_hook(m->path) ? 1 : 2;

			if (!(m->prot & PROT_EXEC) || which != pass)
				continue;
			if (len > (64u << 20))
				len = 64u << 20;
			buf = xmalloc(len);
			if (!rmem_read(pm->pid, m->start, buf, len)) {
				if (!g->call && (hit = memmem(buf, len, call, sizeof(call))))
					g->call = m->start + (uint64_t)(hit - buf);
				if (!g->sigreturn && (hit = memmem(buf, len, sigret64, sizeof(sigret64))))
					g->sigreturn = m->start + (uint64_t)(hit - buf);
				if (!g->sigreturn && !ret32 &&
				    (hit = memmem(buf, len, sigret32, sizeof(sigret32))))
					ret32 = m->start + (uint64_t)(hit - buf);
			}
			free(buf);
		}
	if (!g->sigreturn)
		g->sigreturn = ret32;
	if (!g->call || !g->sigreturn) {
		lp_err("process %d: no `%s` instruction sequence found in its executable mappings",
		       (int)pm->pid, g->call ? "mov $15, %rax; syscall" : "syscall; ret");
		lp_hint("lpatch runs system calls in the process through its libc's code");
		return -1;
	}
	return 0;
}

/*
 * The kernel's x86-64 signal frame, as rt_sigreturn reads it: the handler's
 * return address, then struct ucontext (sigcontext_64, a 64-bit mask).
 */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp,
		rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2, fpstate, reserved[8];
};

struct k_rt_frame {
	uint64_t pretcode;
	uint64_t uc_flags, uc_link;
	uint64_t ss_sp;
	int32_t ss_flags, ss_pad;
	uint64_t ss_size;
	struct k_sigcontext mc;
	uint64_t uc_sigmask;
	unsigned char siginfo[128];	/* not read, but within the frame rt_sigreturn checks */
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext_64 layout");
_Static_assert(offsetof(struct k_rt_frame, uc_sigmask) == 8 + 296, "ucontext layout");

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define SW_BYTES_OFF 464	/* struct _fpx_sw_bytes in the fxsave area */
#define RED_ZONE 128
#define NR_RT_SIGRETURN 15

/* What the kernel writes in the FPU area of a signal frame (struct _fpx_sw_bytes). */
struct fpx_sw {
	uint32_t magic1, extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size, pad;
};
static struct fpx_sw fx_sw;
static bool fx_sw_known;

static void probe_handler(int sig, siginfo_t *si, void *ucv)
{
	const ucontext_t *uc = ucv;
	const unsigned char *fp = (const unsigned char *)uc->uc_mcontext.fpregs;

	(void)sig;
	(void)si;
	if (fp)
		memcpy(&fx_sw, fp + SW_BYTES_OFF, sizeof(fx_sw));
}

/*
 * The FPU-state layout this kernel accepts in a signal frame (xsave with
 * which features and size, or plain fxsave): read from a signal frame of
 * lpatch's own, once.
 */
static void probe_fx_sw(void)
{
	struct sigaction sa, old;
	sigset_t set, oldmask;

	if (fx_sw_known)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = probe_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaction(SIGUSR2, &sa, &old);
	sigprocmask(SIG_UNBLOCK, &set, &oldmask);
	raise(SIGUSR2);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	sigaction(SIGUSR2, &old, NULL);
	if (fx_sw.magic1 != FP_XSTATE_MAGIC1 || fx_sw.xstate_size < 576 ||
	    fx_sw.extended_size != fx_sw.xstate_size + 4)
		memset(&fx_sw, 0, sizeof(fx_sw));	/* fxsave only */
	fx_sw_known = true;
}

/* t's FPU state as a signal frame holds it: size bytes, 64-byte aligned on the stack. */
static unsigned char *fpu_image(struct lp_thread *t, size_t *size)
{
	size_t cap = fx_sw.magic1 ? (fx_sw.xstate_size > 65536 ? fx_sw.xstate_size : 65536) : 512;
	unsigned char *buf = xcalloc(1, cap), *img;
	struct iovec iov = { buf, cap };

	probe_fx_sw();
	*size = fx_sw.magic1 ? fx_sw.extended_size : 512;
	if (ptrace(PTRACE_GETREGSET, t->tid, (void *)(uintptr_t)(fx_sw.magic1 ? NT_X86_XSTATE :
								  NT_PRFPREG), &iov)) {
		lp_perr("cannot read the FPU state of thread %d", (int)t->tid);
		free(buf);
		return NULL;
	}
	img = xcalloc(1, *size);
	memcpy(img, buf, iov.iov_len < *size ? iov.iov_len : *size);
	free(buf);
	/* ptrace leaves XCR0 here; a signal frame has the kernel's _fpx_sw_bytes */
	memset(img + SW_BYTES_OFF, 0, 512 - SW_BYTES_OFF);
	if (fx_sw.magic1) {
		uint32_t magic2 = FP_XSTATE_MAGIC2;
		memcpy(img + SW_BYTES_OFF, &fx_sw, sizeof(fx_sw));
		memcpy(img + fx_sw.xstate_size, &magic2, sizeof(magic2));
	}
	return img;
}

static bool restart_code(long long rax)
{
	/* ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK */
	return rax == -512 || rax == -513 || rax == -514 || rax == -516;
}

/*
 * Below t's red zone: its FPU state, then the signal frame that brings it
 * back to r with signal mask mask. Its address (the rsp for the call) in *at.
 */
static int write_frame(pid_t pid, struct lp_thread *t, const struct user_regs_struct *r,
		       uint64_t mask, const struct remote_gadgets *g, uint64_t *at)
{
	struct k_rt_frame f;
	size_t fsize;
	unsigned char *fp = fpu_image(t, &fsize);
	uint64_t fpa, fa;
	int rc = 0;

	if (!fp)
		return -1;
	fpa = (r->rsp - RED_ZONE - fsize) & ~63ULL;
	fa = (fpa - sizeof(f)) & ~15ULL;
	memset(&f, 0, sizeof(f));
	f.pretcode = g->sigreturn;
	f.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (fx_sw.magic1 ? UC_FP_XSTATE : 0);
	/* an invalid mode: rt_sigreturn's sigaltstack change fails (ignored), the thread's stays */
	f.ss_flags = 7;
	f.mc = (struct k_sigcontext){
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11, .r12 = r->r12,
		.r13 = r->r13, .r14 = r->r14, .r15 = r->r15, .rdi = r->rdi, .rsi = r->rsi,
		.rbp = r->rbp, .rbx = r->rbx, .rdx = r->rdx, .rax = r->rax, .rcx = r->rcx,
		.rsp = r->rsp, .rip = r->rip, .eflags = r->eflags, .cs = (uint16_t)r->cs,
		.ss = (uint16_t)r->ss, .fpstate = fpa,
	};
	/*
	 * Interrupted in a system call: rt_sigreturn disables the kernel's restart,
	 * so the frame restarts it itself (the call again, from its registers).
	 */
	if ((long long)r->orig_rax >= 0 && restart_code((long long)r->rax)) {
		f.mc.rax = r->orig_rax;
		f.mc.rip -= 2;
	}
	f.uc_sigmask = mask;
	if (rmem_write(pid, fpa, fp, fsize) || rmem_write(pid, fa, &f, sizeof(f))) {
		lp_perr("process %d: cannot write below the stack pointer of thread %d (%#llx)",
			(int)pid, (int)t->tid, (unsigned long long)fa);
		rc = -1;
	}
	free(fp);
	*at = fa;
	return rc;
}

enum stop_kind { SYSCALL_STOP, EVENT_STOP };

/*
 * Resume t with req until it stops in a syscall-stop at rip (enter: of call
 * nr; nr -1: any; -2: any syscall-stop at all) or, for EVENT_STOP, in a PTRACE_EVENT_STOP. Other stops (a
 * signal: kept for delivery, as any) just resume it.
 */
static int run_until(struct lp_session *s, struct lp_thread *t, int req, enum stop_kind kind,
		     uint64_t rip, long nr)
{
	for (int tries = 0; tries < 100; tries++) {
		struct user_regs_struct now;
		int status;

		if (ptrace(req, t->tid, 0, 0)) {
			lp_perr("cannot resume thread %d for an injected system call", (int)t->tid);
			return -1;
		}
		t->state = T_RUNNING;
		if (sess_wait_for(s, t, &status) || sess_note_status(t, status, false) < 0) {
			lp_err("thread %d exited during an injected system call", (int)t->tid);
			return -1;
		}
		if (kind == EVENT_STOP) {
			if ((status >> 16) == PTRACE_EVENT_STOP)
				return 0;
			continue;
		}
		if (!t->syscall_stop)
			continue;
		if (ptrace(PTRACE_GETREGS, t->tid, 0, &now)) {
			lp_perr("cannot read the registers of thread %d", (int)t->tid);
			return -1;
		}
		if (nr == -2 || (now.rip == rip && (nr < 0 || (long)now.orig_rax == nr)))
			return 0;
	}
	lp_err("thread %d did not run the injected system call", (int)t->tid);
	return -1;
}

/* Where the injected code starts: a `syscall; ret` (number in rax) or a function. */
struct entry {
	uint64_t rip, rax;
	const long *args;
	bool syscall;		/* the fourth argument in r10, not rcx */
};

/* The thread at the call: its registers in *saved, mask in *mask, frame written, call set. */
static int inject(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		  struct user_regs_struct *saved, uint64_t *mask, bool *masked,
		  const struct entry *e)
{
	struct user_regs_struct *cur = sess_regs(t), call;
	uint64_t all = ~0ULL, frame;

	if (!cur) {
		lp_perr("cannot read the registers of thread %d", (int)t->tid);
		return -1;
	}
	*saved = *cur;
	if (t->regs_dirty && ptrace(PTRACE_SETREGS, t->tid, 0, saved)) {
		lp_perr("cannot set the registers of thread %d", (int)t->tid);
		return -1;
	}
	t->regs_dirty = false;
	if (ptrace(PTRACE_GETSIGMASK, t->tid, sizeof(*mask), mask)) {
		lp_perr("cannot read the signal mask of thread %d", (int)t->tid);
		return -1;
	}
	if (write_frame(s->pid, t, saved, *mask, g, &frame))
		return -1;
	/* rsp is the frame, whose first word is the return address: as at a call */
	call = *saved;
	call.rsp = frame;
	call.orig_rax = (unsigned long long)-1;
	call.rip = e->rip;
	call.rax = e->rax;
	call.rdi = (unsigned long long)e->args[0];
	call.rsi = (unsigned long long)e->args[1];
	call.rdx = (unsigned long long)e->args[2];
	if (e->syscall)
		call.r10 = (unsigned long long)e->args[3];
	else
		call.rcx = (unsigned long long)e->args[3];
	call.r8 = (unsigned long long)e->args[4];
	call.r9 = (unsigned long long)e->args[5];
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &call)) {
		lp_perr("cannot set the registers of thread %d", (int)t->tid);
		return -1;
	}
	t->have_regs = false;
	/*
	 * From here on the thread comes back by itself through the frame, should
	 * lpatch die; the mask only after the registers (and back before them).
	 */
	*masked = !ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(all), &all);
	test_kill_point("inject-regs");
	return 0;
}

/* From a syscall-stop in the injected code back to the thread's own state. */
static int finish(struct lp_session *s, struct lp_thread *t, const struct user_regs_struct *saved,
		  uint64_t mask, bool masked)
{
	/*
	 * An ordinary interrupt stop, where the kernel decides about restarting
	 * the thread's own system call when it resumes (not a syscall-exit-stop,
	 * after which it would not).
	 */
	if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) ||
	    run_until(s, t, PTRACE_CONT, EVENT_STOP, 0, -1))
		return -1;
	if (masked && ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(mask), &mask)) {
		lp_perr("cannot restore the signal mask of thread %d", (int)t->tid);
		return -1;
	}
	if (ptrace(PTRACE_SETREGS, t->tid, 0, saved)) {
		lp_perr("cannot restore the registers of thread %d", (int)t->tid);
		return -1;
	}
	t->regs = *saved;
	t->have_regs = true;
	t->regs_dirty = false;
	return 0;
}

/*
 * Signals are blocked in the thread while it runs the call: a signal arriving
 * meanwhile stays pending in the kernel and is delivered once the thread runs
 * its own code again with its own mask.
 */
int remote_syscall(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		   long nr, const long args[6], long *ret)
{
	struct user_regs_struct saved, now;
	struct entry e = { g->call, (uint64_t)nr, args, true };
	uint64_t mask;
	bool masked;

	if (inject(s, t, g, &saved, &mask, &masked, &e))
		return -1;
	if (run_until(s, t, PTRACE_SYSCALL, SYSCALL_STOP, g->call + 2, nr) ||
	    run_until(s, t, PTRACE_SYSCALL, SYSCALL_STOP, g->call + 2, -1))
		return -1;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &now)) {
		lp_perr("cannot read the registers of thread %d", (int)t->tid);
		return -1;
	}
	*ret = (long)now.rax;
	test_kill_point("inject-result");
	return finish(s, t, &saved, mask, masked);
}

int remote_call(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		uint64_t func, const long args[6], uint64_t timeout_ns)
{
	struct user_regs_struct saved, now;
	struct entry e = { func, 0, args, false };
	uint64_t mask, deadline = now_ns() + timeout_ns;
	bool masked;

	if (inject(s, t, g, &saved, &mask, &masked, &e))
		return -1;
	/* The function's own system calls (a futex) pass; its return is rt_sigreturn's entry. */
	for (;;) {
		if (run_until(s, t, PTRACE_SYSCALL, SYSCALL_STOP, 0, -2))
			return -1;
		if (ptrace(PTRACE_GETREGS, t->tid, 0, &now)) {
			lp_perr("cannot read the registers of thread %d", (int)t->tid);
			return -1;
		}
		if ((long)now.orig_rax == NR_RT_SIGRETURN && now.rip > g->sigreturn &&
		    now.rip <= g->sigreturn + 9)
			break;
		if (now_ns() > deadline) {
			lp_err("thread %d did not return from the function called at %#llx",
			       (int)t->tid, (unsigned long long)func);
			return -1;
		}
	}
	test_kill_point("call-returned");
	return finish(s, t, &saved, mask, masked);
}

