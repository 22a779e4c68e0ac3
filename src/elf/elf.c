/* Reading ELF files into the model, and queries on it. */
#include "elf.h"
#include "validate.h"

#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *elf_why(void)
{
	return elf_errmsg(-1);
}

static bool libelf_ready(void)
{
	static int ready;

	if (!ready)
		ready = elf_version(EV_CURRENT) != EV_NONE ? 1 : -1;
	if (ready < 0)
		lp_err("libelf is unusable: %s", elf_why());
	return ready > 0;
}

static struct section *new_section(struct elf_file *ef)
{
	struct section *sec = xcalloc(1, sizeof(*sec));

	sec->elf = ef;
	sec->index = ef->nsec;
	*ARRAY_PUSH(ef->sec, ef->nsec, ef->seccap) = sec;
	return sec;
}

static struct symbol *new_symbol(struct elf_file *ef)
{
	struct symbol *sym = xcalloc(1, sizeof(*sym));

	sym->elf = ef;
	sym->index = ef->nsym;
	*ARRAY_PUSH(ef->sym, ef->nsym, ef->symcap) = sym;
	return sym;
}

static int load_data(struct section *sec)
{
	Elf_Scn *scn;
	Elf_Data *d;

	if (sec->data || sec->sh.sh_type == SHT_NOBITS || !sec->sh.sh_size)
		return 0;
	scn = elf_getscn(sec->elf->elf, sec->index);
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d) {
		lp_err("%s: cannot read section %s: %s", sec->elf->path, sec->name, elf_why());
		return -1;
	}
	sec->data = d->d_buf;
	return 0;
}

unsigned char *elf_section_data(struct section *sec)
{
	if (load_data(sec))
		return NULL;
	return sec->data;
}

static int read_sections(struct elf_file *ef, bool headers_only)
{
	size_t shnum, shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrnum(ef->elf, &shnum) || elf_getshdrstrndx(ef->elf, &shstrndx)) {
		lp_err("%s: cannot read section headers: %s", ef->path, elf_why());
		return -1;
	}
	new_section(ef)->name = xstrdup("");
	while ((scn = elf_nextscn(ef->elf, scn))) {
		struct section *sec = new_section(ef);
		const char *name;

		if (!gelf_getshdr(scn, &sec->sh) ||
		    !(name = elf_strptr(ef->elf, shstrndx, sec->sh.sh_name))) {
			lp_err("%s: corrupt section header %zu: %s", ef->path, sec->index, elf_why());
			return -1;
		}
		sec->name = xstrdup(name);
		sec->size = sec->sh.sh_size;
		if (sec->sh.sh_type == SHT_SYMTAB)
			ef->symtab = sec;
		if (!ef->lazy ||
		    (!headers_only && (sec->sh.sh_type == SHT_SYMTAB || sec->sh.sh_type == SHT_STRTAB)))
			if (load_data(sec))
				return -1;
	}
	if (ef->nsec != shnum) {
		lp_err("%s: expected %zu sections, found %zu", ef->path, shnum, ef->nsec);
		return -1;
	}
	for (size_t i = 1; i < ef->nsec; i++) {
		struct section *sec = ef->sec[i];
		if (sec->sh.sh_type != SHT_RELA && sec->sh.sh_type != SHT_REL)
			continue;
		if (sec->sh.sh_info >= ef->nsec) {
			lp_err("%s: relocation section %s points at section %u, beyond the end",
			       ef->path, sec->name, sec->sh.sh_info);
			return -1;
		}
		if (sec->sh.sh_flags & SHF_INFO_LINK || sec->sh.sh_info) {
			sec->base = ef->sec[sec->sh.sh_info];
			if (!sec->base->rela)
				sec->base->rela = sec;
		}
	}
	return 0;
}

