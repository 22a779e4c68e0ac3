/* From the differ's output objects to one .lpatch file. */
#include "user/patchwrite.h"

#include "elf/eh.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/strset.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct merge {
	struct elf_file *out;
	struct section **secmap;	/* of the part being copied */
	struct symbol **symmap;
};

static int copy_part(struct merge *m, struct elf_file *in, const char *object)
{
	m->secmap = xcalloc(in->nsec, sizeof(*m->secmap));
	m->symmap = xcalloc(in->nsym, sizeof(*m->symmap));
	for (size_t i = 1; i < in->nsec; i++) {
		struct section *s = in->sec[i];
		if (s->base || s->sh.sh_type == SHT_RELA || s->sh.sh_type == SHT_SYMTAB ||
		    s->sh.sh_type == SHT_STRTAB)
			continue;
		m->secmap[i] = elf_add_section(m->out, s->name, s->sh.sh_type, s->sh.sh_flags,
					       s->sh.sh_type == SHT_NOBITS ? NULL : s->data, s->size,
					       s->sh.sh_addralign, s->sh.sh_entsize);
	}
	for (size_t i = 1; i < in->nsym; i++) {
		struct symbol *s = in->sym[i], *n;

		if (s->type == STT_SECTION) {
			n = s->sec && m->secmap[s->sec->index] ? elf_section_symbol(m->secmap[s->sec->index])
							       : NULL;
		} else if (!s->sec && s->s.st_shndx == SHN_UNDEF) {
			n = elf_undefined_symbol(m->out, s->name);
		} else if (s->sec && !m->secmap[s->sec->index]) {
			n = NULL;
		} else {
			if (s->bind != STB_LOCAL && s->sec && elf_find_symbol(m->out, s->name) &&
			    elf_find_symbol(m->out, s->name)->sec) {
				lp_err("%s defines %s, which another changed object defines too", object,
				       s->name);
				return -1;
			}
			n = elf_add_symbol(m->out, s->name, s->type, s->bind,
					   s->sec ? m->secmap[s->sec->index] : NULL, s->s.st_shndx,
					   s->s.st_value, s->s.st_size);
			n->s.st_other = s->s.st_other;
		}
		m->symmap[i] = n;
	}
	for (size_t i = 1; i < in->nsec; i++) {
		struct section *s = in->sec[i];
		if (!m->secmap[i] || !s->rela)
			continue;
		for (size_t k = 0; k < s->rela->nrel; k++) {
			struct reloc *r = &s->rela->rel[k];
			if (!m->symmap[r->sym->index]) {
				lp_err("%s: relocation in %s against %s, which the patch lacks", object,
				       s->name, r->sym->name);
				return -1;
			}
			elf_add_reloc(m->secmap[i], r->offset, r->type, m->symmap[r->sym->index],
				      r->addend);
		}
	}
	return 0;
}

struct ehbuf {
	struct strbuf bytes;
	struct { uint64_t off; uint32_t type; struct symbol *sym; int64_t addend; } *rel;
	size_t nrel, relcap;
};

static void eh_reloc(struct ehbuf *eb, uint64_t off, uint32_t type, struct symbol *sym,
		     int64_t addend)
{
	ARRAY_PUSH(eb->rel, eb->nrel, eb->relcap);
	eb->rel[eb->nrel - 1].off = off;
	eb->rel[eb->nrel - 1].type = type;
	eb->rel[eb->nrel - 1].sym = sym;
	eb->rel[eb->nrel - 1].addend = addend;
}

/* The patch's symbol for what a relocation of the patched object's .eh_frame points at. */
static struct symbol *eh_target(struct merge *m, struct elf_file *dout, struct reloc *r,
				int64_t *addend)
{
	struct section *sec = r->sym->sec, *o;

	*addend = r->addend;
	if (!sec)
		return elf_undefined_symbol(m->out, r->sym->name);
	o = elf_find_section(dout, sec->name);
	if (!o || !m->secmap[o->index])
		return NULL;
	if (r->sym->type != STT_SECTION)
		*addend += (int64_t)r->sym->s.st_value;
	return elf_section_symbol(m->secmap[o->index]);
}

