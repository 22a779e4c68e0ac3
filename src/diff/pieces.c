/*
 * Code pieces a special table points into: .altinstructions entries name
 * their replacement instructions in .altinstr_replacement, one piece per
 * entry, laid end to end by the assembler. The patch carries only the
 * pieces of the entries it keeps, packed, and moves the kept entries'
 * references to the pieces' new places.
 *
 * A piece runs from where an entry points to where the next entry's piece
 * begins (or the section ends): the object says it without the target's
 * struct layout. Entries pointing at one place share one piece.
 */
#include "special.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* The offset in the pieces' section that r points at, or -1. */
static int64_t piece_offset(const struct section *in, const struct reloc *r)
{
	if (!r->sym || r->sym->sec != in || r->sym->type != STT_SECTION)
		return -1;
	return (int64_t)r->sym->s.st_value + r->addend;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Index of the piece starting at off (the starts are sorted, distinct). */
static size_t piece_at(const struct pieces *p, uint64_t off)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->start[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Collect the pieces of table (n entries of es bytes, kept[i] for the
 * entries the patch keeps) in the section named p->name. False, with the
 * whole section left to the ordinary copy, when the table does not point
 * there only through section symbols, or the section is already carried.
 */
bool pieces_open(struct differ *d, struct pieces *p, const struct section *table, size_t es,
		 size_t n, const bool *kept)
{
	struct section *in = elf_find_section(d->patched, p->name);
	size_t cap = 0, m = 0;
	uint64_t *all = NULL;

	if (!in || DSEC(in)->out || !table->rela)
		return false;
	for (size_t i = 0; i < table->rela->nrel; i++) {
		const struct reloc *r = &table->rela->rel[i];
		int64_t off = piece_offset(in, r);
		if (r->sym && r->sym->sec == in && (off < 0 || (uint64_t)off > in->size)) {
			free(all);
			return false;
		}
		if (off >= 0)
			*ARRAY_PUSH(all, m, cap) = (uint64_t)off;
	}
	qsort(all, m, sizeof(*all), cmp_u64);
	p->in = in;
	p->start = xcalloc(m + 1, sizeof(*p->start));
	p->n = 0;
	for (size_t i = 0; i < m; i++)
		if (!p->n || p->start[p->n - 1] != all[i])
			p->start[p->n++] = all[i];
	free(all);
	p->shift = xcalloc(p->n + 1, sizeof(*p->shift));
	p->used = xcalloc(p->n + 1, sizeof(*p->used));
	for (size_t i = 0; i < n; i++) {
		size_t idx = 0;
		struct reloc *r;
		if (!kept[i])
			continue;
		while ((r = elf_reloc_in(table, i * es, (i + 1) * es, &idx))) {
			int64_t off = piece_offset(in, r);
			if (off >= 0)
				p->used[piece_at(p, (uint64_t)off)] = true;
		}
	}
	return true;
}

/* Write the kept pieces to the output, with their relocations. */
void pieces_write(struct differ *d, struct pieces *p)
{
	const unsigned char *data = elf_section_data(p->in);
	uint64_t size = 0, at = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->used[i])
			size += (i + 1 < p->n ? p->start[i + 1] : p->in->size) - p->start[i];
	p->out = elf_add_section(d->out, p->in->name, p->in->sh.sh_type, p->in->sh.sh_flags, NULL,
				 size, p->in->sh.sh_addralign, p->in->sh.sh_entsize);
	DSEC(p->in)->out = p->out;
	DSEC(p->in)->included = true;
	for (size_t i = 0; i < p->n; i++) {
		uint64_t end = i + 1 < p->n ? p->start[i + 1] : p->in->size;
		if (!p->used[i])
			continue;
		p->shift[i] = (int64_t)at - (int64_t)p->start[i];
		if (end > p->start[i])
			memcpy(p->out->data + at, data + p->start[i], end - p->start[i]);
		diff_copy_relocs(d, p->in, p->out, p->start[i], end, p->shift[i]);
		at += end - p->start[i];
	}
	p->kept_bytes = size;
}

/* Move the references of out_table [from, to) into the pieces' section to
 * the pieces' places in the output (they were copied with the old offsets). */
void pieces_retarget(const struct pieces *p, struct section *out_table, uint64_t from, uint64_t to)
{
	struct section *rs = out_table->rela;

	for (size_t i = 0; rs && i < rs->nrel; i++) {
		struct reloc *r = &rs->rel[i];
		size_t k;
		if (r->offset < from || r->offset >= to || !r->sym || r->sym->sec != p->out ||
		    r->sym->type != STT_SECTION)
			continue;
		k = piece_at(p, (uint64_t)r->addend);
		if (k < p->n && p->start[k] == (uint64_t)r->addend)
			r->addend += p->shift[k];
	}
}

void pieces_close(struct pieces *p)
{
	free(p->start);
	free(p->shift);
	free(p->used);
	memset(p, 0, sizeof(*p));
}
