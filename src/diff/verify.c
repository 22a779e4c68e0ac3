/*
 * A compiled function against the target's: instruction by instruction,
 * decoded (src/diff/insn.c), comparing what each does rather than how the
 * assembler encoded it. Branch, call and data references are compared as
 * what they point at (symbol + offset, an instruction of the function, or
 * the bytes of a merged string), as each side resolves them: a relocation
 * in the compiled object, the linked displacement in the target.
 */
#include "diff/verify.h"

#include "diff/insn.h"
#include "util/log.h"
#include "util/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What verify_function needs beyond the two functions, kept across the
 * functions of one object. */
struct verify_ctx {
	struct elf_file *obj;
	const struct parent *p;
	struct symbol **cover;	/* obj's FUNC and OBJECT symbols by section and value */
	size_t ncover;
	bool indexed;
	struct elf_dyn *dyn;	/* the target's dynamic symbols and relocations, read on first use */
	bool dyn_read;
	struct site *sites;	/* obj's jump-label sites (__jump_table), sorted; read on first use */
	size_t nsites;
	bool sites_read;
};

/* A place in obj's code that its __jump_table names: a static branch. */
struct site {
	size_t sec;		/* section index */
	uint64_t off;		/* section offset */
};

/* One side: a function's bytes and instructions. */
struct code {
	struct elf_file *ef;
	struct section *sec;
	const char *what;	/* "compiled" or the target's path, for messages */
	uint64_t base;		/* section offset of its first byte */
	uint64_t addr;		/* its address (linked) or section offset (relocatable) */
	uint64_t len;
	const unsigned char *bytes;
	bool rel;		/* relocatable: its relocations name the link sites */
	struct insn *in;
	size_t n;
	size_t *rank;		/* rank[k]: instructions other than nops before in[k] */
};

/* ---- jump-label sites ----
 *
 * A static branch is a jmp (2 or 5 bytes) or a nop of that size, named by
 * an entry of __jump_table; the kernel switches it between the two at run
 * time. Where objtool makes the jmp a nop depends on the kernel: per object
 * at compile time, or only when vmlinux and the modules are linked (with
 * CONFIG_X86_KERNEL_IBT, 6.12's), so the object compiled here has a jmp
 * where the target has a nop. Either is the same code.
 */

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* obj's jump-label sites, from the code field (the first, self-relative,
 * 32 bits) of each 16-byte entry of its __jump_table. */
static void read_sites(struct verify_ctx *c)
{
	struct section *jt = elf_find_section(c->obj, "__jump_table");
	size_t idx = 0, cap = 0;
	struct reloc *r;

	c->sites_read = true;
	if (!jt || !jt->rela)
		return;
	while ((r = elf_reloc_in(jt, 0, jt->size, &idx))) {
		if (r->offset % 16 || !r->sym || !r->sym->sec || r->type != R_X86_64_PC32)
			continue;
		*ARRAY_PUSH(c->sites, c->nsites, cap) = (struct site){
			.sec = r->sym->sec->index,
			.off = r->sym->s.st_value + (uint64_t)r->addend };
	}
	qsort(c->sites, c->nsites, sizeof(*c->sites), cmp_site);
}

/* Is function offset off of the object's code o a jump-label site? */
static bool is_site(struct verify_ctx *c, const struct code *o, uint64_t off)
{
	struct site key = { .sec = o->sec->index, .off = o->base + off };

	if (!c->sites_read)
		read_sites(c);
	return c->nsites &&
	       bsearch(&key, c->sites, c->nsites, sizeof(*c->sites), cmp_site) != NULL;
}

static void ranks(struct code *x)
{
	free(x->rank);
	x->rank = xcalloc(x->n + 1, sizeof(*x->rank));
	for (size_t k = 0; k < x->n; k++)
		x->rank[k + 1] = x->rank[k] + !x->in[k].nop;
}

/*
 * Relocation types whose site the linker may rewrite along with bytes
 * around it: relaxation of GOT loads (mov -> lea, call *GOT -> addr32 call,
 * jmp *GOT -> jmp; nop) and of TLS access sequences. The linker keeps their
 * length; what it put there is not compared. [*start, *end) is the extent
 * relative to the relocated field.
 */
