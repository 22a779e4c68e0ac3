/* Host programs copied into the guest: the binary, its shared libraries, its loader. */
#ifndef LPATCH_VM_PROGRAM_H
#define LPATCH_VM_PROGRAM_H

#include "vm/cpio.h"

#include <stdbool.h>

/*
 * Add the executable at exe as guest_name (e.g. "bin/lpatch"), with every
 * shared library it needs (DT_NEEDED, followed recursively, resolved in the
 * standard library directories) at the same paths as on the host, and the
 * dynamic loader named by its PT_INTERP. -1 with an error naming what is missing.
 */
int program_add(struct cpio_out *c, const char *exe, const char *guest_name);

/* Is the ELF executable at path statically linked (no PT_INTERP)? */
bool program_is_static(const char *path);

#endif
