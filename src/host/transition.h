/* A livepatch transition: waiting for it, and naming the tasks that hold it up. */
#ifndef LPATCH_HOST_TRANSITION_H
#define LPATCH_HOST_TRANSITION_H

#include <stdbool.h>

/*
 * Wait until patch name has no transition running (transition reads 0, or the
 * patch is gone), with a progress line while tasks are left to switch.
 * Returns 0 when it finished, 1 when timeout_ms passed first.
 */
int transition_wait(const char *name, unsigned timeout_ms);
/* Wait until the patch has left /sys/kernel/livepatch (after it was disabled);
 * 0, or 1 on timeout. */
int transition_wait_gone(const char *name, unsigned timeout_ms);
/*
 * Print every task still in the other patch state than the transition's
 * target (/proc/PID/task/TID/patch_state): pid, tid, comm and its kernel
 * stack. Returns how many.
 */
int transition_report_stalled(const char *name);
/* Ask the kernel to finish the transition without the consistency check
 * (writes 1 to /sys/kernel/livepatch/NAME/force). 0, or -1 with an error. */
int transition_force(const char *name);
/* Start the transition back to unpatched (writes 0 to
 * /sys/kernel/livepatch/NAME/enabled). 0, or -1 with an error. */
int transition_disable(const char *name);

#endif
