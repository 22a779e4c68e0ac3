/*
 * Relocating a patch for the region load.c lays out: which relocations need
 * a GOT slot (the patch's own small GOT) or a call stub (a jump through a
 * slot, for functions in other objects than the target), and writing every
 * relocation, slot and stub into the region's image once its address is
 * known. Undefined symbols are resolved in the process (resolve.h) on the way.
 */
#ifndef LPATCH_USER_RELOC_H
#define LPATCH_USER_RELOC_H

#include "user/load.h"

/* sec_off of a section that is not part of the region. */
#define RELOC_NOT_LOADED UINT64_MAX
/* Bytes per call stub: jmp *slot(%rip), padded with int3. */
#define RELOC_STUB_LEN 8

/* What the loader knows of one patch symbol. */
struct symaux {
	bool resolved;
	struct resolution res;
	long got, stub, tlsgd, tpoff;	/* slot or stub index, -1 if none */
};

/*
 * Resolve the symbols sec's relocations refer to and count the GOT slots
 * and stubs they need into lp (ngot, nstub, the symaux indices; *tlsld: the
 * slot pair of local-dynamic TLS). Errors printed.
 */
int reloc_count_needs(struct load_plan *lp, struct section *sec, long *tlsld);
/* Relocate every loaded section in lp->image for lp->base, fill the GOT and the stubs. */
int reloc_apply(struct load_plan *lp);
/* Run-time value of a symbol defined in the patch or resolved as an address. */
int reloc_sym_value(struct load_plan *lp, const struct symbol *sym, uint64_t *v);

#endif
