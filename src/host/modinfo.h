/* Reading a livepatch .ko (through the ELF model): .modinfo and its klp structures. */
#ifndef LPATCH_HOST_MODINFO_H
#define LPATCH_HOST_MODINFO_H

#include "host/patchinfo.h"

struct elf_file;

/*
 * Fill pi from the module at path: name, vermagic, livepatch, lpatch_target,
 * lpatch_patch_sha256, lpatch_cve, description from .modinfo, and the patched
 * objects and functions from its klp structures. Returns LP_OK, or
 * LP_REFUSED when the file cannot be read or is not a kernel module (not an
 * ELF relocatable, or no .modinfo), with the reason printed.
 */
int ko_info_read(const char *path, struct patch_info *pi);

/*
 * The objects and functions a module built by lpatch patches, read from its
 * klp_object/klp_func arrays (lpatch_objs, lpatch_funcs_N) and their
 * relocations, and whether its klp_patch replaces. Leaves pi unchanged when
 * the module does not have lpatch's structures (built by another tool).
 */
void ko_read_klp_structs(struct elf_file *ef, struct patch_info *pi);

#endif
