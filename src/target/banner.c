/* Which kernel a vmlinux is: the release in its linux_banner string. */
#include "target/tree.h"

#include "elf/elf.h"
#include "util/log.h"
#include "util/str.h"

#include <string.h>

static const char banner[] = "Linux version ";

char *vmlinux_release(const char *vmlinux)
{
	/* The banner lives in .rodata: reading only the section headers and
	 * that section keeps this fast on a 600 MB vmlinux (no symbol table,
	 * no debug info). */
	struct elf_file *ef = elf_open(vmlinux, ELF_OPEN_SECTIONS);
	struct section *ro;
	const char *d, *p, *end;
	char *rel = NULL;

	if (!ef) {
		lp_hint("a vmlinux is needed (an ELF file), not a compressed vmlinuz");
		return NULL;
	}
	ro = elf_find_section(ef, ".rodata");
	d = ro && ro->sh.sh_type == SHT_PROGBITS ? (const char *)elf_section_data(ro) : NULL;
	p = d ? memmem(d, ro->size, banner, sizeof(banner) - 1) : NULL;
	if (p) {
		p += sizeof(banner) - 1;
		for (end = p; end < d + ro->size && *end && *end != ' '; end++)
			;
		rel = xstrndup(p, (size_t)(end - p));
	} else {
		lp_err("%s has no kernel banner (\"%s...\") in .rodata: is it a vmlinux?", vmlinux,
		       banner);
	}
	elf_close(ef);
	return rel;
}
