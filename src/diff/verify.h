/*
 * Verification against the target: is a function lpatch compiled from the
 * original source the very function that runs (vmlinux, a module's .ko, an
 * executable or a shared library)? Both are decoded and compared
 * instruction by instruction: the same operations on the same operands,
 * with every branch, call and data reference resolved on each side to what
 * it points at (an instruction of the function, symbol + offset, or the
 * string a merged section holds). How the assembler encoded them (a jump
 * relaxed to 2 bytes in the linked target, 5 with a relocation under
 * -ffunction-sections) and padding nops do not count. Sites the linker may
 * rewrite (GOT and TLS relaxation) are skipped, as long as they keep their
 * length.
 */
#ifndef LPATCH_DIFF_VERIFY_H
#define LPATCH_DIFF_VERIFY_H

#include "diff/parent.h"
#include "elf/elf.h"

struct verify_stats {
	size_t checked;		/* functions compared with the target's */
	size_t absent;		/* functions the target does not have (inlined or discarded) */
	size_t mismatched;
};

/*
 * fn is a FUNC symbol of the relocatable object obj; tsym the same
 * function's symbol in target's file (linked, or relocatable like a .ko).
 * Returns 1 when they match, 0 when they do not (*why, if not NULL, gets
 * where and how: caller frees), -1 when the target's bytes cannot be read
 * (error printed).
 */
int verify_function(struct elf_file *obj, struct symbol *fn, const struct parent *target,
		    struct symbol *tsym, char **why);

/* Told of each function fn that does not match: source is the object's FILE
 * symbol (may be NULL), why where and how they differ; st the counts so
 * far, fn included. */
typedef void verify_mismatch_fn(void *ctx, const struct verify_stats *st,
				const struct symbol *fn, const char *source, const char *why);

/*
 * Every function of the relocatable object path that the target p has (the
 * same name; a static from the same source file) compared with it by
 * verify_function; each mismatch goes to report. weak: weak definitions
 * too (in a kernel one may lose to another object's definition at link
 * time, so the target's function of that name need not be this one).
 * Returns 0 when all match, 1 when some do not, -1 on errors (printed; the
 * check stops there); st gets the counts.
 */
int verify_object(const char *path, const struct parent *p, bool weak, struct verify_stats *st,
		  verify_mismatch_fn *report, void *ctx);

#endif