static bool relaxed_site(uint32_t type, uint64_t off, uint64_t *start, uint64_t *end)
{
	uint64_t before = 0, after = elf_reloc_width(type);

	switch (type) {
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTTPOFF:
	case R_X86_64_GOTPC32_TLSDESC:
		before = 3;
		break;
	case R_X86_64_TLSGD:	/* data16 lea x@tlsgd(%rip),%rdi; data16 data16 rex64 call */
		before = 4;
		after = 12;
		break;
	case R_X86_64_TLSLD:	/* lea x@tlsld(%rip),%rdi; call __tls_get_addr */
		before = 3;
		after = 9;
		break;
	case R_X86_64_TLSDESC_CALL:
		after = 2;
		break;
	default:
		return false;
	}
	*start = off > before ? off - before : 0;
	*end = off + after;
	return true;
}

/* Mark the relaxed link sites of sec within [base, base + len) in mask. */
static void mask_relocs(struct section *sec, uint64_t base, uint64_t len, unsigned char *mask)
{
	size_t idx = 0;
	struct reloc *r;

	if (!sec || !sec->rela)
		return;
	while ((r = elf_reloc_in(sec, base, base + len, &idx))) {
		uint64_t s, e;

		if (!relaxed_site(r->type, r->offset - base, &s, &e)) {
			s = r->offset - base;
			e = s + elf_reloc_width(r->type);
		}
		for (uint64_t i = s; i < e && i < len; i++)
			mask[i] = 1;
	}
}

/* The bytes of sym in its file: section offset from the address in linked files. */
static const unsigned char *symbol_bytes(struct elf_file *ef, struct symbol *sym, uint64_t *off)
{
	struct section *sec = sym->sec;
	unsigned char *data;

	if (!sec || sec->sh.sh_type != SHT_PROGBITS) {
		lp_err("%s: %s has no code in the file (section %s)", ef->path, sym->name,
		       sec ? sec->name : "none");
		return NULL;
	}
	*off = ef->ehdr.e_type == ET_REL ? sym->s.st_value : sym->s.st_value - sec->sh.sh_addr;
	/* written so that a symbol before its section's address cannot wrap round */
	if ((ef->ehdr.e_type != ET_REL && sym->s.st_value < sec->sh.sh_addr) || *off > sec->size ||
	    sym->s.st_size > sec->size - *off || !(data = elf_section_data(sec))) {
		lp_err("%s: the bytes of %s lie outside its section %s", ef->path, sym->name,
		       sec->name);
		return NULL;
	}
	return data + *off;
}

static void hex(struct strbuf *sb, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%02x", i ? " " : "", p[i]);
}

/* Byte for byte, link sites masked: for code the decoder cannot read. */
static int compare_bytes(const struct code *o, const struct code *t, char **why)
{
	unsigned char *mask;
	struct strbuf sb = {0};
	int ret = 1;

	if (t->len != o->len) {
		if (why)
			*why = xasprintf("it is %" PRIu64 " bytes long as compiled, %" PRIu64
					 " bytes in %s", o->len, t->len, t->what);
		return 0;
	}
	mask = xcalloc(o->len ? o->len : 1, 1);
	mask_relocs(o->sec, o->base, o->len, mask);
	if (t->rel)
		mask_relocs(t->sec, t->base, t->len, mask);
	for (uint64_t i = 0; i < o->len; i++) {
		uint64_t n;

		if (mask[i] || o->bytes[i] == t->bytes[i])
			continue;
		ret = 0;
		if (!why)
			break;
		n = o->len - i < 8 ? o->len - i : 8;
		sb_addf(&sb, "its bytes differ at +0x%" PRIx64 ": compiled ", i);
		hex(&sb, o->bytes + i, n);
		sb_addf(&sb, ", %s has ", t->what);
		hex(&sb, t->bytes + i, n);
		*why = sb_take(&sb);
		break;
	}
	free(mask);
	return ret;
}

/* ---- what a reference points at ---- */

enum ref_kind {
	REF_LOCAL,	/* an instruction of the function itself: off from its start */
	REF_NAME,	/* a symbol by name, + delta */
	REF_PLACE,	/* sec + off, no symbol covering it */
	REF_ADDR,	/* an address of the linked target */
	REF_VALUE,	/* a plain number where the other side has a link site */
};

