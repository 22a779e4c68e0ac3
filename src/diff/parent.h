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
	struct parent_types *types;	/* debug info, opened on first use (parent_types.c) */
};

/* objname: "vmlinux" or the module name (NULL: vmlinux). */
struct parent *parent_open(const char *path, const char *objname);
void parent_close(struct parent *p);

/* Is name exported by the parent (EXPORT_SYMBOL*, seen as __ksymtab_<name>)? */
bool parent_exports(const struct parent *p, const char *name);
/* The first symbol called name in symtab order, or NULL. */
const struct parent_sym *parent_find(const struct parent *p, const char *name);
/* Calls fn for each defined symbol called name, in symtab order, until fn
 * returns true; returns that symbol, or NULL when fn never does. */
const struct parent_sym *parent_each(const struct parent *p, const char *name,
				     bool (*fn)(const struct parent_sym *, void *), void *ctx);
/* Does the parent define a function or variable called name? */
bool parent_defines(const struct parent *p, const char *name);

/*
 * The position of the symbol name that comes from source file `file`
 * (basename, e.g. "meminfo.c"), as livepatch counts it: 0 when the name is
 * unique, else 1-based. Returns -1 with *why set when it cannot be told.
 */
long parent_sympos(const struct parent *p, const char *name, const char *file,
		   bool local, const char **why);
/* The same, where several locals of that name come from `file`: the nth of
 * them (1-based) in symbol table order, as the object's own order has them
 * (0: no such hint, refused as ambiguous). */
long parent_sympos_nth(const struct parent *p, const char *name, const char *file,
		       bool local, size_t nth, const char **why);

/* The target's own symbol for name from source file `file` (as for
 * parent_sympos), or NULL when there is not exactly one. */
struct symbol *parent_symbol(const struct parent *p, const char *name, const char *file,
			     bool local);

/*
 * The size of `struct type` as the target defines it, read from the parent's
 * debug info in the compile unit of `user` (a function of the target that
 * uses the type, e.g. find_bug for bug_entry). Returns -1 when the parent
 * has no debug info, no such function or no such type (then *why says
 * which). Answers are cached per parent.
 */
long parent_type_size(struct parent *p, const char *type, const char *user, const char **why);
/* The offset in .debug_info of the unit whose .debug_aranges ranges cover
 * addr: 0 found (*unit set), 1 not covered, -1 no usable .debug_aranges
 * (missing, compressed, big-endian or malformed). */
int parent_aranges_unit(struct parent *p, uint64_t addr, uint64_t *unit);
void parent_types_close(struct parent *p);

#endif
