/*
 * Walking the records of an .eh_frame section: CIEs and FDEs, each a 32-bit
 * length then a 32-bit id (0 for a CIE; for an FDE, the distance from the id
 * back to its CIE). The walk ends at a zero terminator, at a 64-bit length
 * (0xffffffff, never emitted for x86-64 objects) and at a record that would
 * run past the section's end.
 */
#ifndef LPATCH_ELF_EH_H
#define LPATCH_ELF_EH_H

#include <stdbool.h>
#include <stdint.h>

struct eh_record {
	uint64_t off;		/* of the length field */
	uint64_t size;		/* the whole record, length field included */
	uint32_t id;		/* 0: a CIE */
};

/*
 * The record at *off in d[0..size) (d may be NULL: no records), and *off
 * moved past it; false where the walk ends.
 */
bool eh_next(const unsigned char *d, uint64_t size, uint64_t *off, struct eh_record *r);

#endif