/*
 * What a relocation of the patched object's unwind data points at that the
 * differ left out: a C++ exception's data, carried so that the process's
 * unwinder (libgcc) runs the patch's handlers (docs/design.md, "exceptions
 * through patched code"). DW.ref.NAME, the pointer the personality routine
 * and the type table read NAME through, becomes a read-only slot of the
 * patch bound to the process's NAME at load time; a .gcc_except_table
 * section (a function's LSDA) is copied with its relocations; a global
 * symbol (a type's typeinfo in a COMDAT group) binds by name. NULL: none.
 */
static struct symbol *eh_extra(struct merge *m, struct elf_file *dout, struct elf_file *ef,
			       struct section **lsda, struct reloc *r, int64_t *addend);

static struct symbol *eh_symbol(struct merge *m, struct elf_file *dout, struct elf_file *ef,
				struct section **lsda, struct reloc *r, int64_t *addend)
{
	struct symbol *t = eh_target(m, dout, r, addend);

	return t ? t : eh_extra(m, dout, ef, lsda, r, addend);
}

static struct symbol *eh_extra(struct merge *m, struct elf_file *dout, struct elf_file *ef,
			       struct section **lsda, struct reloc *r, int64_t *addend)
{
	struct symbol *sym = r->sym;
	struct section *sec = sym->sec, *out;

	*addend = r->addend;
	if (sym->name && str_starts(sym->name, "DW.ref.") && sym->type != STT_SECTION) {
		static const unsigned char zero[8];
		char *name = xasprintf(".rodata.lpatch.%s", sym->name);

		out = elf_find_section(m->out, name);
		if (!out) {
			out = elf_add_section(m->out, name, SHT_PROGBITS, SHF_ALLOC, zero, 8, 8, 0);
			elf_add_reloc(out, 0, R_X86_64_64,
				      elf_undefined_symbol(m->out, sym->name + 7), 0);
		}
		free(name);
		return elf_section_symbol(out);
	}
	if (sec && str_starts(sec->name, ".gcc_except_table")) {
		size_t idx = 0;
		const unsigned char *d = elf_section_data(sec);

		if (sym->type != STT_SECTION)
			*addend += (int64_t)sym->s.st_value;
		if (lsda[sec->index])
			return elf_section_symbol(lsda[sec->index]);
		if (!d && sec->size)
			return NULL;
		out = elf_add_section(m->out, sec->name, SHT_PROGBITS, SHF_ALLOC, d, sec->size,
				      sec->sh.sh_addralign, 0);
		lsda[sec->index] = out;
		for (struct reloc *k = elf_reloc_in(sec, 0, sec->size, &idx); k;
		     k = sec->rela && idx < sec->rela->nrel ? &sec->rela->rel[idx++] : NULL) {
			int64_t a;
			struct symbol *t = eh_symbol(m, dout, ef, lsda, k, &a);

			if (!t) {
				lp_err("%s: the exception table %s refers to %s, which the patch "
				       "cannot carry", ef->path, sec->name, k->sym->name);
				return NULL;
			}
			elf_add_reloc(out, k->offset, k->type, t, a);
		}
		return elf_section_symbol(out);
	}
	if (sec && sym->type != STT_SECTION && sym->bind != STB_LOCAL && sym->name)
		return elf_undefined_symbol(m->out, sym->name);
	return NULL;
}

/*
 * The unwind entries of the functions the patch carries: every CIE of the
 * patched object, and the FDEs whose code came along (CIE pointers redone),
 * with their exception tables (eh_extra).
 */
static int take_eh_frame(struct merge *m, struct elf_file *dout, const char *patched,
			 struct ehbuf *eb)
{
	struct elf_file *ef = elf_open(patched, 0);
	struct section *eh = ef ? elf_find_section(ef, ".eh_frame") : NULL;
	struct section **lsda = NULL;
	uint64_t *cie_at = NULL, next = 0;
	struct eh_record rec;
	const unsigned char *d;
	int ret = 0;

