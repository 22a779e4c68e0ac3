/*
 * Special sections: tables with one entry per site (bug, exception fixup,
 * jump label, alternative, ORC row, ftrace call, ...). What each table is,
 * how big its entries are (entsize.c), and which entries a patch keeps
 * (special.c).
 */
#ifndef LPATCH_DIFF_SPECIAL_H
#define LPATCH_DIFF_SPECIAL_H

#include "internal.h"

enum special_entry {
	ENTRY_STRUCT,		/* a struct the target defines (ctype) */
	ENTRY_OFFSET,		/* a 32-bit self-relative offset (".long 1b - .") */
	ENTRY_POINTER,		/* an address: the ELF class's pointer size */
};

struct special_kind {
	const char *name;	/* the section */
	enum special_entry entry;
	const char *ctype;	/* ENTRY_STRUCT: struct name in the target's headers */
	const char *user;	/* a function of the target whose unit defines ctype */
	const char *pair;	/* a section indexed in step with this one, or NULL */
	const char *pair_ctype, *pair_user;
	bool keys;		/* entries name static keys (__jump_table) */
	bool via_data;		/* entries point at records, not at code (.printk_index) */
};

/* The table sec is, or NULL. */
const struct special_kind *special_kind_of(const char *name);

/*
 * Entry size of sec (a table of kind k): from the object where it can tell
 * (sh_entsize, the stride of its relocations), checked against the target's
 * definition (the parent's debug info) where it cannot (one entry, several
 * relocations per entry). 0 after a refusal naming the section when the
 * size cannot be told or does not fit the section.
 */
size_t special_entry_size(struct differ *d, const struct section *sec,
			  const struct special_kind *k);
/* The same for the section paired with sec, which has n entries. */
size_t special_pair_entry_size(struct differ *d, const struct section *pair,
			       const struct special_kind *k, size_t n);

#endif
