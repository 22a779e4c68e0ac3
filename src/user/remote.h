/*
 * System calls run by a stopped thread of the target: its registers point
 * at an existing `syscall` instruction (found in the vDSO or any executable
 * mapping, so libc need not be loaded), it single-steps over it, and its
 * registers are put back. A thread interrupted inside a system call gets
 * orig_rax = -1 for the injected call, so the kernel does not "restart" it,
 * and its own call is restarted normally once its registers are restored.
 */
#ifndef LPATCH_USER_REMOTE_H
#define LPATCH_USER_REMOTE_H

#include "user/maps.h"
#include "user/session.h"

/* Address of a `syscall` instruction in an executable mapping; 0 if none (error printed). */
uint64_t remote_find_syscall(const struct proc_maps *pm);

/*
 * Run syscall nr with args in stopped thread t; *ret gets the kernel's
 * return value (-errno on failure). Returns -1 if the injection itself
 * failed (thread gone, ptrace error), with an error printed.
 */
int remote_syscall(struct lp_session *s, struct lp_thread *t, uint64_t gadget, long nr,
		   const long args[6], long *ret);

#endif