/*
 * -fpatchable-function-entry=N,N (CONFIG_CALL_PADDING, Linux 6.2+ on x86)
 * starts each function's own section with N bytes of NOP padding, the
 * function after them. objtool names the padding __pfx_<function> when it
 * runs with --prefix (then the prefix owns the section, kinds.c); a
 * single-object build has no such symbol, and the function, the only one
 * in its executable section and behind nothing but NOPs, owns the section.
 */
static void padded_owners(struct elf_file *ef)
{
	size_t *funcs = xcalloc(ef->nsec, sizeof(*funcs));

	for (size_t i = 1; i < ef->nsym; i++)
		if (ef->sym[i]->type == STT_FUNC && ef->sym[i]->sec)
			funcs[ef->sym[i]->sec->index]++;
	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *f = ef->sym[i];
		struct section *sec = f->sec;
		bool nops = true;

		if (f->type != STT_FUNC || !sec || sec->owner || funcs[sec->index] != 1 ||
		    !(sec->sh.sh_flags & SHF_EXECINSTR) || !sec->data || f->s.st_value == 0 ||
		    f->s.st_value > 64 || f->s.st_value > sec->size)
			continue;
		for (uint64_t k = 0; k < f->s.st_value && nops; k++)
			nops = ((const unsigned char *)sec->data)[k] == 0x90;
		if (nops)
			sec->owner = f;
	}
	free(funcs);
}

