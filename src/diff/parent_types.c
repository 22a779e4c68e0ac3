/*
 * The target's own definition of a type (the layout of a special-section
 * entry such as struct bug_entry), from the parent's DWARF through libdw.
 * Only the compile unit of one function that uses the type is read, found
 * through .debug_aranges: a few milliseconds even for a 600 MB vmlinux.
 */
#include "parent.h"

#include "util/str.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
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
	if (!dwarf_addrdie(dw, fn->addr, &cu)) {
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