struct ref {
	enum ref_kind kind;
	const char *name;
	struct section *sec;
	uint64_t off;
	int64_t delta;
	unsigned width;		/* absolute references: the bytes the field holds */
};

static int cmp_cover(const void *a, const void *b)
{
	const struct symbol *x = *(struct symbol *const *)a, *y = *(struct symbol *const *)b;

	if (x->sec->index != y->sec->index)
		return x->sec->index < y->sec->index ? -1 : 1;
	if (x->s.st_value != y->s.st_value)
		return x->s.st_value < y->s.st_value ? -1 : 1;
	/* globals after locals at one place, so that a search ends on the global */
	return (x->bind != STB_LOCAL) - (y->bind != STB_LOCAL);
}

/* The FUNC or OBJECT symbol of obj covering sec + off, or NULL. */
static struct symbol *cover(struct verify_ctx *c, struct section *sec, uint64_t off)
{
	size_t lo = 0, hi;

	if (sec->owner && off >= sec->owner->s.st_value &&
	    off < sec->owner->s.st_value + sec->owner->s.st_size)
		return sec->owner;
	if (!c->indexed) {
		size_t cap = 0;

		for (size_t i = 1; i < c->obj->nsym; i++) {
			struct symbol *s = c->obj->sym[i];
			if (s->sec && s->name[0] && (s->type == STT_FUNC || s->type == STT_OBJECT))
				*ARRAY_PUSH(c->cover, c->ncover, cap) = s;
		}
		qsort(c->cover, c->ncover, sizeof(*c->cover), cmp_cover);
		c->indexed = true;
	}
	/* the last symbol at or before sec + off */
	hi = c->ncover;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct symbol *s = c->cover[mid];
		if (s->sec->index < sec->index ||
		    (s->sec->index == sec->index && s->s.st_value <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0;) {
		struct symbol *s = c->cover[i];
		if (s->sec != sec)
			break;
		if (off < s->s.st_value + s->s.st_size || (!s->s.st_size && off == s->s.st_value))
			return s;
		if (s->s.st_size)	/* an earlier one cannot reach past this one's start */
			break;
	}
	return NULL;
}

/* sec + off as seen from side x: the function itself, a symbol, or a place. */
static struct ref place(struct verify_ctx *c, const struct code *x, struct section *sec,
			uint64_t off, const struct symbol *named)
{
	struct symbol *s;

	if (sec == x->sec && off >= x->base && off <= x->base + x->len)
		return (struct ref){ .kind = REF_LOCAL, .off = off - x->base };
	if (x->ef != c->obj)	/* the target's: matched against the object's name */
		return (struct ref){ .kind = REF_PLACE, .sec = sec, .off = off };
	if (named && named->type != STT_SECTION && named->name[0])
		return (struct ref){ .kind = REF_NAME, .name = named->name,
				     .delta = (int64_t)(off - named->s.st_value) };
	if ((s = cover(c, sec, off)))
		return (struct ref){ .kind = REF_NAME, .name = s->name,
				     .delta = (int64_t)(off - s->s.st_value) };
	return (struct ref){ .kind = REF_PLACE, .sec = sec, .off = off };
}

static bool pc_relative(uint32_t type)
{
	switch (type) {
	case R_X86_64_PC8:
	case R_X86_64_PC16:
	case R_X86_64_PC32:
	case R_X86_64_PC64:
	case R_X86_64_PLT32:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		return true;
	}
	return false;
}

static bool thread_local(uint32_t type)
{
	switch (type) {
	case R_X86_64_TPOFF32:
	case R_X86_64_TPOFF64:
	case R_X86_64_DTPOFF32:
	case R_X86_64_DTPOFF64:
		return true;
	}
	return false;
}

/*
 * What operand op of instruction in of side x points at. rel: the
 * relocation at its field (NULL: none); pc: the field is relative to the
 * next instruction (a branch or RIP-relative operand).
 */
static struct ref resolve(struct verify_ctx *c, const struct code *x, const struct insn *in,
			  const struct insn_op *op, const struct reloc *rel, bool pc)
{
	uint64_t next = x->base + in->off + in->len;	/* section offset of the next insn */

	if (rel) {
		const struct symbol *s = rel->sym;
		int64_t add = rel->addend;
		bool rpc = pc_relative(rel->type);

		if (rpc)	/* S + A - P + next = S + A + (next - P) */
			add += (int64_t)(next - rel->offset);
		if (!s->sec)
			return (struct ref){ .kind = REF_NAME, .name = s->name, .delta = add,
					     .width = rpc ? 0 : op->field_size };
		struct ref r = place(c, x, s->sec, s->s.st_value + (uint64_t)add, s);
		if (!rpc)
			r.width = op->field_size;
		return r;
	}
	if (x->ef == c->obj || x->rel) {
		if (!pc)
			return (struct ref){ .kind = REF_VALUE, .off = (uint64_t)op->value };
		return place(c, x, x->sec, next + (uint64_t)op->value, NULL);
	}
	/* the linked target */
	uint64_t a = pc ? x->addr + in->off + in->len + (uint64_t)op->value : (uint64_t)op->value;

	/* absolute ones too: _THIS_IP_ loads the address of an instruction of
	 * the function, which the object relocates against its own section */
	if (a >= x->addr && a <= x->addr + x->len)
		return (struct ref){ .kind = REF_LOCAL, .off = a - x->addr };
	return (struct ref){ .kind = REF_ADDR, .off = a, .width = pc ? 0 : op->field_size };
}

/* The rank of the instruction at function offset off (the next one that is
 * not a nop), and how far into an instruction off lies (0: at its start). */
static size_t rank_at(const struct code *x, uint64_t off, uint64_t *within)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (x->in[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	*within = 0;
	if (lo < x->n && x->in[lo].off == off)
		return x->rank[lo];
	if (lo == x->n && off >= x->len) {
		*within = off - x->len;
		return x->rank[x->n];
	}
	*within = off - x->in[lo - 1].off;
	return x->rank[lo - 1];
}

struct at_query {
	const struct parent *p;
	const struct ref *t;
	int64_t delta;
	uint64_t mask;
	size_t seen;
};

/* Is ps + delta where the target's reference points? */
static bool at(const struct parent_sym *ps, void *ctx)
{
	struct at_query *q = ctx;
	const struct symbol *s = q->p->elf->sym[ps->order];

	q->seen++;
	if (q->t->kind == REF_PLACE)
		return s->sec == q->t->sec && s->s.st_value + (uint64_t)q->delta == q->t->off;
	return ((ps->addr + (uint64_t)q->delta) & q->mask) == (q->t->off & q->mask);
}

/* The allocated section of a linked file holding addr (*off: where in it), or NULL. */
static struct section *section_at(struct elf_file *ef, uint64_t addr, uint64_t *off)
{
	for (size_t i = 1; i < ef->nsec; i++) {
		struct section *s = ef->sec[i];
		if ((s->sh.sh_flags & SHF_ALLOC) && s->sh.sh_type == SHT_PROGBITS &&
		    addr >= s->sh.sh_addr && addr < s->sh.sh_addr + s->size) {
			*off = addr - s->sh.sh_addr;
			return s;
		}
	}
	return NULL;
}

/* The target's bytes at its reference t (at most *n; *n gets how many). */
static const unsigned char *target_data(const struct code *t, const struct ref *r, size_t *n)
{
	struct section *sec = r->kind == REF_PLACE ? r->sec : NULL;
	uint64_t off = r->off;
	unsigned char *d;

	if (!sec)
		sec = section_at(t->ef, r->off, &off);
	if (!sec || sec->sh.sh_type != SHT_PROGBITS || off >= sec->size ||
	    !(d = elf_section_data(sec)))
		return NULL;
	*n = sec->size - off;
	return d + off;
}

/*
 * The name a PLT entry of the linked target at addr jumps to (through its
 * GOT slot's dynamic relocation), or NULL when addr is no PLT entry. A call
 * to a function of the same library that may be interposed goes there.
 */
static const char *plt_name(struct verify_ctx *c, const struct code *t, uint64_t addr)
{
	struct section *sec = section_at(t->ef, addr, &(uint64_t){0});
	uint64_t off = addr - (sec ? sec->sh.sh_addr : 0), at = addr;
	const unsigned char *d;

	if (!sec || !str_starts(sec->name, ".plt") || !(d = elf_section_data(sec)))
		return NULL;
	if (!c->dyn_read) {
		c->dyn = elf_dyn_read(t->ef);
		c->dyn_read = true;
	}
	if (!c->dyn)
		return NULL;
	/* endbr64; bnd jmp *slot(%rip), or jmp *slot(%rip); push; jmp */
	for (int k = 0; k < 3 && off < sec->size; k++) {
		struct insn in;

		if (insn_decode(d + off, sec->size - off, 0, &in))
			return NULL;
		if (in.jmp && in.nops == 1 && in.op[0].kind == INSN_MEM && in.op[0].rip) {
			uint64_t slot = at + in.len + (uint64_t)in.op[0].value;

			for (size_t i = 0; i < c->dyn->nrel; i++)
				if (c->dyn->rel[i].offset == slot && c->dyn->rel[i].sym)
					return c->dyn->sym[c->dyn->rel[i].sym].name;
			return NULL;
		}
		off += in.len;
		at += in.len;
	}
	return NULL;
}

/* The object's anonymous data at o (a string or constant in a mergeable
 * section) is the same as the target's at t. Other anonymous data (jump
 * tables and the like) is not compared: as before decoding, a link site. */
static bool same_data(const struct code *t, const struct ref *o, const struct ref *tr)
{
	struct section *s = o->sec;
	const unsigned char *a, *b;
	size_t an, bn, n;

	if (!(s->sh.sh_flags & SHF_MERGE))
		return true;
	if (o->off >= s->size || !(a = elf_section_data(s)) || !(b = target_data(t, tr, &bn)))
		return false;
	a += o->off;
	an = s->size - o->off;
	if (s->sh.sh_flags & SHF_STRINGS) {
		const unsigned char *z = memchr(a, 0, an);
		n = z ? (size_t)(z - a) + 1 : an;
	} else {
		size_t es = s->sh.sh_entsize ? s->sh.sh_entsize : 1;
		n = es - o->off % es;
	}
	return n <= bn && n <= an && !memcmp(a, b, n);
}

/* Do o (the object's reference) and t (the target's) point at the same? */
static bool same_ref(struct verify_ctx *c, const struct code *oc, const struct code *tc,
		     const struct ref *o, const struct ref *t)
{
	struct ref end;
	uint64_t ow, tw;

	switch (o->kind) {
	case REF_LOCAL:
		return t->kind == REF_LOCAL &&
		       rank_at(oc, o->off, &ow) == rank_at(tc, t->off, &tw) && ow == tw;
	case REF_NAME:
		if (t->kind == REF_LOCAL && t->off == tc->len) {
			/* just past the target's function: where the next one of
			 * its section starts (kvm.ko's kvm_x86_init calls
			 * kvm_init_xstate_sizes, which ld -r put right after it
			 * in .init.text and resolved): compare as a place */
			end = tc->rel ? (struct ref){ .kind = REF_PLACE, .sec = tc->sec,
						      .off = tc->base + tc->len }
				      : (struct ref){ .kind = REF_ADDR, .off = tc->addr + tc->len };
			t = &end;
		}
		if (t->kind == REF_NAME)
			return !strcmp(o->name, t->name) && o->delta == t->delta;
		if (t->kind == REF_ADDR || t->kind == REF_PLACE) {
			unsigned w = o->width ? o->width : t->width;
			struct at_query q = { .p = c->p, .t = t, .delta = o->delta,
					      .mask = w && w < 8 ? (1ull << (8 * w)) - 1 : ~0ull };

			const char *plt;

			if (parent_each(c->p, o->name, at, &q))
				return true;
			/* through the PLT: to the name its GOT slot is bound to */
			if (t->kind == REF_ADDR && (plt = plt_name(c, tc, t->off)))
				return !strcmp(plt, o->name) && !o->delta;
			/* a name the target does not define (imported through
			 * its GOT): as before decoding, a link site */
			return !q.seen;
		}
		return false;
	case REF_PLACE:
		return (t->kind == REF_ADDR || t->kind == REF_PLACE) && same_data(tc, o, t);
	case REF_ADDR:
	case REF_VALUE:
		break;
	}
	return false;
}

/* ---- instruction by instruction ---- */

static int decode(struct code *x)
{
	size_t bad;

	if (insn_decode_all(x->bytes, x->len, &x->in, &x->n, &bad))
		return -1;
	ranks(x);
	return 0;
}

static const struct reloc *reloc_at(const struct code *x, const struct insn *in,
				    const struct insn_op *op)
{
	if (x->ef->ehdr.e_type != ET_REL || !op->field_size)
		return NULL;
	return elf_reloc_at(x->sec, x->base + in->off + op->field);
}

static void describe(struct strbuf *sb, const struct verify_ctx *c, const struct ref *r)
{
	switch (r->kind) {
	case REF_LOCAL:
		sb_addf(sb, "+0x%" PRIx64 " of the function", r->off);
		return;
	case REF_NAME:
		sb_addf(sb, "%s%+" PRId64, r->name, r->delta);
		return;
	case REF_PLACE:
		sb_addf(sb, "%s+0x%" PRIx64, r->sec->name, r->off);
		return;
	case REF_VALUE:
		sb_addf(sb, "the number 0x%" PRIx64, r->off);
		return;
	case REF_ADDR:
		sb_addf(sb, "0x%" PRIx64, r->off);
		for (size_t i = 0; i < c->p->nsyms; i++) {
			const struct parent_sym *ps = &c->p->syms[i];
			if ((ps->type == STT_FUNC || ps->type == STT_OBJECT) && r->off >= ps->addr &&
			    r->off < ps->addr + ps->size) {
				sb_addf(sb, " (%s+0x%" PRIx64 ")", ps->name, r->off - ps->addr);
				return;
			}
		}
		return;
	}
}

/* Compare operand k of two instructions; on a difference of references,
 * *why_ref gets both (caller frees). */
static bool same_operand(struct verify_ctx *c, const struct code *oc, const struct insn *oi,
			 const struct code *tc, const struct insn *ti, unsigned k, char **why_ref)
{
	const struct insn_op *a = &oi->op[k], *b = &ti->op[k];
	const struct reloc *orel, *trel;
	bool pc;

	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case INSN_REG:
		return a->reg == b->reg;
	case INSN_PTR:
		return a->ptr_seg == b->ptr_seg && a->ptr_off == b->ptr_off;
	case INSN_MEM:
		if (a->size != b->size || a->mtype != b->mtype || a->seg != b->seg ||
		    a->base != b->base || a->index != b->index || a->scale != b->scale)
			return false;
		pc = a->rip;
		break;
	case INSN_IMM:
		if (a->relative != b->relative || (!a->relative && a->size != b->size))
			return false;
		pc = a->relative;
		break;
	default:
		return true;
	}
	orel = reloc_at(oc, oi, a);
	trel = tc->rel ? reloc_at(tc, ti, b) : NULL;
	if (orel && thread_local(orel->type))
		return true;	/* a TLS offset the linker computes: a link site, not compared */
	if (!pc && !orel && !trel)
		return a->value == b->value;

	struct ref o = resolve(c, oc, oi, a, orel, pc), t = resolve(c, tc, ti, b, trel, pc);
	if (same_ref(c, oc, tc, &o, &t))
		return true;
	struct strbuf sb = {0};
	sb_add(&sb, "compiled, it refers to ");
	describe(&sb, c, &o);
	sb_add(&sb, "; in the target, to ");
	describe(&sb, c, &t);
	*why_ref = sb_take(&sb);
	return false;
}

static bool same_insn(struct verify_ctx *c, const struct code *oc, const struct insn *oi,
		      const struct code *tc, const struct insn *ti, char **why_ref)
{
	if (oi->mnemonic != ti->mnemonic || oi->prefixes != ti->prefixes || oi->nops != ti->nops)
		return false;
	for (unsigned k = 0; k < oi->nops; k++)
		if (!same_operand(c, oc, oi, tc, ti, k, why_ref))
			return false;
	return true;
}

/* The end (function offset) of a relaxed link site starting in instruction
 * in of the object, extended to whole instructions; 0 when there is none. */
static uint64_t relaxed_end(const struct code *o, const struct insn *in)
{
	size_t idx = 0;
	const struct reloc *r;
	uint64_t end = 0;

	while ((r = elf_reloc_in(o->sec, o->base + in->off, o->base + in->off + in->len, &idx))) {
		uint64_t s, e;

		if (relaxed_site(r->type, r->offset - o->base, &s, &e) && e > end)
			end = e;
	}
	if (end && end < (uint64_t)in->off + in->len)
		end = in->off + in->len;
	return end;
}

static void text(const struct code *x, const struct insn *in, char *buf, size_t size)
{
	insn_format(x->bytes + in->off, x->len - in->off, in->off, buf, size);
}

static int compare_insns(struct verify_ctx *c, const struct code *o, const struct code *t,
			 char **why)
{
	size_t i = 0, j = 0;
	char a[96], b[96];

	for (;;) {
		char *ref = NULL;
		uint64_t end;

		while (i < o->n && o->in[i].nop)
			i++;
		while (j < t->n && t->in[j].nop)
			j++;
		if (i == o->n && j == t->n)
			return 1;
		if (i == o->n || j == t->n) {
			if (why && i < o->n) {
				text(o, &o->in[i], a, sizeof(a));
				*why = xasprintf("compiled, it goes on at +0x%x with `%s` where the "
						 "function ends in %s", o->in[i].off, a, t->what);
			} else if (why) {
				text(t, &t->in[j], b, sizeof(b));
				*why = xasprintf("compiled, it ends at +0x%" PRIx64 "; %s goes on "
						 "with `%s` at +0x%x", o->len, t->what, b,
						 t->in[j].off);
			}
			return 0;
		}
		if ((end = relaxed_end(o, &o->in[i]))) {
			/* what the linker put there is as long as what it replaced */
			uint64_t want = end - o->in[i].off, got = 0;

			while (i < o->n && o->in[i].off < end)
				i++;
			while (j < t->n && got < want)
				got += t->in[j++].len;
			if (got == want)
				continue;
			if (why)
				*why = xasprintf("the link site at +0x%x (%" PRIu64 " bytes compiled) "
						 "is not %" PRIu64 " bytes in %s", o->in[i - 1].off,
						 want, want, t->what);
			return 0;
		}
		if (same_insn(c, o, &o->in[i], t, &t->in[j], &ref)) {
			i++;
			j++;
			continue;
		}
		if (why) {
			text(o, &o->in[i], a, sizeof(a));
			text(t, &t->in[j], b, sizeof(b));
			*why = xasprintf("its instructions differ at +0x%x: compiled `%s`, %s has "
					 "`%s` at +0x%x%s%s%s", o->in[i].off, a, t->what, b,
					 t->in[j].off, ref ? " (" : "", ref ? ref : "",
					 ref ? ")" : "");
		}
		free(ref);
		return 0;
	}
}

/*
 * The object's jump-label sites that are jmps, each paired with the
 * target's instruction at the same place (the nops before the next
 * instruction, or the next instruction): a nop of the same size, or a jmp
 * of the same size to the same place. Both sides' sites then count as
 * nops, so they neither meet other instructions nor shift the ranks of
 * branch targets. Returns 1 when every site has its match, else 0 (*why:
 * which and what the target has there).
 */
static int pair_sites(struct verify_ctx *c, struct code *o, struct code *t, char **why)
{
	struct { size_t o, t; } *pairs = NULL;
	size_t j = 0, np = 0, cap = 0;
	char a[96], b[96];
	int ret = 1;

	for (size_t i = 0; i < o->n && ret; i++) {
		struct insn *oi = &o->in[i];
		size_t k = j;

		if (!oi->jmp || (oi->len != 2 && oi->len != 5) || !is_site(c, o, oi->off)) {
			if (oi->nop)
				continue;
			while (j < t->n && t->in[j].nop)
				j++;
			if (j < t->n)
				j++;
			continue;
		}
		while (k < t->n && t->in[k].nop && t->in[k].len != oi->len)
			k++;
		if (k < t->n && (t->in[k].nop || (t->in[k].jmp && t->in[k].len == oi->len))) {
			if (!t->in[k].nop) {
				ARRAY_PUSH(pairs, np, cap)->o = i;
				pairs[np - 1].t = k;
			}
			oi->nop = t->in[k].nop = true;
			j = k + 1;
			continue;
		}
		ret = 0;
		if (why) {
			text(o, oi, a, sizeof(a));
			if (j < t->n)
				text(t, &t->in[j], b, sizeof(b));
			*why = xasprintf("the jump-label site at +0x%x (__jump_table), compiled `%s`, "
					 "is neither such a jmp nor a %u-byte nop in %s: it has %s%s%s",
					 oi->off, a, oi->len, t->what, j < t->n ? "`" : "",
					 j < t->n ? b : "the function's end", j < t->n ? "`" : "");
		}
	}
	ranks(o);
	ranks(t);
	for (size_t p = 0; p < np && ret; p++) {
		const struct insn *oi = &o->in[pairs[p].o], *ti = &t->in[pairs[p].t];
		char *ref = NULL;

		if (same_insn(c, o, oi, t, ti, &ref))
			continue;
		ret = 0;
		if (why) {
			text(o, oi, a, sizeof(a));
			text(t, ti, b, sizeof(b));
			*why = xasprintf("the jump-label site at +0x%x goes elsewhere: compiled `%s`, "
					 "%s has `%s`%s%s%s", oi->off, a, t->what, b,
					 ref ? " (" : "", ref ? ref : "", ref ? ")" : "");
		}
		free(ref);
	}
	free(pairs);
	return ret;
}

static int verify_one(struct verify_ctx *c, struct symbol *fn, struct symbol *tsym, char **why)
{
	struct elf_file *target = c->p->elf;
	struct code o = { .ef = c->obj, .sec = fn->sec, .what = "compiled", .len = fn->s.st_size,
			  .rel = true },
		    t = { .ef = target, .sec = tsym->sec, .what = target->path,
			  .len = tsym->s.st_size, .rel = target->ehdr.e_type == ET_REL };
	int ret;

	if (why)
		*why = NULL;
	if (!(o.bytes = symbol_bytes(c->obj, fn, &o.base)) ||
	    !(t.bytes = symbol_bytes(target, tsym, &t.base)))
		return -1;
	o.addr = o.base;
	t.addr = t.rel ? t.base : tsym->s.st_value;
	if (t.rel && elf_section_relocs(t.sec))
		return -1;
	if (decode(&o) || decode(&t))
		ret = compare_bytes(&o, &t, why);
	else if ((ret = pair_sites(c, &o, &t, why)))
		ret = compare_insns(c, &o, &t, why);
	free(o.in);
	free(o.rank);
	free(t.in);
	free(t.rank);
	return ret;
}

int verify_function(struct elf_file *obj, struct symbol *fn, const struct parent *target,
		    struct symbol *tsym, char **why)
{
	struct verify_ctx c = { .obj = obj, .p = target };
	int ret = verify_one(&c, fn, tsym, why);

