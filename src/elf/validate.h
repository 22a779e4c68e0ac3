/*
 * Checks on a relocatable object as elf_open reads it (src/elf/validate.c).
 * Each returns 0, or -1 with an error naming the file, the section and the
 * entry at fault.
 */
#ifndef LPATCH_ELF_VALIDATE_H
#define LPATCH_ELF_VALIDATE_H

#include "elf/elf.h"

/* Section headers: types, alignment, entry sizes, links. After reading sections. */
int elf_check_sections(const struct elf_file *ef);
/* Symbols and relocations: kinds, section indices, bounds. After reading everything. */
int elf_check_contents(const struct elf_file *ef);

#endif
