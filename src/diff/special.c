/*
 * Special sections: tables with one entry per site (ftrace call, bug, fixup,
 * jump label, alternative, ORC row, ...). The patch keeps the entries of the
 * functions it carries and drops the rest.
 */
#include "internal.h"

#include "util/log.h"
#include "util/str.h"

#include <string.h>

struct special {
	const char *name;
	size_t entsize;		/* x86-64 layout, checked against each section's size */
	const char *pair;	/* a section indexed in step with this one */
	size_t pair_entsize;
};

/* Entry sizes of x86-64 kernels (struct bug_entry with relative pointers,
 * exception_table_entry, jump_entry, alt_instr, orc_entry, ...). */
static const struct special specials[] = {
	{ "__mcount_loc", 8, NULL, 0 },
	{ ".orc_unwind_ip", 4, ".orc_unwind", 6 },
	{ "__bug_table", 12, NULL, 0 },
	{ "__ex_table", 12, NULL, 0 },
	{ "__jump_table", 16, NULL, 0 },
	{ ".altinstructions", 12, NULL, 0 },
	{ ".return_sites", 4, NULL, 0 },
	{ ".retpoline_sites", 4, NULL, 0 },
	{ ".call_sites", 4, NULL, 0 },
	{ ".ibt_endbr_seal", 4, NULL, 0 },
	{ ".static_call_sites", 8, NULL, 0 },
	{ ".smp_locks", 4, NULL, 0 },
	{ ".parainstructions", 16, NULL, 0 },
};

static const struct special *lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (!strcmp(specials[i].name, name))
			return &specials[i];
	return NULL;
}

bool diff_is_special(const struct section *sec)
{
	if (lookup(sec->name) || !strcmp(sec->name, ".orc_unwind"))
		return true;
	return str_starts(sec->name, ".altinstr_");
}

/* Does the entry at offset belong to a function the patch carries? */
static bool entry_kept(struct section *sec, uint64_t offset)
{
	struct reloc *r = elf_reloc_at(sec, offset);
	struct section *target;

	if (!r || !r->sym)
		return false;
	target = r->sym->sec;
	return target && diff_is_text(target) && DSEC(target)->included &&
	       !diff_is_special(target);
}

static void filter(struct differ *d, struct section *sec, const struct special *sp)
{
	struct section *pair = sp->pair ? elf_find_section(d->patched, sp->pair) : NULL;
	size_t n = sec->size / sp->entsize, kept = 0;
	struct section *out, *pout = NULL;

	if (sec->size % sp->entsize || (pair && pair->size != n * sp->pair_entsize)) {
		diff_refuse(d, sec->name, "section %s is %zu bytes, not a whole number of %zu-byte "
			    "entries: this kernel's layout of it is not one lpatch knows",
			    sec->name, sec->size, sp->entsize);
		return;
	}
	for (size_t i = 0; i < n; i++)
		kept += entry_kept(sec, i * sp->entsize);
	if (!kept)
		return;
	out = elf_add_section(d->out, sec->name, sec->sh.sh_type, sec->sh.sh_flags, NULL,
			      kept * sp->entsize, sec->sh.sh_addralign, sec->sh.sh_entsize);
	if (pair)
		pout = elf_add_section(d->out, pair->name, pair->sh.sh_type, pair->sh.sh_flags, NULL,
				       kept * sp->pair_entsize, pair->sh.sh_addralign,
				       pair->sh.sh_entsize);
	DSEC(sec)->out = out;
	DSEC(sec)->included = true;
	for (size_t i = 0, k = 0; i < n; i++) {
		uint64_t at = i * sp->entsize;
		if (!entry_kept(sec, at))
			continue;
		memcpy(out->data + k * sp->entsize, sec->data + at, sp->entsize);
		diff_copy_relocs(d, sec, out, at, at + sp->entsize,
				 (int64_t)(k * sp->entsize) - (int64_t)at);
		if (pout)
			memcpy(pout->data + k * sp->pair_entsize, pair->data + i * sp->pair_entsize,
			       sp->pair_entsize);
		k++;
	}
}

void diff_special_sections(struct differ *d)
{
	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *sec = d->patched->sec[i];
		const struct special *sp = lookup(sec->name);

		if (sp && sec->rela)
			filter(d, sec, sp);
	}
}