static int read_symbols(struct elf_file *ef, bool headers_only)
{
	Elf_Data *d;
	size_t n;

	new_symbol(ef)->name = xstrdup("");
	if (!ef->symtab || headers_only)
		return 0;
	d = elf_getdata(elf_getscn(ef->elf, ef->symtab->index), NULL);
	if (!d) {
		lp_err("%s: cannot read .symtab: %s", ef->path, elf_why());
		return -1;
	}
	n = ef->symtab->sh.sh_entsize ? ef->symtab->size / ef->symtab->sh.sh_entsize : 0;
	if (n > 1)
		grow_array((void **)&ef->sym, &ef->symcap, n, sizeof(*ef->sym));
	/* a vmlinux has some 100000 symbols: one allocation, names not copied */
	if (ef->lazy && n > 1) {
		ef->symslab = xcalloc(n - 1, sizeof(*ef->symslab));
		ef->nslab = n - 1;
	}
	for (size_t i = 1; i < n; i++) {
		struct symbol *sym;
		const char *name;

		if (ef->symslab) {
			sym = &ef->symslab[i - 1];
			sym->elf = ef;
			sym->index = ef->nsym;
			ef->sym[ef->nsym++] = sym;
		} else {
			sym = new_symbol(ef);
		}

		if (!gelf_getsym(d, (int)i, &sym->s) ||
		    !(name = elf_strptr(ef->elf, ef->symtab->sh.sh_link, sym->s.st_name))) {
			lp_err("%s: corrupt symbol %zu: %s", ef->path, i, elf_why());
			return -1;
		}
		sym->type = GELF_ST_TYPE(sym->s.st_info);
		sym->bind = GELF_ST_BIND(sym->s.st_info);
		if (sym->s.st_shndx != SHN_UNDEF && sym->s.st_shndx < SHN_LORESERVE) {
			if (sym->s.st_shndx >= ef->nsec) {
				lp_err("%s: symbol %s is in section %u, beyond the end", ef->path,
				       name, sym->s.st_shndx);
				return -1;
			}
			sym->sec = ef->sec[sym->s.st_shndx];
		}
		if (sym->type == STT_SECTION && sym->sec) {
			sym->name = ef->symslab ? sym->sec->name : xstrdup(sym->sec->name);
			if (!sym->sec->secsym)
				sym->sec->secsym = sym;
		} else {
			sym->name = ef->symslab ? (char *)name : xstrdup(name);
		}
		if ((sym->type == STT_FUNC || sym->type == STT_OBJECT) && sym->sec &&
		    sym->s.st_value == 0 && (!sym->sec->owner || sym->bind != STB_LOCAL))
			sym->sec->owner = sym;
	}
	padded_owners(ef);
	return 0;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct reloc *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int read_relocs(struct elf_file *ef, struct section *rs)
{
	Elf_Data *d = elf_getdata(elf_getscn(ef->elf, rs->index), NULL);
	size_t n = rs->sh.sh_entsize ? rs->size / rs->sh.sh_entsize : 0;
	bool sorted = true;

	if (!d) {
		lp_err("%s: cannot read %s: %s", ef->path, rs->name, elf_why());
		return -1;
	}
	rs->rel = xcalloc(n, sizeof(*rs->rel));
	rs->relcap = n;
	for (size_t i = 0; i < n; i++) {
		struct reloc *r = &rs->rel[rs->nrel++];
		GElf_Rela rela;
		size_t si;

		if (!gelf_getrela(d, (int)i, &rela)) {
			lp_err("%s: corrupt relocation %zu in %s", ef->path, i, rs->name);
			return -1;
		}
		si = GELF_R_SYM(rela.r_info);
		if (si >= ef->nsym) {
			lp_err("%s: relocation %zu in %s names symbol %zu, beyond the end",
			       ef->path, i, rs->name, si);
			return -1;
		}
		r->offset = rela.r_offset;
		r->type = (uint32_t)GELF_R_TYPE(rela.r_info);
		r->sym = ef->sym[si];
		r->addend = rela.r_addend;
		if (i && r->offset < r[-1].offset)
			sorted = false;
	}
	if (!sorted)
		qsort(rs->rel, rs->nrel, sizeof(*rs->rel), cmp_reloc);
	return 0;
}

int elf_section_relocs(struct section *sec)
{
	struct section *rs = sec->rela;

	if (!rs || rs->rel || rs->sh.sh_type != SHT_RELA)
		return 0;
	return read_relocs(sec->elf, rs);
}

/* A file cut short: its section headers end past its size. */
static bool truncated(const struct elf_file *ef)
{
	uint64_t end = ef->ehdr.e_shoff + (uint64_t)ef->ehdr.e_shnum * ef->ehdr.e_shentsize;
	struct stat st;

	if (fstat(ef->fd, &st) || end <= (uint64_t)st.st_size)
		return false;
	lp_err("%s: truncated: its section headers end at byte %llu, the file has %llu",
	       ef->path, (unsigned long long)end, (unsigned long long)st.st_size);
	return true;
}

struct elf_file *elf_open(const char *path, unsigned flags)
{
	struct elf_file *ef;
	bool strict;

	if (!libelf_ready())
		return NULL;
	ef = xcalloc(1, sizeof(*ef));
	ef->path = xstrdup(path);
	ef->lazy = flags & (ELF_OPEN_LAZY | ELF_OPEN_SECTIONS);
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0) {
		lp_perr("cannot open %s", path);
		goto fail;
	}
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF) {
		lp_err("%s: not an ELF file", path);
		goto fail;
	}
	if (!gelf_getehdr(ef->elf, &ef->ehdr)) {
		lp_err("%s: truncated or corrupt ELF header: %s", path, elf_why());
		goto fail;
	}
	if (ef->ehdr.e_ident[EI_CLASS] != ELFCLASS64) {
		lp_err("%s: a 32-bit ELF file; lpatch handles 64-bit objects", path);
		goto fail;
	}
	if (truncated(ef))
		goto fail;
	/* a file read whole is checked as read, a relocatable one (.o, .ko, .lpatch) entirely */
	strict = ef->ehdr.e_type == ET_REL && !ef->lazy;
	if (read_sections(ef, flags & ELF_OPEN_SECTIONS) || (!ef->lazy && elf_check_sections(ef)) ||
	    read_symbols(ef, flags & ELF_OPEN_SECTIONS))
		goto fail;
	/* relocations against .symtab; a linked file's .rela.plt names .dynsym */
	if (!ef->lazy)
		for (size_t i = 1; i < ef->nsec; i++)
			if (ef->sec[i]->sh.sh_type == SHT_RELA && ef->sec[i]->base && ef->symtab &&
			    ef->sec[i]->sh.sh_link == ef->symtab->index && read_relocs(ef, ef->sec[i]))
				goto fail;
	if (strict && elf_check_contents(ef))
		goto fail;
	return ef;
