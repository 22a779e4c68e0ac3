/*
 * Unwinding the threads of a stopped process with libunwind, from DWARF CFI
 * only: each object's .eh_frame_hdr table as mapped in the process, and the
 * unwind table lpatch writes into every patch region (so frames of patch
 * code unwind too). Memory is read through a page cache that is flushed
 * whenever threads have run.
 */
#ifndef LPATCH_USER_UNWIND_H
#define LPATCH_USER_UNWIND_H

#include "user/maps.h"
#include "user/session.h"

#include <stdbool.h>
#include <stdint.h>

struct code_table {
	uint64_t lo, hi;	/* code covered */
	uint64_t segbase;	/* table entries are relative to it */
	uint64_t table;		/* (int32 start, int32 fde) pairs, sorted */
	uint64_t count;
};

struct unwinder;

struct unwinder *unwinder_new(pid_t pid, const struct proc_maps *pm);
/* Code outside any file (patch regions) and where its unwind table is. */
void unwinder_add_table(struct unwinder *u, const struct code_table *ct);
/* Forget cached memory: threads ran, or code was written. */
void unwinder_flush(struct unwinder *u);
/*
 * The call chain of stopped thread t: pcs[0] is where it stands, then
 * return addresses. Returns the number of frames; *complete is false when
 * unwinding stopped early (no CFI for some frame, unreadable stack).
 */
int unwind_thread(struct unwinder *u, struct lp_thread *t, uint64_t *pcs, int max, bool *complete);
/*
 * The same, and where each return address pcs[k] (k > 0) is kept on the
 * stack (slots[k], the callee's CFA - 8; 0 if unknown). slots[0] is 0.
 */
int unwind_thread_slots(struct unwinder *u, struct lp_thread *t, uint64_t *pcs, uint64_t *slots,
			int max, bool *complete);
void unwinder_free(struct unwinder *u);

#endif