	if (!ef)
		return -1;
	if (!eh || !(d = elf_section_data(eh))) {
		elf_close(ef);
		return 0;
	}
	cie_at = xcalloc(eh->size / 4 + 1, sizeof(*cie_at));
	lsda = xcalloc(ef->nsec, sizeof(*lsda));
	while (!ret && eh_next(d, eh->size, &next, &rec)) {
		uint64_t at = eb->bytes.len, k, off = rec.off, end = off + rec.size;
		uint32_t id = rec.id;
		struct reloc *r;
		int64_t addend;
		struct symbol *target = NULL;
		size_t idx = 0;		/* elf_reloc_in: 0 searches, else where to go on */

		if (id) {
			r = elf_reloc_at(eh, off + 8);
			target = r ? eh_target(m, dout, r, &addend) : NULL;
			if (!target || off + 4 < id || !cie_at[(off + 4 - id) / 4])
				continue;	/* a function the patch does not carry */
		}
		sb_addn(&eb->bytes, (const char *)d + off, (size_t)rec.size);
		if (!id) {
			cie_at[off / 4] = at + 1;
		} else {
			uint32_t ptr = (uint32_t)(at + 4 - (cie_at[(off + 4 - id) / 4] - 1));
			memcpy(eb->bytes.buf + at + 4, &ptr, 4);
		}
		/* Every relocation inside the entry (pc_begin, an LSDA pointer): idx is the next. */
		for (r = elf_reloc_in(eh, off, end, &idx); r;
		     r = idx < eh->rela->nrel && eh->rela->rel[idx].offset < end
				 ? &eh->rela->rel[idx++] : NULL) {
			struct symbol *t = eh_symbol(m, dout, ef, lsda, r, &addend);

			if (!t) {
				lp_err("%s: unwind entry refers to %s, which the patch lacks", patched,
				       r->sym->sec && r->sym->type == STT_SECTION ? r->sym->sec->name
										  : r->sym->name);
				ret = -1;
				break;
			}
			k = r->offset - off + at;
			eh_reloc(eb, k, r->type, t, addend);
		}
	}
	free(cie_at);
	free(lsda);
	elf_close(ef);
	return ret;
}

/* The target's symbol a name binds to (the patched source file's static first). */
static struct symbol *target_symbol(struct parent *t, const char *name, const char *source)
{
	struct symbol *s = parent_symbol(t, name, source, true);

	return s ? s : parent_symbol(t, name, source, false);
}

/* cold=NAME ADDRESS SIZE: the .cold part of function name, if it has one. */
static void add_cold(struct strbuf *sb, struct parent *t, const char *name, const char *source)
{
	char *cold = xasprintf("%s.cold", name);
	struct symbol *c = parent_symbol(t, cold, source, true);

	if (!c)
		c = parent_symbol(t, cold, source, false);
	if (c && c->type == STT_FUNC)
		sb_addf(sb, "cold=%s %" PRIx64 " %" PRIu64 "\n", name, (uint64_t)c->s.st_value,
			(uint64_t)c->s.st_size);
	free(cold);
}