fail:
	elf_close(ef);
	return NULL;
}

struct elf_file *elf_create(const struct elf_file *proto)
{
	struct elf_file *ef = xcalloc(1, sizeof(*ef));

	ef->fd = -1;
	ef->path = xstrdup("(new object)");
	ef->ehdr = proto->ehdr;
	ef->ehdr.e_type = ET_REL;
	ef->ehdr.e_entry = ef->ehdr.e_phoff = ef->ehdr.e_phnum = 0;
	new_section(ef)->name = xstrdup("");
	new_symbol(ef)->name = xstrdup("");
	return ef;
}

void elf_close(struct elf_file *ef)
{
	if (!ef)
		return;
	for (size_t i = 0; i < ef->nsec; i++) {
		struct section *sec = ef->sec[i];
		free(sec->name);
		free(sec->rel);
		if (sec->owned)
			free(sec->data);
		free(sec);
	}
	for (size_t i = 0; i < ef->nsym; i++) {
		struct symbol *sym = ef->sym[i];

		if (ef->symslab && sym >= ef->symslab && sym < ef->symslab + ef->nslab)
			continue;
		free(sym->name);
		free(sym);
	}
	free(ef->symslab);
	free(ef->sec);
	free(ef->sym);
	if (ef->elf)
		elf_end(ef->elf);
	if (ef->fd >= 0)
		close(ef->fd);
	free(ef->path);
	free(ef);
}

struct section *elf_find_section(const struct elf_file *ef, const char *name)
{
	for (size_t i = 1; i < ef->nsec; i++)
		if (!ef->sec[i]->dropped && !strcmp(ef->sec[i]->name, name))
			return ef->sec[i];
	return NULL;
}

struct symbol *elf_find_symbol(const struct elf_file *ef, const char *name)
{
	for (size_t i = 1; i < ef->nsym; i++)
		if (!ef->sym[i]->dropped && ef->sym[i]->type != STT_SECTION &&
		    !strcmp(ef->sym[i]->name, name))
			return ef->sym[i];
	return NULL;
}

const char *elf_source_file(const struct elf_file *ef)
{
	for (size_t i = 1; i < ef->nsym; i++)
		if (ef->sym[i]->type == STT_FILE)
			return ef->sym[i]->name;
	return NULL;
}

struct symbol *elf_undefined_symbol(struct elf_file *ef, const char *name)
{
	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *s = ef->sym[i];
		if (!s->dropped && !s->sec && s->s.st_shndx == SHN_UNDEF && !strcmp(s->name, name))
			return s;
	}
	return elf_add_symbol(ef, name, STT_NOTYPE, STB_GLOBAL, NULL, SHN_UNDEF, 0, 0);
}

struct symbol *elf_symbol_at(const struct elf_file *ef, const struct section *sec, uint64_t offset)
{
	struct symbol *best = NULL;

	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *s = ef->sym[i];
		if (s->sec != sec || s->dropped || (s->type != STT_FUNC && s->type != STT_OBJECT))
			continue;
		if (offset >= s->s.st_value &&
		    (offset < s->s.st_value + s->s.st_size || (!s->s.st_size && offset == s->s.st_value)))
			if (!best || best->bind == STB_LOCAL)
				best = s;
	}
	return best;
}

struct reloc *elf_reloc_in(const struct section *sec, uint64_t start, uint64_t end, size_t *idx)
{
	const struct section *rs = sec->rela;
	size_t lo = 0, hi;

