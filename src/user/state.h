/*
 * What is applied to a process lives in the process itself: every patch
 * region starts with a read-only header naming the patch, its target
 * object, and each redirected function (old and new address, the original
 * bytes at the jump site). A later lpatch run finds the patches by scanning
 * the process's anonymous mappings for the header's magic.
 */
#ifndef LPATCH_USER_STATE_H
#define LPATCH_USER_STATE_H

#include "user/maps.h"

#include <stdbool.h>
#include <stdint.h>

#define LP_REGION_MAGIC "LPATCHR1"

/*
 * LOADED: mapped, nothing jumps to it, and nothing ever did (a region being
 * applied, or what a killed apply leaves: a stale region, removed by `lpatch
 * revert`). ACTIVE: every function it owns jumps to it. APPLYING, REVERTING:
 * written before its jumps are written or taken out, so a jump never exists
 * without a record; if lpatch dies meanwhile, the entry bytes of each
 * function tell which are switched (state_func_live). REVERTED: nothing jumps
 * to it any more, but its code ran: the program may still hold pointers into
 * it (a string the new function returned, a function pointer it handed out),
 * so it stays mapped for the life of the process, and `ps` no longer lists it.
 */
enum region_state { REGION_LOADED = 1, REGION_ACTIVE = 2, REGION_APPLYING = 3,
		    REGION_REVERTING = 4, REGION_REVERTED = 5 };

struct lp_region_func {
	uint64_t old_addr, old_size;	/* run-time address and size of the replaced function */
	uint64_t new_addr, new_size;	/* the new function, in this region */
	uint64_t cold_addr, cold_size;	/* the old function's .cold part, if any */
	uint8_t orig[16];		/* original bytes at the jump site, before any patch */
	uint8_t site_off;		/* the jump's offset in the function (4 after endbr64) */
	uint8_t site_len;		/* bytes the jump replaces */
	uint8_t pad[2];
	uint32_t name_off;		/* into the header's strings */
};

struct lp_region_hdr {
	char magic[8];
	uint32_t version;		/* 1 */
	uint32_t state;			/* enum region_state */
	uint64_t seq;			/* order of application: the highest wins */
	uint64_t size;			/* of the whole region */
	uint64_t applied_at;		/* Unix time */
	uint64_t object_bias;
	uint64_t text_lo, text_hi;	/* the new code */
	uint64_t eh_table, eh_count;	/* sorted (start, FDE) pairs, int32 from the region base */
	uint32_t nfuncs, hdr_size;	/* hdr_size: header, functions and strings */
	char name[64];
	char build_id[80];
	char object[256];		/* the target object's path, as mapped */
	struct lp_region_func funcs[];	/* then the strings */
};

/*
 * The registration of a region's unwind entries with the process's own
 * unwinder (libgcc's __register_frame_info; user/ehreg.h), the last bytes of
 * the header (within hdr_size, 8-aligned; regions without it have none).
 * REGISTERING and DEREGISTERING say a call was under way when lpatch died:
 * whether libgcc holds the entries is unknown, and the region is never
 * unmapped (libgcc would read freed memory at the next exception).
 */
#define LP_REGION_EH_MAGIC "LPEHREG1"
#define LP_EH_OBJECT_SIZE 128	/* room for libgcc's struct object (48 bytes in GCC 12) */

enum eh_reg_state { EH_NONE = 0, EH_REGISTERING = 1, EH_REGISTERED = 2, EH_DEREGISTERING = 3 };

struct lp_region_eh {
	char magic[8];
	uint32_t state;			/* enum eh_reg_state */
	uint32_t pad;
	uint64_t frame;			/* the region's .eh_frame, zero-terminated; 0: none */
	uint64_t object;		/* LP_EH_OBJECT_SIZE writable bytes for libgcc */
	uint64_t deregister;		/* __deregister_frame_info, resolved when registered */
};

/* One patch region found in a process. */
struct applied {
	uint64_t base;
	struct lp_region_hdr *hdr;	/* a copy, hdr_size bytes */
};

/* Find every patch region in pm's process, oldest first. */
int state_scan(const struct proc_maps *pm, struct applied **out, size_t *n);
void state_free(struct applied *a, size_t n);
const char *region_func_name(const struct lp_region_hdr *h, const struct lp_region_func *f);
/* "active", "loaded", "applying", "reverting" or "reverted". */
const char *region_state_name(uint32_t state);
/* Active, or interrupted while applied or reverted: its jumps may be in. */
static inline bool region_live(const struct lp_region_hdr *h)
{
	return h->state == REGION_ACTIVE || h->state == REGION_APPLYING ||
	       h->state == REGION_REVERTING;
}
/* The registration record of a region (at *off from its base), or NULL if it has none. */
struct lp_region_eh *region_eh(const struct lp_region_hdr *h, uint64_t *off);
/* Write the registration state in the process (and in the copy a->hdr). -1 with errno. */
int state_set_eh(pid_t pid, const struct applied *a, const struct lp_region_eh *eh);
/* Write a region's state in the process (and in a->hdr). -1 with errno on failure. */
int state_set(pid_t pid, const struct applied *a, uint32_t state);
/* Does the entry of f in process pid hold the jump to f's new code (read from memory)? */
bool state_func_live(pid_t pid, const struct lp_region_func *f);
/*
 * The newest live patch (region_live) other than skip redirecting the
 * function at old_addr (NULL if none).
 */
const struct applied *state_winner(const struct applied *a, size_t n, uint64_t old_addr,
				   const struct applied *skip, const struct lp_region_func **fn);

#endif
