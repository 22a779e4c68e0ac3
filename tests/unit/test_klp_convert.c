/* Turning references to .klp.sym.* symbols into livepatch relocation sections. */
#include "elf/elf.h"
#include "fixture.h"
#include "klp/module.h"
#include "unit.h"

#include <stdlib.h>

static const char *src =
	"extern int kv __asm__(\"\\\".klp.sym.vmlinux.kv,0\\\"\");\n"
	"int get(void) { return kv + 1; }\n";

static bool refers_to_klp(const struct section *rs)
{
	for (size_t i = 0; rs && i < rs->nrel; i++)
		if (rs->rel[i].sym && str_starts(rs->rel[i].sym->name, ".klp.sym."))
			return true;
	return false;
}

/* By name over every section (elf_find_section may see one relocation
 * section per base). */
static bool has_section(const struct elf_file *ef, const char *name)
{
	for (size_t i = 1; i < ef->nsec; i++)
		if (!strcmp(ef->sec[i]->name, name))
			return true;
	return false;
}

/* Code references move to .klp.rela.vmlinux..text.get; a debug information
 * reference stays where it is (the core would write a module object's after
 * the section is freed), and the symbol becomes SHN_LIVEPATCH. */
static void only_allocated_sections_convert(void)
{
	char *o = fixture_cc("klp_in", src, "-g");
	char *mid = xasprintf("%s/klp_mid.o", fixture_tmp());
	char *out = xasprintf("%s/klp_out.o", fixture_tmp());
	struct elf_file *a = o ? elf_open(o, 0) : NULL, *b = NULL;
	struct section *dbg = a ? elf_find_section(a, ".rela.debug_info") : NULL;
	struct symbol *kv = a ? elf_find_symbol(a, ".klp.sym.vmlinux.kv,0") : NULL;

	CHECK(dbg && dbg->nrel && kv);
	if (!dbg || !dbg->nrel || !kv) {
		elf_close(a);
		goto out;
	}
	dbg->rel[0].sym = kv;	/* as a call-site value naming the variable would */
	CHECK(elf_write(a, mid) == 0);
	elf_close(a);
	CHECK(klp_convert(mid, out) == 0);
	b = elf_open(out, 0);
	CHECK(b != NULL);
	if (!b)
		goto out;
	CHECK(has_section(b, ".klp.rela.vmlinux..text.get"));
	CHECK(!has_section(b, ".klp.rela.vmlinux..debug_info"));
	CHECK(!refers_to_klp(elf_find_section(b, ".rela.text.get")));
	CHECK(refers_to_klp(elf_find_section(b, ".rela.debug_info")));
	kv = elf_find_symbol(b, ".klp.sym.vmlinux.kv,0");
	CHECK(kv && kv->s.st_shndx == SHN_LIVEPATCH);
	elf_close(b);
out:
	free(mid);
	free(out);
	free(o);
}

int main(void)
{
	RUN(only_allocated_sections_convert);
	fixture_cleanup();
	return unit_done();
}
