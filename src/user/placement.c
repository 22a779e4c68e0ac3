/* Choosing the address of a patch region. */
#include "user/placement.h"

#include <string.h>

#define GUARD PAGE
/* rel32 reach, less a margin for displacements measured from the end of an instruction. */
#define REACH 0x7ff00000ULL
#define MIN_ADDR 0x10000ULL		/* vm.mmap_min_addr */
#define MAX_ADDR 0x7ffffffff000ULL	/* top of the 47-bit user address space */
#define HEAP_ROOM (256ULL << 20)	/* left free above [heap] for brk to grow */

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Best address in the gap [g0, g1), or 0. */
static uint64_t in_gap(uint64_t g0, uint64_t g1, uint64_t lo, uint64_t hi, uint64_t size,
		       bool below, uint64_t avoid)
{
	uint64_t first = max64(g0 + GUARD, hi > REACH ? hi - REACH : 0);
	uint64_t limit = min64(g1 > GUARD ? g1 - GUARD : 0, lo + REACH);
	uint64_t a;

	first = page_up(first);
	if (limit < first + size)
		return 0;
	a = below ? page_down(limit - size) : first;
	if (a == avoid)
		a = below ? a - PAGE : a + PAGE;
	if (a < first || a + size > limit)
		return 0;
	return a;
}

uint64_t place_near(const struct proc_maps *pm, uint64_t lo, uint64_t hi, uint64_t size,
		    uint64_t avoid)
{
	size = page_up(size);
	/* Below the object, nearest gap first. */
	for (size_t i = pm->n; i-- > 0;) {
		uint64_t g0 = i ? pm->m[i - 1].end : MIN_ADDR - GUARD, g1 = pm->m[i].start, a;

		if (g1 > lo)
			continue;
		a = in_gap(g0, g1, lo, hi, size, true, avoid);
		if (a)
			return a;
	}
	/* Above it, leaving room for the heap to grow. */
	for (size_t i = 0; i < pm->n; i++) {
		uint64_t g0 = pm->m[i].end;
		uint64_t g1 = i + 1 < pm->n ? pm->m[i + 1].start : MAX_ADDR, a;

		if (g0 < hi)
			continue;
		if (!strcmp(pm->m[i].path, "[heap]"))
			g0 += HEAP_ROOM;
		a = in_gap(g0, g1, lo, hi, size, false, avoid);
		if (a)
			return a;
	}
	return 0;
}
