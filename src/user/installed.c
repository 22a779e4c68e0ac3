/*
 * A stripped file that runs, and a rebuild of it with symbols: the symbols
 * (and so every address a patch carries) may be taken from the rebuild only
 * if both lay out the same sections at the same addresses and their code is
 * byte for byte the same. Build-ids are not compared: they hash paths and
 * debug information, which differ between two builds of the same code.
 */
#include "user/installed.h"

#include "elf/elf.h"
#include "util/log.h"

#include <inttypes.h>
#include <string.h>

/* The section of ef named like s, or NULL. */
static struct section *twin(const struct elf_file *ef, const struct section *s)
{
	return elf_find_section(ef, s->name);
}

static int compare(struct elf_file *reb, struct elf_file *inst, size_t *ncode, size_t *bytes)
{
	*ncode = *bytes = 0;
	for (size_t i = 1; i < reb->nsec; i++) {
		struct section *r = reb->sec[i], *t;
		const unsigned char *rd, *td;

		if (!(r->sh.sh_flags & SHF_ALLOC))
			continue;
		t = twin(inst, r);
		if (!t) {
			lp_err("%s: section %s of the rebuild %s is missing", inst->path, r->name,
			       reb->path);
			return LP_REFUSED;
		}
		if (t->sh.sh_addr != r->sh.sh_addr || t->sh.sh_size != r->sh.sh_size) {
			lp_err("%s: section %s is at %#" PRIx64 " (%" PRIu64 " bytes), in the rebuild %s "
			       "at %#" PRIx64 " (%" PRIu64 " bytes)", inst->path, r->name,
			       (uint64_t)t->sh.sh_addr, (uint64_t)t->sh.sh_size, reb->path,
			       (uint64_t)r->sh.sh_addr, (uint64_t)r->sh.sh_size);
			return LP_REFUSED;
		}
		if (!(r->sh.sh_flags & SHF_EXECINSTR) || r->sh.sh_type == SHT_NOBITS)
			continue;
		rd = elf_section_data(r);
		td = elf_section_data(t);
		if (!rd || !td) {
			lp_err("%s: cannot read section %s", !rd ? reb->path : inst->path, r->name);
			return LP_FAIL;
		}
		if (memcmp(rd, td, r->sh.sh_size)) {
			size_t off = 0;
			struct symbol *fn;

			while (rd[off] == td[off])
				off++;
			fn = elf_symbol_at(reb, r, r->sh.sh_addr + off);
			lp_err("%s: the code differs from the rebuild %s at %#" PRIx64 " (section %s%s%s): "
			       "this source, compiler or flags did not build the installed file",
			       inst->path, reb->path, (uint64_t)(r->sh.sh_addr + off), r->name,
			       fn ? ", function " : "", fn ? fn->name : "");
			return LP_REFUSED;
		}
		(*ncode)++;
		*bytes += r->sh.sh_size;
	}
	for (size_t i = 1; i < inst->nsec; i++) {
		struct section *t = inst->sec[i];

		if ((t->sh.sh_flags & SHF_ALLOC) && !twin(reb, t)) {
			lp_err("%s: section %s is missing in the rebuild %s", inst->path, t->name,
			       reb->path);
			return LP_REFUSED;
		}
	}
	return *ncode ? LP_OK : (lp_err("%s has no code section", inst->path), LP_REFUSED);
}

int installed_same_code(const char *rebuilt, const char *installed)
{
	struct elf_file *reb = elf_open(rebuilt, 0), *inst = reb ? elf_open(installed, 0) : NULL;
	size_t ncode, bytes;
	int r = LP_FAIL;

	if (reb && inst) {
		if (!reb->symtab) {
			lp_err("the rebuild %s has no symbol table: it cannot give the installed "
			       "file's symbols", rebuilt);
			r = LP_REFUSED;
		} else if (reb->ehdr.e_type != inst->ehdr.e_type ||
			   reb->ehdr.e_machine != inst->ehdr.e_machine) {
			lp_err("%s and the rebuild %s are different kinds of ELF file", installed,
			       rebuilt);
			r = LP_REFUSED;
		} else if (!(r = compare(reb, inst, &ncode, &bytes))) {
			lp_progress("%s: the same code as the rebuild (%zu code section%s, %zu bytes, "
				    "every allocated section at the same address)", installed, ncode,
				    ncode > 1 ? "s" : "", bytes);
		}
	}
	if (r == LP_REFUSED)
		lp_hint("build the patch from the exact source version, build dependencies and "
			"flags the installed file was built with");
	if (inst)
		elf_close(inst);
	if (reb)
		elf_close(reb);
	return r;
}
