/*
 * The one ELF model of lpatch. Every object, module and vmlinux is read
 * through it (libelf underneath), changed in memory, and written back with
 * elf_write(). Sections and symbols keep their file order; the writer
 * renumbers them, rebuilds .symtab/.strtab/.shstrtab and every relocation
 * section from the model.
 */
#ifndef LPATCH_ELF_ELF_H
#define LPATCH_ELF_ELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH 0xff20
#endif
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH 0x00100000
#endif

struct section;
struct symbol;

struct reloc {
	uint64_t offset;	/* in the section relocated */
	uint32_t type;		/* R_X86_64_* */
	struct symbol *sym;
	int64_t addend;
};

struct section {
	struct elf_file *elf;
	size_t index;		/* index in the file read; renumbered by elf_write */
	char *name;
	GElf_Shdr sh;
	unsigned char *data;	/* contents; NULL for NOBITS or not loaded */
	size_t size;
	bool owned;		/* data was allocated by us, not by libelf */

	struct section *base;	/* a relocation section: the section it relocates */
	struct section *rela;	/* the relocation section of this one, if any */
	struct reloc *rel;	/* a relocation section: its entries, in file order */
	size_t nrel, relcap;

	struct symbol *secsym;	/* its STT_SECTION symbol, if any */
	struct symbol *owner;	/* with -ffunction/-fdata-sections: the FUNC or OBJECT it holds */
	bool dropped;		/* left out by elf_write */

	void *priv;		/* for the layer using the model (the differ) */
};

struct symbol {
	struct elf_file *elf;
	size_t index;		/* index in .symtab of the file read */
	char *name;
	GElf_Sym s;		/* st_value, st_size, st_info, st_other, st_shndx */
	unsigned char type;	/* STT_* */
	unsigned char bind;	/* STB_* */
	struct section *sec;	/* defining section; NULL for UNDEF/ABS/COMMON/LIVEPATCH */
	bool dropped;

	void *priv;
};

struct elf_file {
	char *path;
	int fd;
	Elf *elf;
	GElf_Ehdr ehdr;
	struct section **sec;	/* sec[0] is the null section */
	size_t nsec, seccap;
	struct symbol **sym;	/* sym[0] is the null symbol */
	size_t nsym, symcap;
	struct section *symtab;
	bool lazy;		/* section data is loaded on demand (elf_section_data) */
	/* A lazily opened file is only read: its symbols as read are one array,
	 * their names pointing into the file's string tables (not owned). */
	struct symbol *symslab;
	size_t nslab;
};

enum elf_open_flags {
	ELF_OPEN_LAZY = 1 << 0,	/* big files (vmlinux): load only .symtab/.strtab up front */
	ELF_OPEN_SECTIONS = 1 << 1,	/* only the section headers: no symbols, no
					 * relocations, data on demand (one section
					 * of a vmlinux in milliseconds) */
};

/* Read path; NULL with an error naming the file and the reason. */
struct elf_file *elf_open(const char *path, unsigned flags);
/* A new, empty relocatable object of the same class and machine as proto. */
struct elf_file *elf_create(const struct elf_file *proto);
void elf_close(struct elf_file *ef);

/* Contents of sec, loading them if the file was opened lazily. */
unsigned char *elf_section_data(struct section *sec);

struct section *elf_find_section(const struct elf_file *ef, const char *name);
struct symbol *elf_find_symbol(const struct elf_file *ef, const char *name);
/* The undefined symbol name, added (global, NOTYPE) if ef has none: one
 * symbol per name the linker or loader resolves. A defined symbol of that
 * name is not it. */
struct symbol *elf_undefined_symbol(struct elf_file *ef, const char *name);
/* The source file of a compiled object: its first FILE symbol (NULL if none). */
const char *elf_source_file(const struct elf_file *ef);
/* The FUNC or OBJECT symbol covering offset in sec (NULL if none). */
struct symbol *elf_symbol_at(const struct elf_file *ef, const struct section *sec, uint64_t offset);

/* Add a section (data copied); NOBITS when data is NULL. */
struct section *elf_add_section(struct elf_file *ef, const char *name, GElf_Word type,
				GElf_Xword flags, const void *data, size_t size,
				GElf_Xword align, GElf_Xword entsize);
/* Add a symbol; sec may be NULL (then shndx is used: SHN_UNDEF, SHN_ABS, SHN_LIVEPATCH). */
struct symbol *elf_add_symbol(struct elf_file *ef, const char *name, unsigned char type,
			      unsigned char bind, struct section *sec, GElf_Section shndx,
			      uint64_t value, uint64_t size);
/* Append a relocation to sec's relocation section, creating ".rela<name>" if needed. */
struct reloc *elf_add_reloc(struct section *sec, uint64_t offset, uint32_t type,
			    struct symbol *sym, int64_t addend);
