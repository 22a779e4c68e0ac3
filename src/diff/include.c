/*
 * What the patch carries, and how each of its references binds: to a copy
 * inside the patch, to an exported symbol (linked normally), or to a
 * non-exported symbol of the target (a livepatch relocation, with sympos).
 */
#include "internal.h"

#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* A call or tail jump (call/jmp rel32), as opposed to taking an address. */
static bool is_call(const struct section *from, const struct reloc *r)
{
	if (r->type == R_X86_64_PLT32)
		return true;
	const unsigned char *b = from->data;

	if (r->type != R_X86_64_PC32 || !b || r->offset < 1)
		return false;
	/* call rel32, jmp rel32, or jcc rel32 (0f 8x) */
	return b[r->offset - 1] == 0xe8 || b[r->offset - 1] == 0xe9 ||
	       (r->offset >= 2 && b[r->offset - 2] == 0x0f && (b[r->offset - 1] & 0xf0) == 0x80);
}

/* A pointer to a function the target has (not a call, not a table entry of
 * the patch's own code): it means the target's function, which livepatch
 * redirects, never the patch's copy. */
static bool pointer_to_existing(const struct section *from, const struct reloc *r,
				const struct symbol *sym)
{
	/* a .cold part is a piece of its function, never a function of its own */
	return sym->type == STT_FUNC && DSYM(sym)->twin && !is_call(from, r) &&
	       !diff_is_cold_part(sym->name) && !diff_is_special(from);
}

static void add_binding(struct differ *d, const char *name, long pos, bool klp)
{
	struct diff_result *r = d->res;

	for (size_t i = 0; i < r->nbindings; i++)
		if (!strcmp(r->bindings[i].symbol, name) && r->bindings[i].klp == klp &&
		    r->bindings[i].sympos == pos)
			return;
	*ARRAY_PUSH(r->bindings, r->nbindings, r->bindingcap) =
		(struct diff_binding){ .symbol = xstrdup(name), .sympos = pos, .klp = klp };
}

/*
 * A reference to something the target already has. original: a pointer to
 * the target's function where the patch carries a function of that name
 * too; an undefined name cannot sit beside the patch's definition of it in
 * one object, so even an export binds through a livepatch relocation then.
 */
static struct symbol *bind_external(struct differ *d, const struct symbol *sym, bool original,
				    const char *from)
{
	struct parent *p = d->parent;
	bool local = sym->sec && sym->bind == STB_LOCAL;
	const char *why = NULL, *name = sym->sec ? diff_target_name(sym) : sym->name;
	struct symbol *s;
	char *sname;
	long pos;

	/* a module's own exports bind through livepatch relocations too: the
	 * patch must load whether or not that module is loaded */
	if (!local && !original && !strcmp(p->objname, "vmlinux") && parent_exports(p, name)) {
		add_binding(d, name, 0, false);
		return elf_undefined_symbol(d->out, name);
	}
	if (!parent_defines(p, name) && !local) {
		/* undefined in a module: provided by vmlinux or another module's
		 * exports; undefined in an object given as the parent: defined
		 * elsewhere in the kernel, which the object cannot tell about;
		 * a global vmlinux lacks: a new one another object of the patch
		 * defines (the patch module's link joins them, or says it is
		 * undefined) */
		add_binding(d, name, 0, false);
		return elf_undefined_symbol(d->out, name);
	}
	pos = parent_sympos_nth(p, name, diff_symbol_source(d, sym), local,
				local ? diff_local_rank(d, sym) : 0, &why);
	if (pos < 0) {
		diff_refuse(d, name, "%s refers to %s symbol '%s', which cannot be bound in %s: %s",
			    from, local ? "static" : "global", name, p->path, why);
		pos = 0;
	}
	sname = xasprintf(".klp.sym.%s.%s,%ld", p->objname, name, pos);
	s = elf_undefined_symbol(d->out, sname);
	free(sname);
	add_binding(d, name, pos, true);
	return s;
}

static bool carried_section(const struct section *sec)
{
	if (diff_is_strings(sec))
		return true;
	if (sec->owner)
		return false;
	/* constant tables, alternative replacement code and the like; clang's
	 * unnamed per-site data (.data..L__unnamed_1: a UBSAN source location,
	 * whose flag the handler writes), which the target cannot name either */
	return !(sec->sh.sh_flags & SHF_WRITE) || diff_is_special(sec) ||
	       strstr(sec->name, "..L") != NULL;
}

