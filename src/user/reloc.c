/* Relocating a patch for its region: GOT slots, call stubs, relocation types. */
#include "user/reloc.h"

#include "user/mem.h"
#include "util/log.h"
#include "util/str.h"

#include <string.h>

static bool is_undef(const struct symbol *sym)
{
	return sym->index && !sym->sec && sym->s.st_shndx == SHN_UNDEF;
}

static struct symaux *aux_of(struct load_plan *lp, const struct symbol *sym)
{
	return &lp->aux[sym->index];
}

static int need_resolved(struct load_plan *lp, struct symbol *sym)
{
	struct symaux *a = aux_of(lp, sym);

	if (!is_undef(sym) || a->resolved)
		return 0;
	if (resolve_symbol(lp->rs, sym->name, &a->res))
		return -1;
	a->resolved = true;
	return 0;
}

/* A function in another object than the target: called through a stub and a slot. */
static bool far_function(const struct load_plan *lp, const struct symaux *a)
{
	return a->resolved && a->res.is_func &&
	       (a->res.kind == RES_SLOT ||
		(a->res.kind == RES_ADDR && strcmp(a->res.where, lp->rs->target->path)));
}

int reloc_count_needs(struct load_plan *lp, struct section *sec, long *tlsld)
{
	struct section *rs = sec->rela;

	for (size_t i = 0; rs && i < rs->nrel; i++) {
		struct reloc *r = &rs->rel[i];
		struct symaux *a = aux_of(lp, r->sym);

		if (r->sym->s.st_shndx == SHN_COMMON) {
			lp_err("%s: %s is a common symbol; compile the patch with -fno-common",
			       lp->pf->path, r->sym->name);
			return -1;
		}
		if (r->sym->sec && lp->sec_off[r->sym->sec->index] == RELOC_NOT_LOADED) {
			lp_err("%s: %s refers to section %s, which is not loaded", lp->pf->path,
			       sec->name, r->sym->sec->name);
			return -1;
		}
		if (need_resolved(lp, r->sym))
			return -1;
		switch (r->type) {
		case R_X86_64_GOTPCREL:
		case R_X86_64_GOTPCRELX:
		case R_X86_64_REX_GOTPCRELX:
		case R_X86_64_GOTPCREL64:
			if (!(a->resolved && a->res.kind == RES_SLOT) && a->got < 0)
				a->got = (long)lp->ngot++;
			break;
		case R_X86_64_PC32:
		case R_X86_64_PLT32:
			if (far_function(lp, a) && a->stub < 0) {
				a->stub = (long)lp->nstub++;
				if (a->res.kind == RES_ADDR && a->got < 0)
					a->got = (long)lp->ngot++;
			}
			break;
		case R_X86_64_TLSGD:
			if (a->tlsgd < 0) {
				a->tlsgd = (long)lp->ngot;
				lp->ngot += 2;
			}
			break;
		case R_X86_64_TLSLD:
			if (*tlsld < 0) {
				*tlsld = (long)lp->ngot;
				lp->ngot += 2;
			}
			break;
		case R_X86_64_GOTTPOFF:
			if (a->tpoff < 0)
				a->tpoff = (long)lp->ngot++;
			break;
		}
	}
	return 0;
}

/* Run-time value of a symbol defined in the patch or resolved as an address. */
int reloc_sym_value(struct load_plan *lp, const struct symbol *sym, uint64_t *v)
{
	const struct symaux *a = &lp->aux[sym->index];

	if (!sym->index) {
		*v = 0;
	} else if (sym->sec) {
		*v = lp->base + lp->sec_off[sym->sec->index] + sym->s.st_value;
	} else if (sym->s.st_shndx == SHN_ABS) {
		*v = sym->s.st_value;
	} else if (a->resolved && a->res.kind == RES_ADDR) {
		*v = a->res.value;
	} else if (a->resolved && a->res.kind == RES_SLOT) {
		/* The target's GOT holds it (lazily bound functions: their PLT, equally callable). */
		if (rmem_read(lp->rs->pm->pid, a->res.value, v, sizeof(*v))) {
			lp_perr("cannot read the GOT slot of %s", sym->name);
			return -1;
		}
	} else {
		lp_err("%s: symbol %s cannot be used here (a thread-local variable?)", lp->pf->path,
		       sym->name);
		return -1;
	}
	return 0;
}

static uint64_t got_addr(const struct load_plan *lp, long slot)
{
	return lp->base + lp->got_off + (uint64_t)slot * 8;
}

static int put(const struct load_plan *lp, const struct section *sec, const struct reloc *r,
	       unsigned char *loc, int64_t val, unsigned width, bool is_signed)
{
	if (width == 4) {
		if (is_signed ? val != (int32_t)val : (uint64_t)val > UINT32_MAX) {
			lp_err("%s: relocation of %s in %s at %#llx is out of range (%#llx)",
			       lp->pf->path, r->sym->name, sec->name, (unsigned long long)r->offset,
			       (unsigned long long)val);
			lp_hint("compile the patch with -fPIC");
			return -1;
		}
		uint32_t v32 = (uint32_t)val;
		memcpy(loc, &v32, 4);
	} else {
		memcpy(loc, &val, 8);
	}
	return 0;
}

