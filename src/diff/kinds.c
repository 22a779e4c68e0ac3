/* What kind of section or symbol the differ is looking at. */
#include "internal.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

bool diff_is_text(const struct section *sec)
{
	return sec->sh.sh_flags & SHF_EXECINSTR;
}

bool diff_is_strings(const struct section *sec)
{
	return (sec->sh.sh_flags & (SHF_MERGE | SHF_STRINGS)) == (SHF_MERGE | SHF_STRINGS);
}

/* .ref.text is runtime code (__ref: it may refer to init code, but is
 * never freed); .exit.text of a module stays until the module unloads. */
bool diff_is_init(const struct section *sec)
{
	return str_starts(sec->name, ".init.") || str_starts(sec->name, ".meminit.");
}

bool diff_is_exit(const struct section *sec)
{
	return str_starts(sec->name, ".exit.");
}

bool diff_is_ignored(const struct section *sec)
{
	static const char *const prefixes[] = {
		".debug", ".comment", ".note", ".discard", ".initcall", "__ksymtab",
		"___ksymtab", ".modinfo", ".BTF", ".gnu.linkonce.this_module", "__versions",
		".eh_frame", ".llvm", "__patchable_function_entries", ".export_symbol",
		".con_initcall", ".security_initcall", "__param", "__modver", ".init_array",
		".ctors", ".rela", ".symtab", ".strtab", ".shstrtab", "__kcrctab",
		"__kstrtab", ".GCC.command.line",
	};

	if (sec->sh.sh_type == SHT_NULL || sec->sh.sh_type == SHT_GROUP)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (str_starts(sec->name, prefixes[i]))
			return true;
	return false;
}

int64_t diff_target_offset(const struct reloc *r)
{
	bool pc_relative = r->type == R_X86_64_PC32 || r->type == R_X86_64_PLT32 ||
			   r->type == R_X86_64_GOTPCREL || r->type == R_X86_64_GOTPCRELX ||
			   r->type == R_X86_64_REX_GOTPCRELX;

	return r->addend + (pc_relative ? 4 : 0);
}

static bool prefix_name(const char *p, const char *f)
{
	return (str_starts(p, "__pfx_") || str_starts(p, "__cfi_")) && !strcmp(p + 6, f);
}

bool diff_after_prefix(const struct symbol *f)
{
	const struct symbol *o = f->sec ? f->sec->owner : NULL;

	return f->type == STT_FUNC && o && o != f && o->type == STT_FUNC &&
	       f->s.st_value == o->s.st_value + o->s.st_size && prefix_name(o->name, f->name);
}

bool diff_is_prefix(const struct symbol *p)
{
	if (p->type != STT_FUNC || !p->sec || p->sec->owner != p ||
	    !(str_starts(p->name, "__pfx_") || str_starts(p->name, "__cfi_")))
		return false;
	for (size_t i = 1; i < p->elf->nsym; i++)
		if (p->elf->sym[i]->sec == p->sec && diff_after_prefix(p->elf->sym[i]))
			return true;
	return false;
}

const char *diff_symbol_source(const struct differ *d, const struct symbol *sym)
{
	for (size_t i = sym->index; sym->bind == STB_LOCAL && i > 0 && i < sym->elf->nsym; i--)
		if (sym->elf->sym[i]->type == STT_FILE)
			return sym->elf->sym[i]->name;
	return d->source;
}

size_t diff_local_rank(const struct differ *d, const struct symbol *sym)
{
	const struct symbol *o = sym->priv && DSYM(sym)->twin ? DSYM(sym)->twin : sym;
	const char *file = diff_symbol_source(d, o);
	size_t rank = 0, n = 0;

	if (o->bind != STB_LOCAL)
		return 0;
	for (size_t i = 1; i < o->elf->nsym; i++) {
		const struct symbol *s = o->elf->sym[i];
		if (s->bind != STB_LOCAL || s->type != o->type || strcmp(s->name, o->name) ||
		    strcmp(diff_symbol_source(d, s), file))
			continue;
		n++;
		if (s == o)
			rank = n;
	}
	return n > 1 ? rank : 0;
}

const char *diff_target_name(const struct symbol *sym)
{
	const struct symbol *twin = sym->priv ? DSYM(sym)->twin : NULL;

	return twin && twin->sec && sym->sec ? twin->name : sym->name;
}

bool diff_is_cold_part(const char *name)
{
	const char *c = strstr(name, ".cold");

	return c && c != name && (!c[5] || c[5] == '.');
}

char *diff_cold_parent(const char *name)
{
	if (!diff_is_cold_part(name))
		return NULL;
	return xstrndup(name, (size_t)(strstr(name, ".cold") - name));
}

