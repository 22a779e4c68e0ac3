/*
 * Verification against the target: is a function lpatch compiled from the
 * original source the very function that runs (vmlinux, a module's .ko, an
 * executable or a shared library)? Compared byte for byte, with the sites
 * that linking fills in (relocations, and the instruction bytes that linker
 * relaxation may rewrite around them) masked on both sides.
 */
#ifndef LPATCH_DIFF_VERIFY_H
#define LPATCH_DIFF_VERIFY_H

#include "elf/elf.h"

/*
 * fn is a FUNC symbol of the relocatable object obj; tsym the same
 * function's symbol in target (linked, or relocatable like a .ko).
 * Returns 1 when they match, 0 when they do not (*why, if not NULL, gets
 * where and how: caller frees), -1 when the target's bytes cannot be read
 * (error printed).
 */
int verify_function(struct elf_file *obj, struct symbol *fn, struct elf_file *target,
		    struct symbol *tsym, char **why);

#endif
