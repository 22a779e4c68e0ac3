/*
 * Checks on a file as elf_open reads it (src/elf/validate.c).
 * Each returns 0, or -1 with an error naming the file, the section and the
 * entry at fault.
 */
#ifndef LPATCH_ELF_VALIDATE_H
#define LPATCH_ELF_VALIDATE_H

#include "elf/elf.h"

/* The file type and section headers: types, alignment, entry sizes, links.
 * For every file read whole, after reading its sections. */
int elf_check_sections(const struct elf_file *ef);
/* Symbols and relocations: kinds, section indices, bounds. For a relocatable
 * object read whole, after reading everything. */
int elf_check_contents(const struct elf_file *ef);

#endif
