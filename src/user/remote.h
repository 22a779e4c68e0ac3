/*
 * System calls run by a stopped thread of the target, arranged so that the
 * thread comes back whole even if lpatch dies at any point of it (killed
 * with SIGKILL: the kernel then lets the thread go wherever it stands).
 *
 * lpatch writes a signal frame (struct rt_sigframe, as the kernel builds for
 * a handler: the thread's registers, signal mask and FPU state) below the
 * thread's red zone, and points the thread at an existing `syscall; ret`
 * sequence with the call's registers and rsp at the frame, whose first word
 * (the handler's return address) is an existing `mov $15, %eax; syscall`
 * (rt_sigreturn, as in every libc's __restore_rt). Run alone, the thread
 * makes the call, returns into rt_sigreturn and is back where it was, with
 * its registers, signal mask and FPU state, and its own interrupted system
 * call restarted. With lpatch alive the thread never gets that far: it runs
 * under PTRACE_SYSCALL, lpatch reads the result at the syscall-exit-stop,
 * brings the thread into an ordinary interrupt stop and puts its registers
 * back itself (so the kernel's restart of an interrupted call, e.g. a
 * nanosleep's restart block, is exactly what it would have been). No
 * single-step or breakpoint trap is involved: a SIGTRAP left for an
 * untraced thread would kill the process.
 */
#ifndef LPATCH_USER_REMOTE_H
#define LPATCH_USER_REMOTE_H

#include "user/maps.h"
#include "user/session.h"

struct remote_gadgets {
	uint64_t call;		/* syscall; ret */
	uint64_t sigreturn;	/* mov $15, %eax (or %rax); syscall */
};

/* Find both in the executable mappings (vDSO first). -1 if one is missing (error printed). */
int remote_find_gadgets(const struct proc_maps *pm, struct remote_gadgets *g);

/*
 * Run syscall nr with args in stopped thread t; *ret gets the kernel's
 * return value (-errno on failure). Returns -1 if the injection itself
 * failed (thread gone, ptrace error), with an error printed.
 */
int remote_syscall(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		   long nr, const long args[6], long *ret);

/*
 * Call the function at func (System V ABI, up to six integer arguments) in
 * stopped thread t, on its stack below its red zone, returning into the
 * same signal frame: should lpatch die, the thread comes back by itself when
 * the function returns. Its result is not kept. Its own system calls run;
 * signals stay blocked meanwhile. -1 if the call could not be made or did
 * not return within timeout_ns (the thread is then left inside it, stopped).
 */
int remote_call(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		uint64_t func, const long args[6], uint64_t timeout_ns);

#endif