/* Drop every ".N" component the compiler numbers: "calls.3" -> "calls",
 * "f.constprop.0.isra.1" -> "f.constprop.isra". Caller frees. */
char *diff_stripped_name(const char *name)
{
	struct strbuf sb = { 0 };
	const char *p = name;

	sb_add(&sb, "");
	while (*p) {
		const char *dot = strchr(p + 1, '.'), *end = dot ? dot : p + strlen(p);
		bool number = *p == '.' && end > p + 1;

		for (const char *q = p + 1; number && q < end; q++)
			number = *q >= '0' && *q <= '9';
		if (!number || p == name)
			sb_addn(&sb, p, (size_t)(end - p));
		p = end;
	}
	return sb_take(&sb);
}

bool diff_is_numbered(const char *name)
{
	char *s = diff_stripped_name(name);
	bool numbered = strcmp(s, name) != 0;

	free(s);
	return numbered;
}

/*
 * Statics the compiler or a kernel macro makes per call site: once-flags,
 * __func__, switch tables, lockdep keys, ratelimit states, dynamic debug
 * descriptors. They are never correlated with the target's: a patched
 * function gets its own (a fresh once-flag), and its references compare by
 * role (name without number) or content (constants), not by identity.
 */
bool diff_special_static(const struct symbol *s)
{
	static const char *const names[] = {
		"__already_done", "__warned", "__print_once", "__func__", "CSWTCH", "__key",
		"_rs", "descriptor", "__msg", "_entry", "_entry_ptr", "__compound_literal",
		"__fmt", "__tpstrtab", "__UNIQUE_ID_",
	};
	char *base;
	const char *tail;
	bool yes = false;

	if (s->type != STT_OBJECT || s->bind != STB_LOCAL)
		return false;
	base = diff_stripped_name(s->name);
	/* clang names a static local after its function: "f.__key" */
	tail = strrchr(base, '.') ? strrchr(base, '.') + 1 : base;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !yes; i++)
		yes = str_ends(names[i], "_") ? str_starts(base, names[i]) || str_starts(tail, names[i]) :
		      !strcmp(base, names[i]) || !strcmp(tail, names[i]);
	free(base);
	return yes;
}

/* Bytes of immediate after the 4-byte RIP-relative field of the instruction
 * holding it (cmpb $0, x(%rip) has one): decoded from the opcode before the
 * ModRM byte, for the instruction forms GCC emits with memory operands. */
static int64_t imm_after(const struct section *in, uint64_t field)
{
	const unsigned char *b = in->data;
	unsigned char op;
	bool osize = false;
	size_t k;

	if (!b || field < 2 || (b[field - 1] & 0xc7) != 0x05)
		return 0;	/* not ModRM with a RIP-relative operand */
	op = b[field - 2];
	k = field - 2;
	if (k >= 1 && (b[k - 1] & 0xf0) == 0x40)
		k--;		/* REX */
	if (k >= 1 && b[k - 1] == 0x0f)
		return op == 0xba ? 1 : 0;	/* bt* $imm8; other 0f xx take none */
	osize = k >= 1 && b[k - 1] == 0x66;
	switch (op) {
	case 0x80: case 0x83: case 0xc6: case 0xc0: case 0xc1: case 0x6b:
		return 1;
	case 0x81: case 0xc7: case 0x69:
		return osize ? 2 : 4;
	case 0xf6:
		return (b[field - 1] & 0x38) == 0 ? 1 : 0;	/* testb $imm8 */
	case 0xf7:
		return (b[field - 1] & 0x38) == 0 ? (osize ? 2 : 4) : 0;
	}
	return 0;
}

int64_t diff_ref_offset(const struct section *in, const struct reloc *r)
{
	int64_t off = diff_target_offset(r);

	if (in && (r->type == R_X86_64_PC32 || r->type == R_X86_64_PLT32) && in->sh.sh_flags & SHF_EXECINSTR)
		off += imm_after(in, r->offset);
	return off;
}

struct symbol *diff_ref_symbol(const struct section *in, const struct reloc *r, int64_t *addend)
{
	struct symbol *s = r->sym;
	struct section *sec = s->sec;
	int64_t a = r->addend;

	if (s->type == STT_SECTION && sec && sec->priv) {
		if (!DSEC(sec)->shared && sec->owner && sec->owner->s.st_value == 0) {
			s = sec->owner;
		} else if (DSEC(sec)->shared) {
			int64_t off = diff_ref_offset(in, r);
			struct symbol *at = off >= 0 ? elf_symbol_at(sec->elf, sec, (uint64_t)off) : NULL;
			if (at) {
				s = at;
				a -= (int64_t)at->s.st_value;
			}
		}
	}
	if (addend)
		*addend = a;
	return s;
}
