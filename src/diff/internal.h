/* State shared by the differ's stages (correlate, compare, include, output). */
#ifndef LPATCH_DIFF_INTERNAL_H
#define LPATCH_DIFF_INTERNAL_H

#include "diff.h"

enum status { ST_UNKNOWN, ST_SAME, ST_CHANGED, ST_NEW };

struct dsec {
	struct section *twin;
	enum status status;
	bool comparing;		/* recursion guard while comparing */
	bool included;		/* the patch carries this section */
	bool shared;		/* holds several variables or functions (.data..read_mostly) */
	struct section *out;	/* its copy in the output object */
};

struct dsym {
	struct symbol *twin;
	enum status status;
	bool included;
	bool via_callers;	/* changed but notrace: carried, its callers redirected */
	const char *notrace_why;	/* why its callers cannot be redirected instead */
	struct symbol *out;	/* its copy (or binding) in the output object */
};

struct line_source;

struct differ {
	struct elf_file *orig, *patched;
	/* the DWARF line tables of orig [0] and patched [1], read on first use
	 * (srclines.c); freed with diff_source_lines_free */
	struct line_source *lines[2];
	struct parent *parent;
	const char *source;	/* FILE symbol of the objects, e.g. "meminfo.c" */
	struct diff_result *res;
	struct elf_file *out;
	struct section **work;	/* sections to include, not yet processed */
	size_t nwork, workcap;
	bool failed;		/* an error (not a refusal) happened */
	bool process;		/* diff_opts.process */
	bool skip_init;		/* diff_opts.skip_init */
};

static inline struct dsec *DSEC(const struct section *s) { return s->priv; }
static inline struct dsym *DSYM(const struct symbol *s) { return s->priv; }

/* correlate.c */
void diff_correlate(struct differ *d);
/* compare.c */
void diff_compare(struct differ *d);
/* Same bytes outside relocation fields (a and b of equal size). */
bool diff_bytes_equal(const struct section *a, const struct section *b);
/* lines.c: the only differences are line numbers passed to printk/WARN/might_sleep */
bool diff_line_only_change(struct differ *d, const struct section *a, const struct section *b);
/* The strings code at ra in a and rb in b loads differ only in the line
 * numbers they quote after a file name ("x86.c:8493", __FILE__ ":"
 * __stringify(__LINE__)), moved as far as the loading statement moved. */
bool diff_line_only_string(struct differ *d, const struct section *a, const struct reloc *ra,
			   const struct section *b, const struct reloc *rb);
/* Source line of offset off in sec (of d->orig or d->patched), from the
 * object's DWARF line table (srclines.c); 0 when unknown. */
int diff_source_line(struct differ *d, const struct section *sec, uint64_t off);
/* Free d's line tables (diff_objects does, when done). */
void diff_source_lines_free(struct differ *d);
/* include.c */
void diff_include(struct differ *d);
void diff_include_section(struct differ *d, struct section *sec);
/* notrace.c: does f start with an __fentry__ call (livepatch can redirect it)? */
bool diff_traceable(const struct symbol *f);
/* Changed functions without __fentry__: carried, their callers redirected. */
void diff_carry_notrace(struct differ *d);
/* special.c */
bool diff_is_special(const struct section *sec);
void diff_special_sections(struct differ *d);
/* output.c */
struct section *diff_out_section(struct differ *d, struct section *sec);
struct symbol *diff_out_symbol(struct differ *d, struct symbol *sym);
/* A writable data section shared by several variables (__read_mostly): the
 * patch carries each of its variables it needs alone, never the section. */
bool diff_sliced_section(const struct section *sec);
void diff_copy_relocs(struct differ *d, struct section *sec, struct section *out,
		      uint64_t from, uint64_t to, int64_t shift);
/* labels.c: true when ra or rb goes through a string label; *equal says if the strings match */
bool diff_string_refs(const struct reloc *ra, const struct reloc *rb, bool *equal);
/* The string a relocation into a string section points at (through the
 * section symbol or a label), and the room after it; NULL outside the data. */
const char *diff_string_at(const struct reloc *r, size_t *room);
/* process.c */
struct symbol *diff_process_resolve(struct differ *d, struct symbol *sym, const char *from);
/* diff.c */
void diff_refuse(struct differ *d, const char *symbol, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A note for the author (struct diff_note); the same text once. */
void diff_note(struct differ *d, const char *symbol, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The name the target knows sym by: its original twin's (a static local or a
 * clone the patched build numbered differently: xstats.2 is the target's
 * xstats.0), else its own. */
const char *diff_target_name(const struct symbol *sym);
/* The source file a local symbol comes from: the FILE symbol before it (an
 * object linked from several files, ld -r, has one per file), else the
 * object's. */
const char *diff_symbol_source(const struct differ *d, const struct symbol *sym);
/* Where several locals of sym's name come from its source file (a header's
 * static beside the file's own): which of them it is (1-based, in the
 * original object's symbol table order), else 0. */
size_t diff_local_rank(const struct differ *d, const struct symbol *sym);

/* A function behind its padding prefix (__pfx_f, __cfi_f: the symbol owning
 * the section, just before f, with CONFIG_FUNCTION_PADDING or kCFI): f is
 * the section's real function, the prefix travels with it. */
bool diff_after_prefix(const struct symbol *f);
/* Is p such a prefix of the function after it? */
bool diff_is_prefix(const struct symbol *p);

/* Section kinds. */
bool diff_is_text(const struct section *sec);
bool diff_is_strings(const struct section *sec);
bool diff_is_ignored(const struct section *sec);
bool diff_is_init(const struct section *sec);
bool diff_is_exit(const struct section *sec);
/* Code or data the running target no longer has: init sections (run and
 * freed), and exit sections of built-in code (discarded, never run). A
 * module's exit code is there until it unloads: patched like the rest. */
bool diff_gone(const struct differ *d, const struct section *sec);
void diff_refuse_gone(struct differ *d, const struct symbol *s);
/* Where in its section a relocation points: a PC-relative field is 4 bytes
 * before the end of the instruction for every reference GCC emits here. */
int64_t diff_target_offset(const struct reloc *r);
/* The symbol a relocation means (a section symbol of a one-symbol section
 * is that symbol; of a shared one, the symbol at the target), and the
 * addend relative to it. */
struct symbol *diff_ref_symbol(const struct section *in, const struct reloc *r, int64_t *addend);
/* diff_target_offset, exact for RIP-relative operands followed by an
 * immediate (in: the section holding the relocation, NULL: not known). */
int64_t diff_ref_offset(const struct section *in, const struct reloc *r);
/* "calls.3" -> "calls", "f.isra.0" -> "f.isra" (caller frees); has it a ".N"? */
char *diff_stripped_name(const char *name);
bool diff_is_numbered(const char *name);
/* A per-call-site static (once-flag, __func__, CSWTCH, ...): never correlated. */
bool diff_special_static(const struct symbol *s);
/* "name.cold", "name.cold.3": the hot function's name, else NULL (caller frees). */
char *diff_cold_parent(const char *name);
/* Is name such a .cold part (a piece of its function, never one of its own)? */
bool diff_is_cold_part(const char *name);

#endif
