/* Where to map a patch: a free range within rel32 reach (±2 GiB) of its target object. */
#ifndef LPATCH_USER_PLACEMENT_H
#define LPATCH_USER_PLACEMENT_H

#include "user/maps.h"

/*
 * A page-aligned free address for size bytes such that every byte is within
 * ±2 GiB of every byte of [lo, hi), preferring the space just below the
 * object (above it is where the heap grows). avoid: an address that was
 * just refused (EEXIST), skipped. 0 if there is none.
 */
uint64_t place_near(const struct proc_maps *pm, uint64_t lo, uint64_t hi, uint64_t size,
		    uint64_t avoid);

#endif
