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

struct symaux;

struct load_plan {
	struct patch_file *pf;
	struct resolver *rs;
	struct symaux *aux;		/* per patch symbol */
	uint64_t *sec_off;		/* per patch section: offset in the region, or UINT64_MAX */
	uint64_t hdr_size, text_off, text_size, ro_off, ro_size, rw_off, rw_size, size;
	uint64_t stub_off, got_off, ehtab_off;
	size_t nstub, ngot, nfde;
	long tlsld;			/* GOT pair for local-dynamic TLS, or -1 */
	struct section *eh;		/* the patch's .eh_frame, if loaded */
	unsigned char *image;		/* the region's contents, size bytes */
	uint64_t base;
};

/* Resolve every external symbol and lay the region out. Errors printed. */
int load_plan(struct patch_file *pf, struct resolver *rs, struct load_plan *lp);
/*
 * Map the region in the process (thread t stopped), relocate, write and
 * protect it. The header says REGION_LOADED with seq; functions are
 * prepared against the patches already applied.
 */
int load_map(struct lp_session *s, struct lp_thread *t, uint64_t gadget,
	     const struct proc_maps *pm, struct load_plan *lp, const struct applied *a,
	     size_t na, uint64_t seq);
/* Unmap a region (thread t stopped). */
int load_unmap(struct lp_session *s, struct lp_thread *t, uint64_t gadget, uint64_t base,
	       uint64_t size);
void load_free(struct load_plan *lp);

static inline struct lp_region_hdr *load_hdr(const struct load_plan *lp)
{
	return (struct lp_region_hdr *)lp->image;
}

#endif
