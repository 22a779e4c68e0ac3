/*
 * Source lines of code in a relocatable object, from its DWARF line table
 * (libdwfl lays the sections of an ET_REL file out at distinct addresses
 * and applies the relocations of .debug_line). Used to tell a __LINE__
 * that moved with its statement from a constant that changed.
 */
#include "internal.h"

#include "util/str.h"

#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>

/* One object's line table, as libdwfl reads it. */
struct line_source {
	Dwfl *dwfl;
	Dwfl_Module *mod;
};

static const Dwfl_Callbacks offline = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static struct line_source *source_of(struct differ *d, const struct elf_file *ef)
{
	int i = ef == d->orig ? 0 : ef == d->patched ? 1 : -1;
	struct line_source *ls;

	if (i < 0)
		return NULL;
	if (d->lines[i])
		return d->lines[i];
	ls = d->lines[i] = xcalloc(1, sizeof(*ls));
	if (ef->path && (ls->dwfl = dwfl_begin(&offline))) {
		ls->mod = dwfl_report_offline(ls->dwfl, ef->path, ef->path, -1);
		dwfl_report_end(ls->dwfl, NULL, NULL);
	}
	return ls;
}

/* The address libdwfl gave section sec, or 0 when unknown. */
static Dwarf_Addr section_address(Dwfl_Module *mod, const struct section *sec)
{
	GElf_Addr bias;
	Elf *e = dwfl_module_getelf(mod, &bias);
	uint64_t addr = elf_handle_section_addr(e, sec->index);

	return addr ? addr + bias : 0;
}

int diff_source_line(struct differ *d, const struct section *sec, uint64_t off)
{
	struct line_source *ls = source_of(d, sec->elf);
	Dwarf_Addr at;
	Dwfl_Line *line;
	int lineno = 0;

	if (!ls || !ls->mod || !(at = section_address(ls->mod, sec)))
		return 0;
	line = dwfl_module_getsrc(ls->mod, at + off);
	if (!line || !dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL))
		return 0;
	return lineno;
}

void diff_source_lines_free(struct differ *d)
{
	for (size_t i = 0; i < 2; i++) {
		if (d->lines[i] && d->lines[i]->dwfl)
			dwfl_end(d->lines[i]->dwfl);
		free(d->lines[i]);
		d->lines[i] = NULL;
	}
}
