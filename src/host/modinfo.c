/* A .ko's .modinfo: "key=value\0" strings, read through the ELF model. */
#include "host/modinfo.h"

#include "elf/elf.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static void set_once(char **field, const char *value)
{
	if (!*field)
		*field = xstrdup(value);
}

static void take_entry(struct patch_info *pi, char *kv)
{
	char *v = strchr(kv, '=');

	if (!v)
		return;
	*v++ = '\0';
	if (patch_info_set(pi, kv, v))
		return;
	if (!strcmp(kv, "name"))
		set_once(&pi->name, v);
	else if (!strcmp(kv, "vermagic"))
		set_once(&pi->vermagic, v);
	else if (!strcmp(kv, "livepatch"))
		pi->livepatch = !strcmp(v, "Y");
	else if (!strcmp(kv, "lpatch_cve"))
		patch_info_add_cve(pi, v);
	else if (!strcmp(kv, "depends"))
		patch_info_add_depends(pi, v);
	else if (!strcmp(kv, "description"))
		set_once(&pi->description, v);
}

int ko_info_read(const char *path, struct patch_info *pi)
{
	struct elf_file *ef;
	struct section *mi;
	const unsigned char *d;

	memset(pi, 0, sizeof(*pi));
	pi->replace = -1;
	if (!(ef = elf_open(path, 0)))
		return LP_REFUSED;
	if (ef->ehdr.e_type != ET_REL) {
		lp_err("%s: not a kernel module (an ELF file, but not relocatable: e_type %u)",
		       path, (unsigned)ef->ehdr.e_type);
		elf_close(ef);
		return LP_REFUSED;
	}
	if (!(mi = elf_find_section(ef, ".modinfo")) || !(d = elf_section_data(mi))) {
		lp_err("%s: not a kernel module (no .modinfo section)", path);
		elf_close(ef);
		return LP_REFUSED;
	}
	for (size_t off = 0; off < mi->size;) {
		size_t n = strnlen((const char *)d + off, mi->size - off);
		char *kv = xstrndup((const char *)d + off, n);

		take_entry(pi, kv);
		free(kv);
		off += n + 1;
	}
	pi->file = xstrdup(path);
	if (!pi->name) {
		/* modpost always writes name=; an object that lacks it is no module */
		lp_err("%s: not a kernel module (.modinfo has no name=)", path);
		patch_info_free(pi);
		elf_close(ef);
		return LP_REFUSED;
	}
	ko_read_klp_structs(ef, pi);
	patch_info_sort(pi);
	elf_close(ef);
	return 0;
}
