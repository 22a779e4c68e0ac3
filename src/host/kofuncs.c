/*
 * The objects and functions in a livepatch module built by lpatch, read from
 * the module's own klp structures through the ELF model: the array
 * lpatch_objs (struct klp_object: .name at 0, .funcs at 8) and each
 * lpatch_funcs_N (struct klp_func: .old_name at 0, .new_func at 8,
 * .old_sympos at 16). These leading members have kept their order in
 * <linux/livepatch.h> since 5.1; the element sizes are not assumed but
 * derived from each array's size and its relocations.
 */
#include "host/modinfo.h"

#include "elf/elf.h"
#include "util/str.h"

#include <string.h>

/* Where a relocation points: section and offset in it. */
static bool reloc_target(const struct reloc *r, struct section **sec, uint64_t *off)
{
	if (!r->sym || !r->sym->sec)
		return false;
	*sec = r->sym->sec;
	*off = (r->sym->type == STT_SECTION ? 0 : r->sym->s.st_value) + (uint64_t)r->addend;
	return true;
}

/* How many relocations in [sym, sym + size) satisfy pred. */
static size_t count_relocs(const struct symbol *sym,
			   bool (*pred)(const struct elf_file *, const struct reloc *))
{
	size_t idx = 0, n = 0;
	const struct section *sec = sym->sec;
	uint64_t start = sym->s.st_value, end = start + sym->s.st_size;

	struct reloc *r;

	while ((r = elf_reloc_in(sec, start, end, &idx)))
		if (pred(sym->elf, r))
			n++;
	return n;
}

/* A relocation to code: a klp_func's .new_func. */
static bool points_to_code(const struct elf_file *ef, const struct reloc *r)
{
	struct section *s;
	uint64_t off;

	return reloc_target(r, &s, &off) && (s->sh.sh_flags & SHF_EXECINSTR);
}

/* The array symbol a relocation points into, when it is named prefix*. */
static struct symbol *points_to_array(const struct elf_file *ef, const struct reloc *r,
				      const char *prefix)
{
	struct section *s;
	uint64_t off;
	struct symbol *sym;

	if (!reloc_target(r, &s, &off) || !(sym = elf_symbol_at(ef, s, off)))
		return NULL;
	return str_starts(sym->name, prefix) && sym->s.st_value == off ? sym : NULL;
}

static bool points_to_funcs(const struct elf_file *ef, const struct reloc *r)
{
	return points_to_array(ef, r, "lpatch_funcs_") != NULL;
}

static void read_funcs(struct patch_info *pi, const char *object, const struct symbol *arr)
{
	size_t n = count_relocs(arr, points_to_code), stride;
	const unsigned char *d = elf_section_data(arr->sec);

	if (!n || arr->s.st_size % (n + 1) || !d)
		return;
	stride = arr->s.st_size / (n + 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t at = arr->s.st_value + i * stride;
		const char *name = elf_reloc_string(elf_reloc_at(arr->sec, at));
		int64_t sympos = 0;

		if (!name)
			continue;
		if (stride >= 24 && at + 24 <= arr->sec->size)
			memcpy(&sympos, d + at + 16, sizeof(sympos));
		patch_info_add_func(pi, object, name, (long)sympos);
	}
}

static void read_replace(const struct elf_file *ef, struct patch_info *pi)
{
	/* struct klp_patch: mod, objs, states, then bool replace at 24 */
	struct symbol *p = elf_find_symbol(ef, "lpatch_patch");
	const unsigned char *d;

	if (pi->replace >= 0 || !p || !p->sec || p->s.st_size < 25 ||
	    !(d = elf_section_data(p->sec)) || p->s.st_value + 25 > p->sec->size)
		return;
	pi->replace = d[p->s.st_value + 24] != 0;
}

void ko_read_klp_structs(struct elf_file *ef, struct patch_info *pi)
{
	struct symbol *objs = elf_find_symbol(ef, "lpatch_objs");
	size_t n, stride;

	read_replace(ef, pi);
	if (!objs || !objs->sec || objs->type != STT_OBJECT)
		return;
	n = count_relocs(objs, points_to_funcs);
	if (!n || objs->s.st_size % (n + 1))
		return;
	stride = objs->s.st_size / (n + 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t at = objs->s.st_value + i * stride;
		const char *name = elf_reloc_string(elf_reloc_at(objs->sec, at));
		struct reloc *fr = elf_reloc_at(objs->sec, at + 8);
		struct symbol *funcs = fr ? points_to_array(ef, fr, "lpatch_funcs_") : NULL;

		if (funcs)
			read_funcs(pi, name ? name : "vmlinux", funcs);
	}
}