/* Resolve one reference of included code to a symbol of the output. */
static struct symbol *resolve(struct differ *d, struct section *from, const struct reloc *r,
			      int64_t *addend)
{
	struct symbol *sym = r->sym;
	struct dsym *ds;

	*addend = r->addend;
	if (sym->type == STT_SECTION) {
		struct section *sec = sym->sec;
		if (!sec)
			return NULL;
		if (sec->owner && sec->owner->s.st_value == 0 && !diff_sliced_section(sec)) {
			sym = sec->owner;
		} else if (carried_section(sec) || DSEC(sec)->included) {
			return diff_out_symbol(d, sym);
		} else {
			int64_t off = diff_ref_offset(from, r);
			struct symbol *at = off >= 0 ? elf_symbol_at(d->patched, sec, (uint64_t)off) : NULL;
			if (!at) {
				diff_refuse(d, sec->name, "%s refers to %s+0x%llx, where no symbol is",
					    from->name, sec->name, (unsigned long long)off);
				return NULL;
			}
			sym = at;
			*addend -= (int64_t)at->s.st_value;
		}
	}
	if (d->process)
		return diff_process_resolve(d, sym, from->name);
	if (!sym->sec)
		return bind_external(d, sym, false, from->name);
	ds = DSYM(sym);
	if (pointer_to_existing(from, r, sym))
		return bind_external(d, sym, ds->included || ds->status == ST_CHANGED, from->name);
	if (ds->included || DSEC(sym->sec)->included)
		return diff_out_symbol(d, sym);
	if (sym->type == STT_FUNC && (ds->status == ST_NEW ||
				      (ds->status == ST_CHANGED && is_call(from, r))))
		return diff_out_symbol(d, sym);
	if (sym->type == STT_OBJECT && (ds->status == ST_NEW || ds->status == ST_CHANGED))
		return diff_out_symbol(d, sym);
	if (sym->type != STT_FUNC && sym->type != STT_OBJECT) {
		if (carried_section(sym->sec))
			return diff_out_symbol(d, sym);
		diff_refuse(d, sym->name, "%s refers to '%s' (%s), which is neither a function nor "
			    "a variable", from->name, sym->name, sym->sec->name);
		return NULL;
	}
	return bind_external(d, sym, false, from->name);
}

void diff_copy_relocs(struct differ *d, struct section *sec, struct section *out,
		      uint64_t from, uint64_t to, int64_t shift)
{
	size_t idx = 0;
	struct reloc *r;

	while ((r = elf_reloc_in(sec, from, to, &idx))) {
		int64_t addend;
		struct symbol *target = resolve(d, sec, r, &addend);
		if (target)
			elf_add_reloc(out, (uint64_t)((int64_t)r->offset + shift), r->type, target, addend);
	}
}

void diff_include_section(struct differ *d, struct section *sec)
{
	diff_out_section(d, sec);
}

static void drain(struct differ *d)
{
	while (d->nwork) {
		struct section *sec = d->work[--d->nwork];
		diff_copy_relocs(d, sec, DSEC(sec)->out, 0, sec->size, 0);
	}
}

static void include_cold_parts(struct differ *d, struct symbol *hot)
{
	size_t n = strlen(hot->name);

	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i];
		if (s->type == STT_FUNC && s->sec && !strncmp(s->name, hot->name, n) &&
		    str_starts(s->name + n, ".cold"))
			diff_out_section(d, s->sec);
	}
}

/* The symbol namespaces the patched object imports (MODULE_IMPORT_NS: a
 * ".modinfo" entry "[modname.]import_ns=NS"): the patch module imports them
 * too, or modpost and the loader refuse its references to namespaced exports. */
static void carry_namespaces(struct differ *d)
{
	struct section *mi = elf_find_section(d->patched, ".modinfo");
	const char *data = mi ? (const char *)elf_section_data(mi) : NULL;
	struct strbuf sb = {0};
	size_t n = 0;

	for (size_t at = 0; data && at < mi->size; at += strnlen(data + at, mi->size - at) + 1) {
		const char *e = data + at, *ns = strstr(e, "import_ns=");
		if (ns && (ns == e || ns[-1] == '.') && memchr(e, 0, mi->size - at)) {
			sb_addn(&sb, ns, strlen(ns) + 1);
			n++;
		}
	}
	if (n)
		elf_add_section(d->out, ".modinfo", SHT_PROGBITS, SHF_ALLOC, sb.buf, sb.len, 1, 0);
	sb_free(&sb);
}

void diff_include(struct differ *d)
{
	if (!d->process)
		carry_namespaces(d);
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i];
		if (s->type != STT_FUNC || !s->sec || (s->sec->owner != s && !diff_after_prefix(s)) ||
		    diff_gone(d, s->sec) || diff_is_ignored(s->sec))
			continue;
		if (DSYM(s)->status == ST_CHANGED || DSYM(s)->status == ST_NEW) {
			diff_out_section(d, s->sec);
			include_cold_parts(d, s);
		}
	}
	drain(d);
	diff_special_sections(d);
	drain(d);
}
