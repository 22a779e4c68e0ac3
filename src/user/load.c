/* Laying out and mapping a patch in the target process (relocation: reloc.c). */
#include "user/load.h"

#include "elf/eh.h"
#include "user/consistency.h"
#include "user/mem.h"
#include "user/placement.h"
#include "user/redirect.h"
#include "user/reloc.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum area { A_NONE, A_TEXT, A_RO, A_RW };

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) & ~(a - 1) : v;
}

static int classify(const struct user_patch *pf, const struct section *sec, enum area *area)
{
	GElf_Xword f = sec->sh.sh_flags;

	*area = A_NONE;
	if (!(f & SHF_ALLOC) || sec->sh.sh_type == SHT_NOTE || str_starts(sec->name, ".lpatch"))
		return 0;
	if (f & SHF_TLS) {
		lp_err("%s: section %s defines new thread-local variables; not supported",
		       pf->path, sec->name);
		return -1;
	}
	if (sec->sh.sh_type == SHT_INIT_ARRAY || sec->sh.sh_type == SHT_FINI_ARRAY ||
	    sec->sh.sh_type == SHT_PREINIT_ARRAY) {
		lp_err("%s: section %s holds constructors, which a loaded patch never runs",
		       pf->path, sec->name);
		return -1;
	}
	if ((f & SHF_EXECINSTR) && (f & SHF_WRITE)) {
		lp_err("%s: section %s is writable and executable; refused", pf->path, sec->name);
		return -1;
	}
	*area = (f & SHF_EXECINSTR) ? A_TEXT : (f & SHF_WRITE) ? A_RW : A_RO;
	return 0;
}

static size_t count_fdes(const struct section *eh)
{
	struct eh_record rec;
	uint64_t off = 0;
	size_t n = 0;

	while (eh_next(eh->data, eh->size, &off, &rec))
		n += rec.id != 0;
	return n;
}

int load_plan(struct user_patch *pf, struct resolver *rs, struct load_plan *lp)
{
	struct elf_file *ef = pf->ef;
	uint64_t off[4] = { 0 }, ro_size;
	size_t strings = 0;

	memset(lp, 0, sizeof(*lp));
	lp->pf = pf;
	lp->rs = rs;
	lp->aux = xcalloc(ef->nsym, sizeof(*lp->aux));
	for (size_t i = 0; i < ef->nsym; i++)
		lp->aux[i].got = lp->aux[i].stub = lp->aux[i].tlsgd = lp->aux[i].tpoff = -1;
	lp->sec_off = xcalloc(ef->nsec, sizeof(*lp->sec_off));
	/* Offsets within each area first; areas are placed once their sizes are known. */
	enum area *areas = xcalloc(ef->nsec, sizeof(*areas));
	for (size_t i = 0; i < ef->nsec; i++) {
		struct section *sec = ef->sec[i];

		lp->sec_off[i] = RELOC_NOT_LOADED;
		if (i && classify(pf, sec, &areas[i])) {
			free(areas);
			return -1;
		}
		if (areas[i] == A_NONE)
			continue;
		if (sec->sh.sh_type != SHT_NOBITS && sec->size && !elf_section_data(sec)) {
			free(areas);
			return -1;
		}
		off[areas[i]] = align_up(off[areas[i]], sec->sh.sh_addralign);
		lp->sec_off[i] = off[areas[i]];
		off[areas[i]] += sec->size;
		if (!strcmp(sec->name, ".eh_frame")) {
			lp->eh = sec;
			off[areas[i]] += 4;	/* the zero terminator libgcc's walk ends at */
		}
	}
	lp->rw_data = off[A_RW];
	if (lp->eh) {
		/* libgcc's record of the registered entries (state.h, ehreg.h) */
		off[A_RW] = align_up(off[A_RW], 16);
		lp->ehobj_off = off[A_RW];
		off[A_RW] += LP_EH_OBJECT_SIZE;
	}
	lp->tlsld = -1;
	for (size_t i = 0; i < ef->nsec; i++)
		if (areas[i] != A_NONE && reloc_count_needs(lp, ef->sec[i], &lp->tlsld)) {
			free(areas);
			return -1;
		}
	lp->nfde = lp->eh ? count_fdes(lp->eh) : 0;

	for (size_t i = 0; i < pf->nfuncs; i++)
		strings += strlen(pf->funcs[i].name) + 1;
	lp->hdr_size = align_up(sizeof(struct lp_region_hdr) +
				pf->nfuncs * sizeof(struct lp_region_func) + strings, 8) +
		       sizeof(struct lp_region_eh);
	lp->text_off = page_up(lp->hdr_size);
	lp->stub_off = align_up(off[A_TEXT], RELOC_STUB_LEN);
	/* then a page of trampolines (consistency.h) */
	lp->text_size = page_up(lp->stub_off + lp->nstub * RELOC_STUB_LEN) + TRAMP_PAGE;
	lp->ro_off = lp->text_off + lp->text_size;
	lp->got_off = align_up(off[A_RO], 8);
	lp->ehtab_off = lp->got_off + lp->ngot * 8;
	ro_size = page_up(lp->ehtab_off + lp->nfde * 8);
	lp->rw_off = lp->ro_off + ro_size;
	lp->rw_size = page_up(off[A_RW]);
	lp->size = lp->rw_off + lp->rw_size;
	/* From area offsets to region offsets. */
	for (size_t i = 0; i < ef->nsec; i++)
		if (areas[i] != A_NONE)
			lp->sec_off[i] += areas[i] == A_TEXT ? lp->text_off :
					  areas[i] == A_RO ? lp->ro_off : lp->rw_off;
	lp->stub_off += lp->text_off;
	lp->got_off += lp->ro_off;
	lp->ehtab_off += lp->ro_off;
	if (lp->eh)
		lp->ehobj_off += lp->rw_off;
	free(areas);
	return 0;
}

