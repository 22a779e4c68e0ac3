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
	unsigned key_reloc;	/* the entry's relocation naming its key (1-based), or 0 */
	const char *tp_key;	/* prefix of a tracepoint's key (__tracepoint_) */
	bool via_data;		/* entries point at records, not at code (.printk_index) */
	const char *pieces;	/* code the entries point into, one piece each
				   (.altinstr_replacement): only kept entries' pieces go */
};

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

/* pieces.c: the pieces of a table's kept entries, packed in the output. */
struct pieces {
	const char *name;	/* the section holding the pieces */
	struct section *in, *out;
	uint64_t *start;	/* distinct piece starts, sorted; a piece ends at the next */
	int64_t *shift;		/* new offset - old offset, per piece */
	bool *used;		/* a kept entry points at it */
	size_t n;
	uint64_t kept_bytes;
};
bool pieces_open(struct differ *d, struct pieces *p, const struct section *table, size_t es,
		 size_t n, const bool *kept);
void pieces_write(struct differ *d, struct pieces *p);
void pieces_retarget(const struct pieces *p, struct section *out_table, uint64_t from, uint64_t to);
void pieces_close(struct pieces *p);

#endif
