/*
 * Loading a patch into a process: lay out its sections in a region (header,
 * code, read-only data with a GOT and an unwind table, writable data),
 * relocate them for the region's address, map the region near the target
 * object with an injected mmap, write it, and make the code read-only and
 * executable. The region is never writable and executable at once.
 */
#ifndef LPATCH_USER_LOAD_H
#define LPATCH_USER_LOAD_H

#include "user/patchfile.h"
#include "user/remote.h"
#include "user/resolve.h"
#include "user/state.h"
#include "user/consistency.h"

struct symaux;

struct load_plan {
	struct user_patch *pf;
	struct resolver *rs;
	struct symaux *aux;		/* per patch symbol */
	uint64_t *sec_off;		/* per patch section: offset in the region, or UINT64_MAX */
	uint64_t hdr_size, text_off, text_size, ro_off, rw_off, rw_size, size;
	uint64_t stub_off, got_off, ehtab_off, ehobj_off;
	uint64_t rw_data;		/* the patch's own writable bytes (the rest: ehobj) */
	bool eh_registers;		/* set before load_map: the process has libgcc's
					 * __register_frame_info, which writes ehobj */
	size_t nstub, ngot, nfde;
	long tlsld;			/* GOT pair for local-dynamic TLS, or -1 */
	struct section *eh;		/* the patch's .eh_frame, if loaded */
	struct lp_region_func *funcs;	/* per replaced function, from load_prepare */
	unsigned char *image;		/* the region's contents, size bytes */
	uint64_t base;
};

/* Resolve every external symbol and lay the region out. Errors printed. */
int load_plan(struct user_patch *pf, struct resolver *rs, struct load_plan *lp);
/*
 * After load_plan, before the process is touched: what the region's header
 * says of each replaced function apart from its new code (old code, .cold
 * part, jump site and original bytes, against the patches a already
 * applied). LP_OK; LP_REFUSED when a function is refused (too small for the
 * jump); LP_FAIL when the process's code cannot be read. Errors printed.
 */
int load_prepare(struct load_plan *lp, pid_t pid, const struct applied *a, size_t na);
/*
 * Map the region in the process (thread t stopped), relocate, write and
 * protect it. The header says REGION_LOADED with seq.
 */
int load_map(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *gadget,
	     const struct proc_maps *pm, struct load_plan *lp, uint64_t seq);
/* Unmap a region (thread t stopped). */
int load_unmap(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *gadget,
	       uint64_t base, uint64_t size);
void load_free(struct load_plan *lp);

/* The trampoline page: the last of the code area, at page_up(text_hi) of the header. */
static inline uint64_t load_tramp_off(const struct load_plan *lp)
{
	return lp->text_off + lp->text_size - TRAMP_PAGE;
}

static inline struct lp_region_hdr *load_hdr(const struct load_plan *lp)
{
	return (struct lp_region_hdr *)lp->image;
}

#endif
