/* Adding sections, symbols and relocations to the model. */
#include "elf.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

struct section *elf_add_section(struct elf_file *ef, const char *name, GElf_Word type,
				GElf_Xword flags, const void *data, size_t size,
				GElf_Xword align, GElf_Xword entsize)
{
	struct section *sec = xcalloc(1, sizeof(*sec));

	sec->elf = ef;
	sec->index = ef->nsec;
	sec->name = xstrdup(name);
	sec->sh.sh_type = type;
	sec->sh.sh_flags = flags;
	sec->sh.sh_addralign = align ? align : 1;
	sec->sh.sh_entsize = entsize;
	sec->sh.sh_size = size;
	sec->size = size;
	if (type != SHT_NOBITS && size) {
		sec->data = xmalloc(size);
		if (data)
			memcpy(sec->data, data, size);
		else
			memset(sec->data, 0, size);
		sec->owned = true;
	}
	*ARRAY_PUSH(ef->sec, ef->nsec, ef->seccap) = sec;
	return sec;
}

struct symbol *elf_add_symbol(struct elf_file *ef, const char *name, unsigned char type,
			      unsigned char bind, struct section *sec, GElf_Section shndx,
			      uint64_t value, uint64_t size)
{
	struct symbol *sym = xcalloc(1, sizeof(*sym));

	sym->elf = ef;
	sym->index = ef->nsym;
	sym->name = xstrdup(name);
	sym->type = type;
	sym->bind = bind;
	sym->sec = sec;
	sym->s.st_info = GELF_ST_INFO(bind, type);
	sym->s.st_shndx = sec ? (GElf_Section)sec->index : shndx;
	sym->s.st_value = value;
	sym->s.st_size = size;
	if (type == STT_SECTION && sec && !sec->secsym)
		sec->secsym = sym;
	*ARRAY_PUSH(ef->sym, ef->nsym, ef->symcap) = sym;
	return sym;
}

struct symbol *elf_section_symbol(struct section *sec)
{
	if (!sec->secsym)
		elf_add_symbol(sec->elf, sec->name, STT_SECTION, STB_LOCAL, sec, 0, 0, 0);
	return sec->secsym;
}

struct reloc *elf_add_reloc(struct section *sec, uint64_t offset, uint32_t type,
			    struct symbol *sym, int64_t addend)
{
	struct section *rs = sec->rela;
	struct reloc *r;

	if (!rs) {
		char *name = xasprintf(".rela%s", sec->name);
		rs = elf_add_section(sec->elf, name, SHT_RELA, SHF_INFO_LINK, NULL, 0, 8,
				     sizeof(Elf64_Rela));
		free(name);
		rs->base = sec;
		sec->rela = rs;
	}
	r = ARRAY_PUSH(rs->rel, rs->nrel, rs->relcap);
	/* keep entries sorted by offset: callers mostly append in order */
	while (r > rs->rel && r[-1].offset > offset) {
		r[0] = r[-1];
		r--;
	}
	r->offset = offset;
	r->type = type;
	r->sym = sym;
	r->addend = addend;
	return r;
}