static int relocate_one(struct load_plan *lp, struct section *sec, struct reloc *r)
{
	struct symaux *a = aux_of(lp, r->sym);
	uint64_t P = lp->base + lp->sec_off[sec->index] + r->offset, S = 0;
	unsigned char *loc = lp->image + lp->sec_off[sec->index] + r->offset;
	bool tls = a->resolved && a->res.kind == RES_TLS;

	if (r->offset + elf_reloc_width(r->type) > sec->size) {
		lp_err("%s: relocation beyond the end of %s", lp->pf->path, sec->name);
		return -1;
	}
	switch (r->type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
		if (tls || reloc_sym_value(lp, r->sym, &S))
			goto bad;
		return put(lp, sec, r, loc, (int64_t)(S + r->addend), 8, false);
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		if (a->stub >= 0)
			S = lp->base + lp->stub_off + (uint64_t)a->stub * RELOC_STUB_LEN;
		else if (tls)
			goto bad;
		else if (reloc_sym_value(lp, r->sym, &S))
			return -1;
		return put(lp, sec, r, loc, (int64_t)(S + r->addend - P), 4, true);
	case R_X86_64_PC64:
		if (tls || reloc_sym_value(lp, r->sym, &S))
			goto bad;
		return put(lp, sec, r, loc, (int64_t)(S + r->addend - P), 8, true);
	case R_X86_64_32:
	case R_X86_64_32S:
		if (tls || reloc_sym_value(lp, r->sym, &S))
			goto bad;
		return put(lp, sec, r, loc, (int64_t)(S + r->addend), 4, r->type == R_X86_64_32S);
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTPCREL64: {
		uint64_t G = a->got >= 0 ? got_addr(lp, a->got) : a->res.value;
		return put(lp, sec, r, loc, (int64_t)(G + r->addend - P),
			   r->type == R_X86_64_GOTPCREL64 ? 8 : 4, true);
	}
	case R_X86_64_TLSGD:
		if (!tls)
			goto bad;
		return put(lp, sec, r, loc, (int64_t)(got_addr(lp, a->tlsgd) + r->addend - P), 4, true);
	case R_X86_64_TLSLD:
		return put(lp, sec, r, loc, (int64_t)(got_addr(lp, lp->tlsld) + r->addend - P), 4, true);
	case R_X86_64_DTPOFF32:
	case R_X86_64_DTPOFF64:
		if (!tls)
			goto bad;
		return put(lp, sec, r, loc, (int64_t)(a->res.tls_offset + r->addend),
			   r->type == R_X86_64_DTPOFF32 ? 4 : 8, true);
	case R_X86_64_GOTTPOFF:
		if (!tls)
			goto bad;
		return put(lp, sec, r, loc, (int64_t)(got_addr(lp, a->tpoff) + r->addend - P), 4, true);
	case R_X86_64_TPOFF32:
	case R_X86_64_TPOFF64:
		if (!tls)
			goto bad;
		return put(lp, sec, r, loc, a->res.tls_tpoff + r->addend,
			   r->type == R_X86_64_TPOFF32 ? 4 : 8, true);
	default:
		lp_err("%s: relocation type %u (against %s in %s) is not supported", lp->pf->path,
		       r->type, r->sym->name, sec->name);
		return -1;
	}
bad:
	lp_err("%s: relocation type %u cannot refer to %s%s", lp->pf->path, r->type, r->sym->name,
	       tls ? " (a thread-local variable)" : "");
	return -1;
}

static int fill_slots(struct load_plan *lp)
{
	uint64_t *got = (uint64_t *)(lp->image + lp->got_off);
	unsigned char *stubs = lp->image + lp->stub_off;

	for (size_t i = 1; i < lp->pf->ef->nsym; i++) {
		struct symbol *sym = lp->pf->ef->sym[i];
		struct symaux *a = &lp->aux[i];

		if (a->got >= 0 && reloc_sym_value(lp, sym, &got[a->got]))
			return -1;
		if (a->tlsgd >= 0) {
			got[a->tlsgd] = a->res.tls_modid;
			got[a->tlsgd + 1] = a->res.tls_offset;
		}
		if (a->tpoff >= 0)
			got[a->tpoff] = (uint64_t)a->res.tls_tpoff;
		if (lp->tlsld >= 0 && a->resolved && a->res.kind == RES_TLS) {
			got[lp->tlsld] = a->res.tls_modid;
			got[lp->tlsld + 1] = 0;
		}
		if (a->stub >= 0) {
			/* jmp *slot(%rip): the target's own GOT slot, or ours. */
			unsigned char *st = stubs + (size_t)a->stub * RELOC_STUB_LEN;
			uint64_t at = lp->base + lp->stub_off + (uint64_t)a->stub * RELOC_STUB_LEN;
			uint64_t slot = a->got >= 0 ? got_addr(lp, a->got) : a->res.value;
			int64_t rel = (int64_t)(slot - (at + 6));
			int32_t rel32 = (int32_t)rel;

			if (rel != rel32) {
				lp_err("the GOT slot of %s is out of reach of the patch", sym->name);
				return -1;
			}
			st[0] = 0xff;
			st[1] = 0x25;
			memcpy(st + 2, &rel32, 4);
			st[6] = st[7] = 0xcc;
		}
	}
	return 0;
}

int reloc_apply(struct load_plan *lp)
{
	struct elf_file *ef = lp->pf->ef;

	for (size_t i = 1; i < ef->nsec; i++) {
		struct section *sec = ef->sec[i];

		if (lp->sec_off[i] == RELOC_NOT_LOADED || !sec->rela)
			continue;
		for (size_t k = 0; k < sec->rela->nrel; k++)
			if (relocate_one(lp, sec, &sec->rela->rel[k]))
				return -1;
	}
	return fill_slots(lp);
}