	if (!rs)
		return NULL;
	if (idx && *idx) {
		lo = *idx;
	} else {
		hi = rs->nrel;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (rs->rel[mid].offset < start)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	if (lo >= rs->nrel || rs->rel[lo].offset >= end || rs->rel[lo].offset < start)
		return NULL;
	if (idx)
		*idx = lo + 1;
	return &rs->rel[lo];
}

struct reloc *elf_reloc_at(const struct section *sec, uint64_t offset)
{
	return elf_reloc_in(sec, offset, offset + 1, NULL);
}

const char *elf_reloc_string(const struct reloc *r)
{
	struct section *sec = r && r->sym ? r->sym->sec : NULL;
	uint64_t off;
	const unsigned char *d;

	if (!sec)
		return NULL;
	/* a negative addend wraps past the section's end */
	off = (r->sym->type == STT_SECTION ? 0 : r->sym->s.st_value) + (uint64_t)r->addend;
	if (!(d = elf_section_data(sec)) || off >= sec->size || !memchr(d + off, 0, sec->size - off))
		return NULL;
	return (const char *)d + off;
}

unsigned elf_reloc_width(uint32_t type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
	case R_X86_64_GOTOFF64:
	case R_X86_64_GOTPC64:
	case R_X86_64_DTPOFF64:
	case R_X86_64_TPOFF64:
	case R_X86_64_DTPMOD64:
		return 8;
	case R_X86_64_16:
	case R_X86_64_PC16:
		return 2;
	case R_X86_64_8:
	case R_X86_64_PC8:
		return 1;
	case R_X86_64_NONE:
		return 0;
	default:
		return 4;
	}
}

char **elf_needed(const struct elf_file *ef)
{
	struct section *dyn = elf_find_section(ef, ".dynamic");
	char **out = NULL;
	size_t n = 0, cap = 0;
	Elf_Data *d;
	GElf_Dyn entry;

	if (dyn && (d = elf_getdata(elf_getscn(ef->elf, dyn->index), NULL))) {
		for (int i = 0; gelf_getdyn(d, i, &entry) && entry.d_tag != DT_NULL; i++) {
			const char *s;
			if (entry.d_tag != DT_NEEDED)
				continue;
			s = elf_strptr(ef->elf, dyn->sh.sh_link, entry.d_un.d_val);
			if (s)
				*ARRAY_PUSH(out, n, cap) = xstrdup(s);
		}
	}
	*ARRAY_PUSH(out, n, cap) = NULL;
	return out;
}

char *elf_note_build_id(Elf_Data *d)
{
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const unsigned char *desc = (const unsigned char *)d->d_buf + desc_off;
		struct strbuf sb = {0};

		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((char *)d->d_buf + name_off, "GNU", 4))
			continue;
		for (size_t k = 0; k < nh.n_descsz; k++)
			sb_addf(&sb, "%02x", desc[k]);
		return sb_take(&sb);
	}
	return NULL;
}

char *elf_interp(const struct elf_file *ef)
{
	size_t n;
	GElf_Phdr ph;

	if (!ef->elf || elf_getphdrnum(ef->elf, &n))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		Elf_Data *d;

		if (!gelf_getphdr(ef->elf, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		d = elf_getdata_rawchunk(ef->elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_BYTE);
		if (d && d->d_size)
			return xstrndup(d->d_buf, d->d_size);
		/* a PT_INTERP that cannot be read still says "dynamic" */
		return xstrdup("/lib64/ld-linux-x86-64.so.2");
	}
	return NULL;
}

uint64_t elf_handle_section_addr(Elf *e, size_t index)
{
	Elf_Scn *scn = e ? elf_getscn(e, index) : NULL;
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return 0;
	return sh.sh_addr;
}

char *elf_build_id(const struct elf_file *ef)
{
	for (size_t i = 1; i < ef->nsec; i++) {
		struct section *sec = ef->sec[i];
		char *id;

		if (sec->sh.sh_type != SHT_NOTE)
			continue;
		id = elf_note_build_id(elf_getdata(elf_getscn(ef->elf, sec->index), NULL));
		if (id)
			return id;
	}
	return NULL;
}