struct fde_ent {
	int32_t start, fde;
};

static int cmp_fde(const void *a, const void *b)
{
	const struct fde_ent *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The patch code's unwind table, laid out like .eh_frame_hdr's (see unwind.c). */
static void build_eh_table(struct load_plan *lp)
{
	struct fde_ent *tab = (struct fde_ent *)(lp->image + lp->ehtab_off);
	struct eh_record rec;
	uint64_t off = 0;
	size_t n = 0;

	while (lp->eh && n < lp->nfde && eh_next(lp->eh->data, lp->eh->size, &off, &rec)) {
		/* An FDE's initial location, right after its CIE pointer. */
		struct reloc *r = rec.id ? elf_reloc_at(lp->eh, rec.off + 8) : NULL;
		uint64_t start;

		if (r && r->sym->sec && lp->sec_off[r->sym->sec->index] != RELOC_NOT_LOADED &&
		    (r->sym->sec->sh.sh_flags & SHF_EXECINSTR)) {
			reloc_sym_value(lp, r->sym, &start);
			tab[n].start = (int32_t)(start + r->addend - lp->base);
			tab[n].fde = (int32_t)(lp->sec_off[lp->eh->index] + rec.off);
			n++;
		}
	}
	lp->nfde = n;
	qsort(tab, n, sizeof(*tab), cmp_fde);
}

int load_prepare(struct load_plan *lp, pid_t pid, const struct applied *a, size_t na)
{
	const struct proc_object *o = lp->rs->target;

	lp->funcs = xcalloc(lp->pf->nfuncs, sizeof(*lp->funcs));
	for (size_t i = 0; i < lp->pf->nfuncs; i++) {
		const struct patch_func *pf = &lp->pf->funcs[i];
		struct lp_region_func *f = &lp->funcs[i];
		int rc;

		f->old_addr = o->bias + pf->addr;
		f->old_size = pf->size;
		if (resolver_stripped(lp->rs)) {
			f->cold_addr = pf->cold_size ? o->bias + pf->cold_addr : 0;
			f->cold_size = pf->cold_size;
		} else {
			resolver_cold_part(lp->rs, resolver_func_at(lp->rs, pf->addr), pf->name,
					   &f->cold_addr, &f->cold_size);
		}
		if ((rc = redirect_prepare(pid, a, na, f, pf->name)))
			return rc;
	}
	return 0;
}

static void build_header(struct load_plan *lp, uint64_t seq)
{
	struct lp_region_hdr *h = load_hdr(lp);
	const struct proc_object *o = lp->rs->target;
	size_t str = sizeof(*h) + lp->pf->nfuncs * sizeof(h->funcs[0]);

	memcpy(h->magic, LP_REGION_MAGIC, 8);
	h->version = 1;
	h->state = REGION_LOADED;
	h->seq = seq;
	h->size = lp->size;
	h->applied_at = (uint64_t)time(NULL);
	h->object_bias = o->bias;
	h->text_lo = lp->base + lp->text_off;
	h->text_hi = lp->base + lp->stub_off + lp->nstub * RELOC_STUB_LEN;
	h->eh_table = lp->base + lp->ehtab_off;
	h->eh_count = lp->nfde;
	h->nfuncs = (uint32_t)lp->pf->nfuncs;
	h->hdr_size = (uint32_t)lp->hdr_size;
	snprintf(h->name, sizeof(h->name), "%s", lp->pf->name);
	snprintf(h->build_id, sizeof(h->build_id), "%s", lp->pf->build_id);
	snprintf(h->object, sizeof(h->object), "%s", o->path);
	for (size_t i = 0; i < lp->pf->nfuncs; i++) {
		struct patch_func *pf = &lp->pf->funcs[i];
		struct lp_region_func *f = &h->funcs[i];

		*f = lp->funcs[i];
		reloc_sym_value(lp, pf->sym, &f->new_addr);
		f->new_size = pf->sym->s.st_size;
		f->name_off = (uint32_t)str;
		strcpy((char *)lp->image + str, pf->name);
		str += strlen(pf->name) + 1;
	}
	{
		struct lp_region_eh *eh = (struct lp_region_eh *)(lp->image + lp->hdr_size -
								   sizeof(*eh));
		memcpy(eh->magic, LP_REGION_EH_MAGIC, 8);
		eh->state = EH_NONE;
		if (lp->eh && lp->nfde) {
			eh->frame = lp->base + lp->sec_off[lp->eh->index];
			eh->object = lp->base + lp->ehobj_off;
		}
	}
}

static int build_image(struct load_plan *lp, uint64_t seq)
{
	struct elf_file *ef = lp->pf->ef;

	free(lp->image);
	lp->image = xcalloc(1, lp->size);
	for (size_t i = 1; i < ef->nsec; i++)
		if (lp->sec_off[i] != RELOC_NOT_LOADED && ef->sec[i]->sh.sh_type != SHT_NOBITS &&
		    ef->sec[i]->size)
			memcpy(lp->image + lp->sec_off[i], ef->sec[i]->data, ef->sec[i]->size);
	if (reloc_apply(lp))
		return -1;
	tramp_fill(lp->image + load_tramp_off(lp));
	build_eh_table(lp);
	build_header(lp, seq);
	return 0;
}

static int rsys(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *gadget,
		long nr, long a0,
		long a1, long a2, long a3, long a4, long a5, long *ret)
{
	const long args[6] = { a0, a1, a2, a3, a4, a5 };
	return remote_syscall(s, t, gadget, nr, args, ret);
}

/*
 * munmap or mprotect (what) of the region: 0, or -1 with the error printed,
 * remote_syscall's when the injection failed, the call's own otherwise.
 */
static int region_call(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *gadget,
		       const char *what, long nr, uint64_t addr, uint64_t len, int prot)
{
	long ret;

	if (rsys(s, t, gadget, nr, (long)addr, (long)len, prot, 0, 0, 0, &ret))
		return -1;
	if (ret) {
		lp_err("process %d: %s of the patch region failed: %s", (int)s->pid, what,
		       strerror((int)-ret));
		return -1;
	}
	return 0;
}

int load_unmap(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *gadget,
	       uint64_t base,
	       uint64_t size)
{
	return region_call(s, t, gadget, "munmap", SYS_munmap, base, size, 0);
}

int load_map(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *gadget,
	     const struct proc_maps *pm, struct load_plan *lp, uint64_t seq)
{
	const struct proc_object *o = lp->rs->target;
	uint64_t avoid = 0;
	long ret;

	for (int tries = 0;; tries++) {
		uint64_t at = place_near(pm, o->lo, o->hi, lp->size, avoid);

		if (!at || tries == 8) {
			lp_err("process %d: no free address range of %llu bytes within ±2 GiB of %s",
			       (int)s->pid, (unsigned long long)lp->size, o->path);
			return -1;
		}
		if (rsys(s, t, gadget, SYS_mmap, (long)at, (long)lp->size, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0, &ret))
			return -1;
		if ((uint64_t)ret == at)
			break;
		if (ret == -EEXIST) {
			avoid = at;	/* mapped meanwhile by the process itself */
			continue;
		}
		if (ret > 0) {
			/* A kernel without MAP_FIXED_NOREPLACE took it as a hint. */
			load_unmap(s, t, gadget, (uint64_t)ret, lp->size);
			lp_err("process %d: the kernel placed the patch elsewhere than asked", (int)s->pid);
			return -1;
		}
		lp_err("process %d: mmap of %llu bytes for the patch failed: %s", (int)s->pid,
		       (unsigned long long)lp->size, strerror((int)-ret));
		return -1;
	}
	lp->base = (uint64_t)ret;
	if (build_image(lp, seq))
		goto undo;
	if (rmem_write(s->pid, lp->base, lp->image, lp->size)) {
		lp_perr("process %d: cannot write the patch at %#llx", (int)s->pid,
			(unsigned long long)lp->base);
		goto undo;
	}
	if (region_call(s, t, gadget, "mprotect", SYS_mprotect, lp->base + lp->text_off,
			lp->text_size, PROT_READ | PROT_EXEC) ||
	    /* ehobj alone, with no libgcc to write it: stays read-only, one call less */
	    (lp->rw_size && (lp->rw_data || lp->eh_registers) &&
	     region_call(s, t, gadget, "mprotect", SYS_mprotect, lp->base + lp->rw_off,
			 lp->rw_size, PROT_READ | PROT_WRITE)))
		goto undo;
	return 0;
undo:
	load_unmap(s, t, gadget, lp->base, lp->size);
	lp->base = 0;
	return -1;
}

void load_free(struct load_plan *lp)
{
	free(lp->aux);
	free(lp->sec_off);
	free(lp->image);
	free(lp->funcs);
	memset(lp, 0, sizeof(*lp));
}