	free(c.cover);
	free(c.sites);
	elf_dyn_free(c.dyn);
	return ret;
}

int verify_object(const char *path, const struct parent *p, bool weak, struct verify_stats *st,
		  verify_mismatch_fn *report, void *ctx)
{
	struct elf_file *obj = elf_open(path, 0);
	struct verify_ctx c = { .obj = obj, .p = p };
	const char *source;
	int ret = 0;

	*st = (struct verify_stats){0};
	if (!obj)
		return -1;
	source = elf_source_file(obj);
	for (size_t i = 1; i < obj->nsym && ret >= 0; i++) {
		struct symbol *fn = obj->sym[i], *ts;
		char *why = NULL;
		int r;

		if (fn->type != STT_FUNC || !fn->sec || !fn->s.st_size ||
		    (!weak && fn->bind == STB_WEAK))
			continue;
		ts = parent_symbol(p, fn->name, source, fn->bind == STB_LOCAL);
		if (!ts || ts->type != STT_FUNC) {
			st->absent++;	/* inlined everywhere in the target, or not linked in */
			continue;
		}
		st->checked++;
		r = verify_one(&c, fn, ts, &why);
		if (r < 0) {
			ret = -1;
		} else if (!r) {
			st->mismatched++;
			report(ctx, st, fn, source, why);
			ret = 1;
		}
		free(why);
	}
	free(c.cover);
	free(c.sites);
	elf_dyn_free(c.dyn);
	elf_close(obj);
	return ret;
}
