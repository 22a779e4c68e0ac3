/*
 * The parent: the ELF whose symbol table a patch binds to (vmlinux or a
 * module's .ko). Answers: is a symbol exported, and which of several
 * same-named symbols a source file's one is (its "sympos").
 */
#ifndef LPATCH_DIFF_PARENT_H
#define LPATCH_DIFF_PARENT_H

#include "elf/elf.h"

#include <stdbool.h>

struct parent_sym {
	const char *name;
	const char *file;	/* FILE symbol in force (basename of the source), or NULL */
	uint64_t addr;
	uint64_t size;
	unsigned char type, bind;
	size_t order;		/* position in .symtab */
};

struct parent {
	char *path;
	char *objname;		/* "vmlinux" or the module's name */
	struct elf_file *elf;
	struct parent_sym *syms;
	size_t nsyms;
	size_t *buckets;	/* hash of names -> first index + 1; chain in next[] */
	size_t *next;
	size_t nbuckets;
};

/* objname: "vmlinux" or the module name (NULL: vmlinux). */
struct parent *parent_open(const char *path, const char *objname);
void parent_close(struct parent *p);

/* Is name exported by the parent (EXPORT_SYMBOL*, seen as __ksymtab_<name>)? */
bool parent_exports(const struct parent *p, const char *name);
/* Does the parent define a function or variable called name? */
bool parent_defines(const struct parent *p, const char *name);

/*
 * The position of the symbol name that comes from source file `file`
 * (basename, e.g. "meminfo.c"), as livepatch counts it: 0 when the name is
 * unique, else 1-based. Returns -1 with *why set when it cannot be told.
 */
long parent_sympos(const struct parent *p, const char *name, const char *file,
		   bool local, const char **why);

#endif
