/* A process patch file (.lpatch): see docs/user-patch-format.md. */
#ifndef LPATCH_USER_PATCHFILE_H
#define LPATCH_USER_PATCHFILE_H

#include "elf/elf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A patch's name is stored in each region's header (name[64]). */
#define PATCH_NAME_MAX 63

struct patch_func {
	char *name;
	uint64_t addr;		/* in the target object file (before load bias) */
	uint64_t size;		/* of the old function */
	struct symbol *sym;	/* the new function in the patch */
	uint64_t cold_addr, cold_size;	/* its .cold part (cold= line; stripped targets) */
};

/* ref= lines: which of the target's symbols a name means (statics that repeat). */
struct patch_ref {
	char *name;
	uint64_t addr;		/* st_value in the target object file */
	char type;		/* 'f' func, 'o' object, 't' tls: given for stripped targets; 0 */
};

struct user_patch {
	char *path;
	struct elf_file *ef;
	char *name;
	char *build_id;
	char *object;		/* file name of the target object */
	struct patch_func *funcs;
	size_t nfuncs, funcap;
	struct patch_ref *refs;
	size_t nrefs, refcap;
};

/* Non-empty, at most PATCH_NAME_MAX characters, no '/' and no white space. */
bool patch_name_valid(const char *name);
/* Read and check a patch; errors name the file and what is wrong. */
int patch_open(const char *path, struct user_patch *pf);
void patch_close(struct user_patch *pf);

#endif
