/*
 * Checking a file as elf_open reads it whole: its section headers always,
 * and for a relocatable object (a compiled .o, a .ko, a .lpatch) its
 * symbols and relocations too. Everything the differ, the module and patch readers and the writer
 * later take on trust is checked once here. An object that breaks one of
 * these rules is not what a compiler or linker writes; it is refused with
 * the file, the section and the entry named, never turned into output.
 *
 * libelf has already checked that every loaded section's contents lie in
 * the file and that names are inside their string tables; what is left is
 * what libelf does not know: the meaning of the fields.
 */
#include "elf/validate.h"

#include "util/log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

/* Largest sh_addralign accepted: a 2 MiB page, more than any kernel section asks. */
#define MAX_ALIGN ((GElf_Xword)1 << 21)

static int bad(const struct elf_file *ef, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(const struct elf_file *ef, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lp_err("%s: %s; not an object a compiler writes, refused", ef->path, msg);
	return -1;
}

static bool known_type(GElf_Word t)
{
	switch (t) {
	case SHT_PROGBITS: case SHT_SYMTAB: case SHT_STRTAB: case SHT_RELA: case SHT_HASH:
	case SHT_DYNAMIC: case SHT_NOTE: case SHT_NOBITS: case SHT_REL: case SHT_DYNSYM:
	case SHT_INIT_ARRAY: case SHT_FINI_ARRAY: case SHT_PREINIT_ARRAY: case SHT_GROUP:
	case SHT_SYMTAB_SHNDX: case SHT_RELR: case SHT_X86_64_UNWIND:
		return true;
	}
	/* GNU (attributes, hashes, versions, sframe) and LLVM (addrsig, ...) */
	return (t >= 0x6ffffff4 && t <= 0x6fffffff) || (t >= 0x6fff4c00 && t <= 0x6fff4cff);
}

static GElf_Xword fixed_entsize(GElf_Word t)
{
	switch (t) {
	case SHT_SYMTAB: return sizeof(Elf64_Sym);
	case SHT_RELA: return sizeof(Elf64_Rela);
	case SHT_REL: return sizeof(Elf64_Rel);
	case SHT_GROUP: case SHT_SYMTAB_SHNDX: return 4;
	}
	return 0;
}

int elf_check_sections(const struct elf_file *ef)
{
	GElf_Half type = ef->ehdr.e_type;
	size_t nsymtab = 0;

	if (type != ET_REL && type != ET_EXEC && type != ET_DYN && type != ET_CORE)
		return bad(ef, "unknown ELF file type %#x", (unsigned)type);

	for (size_t i = 1; i < ef->nsec; i++) {
		const struct section *sec = ef->sec[i];
		const GElf_Shdr *sh = &sec->sh;
		GElf_Xword want = fixed_entsize(sh->sh_type);

		if (!known_type(sh->sh_type))
			return bad(ef, "section %zu (%s) has unknown type %#" PRIx32, i, sec->name,
				   sh->sh_type);
		if ((sh->sh_flags & SHF_EXECINSTR) && sh->sh_type != SHT_PROGBITS)
			return bad(ef, "section %zu (%s) holds code but has type %#" PRIx32
				   " instead of PROGBITS", i, sec->name, sh->sh_type);
		if (sh->sh_addralign & (sh->sh_addralign - 1) || sh->sh_addralign > MAX_ALIGN)
			return bad(ef, "section %zu (%s) has alignment %#" PRIx64
				   " (a power of two up to %#" PRIx64 " is expected)", i, sec->name,
				   (uint64_t)sh->sh_addralign, (uint64_t)MAX_ALIGN);
		if (want && sh->sh_entsize != want)
			return bad(ef, "section %zu (%s) has entry size %" PRIu64 ", not %" PRIu64,
				   i, sec->name, (uint64_t)sh->sh_entsize, (uint64_t)want);
		if (sh->sh_entsize && sh->sh_size % sh->sh_entsize)
			return bad(ef, "section %zu (%s) is %" PRIu64 " bytes, not a whole number of"
				   " %" PRIu64 "-byte entries", i, sec->name, (uint64_t)sh->sh_size,
				   (uint64_t)sh->sh_entsize);
		if (sh->sh_link >= ef->nsec)
			return bad(ef, "section %zu (%s) links to section %" PRIu32 ", beyond the last (%zu)",
				   i, sec->name, sh->sh_link, ef->nsec - 1);
		if (sh->sh_type == SHT_SYMTAB) {
			if (++nsymtab > 1)
				return bad(ef, "section %zu (%s) is a second symbol table", i, sec->name);
			if (ef->sec[sh->sh_link]->sh.sh_type != SHT_STRTAB)
				return bad(ef, "symbol table %s names its strings in section %" PRIu32
					   ", which is no string table", sec->name, sh->sh_link);
		}
		/* in a linked file, .rela.dyn and .rela.plt name .dynsym and the GOT */
		if (type == ET_REL && (sh->sh_type == SHT_RELA || sh->sh_type == SHT_REL)) {
			const struct section *to = sec->base;

			if (!ef->symtab || sh->sh_link != ef->symtab->index)
				return bad(ef, "relocation section %s links to section %" PRIu32
					   ", not the symbol table", sec->name, sh->sh_link);
			if (!to || to == sec || to->sh.sh_type == SHT_NOBITS ||
			    to->sh.sh_type == SHT_RELA || to->sh.sh_type == SHT_REL ||
			    to->sh.sh_type == SHT_SYMTAB || to->sh.sh_type == SHT_STRTAB || !to->index)
				return bad(ef, "relocation section %s applies to section %" PRIu32
					   " (%s), which cannot be relocated", sec->name, sh->sh_info,
					   to ? to->name : "none");
		}
	}
	return 0;
}

static bool known_symbol(const struct symbol *s)
{
	switch (s->type) {
	case STT_NOTYPE: case STT_OBJECT: case STT_FUNC: case STT_SECTION: case STT_FILE:
	case STT_COMMON: case STT_TLS: case STT_GNU_IFUNC:
		break;
	default:
		return false;
	}
	return s->bind == STB_LOCAL || s->bind == STB_GLOBAL || s->bind == STB_WEAK ||
	       s->bind == STB_GNU_UNIQUE;
}

static int check_symbols(const struct elf_file *ef)
{
	bool xindex = false;

	for (size_t i = 1; i < ef->nsec; i++)
		xindex |= ef->sec[i]->sh.sh_type == SHT_SYMTAB_SHNDX;
	if (ef->symtab && ef->symtab->sh.sh_info > ef->nsym)
		return bad(ef, "symbol table %s says its first global symbol is %" PRIu32
			   ", beyond the last (%zu)", ef->symtab->name, ef->symtab->sh.sh_info,
			   ef->nsym - 1);
	for (size_t i = 1; i < ef->nsec; i++) {
		const struct section *g = ef->sec[i];

		if (g->sh.sh_type == SHT_GROUP && (!g->sh.sh_info || g->sh.sh_info >= ef->nsym))
			return bad(ef, "section group %s names symbol %" PRIu32 ", beyond the last (%zu)",
				   g->name, g->sh.sh_info, ef->nsym - 1);
	}
	for (size_t i = 1; i < ef->nsym; i++) {
		const struct symbol *s = ef->sym[i];
		GElf_Section shndx = s->s.st_shndx;
		uint64_t size;

		if (!known_symbol(s))
			return bad(ef, ".symtab entry %zu (%s) has unknown type %u or binding %u",
				   i, s->name, s->type, s->bind);
		if (shndx >= SHN_LORESERVE && shndx != SHN_ABS && shndx != SHN_COMMON &&
		    shndx != SHN_LIVEPATCH && !(shndx == SHN_XINDEX && xindex))
			return bad(ef, ".symtab entry %zu (%s) is in reserved section index %#x",
				   i, s->name, (unsigned)shndx);
		if (!s->sec)
			continue;
		if (s->sec->sh.sh_type == SHT_RELA || s->sec->sh.sh_type == SHT_REL ||
		    s->sec->sh.sh_type == SHT_SYMTAB || s->sec->sh.sh_type == SHT_STRTAB)
			return bad(ef, ".symtab entry %zu (%s) is defined in %s, which holds no code or data",
				   i, s->name, s->sec->name);
		size = s->sec->size;
		if (s->s.st_value > size ||
		    ((s->type == STT_FUNC || s->type == STT_OBJECT || s->type == STT_TLS) &&
		     s->s.st_size > size - s->s.st_value))
			return bad(ef, ".symtab entry %zu (%s) covers [%#" PRIx64 ", %#" PRIx64
				   ") of %s, which is %#" PRIx64 " bytes long", i, s->name,
				   (uint64_t)s->s.st_value, (uint64_t)(s->s.st_value + s->s.st_size),
				   s->sec->name, size);
	}
	return 0;
}

/* Entries in file order: the model has them sorted by offset. */
static int check_relocs(const struct elf_file *ef, const struct section *rs)
{
	const struct section *to = rs->base;
	Elf_Data *d = elf_getdata(elf_getscn(ef->elf, rs->index), NULL);
	size_t n = rs->size / sizeof(Elf64_Rela);

	for (size_t i = 0; d && i < n; i++) {
		GElf_Rela r;
		uint32_t type;
		unsigned width;

		if (!gelf_getrela(d, (int)i, &r))
			return bad(ef, "section %s, relocation %zu cannot be read", rs->name, i);
		type = (uint32_t)GELF_R_TYPE(r.r_info);
		if (ef->ehdr.e_machine == EM_X86_64 && GELF_R_TYPE(r.r_info) >= R_X86_64_NUM)
			return bad(ef, "section %s, relocation %zu has unknown type %" PRIu64,
				   rs->name, i, (uint64_t)GELF_R_TYPE(r.r_info));
		width = elf_reloc_width(type);
		if (r.r_offset > to->size || width > to->size - r.r_offset)
			return bad(ef, "section %s, relocation %zu at offset %#" PRIx64
				   " patches %u bytes past the end of %s (%#" PRIx64 " bytes)",
				   rs->name, i, (uint64_t)r.r_offset, width, to->name, to->size);
	}
	return 0;
}

int elf_check_contents(const struct elf_file *ef)
{
	if (check_symbols(ef))
		return -1;
	for (size_t i = 1; i < ef->nsec; i++) {
		const struct section *rs = ef->sec[i];
		if (rs->sh.sh_type == SHT_RELA && rs->base && check_relocs(ef, rs))
			return -1;
	}
	return 0;
}
