/* The record walk of .eh_frame, bounds-checked. */
#include "elf/eh.h"

#include <string.h>

bool eh_next(const unsigned char *d, uint64_t size, uint64_t *off, struct eh_record *r)
{
	uint32_t len;

	if (!d || *off + 8 > size)
		return false;
	memcpy(&len, d + *off, 4);
	if (!len || len == 0xffffffff || *off + 4 + (uint64_t)len > size)
		return false;
	r->off = *off;
	r->size = 4 + (uint64_t)len;
	memcpy(&r->id, d + *off + 4, 4);
	*off += r->size;
	return true;
}
