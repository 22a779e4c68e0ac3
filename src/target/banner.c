/* Which kernel a vmlinux is: the release in its linux_banner string. */
#include "target/tree.h"

#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

static const char banner[] = "Linux version ";

/* The banner lives in .rodata: searching only there keeps this fast on a
 * 600 MB vmlinux (the section is read, not the debug info). */
static char *find_in_rodata(Elf *elf)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name, *p, *end;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".rodata"))
			continue;
		if (!(d = elf_rawdata(scn, NULL)) || !d->d_buf)
			return NULL;
		p = memmem(d->d_buf, d->d_size, banner, sizeof(banner) - 1);
		if (!p)
			return NULL;
		p += sizeof(banner) - 1;
		end = p;
		while (end < (const char *)d->d_buf + d->d_size && *end && *end != ' ')
			end++;
		return xstrndup(p, (size_t)(end - p));
	}
	return NULL;
}

char *vmlinux_release(const char *vmlinux)
{
	int fd = open(vmlinux, O_RDONLY | O_CLOEXEC);
	char *rel = NULL;
	Elf *elf;

	if (fd < 0) {
		lp_perr("cannot open %s", vmlinux);
		return NULL;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		lp_err("%s is not an ELF file (a vmlinux is needed, not a compressed vmlinuz)",
		       vmlinux);
	} else if (!(rel = find_in_rodata(elf))) {
		lp_err("%s has no kernel banner (\"%s...\") in .rodata: is it a vmlinux?", vmlinux,
		       banner);
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return rel;
}
