/* Byte comparison of a compiled function with the target's, link sites masked. */
#include "diff/verify.h"

#include "util/log.h"
#include "util/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Bytes around a relocation site that the linker may rewrite: relaxation
 * of GOT loads (mov -> lea, call *GOT -> addr32 call) and of TLS access
 * sequences changes opcode bytes before the site, not only the site.
 */
static void site_extent(uint32_t type, uint64_t off, uint64_t *start, uint64_t *end)
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
	}
	*start = off > before ? off - before : 0;
	*end = off + after;
}

/* Mark the link sites of sec within [base, base + len) in mask. */
static void mask_relocs(struct section *sec, uint64_t base, uint64_t len, unsigned char *mask)
{
	size_t idx = 0;
	struct reloc *r;

	if (!sec || !sec->rela)
		return;
	while ((r = elf_reloc_in(sec, base, base + len, &idx))) {
		uint64_t s, e;

		site_extent(r->type, r->offset - base, &s, &e);
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

int verify_function(struct elf_file *obj, struct symbol *fn, struct elf_file *target,
		    struct symbol *tsym, char **why)
{
	uint64_t len = fn->s.st_size, ooff, toff;
	const unsigned char *ob, *tb;
	unsigned char *mask;
	struct strbuf sb = {0};
	int ret = 1;

	if (why)
		*why = NULL;
	if (!(ob = symbol_bytes(obj, fn, &ooff)) || !(tb = symbol_bytes(target, tsym, &toff)))
		return -1;
	if (tsym->s.st_size != len) {
		if (why)
			*why = xasprintf("it is %" PRIu64 " bytes long as compiled, %" PRIu64
					 " bytes in %s", len, (uint64_t)tsym->s.st_size, target->path);
		return 0;
	}
	mask = xcalloc(len ? len : 1, 1);
	mask_relocs(fn->sec, ooff, len, mask);
	if (target->ehdr.e_type == ET_REL)
		mask_relocs(tsym->sec, toff, len, mask);
	for (uint64_t i = 0; i < len; i++) {
		uint64_t n;

		if (mask[i] || ob[i] == tb[i])
			continue;
		ret = 0;
		if (!why)
			break;
		n = len - i < 8 ? len - i : 8;
		sb_addf(&sb, "its bytes differ at +0x%" PRIx64 ": compiled ", i);
		hex(&sb, ob + i, n);
		sb_addf(&sb, ", %s has ", target->path);
		hex(&sb, tb + i, n);
		*why = sb_take(&sb);
		break;
	}
	free(mask);
	return ret;
}

int verify_object(const char *path, const struct parent *p, bool weak, struct verify_stats *st,
		  verify_mismatch_fn *report, void *ctx)
{
	struct elf_file *obj = elf_open(path, 0);
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
		r = verify_function(obj, fn, p->elf, ts, &why);
		if (r < 0) {
			ret = -1;
		} else if (!r) {
			st->mismatched++;
			report(ctx, st, fn, source, why);
			ret = 1;
		}
		free(why);
	}
	elf_close(obj);
	return ret;
}
