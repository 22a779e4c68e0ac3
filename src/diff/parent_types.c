/*
 * The target's own definition of a type (the layout of a special-section
 * entry such as struct bug_entry), from the parent's DWARF through libdw.
 * Only the compile unit of one function that uses the type is read, found
 * through .debug_aranges: a few milliseconds even for a 600 MB vmlinux.
 * lpatch scans .debug_aranges itself for the one address: libdw's
 * dwarf_addrdie first builds and sorts a table of every range in the file,
 * which took 55 ms of a 190 ms `lpatch diff` against a Debian vmlinux.
 */
#include "parent.h"

#include "util/str.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct type_answer {
	char *type;
	long size;
	const char *why;
};

struct parent_types {
	Dwarf *dw;
	bool tried;		/* dwarf_begin_elf was attempted */
	struct type_answer *answers;
	size_t n, cap;
};

static Dwarf *parent_dwarf(struct parent *p)
{
	if (!p->types)
		p->types = xcalloc(1, sizeof(*p->types));
	if (!p->types->tried) {
		p->types->tried = true;
		/* a relocatable parent has no addresses to find a unit by */
		if (p->elf->ehdr.e_type == ET_EXEC || p->elf->ehdr.e_type == ET_DYN)
			p->types->dw = dwarf_begin_elf(p->elf->elf, DWARF_C_READ, NULL);
	}
	return p->types->dw;
}

static long struct_size_in(Dwarf_Die *cu, const char *type)
{
	Dwarf_Die c;

	if (dwarf_child(cu, &c))
		return -1;
	do {
		const char *name;
		if (dwarf_tag(&c) != DW_TAG_structure_type || !dwarf_hasattr(&c, DW_AT_byte_size))
			continue;
		name = dwarf_diename(&c);
		if (name && !strcmp(name, type))
			return dwarf_bytesize(&c);
	} while (dwarf_siblingof(&c, &c) == 0);
	return -1;
}

static uint64_t get_uint(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* .debug_aranges of DWARF 2-5, little-endian, read in place. */
int parent_aranges_unit(struct parent *p, uint64_t addr, uint64_t *unit)
{
	struct elf_file *ef = p->elf;
	struct section *sec = elf_find_section(ef, ".debug_aranges");
	const unsigned char *d, *end;

	if (!sec || (sec->sh.sh_flags & SHF_COMPRESSED) || ef->ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
	    !(d = elf_section_data(sec)))
		return -1;
	end = d + sec->size;
	while (end - d >= 4) {
		const unsigned char *set = d, *next, *t;
		size_t offsize = 4, asize;
		uint64_t len = get_uint(d, 4), info;

		d += 4;
		if (len == 0xffffffff) {
			if (end - d < 8)
				return -1;
			len = get_uint(d, 8);
			d += 8;
			offsize = 8;
		}
		if (len > (uint64_t)(end - d) || len < 2 + offsize + 2)
			return -1;
		next = d + len;
		info = get_uint(d + 2, offsize);
		asize = d[2 + offsize];
		if ((asize != 4 && asize != 8) || d[3 + offsize])	/* no segments */
			return -1;
		/* tuples start at a multiple of twice the address size from the set */
		t = d + 4 + offsize;
		t = set + ((size_t)(t - set) + 2 * asize - 1) / (2 * asize) * (2 * asize);
		for (; next - t >= (ptrdiff_t)(2 * asize); t += 2 * asize) {
			uint64_t start = get_uint(t, asize), n = get_uint(t + asize, asize);

			if (!start && !n)
				break;
			if (addr >= start && addr - start < n) {
				*unit = info;
				return 0;
			}
		}
		d = next;
	}
	return 1;
}

/* The compile unit DIE covering addr: .debug_aranges read directly, libdw's
 * table as the fallback. */
static bool unit_die(struct parent *p, Dwarf *dw, uint64_t addr, Dwarf_Die *cu)
{
	uint64_t unit;
	Dwarf_Off next;
	size_t hsize;
	int r = parent_aranges_unit(p, addr, &unit);

	if (r == 0 && dwarf_next_unit(dw, unit, &next, &hsize, NULL, NULL, NULL, NULL, NULL,
				      NULL) == 0 && dwarf_offdie(dw, unit + hsize, cu))
		return true;
	if (r == 1)
		return false;
	return dwarf_addrdie(dw, addr, cu) != NULL;
}

static long lookup(struct parent *p, const char *type, const char *user, const char **why)
{
	Dwarf *dw = parent_dwarf(p);
	const struct parent_sym *fn = parent_find(p, user);
	Dwarf_Die cu;
	long size;

	if (!dw) {
		*why = "the parent has no debug info";
		return -1;
	}
	if (!fn || fn->type != STT_FUNC || !fn->addr) {
		*why = "the function that uses the type is not in the parent";
		return -1;
	}
	if (!unit_die(p, dw, fn->addr, &cu)) {
		*why = "no debug info covers the function that uses the type";
		return -1;
	}
	size = struct_size_in(&cu, type);
	if (size <= 0)
		*why = "the type is not defined where the parent's debug info was looked up";
	return size > 0 ? size : -1;
}

long parent_type_size(struct parent *p, const char *type, const char *user, const char **why)
{
	struct parent_types *t;
	struct type_answer *a;

	if (!p->types)
		p->types = xcalloc(1, sizeof(*p->types));
	t = p->types;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->answers[i].type, type)) {
			*why = t->answers[i].why;
			return t->answers[i].size;
		}
	a = ARRAY_PUSH(t->answers, t->n, t->cap);
	a->type = xstrdup(type);
	a->why = NULL;
	a->size = lookup(p, type, user, &a->why);
	*why = a->why;
	return a->size;
}

void parent_types_close(struct parent *p)
{
	struct parent_types *t = p->types;

	if (!t)
		return;
	if (t->dw)
		dwarf_end(t->dw);
	for (size_t i = 0; i < t->n; i++)
		free(t->answers[i].type);
	free(t->answers);
	free(t);
	p->types = NULL;
}
