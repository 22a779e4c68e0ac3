/* Writing the model out as a relocatable ELF file (objects and modules). */
#include "elf.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct writer {
	struct elf_file *ef;
	size_t *secmap;		/* model position -> output index (0: left out) */
	size_t *symmap;		/* model position -> output symtab index (0: left out) */
	size_t nout, symtab_idx, strtab_idx, shstrtab_idx;
	struct strbuf strtab, shstrtab;
};

static bool rebuilt(const struct elf_file *ef, const struct section *sec)
{
	if (sec == ef->symtab || sec->sh.sh_type == SHT_SYMTAB_SHNDX)
		return true;
	if (ef->symtab && sec->index == ef->symtab->sh.sh_link)
		return true;	/* .strtab */
	if (ef->elf) {
		size_t shstrndx;
		if (!elf_getshdrstrndx(ef->elf, &shstrndx) && sec->index == shstrndx)
			return true;
	}
	return sec->sh.sh_type == SHT_STRTAB && !strcmp(sec->name, ".shstrtab");
}

static bool section_kept(const struct section *sec)
{
	if (sec->dropped)
		return false;
	if (sec->sh.sh_type == SHT_RELA || sec->sh.sh_type == SHT_REL)
		return sec->base && !sec->base->dropped && sec->nrel > 0;
	return true;
}

static size_t str_add(struct strbuf *sb, const char *s)
{
	size_t off;

	if (!sb->len)
		sb_addn(sb, "", 1);
	if (!*s)
		return 0;
	off = sb->len;
	sb_addn(sb, s, strlen(s) + 1);
	return off;
}

static void number_sections(struct writer *w)
{
	struct elf_file *ef = w->ef;

	w->secmap = xcalloc(ef->nsec, sizeof(size_t));
	w->nout = 1;
	for (size_t i = 1; i < ef->nsec; i++)
		if (!rebuilt(ef, ef->sec[i]) && section_kept(ef->sec[i]))
			w->secmap[i] = w->nout++;
	w->symtab_idx = w->nout++;
	w->strtab_idx = w->nout++;
	w->shstrtab_idx = w->nout++;
}

static bool symbol_kept(const struct writer *w, const struct symbol *sym)
{
	if (sym->dropped)
		return false;
	return !sym->sec || w->secmap[sym->sec->index];
}

/* Locals first, then globals: the ELF rule, and .symtab's sh_info. */
static size_t number_symbols(struct writer *w, Elf64_Sym **out, size_t *first_global)
{
	struct elf_file *ef = w->ef;
	size_t n = 1;

	w->symmap = xcalloc(ef->nsym, sizeof(size_t));
	*out = xcalloc(ef->nsym, sizeof(Elf64_Sym));
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			*first_global = n;
		for (size_t i = 1; i < ef->nsym; i++) {
			struct symbol *sym = ef->sym[i];
			Elf64_Sym *o;

			if (!symbol_kept(w, sym) || (sym->bind == STB_LOCAL) != (pass == 0))
				continue;
			w->symmap[i] = n;
			o = &(*out)[n++];
			o->st_name = sym->type == STT_SECTION ? 0 : (Elf64_Word)str_add(&w->strtab, sym->name);
			o->st_info = GELF_ST_INFO(sym->bind, sym->type);
			o->st_other = sym->s.st_other;
			o->st_shndx = sym->sec ? (Elf64_Section)w->secmap[sym->sec->index] : sym->s.st_shndx;
			o->st_value = sym->s.st_value;
			o->st_size = sym->s.st_size;
		}
	}
	return n;
}

static int rela_data(struct writer *w, struct section *rs, Elf64_Rela **out)
{
	*out = xcalloc(rs->nrel, sizeof(Elf64_Rela));
	for (size_t i = 0; i < rs->nrel; i++) {
		struct reloc *r = &rs->rel[i];
		size_t si = r->sym ? w->symmap[r->sym->index] : 0;

		if (r->sym && r->sym->index && !si) {
			lp_err("%s: relocation at %s+0x%llx refers to symbol %s, which is left out",
			       w->ef->path, rs->base->name, (unsigned long long)r->offset, r->sym->name);
			free(*out);
			return -1;
		}
		(*out)[i].r_offset = r->offset;
		(*out)[i].r_info = ELF64_R_INFO(si, r->type);
		(*out)[i].r_addend = r->addend;
	}
	return 0;
}

static Elf32_Word *group_data(struct writer *w, struct section *sec, size_t *size)
{
	const Elf32_Word *in = (const Elf32_Word *)sec->data;
	size_t n = sec->size / 4, k = 1;
	Elf32_Word *out = xcalloc(n ? n : 1, 4);

	if (n)
		out[0] = in[0];
	for (size_t i = 1; i < n; i++)
		if (in[i] < w->ef->nsec && w->secmap[in[i]])
			out[k++] = (Elf32_Word)w->secmap[in[i]];
	*size = k * 4;
	return out;
}

static Elf_Type data_type(GElf_Word type)
{
	switch (type) {
	case SHT_RELA: return ELF_T_RELA;
	case SHT_SYMTAB: return ELF_T_SYM;
	case SHT_GROUP: return ELF_T_WORD;
	default: return ELF_T_BYTE;
	}
}

static int add_scn(Elf *e, const GElf_Shdr *sh, void *buf, size_t size, const char *path)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d = scn ? elf_newdata(scn) : NULL;
	GElf_Shdr copy = *sh;

	if (!d) {
		lp_err("%s: cannot add a section: %s", path, elf_why());
		return -1;
	}
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = data_type(sh->sh_type);
	d->d_align = sh->sh_addralign ? sh->sh_addralign : 1;
	copy.sh_size = size;
	copy.sh_offset = 0;
	if (!gelf_update_shdr(scn, &copy)) {
		lp_err("%s: cannot write a section header: %s", path, elf_why());
		return -1;
	}
	return 0;
}

