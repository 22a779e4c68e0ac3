/*
 * What lpatch knows about one kernel livepatch: its metadata (from a .ko's
 * .modinfo, or from a loaded patch's lpatch_* module parameters) and the
 * functions it replaces (from the .ko's klp structures, or from sysfs).
 */
#ifndef LPATCH_HOST_PATCHINFO_H
#define LPATCH_HOST_PATCHINFO_H

#include <stdbool.h>
#include <stddef.h>

struct patch_func {
	char *object;		/* "vmlinux" or a module's name */
	char *name;
	long sympos;		/* position among symbols of that name, from 1 (as in sysfs) */
};

struct patch_info {
	char *name;		/* module name, as the kernel spells it (underscores) */
	char *file;		/* the .ko read, or NULL */
	char *vermagic;
	char *target;		/* lpatch_target: the release it was built for */
	char *description;
	char *patch_sha256;	/* of the source diff(s) */
	char **cves;		/* sorted */
	size_t ncves, cvecap;
	char **depends;		/* modinfo depends=: the modules whose exports it uses, as written */
	size_t ndepends, dependcap;
	bool livepatch;		/* modinfo livepatch=Y */
	int replace;		/* 1 atomic replace, 0 stacks, -1 unknown */
	struct patch_func *funcs;
	size_t nfuncs, funccap;
};

void patch_info_free(struct patch_info *pi);
void patch_info_add_cve(struct patch_info *pi, const char *cve);
/*
 * The lpatch_* keys a .ko's .modinfo and a loaded module's parameters both
 * carry: lpatch_target and lpatch_patch_sha256 (the first value kept),
 * lpatch_replace. False, pi untouched, for any other key.
 */
bool patch_info_set(struct patch_info *pi, const char *key, const char *value);
/* Add each module of a depends= value ("hid,usbcore"), once. */
void patch_info_add_depends(struct patch_info *pi, const char *list);
void patch_info_add_func(struct patch_info *pi, const char *object, const char *name, long sympos);
/* Sort the CVEs and functions (object, then name) for stable output. */
void patch_info_sort(struct patch_info *pi);
/* "livepatch-cmdline" -> "livepatch_cmdline" (the kernel's spelling); caller frees. */
char *patch_module_name(const char *name);
/* The release named by a vermagic string (its first word); caller frees. */
char *vermagic_release(const char *vermagic);

#endif