static int add_meta(struct merge *m, struct parent *t, struct user_part *parts, size_t n,
		    const struct patch_meta *meta, struct elf_dyn *dyn)
{
	struct strbuf sb = {0};
	struct strbuf refs = {0};
	struct strset ref_lines = {0}, ref_names = {0};	/* the ref= lines so far, their names */
	int ret = 0;

	sb_addf(&sb, "format=1\nname=%s\nbuild-id=%s\nobject=%s\n", meta->name, meta->build_id,
		meta->object);
	for (size_t p = 0; p < n && !ret; p++) {
		struct diff_result *r = parts[p].res;
		for (size_t i = 0; i < r->nitems; i++) {
			struct diff_item *it = &r->items[i];
			struct symbol *s = elf_find_symbol(r->out, it->name), *ts;
			if (it->kind != DIFF_CHANGED)
				continue;
			ts = s ? parent_symbol(t, it->name, r->source, s->bind == STB_LOCAL) : NULL;
			if (!ts) {
				lp_err("%s: cannot find %s in %s", parts[p].object, it->name, t->path);
				ret = -1;
				break;
			}
			sb_addf(&sb, "func=%s %" PRIx64 " %" PRIu64 "\n", it->name,
				(uint64_t)ts->s.st_value, (uint64_t)ts->s.st_size);
			if (meta->stripped)
				add_cold(&sb, t, it->name, r->source);
		}
		for (size_t i = 0; i < r->nbindings && !ret; i++) {
			struct diff_binding *b = &r->bindings[i];
			struct symbol *ts;
			char *line;

			if (!b->klp) {
				const struct elf_dynsym *imp = elf_dyn_import(dyn, b->symbol);
				if (imp && imp->version) {
					struct symbol *u = elf_undefined_symbol(m->out, b->symbol);
					free(u->name);
					u->name = xasprintf("%s@%s", b->symbol, imp->version);
				}
				continue;
			}
			ts = target_symbol(t, b->symbol, r->source);
			if (!ts) {
				lp_err("%s refers to %s, which %s does not define once", parts[p].object,
				       b->symbol, t->path);
				ret = -1;
				break;
			}
			line = meta->stripped ?
			       xasprintf("ref=%s %" PRIx64 " %s\n", b->symbol, (uint64_t)ts->s.st_value,
					 ts->type == STT_TLS ? "tls" : ts->type == STT_FUNC ? "func" :
					 "object") :
			       xasprintf("ref=%s %" PRIx64 "\n", b->symbol, (uint64_t)ts->s.st_value);
			if (!strset_add(&ref_lines, line)) {
				free(line);
				continue;
			}
			if (!strset_add(&ref_names, b->symbol)) {
				lp_err("the changed objects refer to two different '%s' of %s; lpatch "
				       "cannot bind both by name in one patch", b->symbol, t->path);
				lp_hint("split the diff into one patch per source file");
				ret = -1;
			}
			sb_add(&refs, line);
			free(line);
		}
	}
	if (refs.buf)
		sb_add(&sb, refs.buf);
	if (!ret)
		elf_add_section(m->out, ".lpatch.meta", SHT_PROGBITS, 0, sb.buf, sb.len, 1, 0);
	sb_free(&sb);
	sb_free(&refs);
	strset_free(&ref_lines);
	strset_free(&ref_names);
	return ret;
}

int patchwrite(struct parent *target, struct user_part *parts, size_t nparts,
	       const struct patch_meta *meta, const char *path)
{
	struct merge m = { .out = elf_create(parts[0].res->out) };
	struct ehbuf eb = {0};
	struct elf_dyn *dyn = elf_dyn_read(target->elf);
	struct atomic_out ao;
	int ret = LP_EXIT_FAIL;

	for (size_t p = 0; p < nparts; p++) {
		int r = copy_part(&m, parts[p].res->out, parts[p].object);
		if (!r)
			r = take_eh_frame(&m, parts[p].res->out, parts[p].patched, &eb);
		free(m.secmap);
		free(m.symmap);
		if (r)
			goto out;
	}
	if (eb.bytes.len) {
		struct section *eh = elf_add_section(m.out, ".eh_frame", SHT_X86_64_UNWIND, SHF_ALLOC,
						     eb.bytes.buf, eb.bytes.len, 8, 0);
		for (size_t i = 0; i < eb.nrel; i++)
			elf_add_reloc(eh, eb.rel[i].off, eb.rel[i].type, eb.rel[i].sym, eb.rel[i].addend);
	}
	if (add_meta(&m, target, parts, nparts, meta, dyn))
		goto out;
	if (atomic_begin(&ao, path))
		goto out;
	if (elf_write(m.out, ao.tmp) || atomic_commit(&ao)) {
		atomic_abort(&ao);
		goto out;
	}
	ret = LP_EXIT_OK;
out:
	elf_dyn_free(dyn);
	sb_free(&eb.bytes);
	free(eb.rel);
	elf_close(m.out);
	return ret;
}