static size_t map_link(const struct writer *w, GElf_Word idx)
{
	return idx < w->ef->nsec ? w->secmap[idx] : 0;
}

static int emit(struct writer *w, Elf *e, const char *path, void ***bufs, size_t *nbufs)
{
	struct elf_file *ef = w->ef;
	size_t nsyms, first_global, cap = 0;
	Elf64_Sym *syms;
	GElf_Shdr sh;

	nsyms = number_symbols(w, &syms, &first_global);
	*ARRAY_PUSH(*bufs, *nbufs, cap) = syms;
	for (size_t i = 1; i < ef->nsec; i++) {
		struct section *sec = ef->sec[i];
		void *buf = sec->data;
		size_t size = sec->size;

		if (!w->secmap[i])
			continue;
		sh = sec->sh;
		sh.sh_name = (Elf64_Word)str_add(&w->shstrtab, sec->name);
		if (sh.sh_type == SHT_RELA) {
			Elf64_Rela *r;
			if (rela_data(w, sec, &r))
				return -1;
			buf = r;
			size = sec->nrel * sizeof(Elf64_Rela);
			sh.sh_link = (Elf64_Word)w->symtab_idx;
			sh.sh_info = (Elf64_Word)w->secmap[sec->base->index];
			sh.sh_flags |= SHF_INFO_LINK;
			sh.sh_entsize = sizeof(Elf64_Rela);
			*ARRAY_PUSH(*bufs, *nbufs, cap) = r;
		} else if (sh.sh_type == SHT_GROUP) {
			buf = group_data(w, sec, &size);
			sh.sh_link = (Elf64_Word)w->symtab_idx;
			sh.sh_info = sh.sh_info < ef->nsym ? (Elf64_Word)w->symmap[sh.sh_info] : 0;
			*ARRAY_PUSH(*bufs, *nbufs, cap) = buf;
		} else if (sh.sh_flags & SHF_LINK_ORDER) {
			sh.sh_link = (Elf64_Word)map_link(w, sh.sh_link);
		}
		if (sh.sh_type == SHT_NOBITS)
			buf = NULL;
		else if (!buf && size && !(buf = elf_section_data(sec)))
			return -1;
		/* NOBITS: no bytes, but libelf takes the section's size from the data's */
		if (add_scn(e, &sh, buf, size, path))
			return -1;
	}
	memset(&sh, 0, sizeof(sh));
	sh.sh_type = SHT_SYMTAB;
	sh.sh_name = (Elf64_Word)str_add(&w->shstrtab, ".symtab");
	sh.sh_link = (Elf64_Word)w->strtab_idx;
	sh.sh_info = (Elf64_Word)first_global;
	sh.sh_entsize = sizeof(Elf64_Sym);
	sh.sh_addralign = 8;
	if (add_scn(e, &sh, syms, nsyms * sizeof(Elf64_Sym), path))
		return -1;
	memset(&sh, 0, sizeof(sh));
	sh.sh_type = SHT_STRTAB;
	sh.sh_name = (Elf64_Word)str_add(&w->shstrtab, ".strtab");
	sh.sh_addralign = 1;
	if (add_scn(e, &sh, w->strtab.buf, w->strtab.len, path))
		return -1;
	sh.sh_name = (Elf64_Word)str_add(&w->shstrtab, ".shstrtab");
	return add_scn(e, &sh, w->shstrtab.buf, w->shstrtab.len, path);
}

static int write_elf(struct writer *w, int fd, const char *path)
{
	void **bufs = NULL;
	size_t nbufs = 0;
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	GElf_Ehdr eh;
	int ret = -1;

	if (!e || !gelf_newehdr(e, ELFCLASS64)) {
		lp_err("%s: cannot start writing: %s", path, elf_why());
		goto out;
	}
	str_add(&w->strtab, "");
	str_add(&w->shstrtab, "");
	if (emit(w, e, path, &bufs, &nbufs))
		goto out;
	gelf_getehdr(e, &eh);
	memcpy(eh.e_ident, w->ef->ehdr.e_ident, EI_NIDENT);
	eh.e_type = w->ef->ehdr.e_type == ET_REL ? ET_REL : w->ef->ehdr.e_type;
	eh.e_machine = w->ef->ehdr.e_machine;
	eh.e_version = EV_CURRENT;
	eh.e_flags = w->ef->ehdr.e_flags;
	eh.e_shstrndx = (Elf64_Half)w->shstrtab_idx;
	if (!gelf_update_ehdr(e, &eh) || elf_update(e, ELF_C_WRITE) < 0) {
		lp_err("%s: cannot write: %s", path, elf_why());
		goto out;
	}
	ret = 0;
out:
	if (e)
		elf_end(e);
	for (size_t i = 0; i < nbufs; i++)
		free(bufs[i]);
	free(bufs);
	return ret;
}

int elf_write(struct elf_file *ef, const char *path)
{
	struct writer w = { .ef = ef };
	struct atomic_out out;
	int fd, ret;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		lp_err("libelf is unusable: %s", elf_why());
		return -1;
	}
	if (atomic_begin(&out, path))
		return -1;
	fd = open(out.tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		lp_perr("cannot write %s", out.tmp);
		atomic_abort(&out);
		return -1;
	}
	number_sections(&w);
	ret = write_elf(&w, fd, path);
	if (close(fd))
		ret = -1;
	if (ret)
		atomic_abort(&out);
	else
		ret = atomic_commit(&out);
	free(w.secmap);
	free(w.symmap);
	sb_free(&w.strtab);
	sb_free(&w.shstrtab);
	return ret;
}