/* The STT_SECTION symbol of sec, created if missing. */
struct symbol *elf_section_symbol(struct section *sec);

/* Relocation of sec at exactly offset, or NULL. Relocations are sorted by offset. */
struct reloc *elf_reloc_at(const struct section *sec, uint64_t offset);
/* The NUL-terminated string a relocation (r may be NULL) points at: in its
 * symbol's section, at the symbol's value plus the addend. NULL when it
 * points outside the section or no NUL ends the string there. */
const char *elf_reloc_string(const struct reloc *r);
/* Load the relocations of sec if its file was opened lazily (no-op otherwise); -1 on errors (printed). */
int elf_section_relocs(struct section *sec);
/* First relocation of sec with offset in [start, end), or NULL; *idx for iterating. */
struct reloc *elf_reloc_in(const struct section *sec, uint64_t start, uint64_t end, size_t *idx);
/* Size in bytes that a relocation of this type patches (x86-64). */
unsigned elf_reloc_width(uint32_t type);

/* Names in DT_NEEDED of a dynamic executable or library (NULL-terminated; caller frees all). */
char **elf_needed(const struct elf_file *ef);
/* The program interpreter a dynamic executable names (PT_INTERP, e.g.
 * /lib64/ld-linux-x86-64.so.2), or NULL for a static one. Caller frees. */
char *elf_interp(const struct elf_file *ef);
/* GNU build-id as hex, or NULL. */
char *elf_build_id(const struct elf_file *ef);
/* The GNU build-id in a note section's or segment's data, as hex, or NULL. */
char *elf_note_build_id(Elf_Data *d);

/*
 * The dynamic view of a linked object (src/elf/dyn.c): .dynsym with each
 * symbol's version, and the dynamic relocations (GOT slots and the like).
 */
struct elf_dynsym {
	const char *name;
	GElf_Sym s;
	const char *version;	/* the version defined or required, NULL for none */
	bool hidden;		/* a non-default version: name@VER, not name@@VER */
};

struct elf_dynrel {
	uint64_t offset;
	uint32_t type;
	size_t sym;		/* index in elf_dyn.sym */
	int64_t addend;
};

struct elf_dyn {
	struct elf_dynsym *sym;	/* sym[0] is the null symbol */
	size_t nsym;
	struct elf_dynrel *rel;
	size_t nrel;
};

/* NULL when ef has no .dynsym. Names point into ef: free before closing it. */
struct elf_dyn *elf_dyn_read(const struct elf_file *ef);
void elf_dyn_free(struct elf_dyn *dy);
/*
 * Can ef's .dynsym have a symbol name (any "@VER" ignored)? false only when
 * its string table lacks the name: a look-up that need not read the table.
 */
bool elf_dyn_may_define(const struct elf_file *ef, const char *name);
/* Does string table tab (size bytes) hold name (any "@VER" ignored) as a whole
 * string or as the tail of a longer one (a linker merges tails)? */
bool elf_strtab_may_hold(const void *tab, size_t size, const char *name);
/* A defined dynamic symbol: "name" (default version), "name@VER" or "name@@VER". */
const struct elf_dynsym *elf_dyn_lookup(const struct elf_dyn *dy, const char *name);
/* The undefined (imported) dynamic symbol name (any "@VER" ignored), or NULL. */
const struct elf_dynsym *elf_dyn_import(const struct elf_dyn *dy, const char *name);

/* An object as mapped in a process: its program headers, read through a reader. */
typedef int elf_image_reader(void *ctx, uint64_t addr, void *buf, size_t len);
struct elf_image {
	GElf_Half type;		/* ET_EXEC, ET_DYN */
	GElf_Phdr *ph;
	size_t nph;
};

/* Headers of the image whose first page is at addr; -1 when it is no ELF64 object. */
int elf_image_read(elf_image_reader *read, void *ctx, uint64_t addr, struct elf_image *img);
/* GNU build-id (hex) in the PT_NOTE contents at [addr, addr + size), or NULL. */
char *elf_image_build_id(elf_image_reader *read, void *ctx, uint64_t addr, uint64_t size);
void elf_image_free(struct elf_image *img);

/*
 * Write the model to path as a new file: dropped sections and symbols left
 * out, indices renumbered, local symbols first, relocation sections rebuilt
 * from their entries. Errors name the file and the reason.
 */
int elf_write(struct elf_file *ef, const char *path);

/* sh_addr of section index in e, a libelf handle another library opened
 * (libdwfl lays the sections of an ET_REL file out at addresses of its
 * own); 0 when there is none. */
uint64_t elf_handle_section_addr(Elf *e, size_t index);

/* libelf's last error, for messages. */
const char *elf_why(void);

#endif
