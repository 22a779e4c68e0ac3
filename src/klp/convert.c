/*
 * After kbuild links the module: references to symbols named
 * .klp.sym.<obj>.<name>,<pos> move to .klp.rela.<obj>.<section> relocation
 * sections (SHF_RELA_LIVEPATCH | SHF_ALLOC), and those symbols become
 * SHN_LIVEPATCH, as the kernel's livepatch module format requires.
 */
#include "klp/module.h"

#include "elf/elf.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

#define KLP_SYM ".klp.sym."

static bool is_klp(const struct symbol *s)
{
	return s && str_starts(s->name, KLP_SYM);
}

/* "vmlinux" out of ".klp.sym.vmlinux.name,0" */
static char *klp_objname(const struct symbol *s)
{
	const char *start = s->name + strlen(KLP_SYM), *dot = strchr(start, '.');
	return dot ? xstrndup(start, (size_t)(dot - start)) : NULL;
}

static struct section *klp_section(struct elf_file *ef, struct section *base, const char *obj)
{
	char *name = xasprintf(".klp.rela.%s.%s", obj, base->name);
	struct section *rs = elf_find_section(ef, name);

	if (!rs) {
		rs = elf_add_section(ef, name, SHT_RELA,
				     SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH, NULL, 0, 8,
				     sizeof(Elf64_Rela));
		rs->base = base;
	}
	free(name);
	return rs;
}

static int split(struct elf_file *ef, struct section *rs)
{
	size_t keep = 0;

	for (size_t i = 0; i < rs->nrel; i++) {
		struct reloc r = rs->rel[i];
		struct section *klp;
		char *obj;

		if (!is_klp(r.sym)) {
			rs->rel[keep++] = r;
			continue;
		}
		obj = klp_objname(r.sym);
		if (!obj) {
			lp_err("%s: malformed livepatch symbol %s", ef->path, r.sym->name);
			return -1;
		}
		klp = klp_section(ef, rs->base, obj);
		*ARRAY_PUSH(klp->rel, klp->nrel, klp->relcap) = r;
		free(obj);
	}
	rs->nrel = keep;
	return 0;
}

/* The generated file names new functions and callbacks through global
 * aliases (KLP_ALIAS_NEW..., KLP_ALIAS_CB...). Once linked, references go to
 * the function's own symbol and the aliases go, so that kallsyms, stack
 * traces and stalled-task reports show the function's real name. */
static bool is_alias(const struct symbol *s)
{
	return str_starts(s->name, KLP_ALIAS_NEW) || str_starts(s->name, KLP_ALIAS_CB);
}

static struct symbol *aliased(struct elf_file *ef, const struct symbol *alias)
{
	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *s = ef->sym[i];
		if (s != alias && s->type == STT_FUNC && s->sec == alias->sec &&
		    s->s.st_value == alias->s.st_value && !is_alias(s) && !s->dropped)
			return s;
	}
	return NULL;
}

static void drop_aliases(struct elf_file *ef)
{
	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *alias = ef->sym[i], *real;

		if (!is_alias(alias) || !alias->sec || !(real = aliased(ef, alias)))
			continue;
		for (size_t k = 1; k < ef->nsec; k++) {
			struct section *rs = ef->sec[k];
			for (size_t j = 0; rs->sh.sh_type == SHT_RELA && j < rs->nrel; j++)
				if (rs->rel[j].sym == alias)
					rs->rel[j].sym = real;
		}
		alias->dropped = true;
	}
}

int klp_convert(const char *ko, const char *out)
{
	struct elf_file *ef = elf_open(ko, 0);
	size_t nsec;
	int ret = -1;

	if (!ef)
		return -1;
	drop_aliases(ef);
	nsec = ef->nsec;
	for (size_t i = 1; i < nsec; i++) {
		struct section *rs = ef->sec[i];
		/* Only sections the module keeps in memory: the livepatch core
		 * writes a module object's relocations after loading, when a
		 * non-allocated section (debug information) is gone. The loader
		 * never applies the relocations of those, so they stay. */
		if (rs->sh.sh_type == SHT_RELA && rs->base && !(rs->sh.sh_flags & SHF_RELA_LIVEPATCH) &&
		    (rs->base->sh.sh_flags & SHF_ALLOC) && split(ef, rs))
			goto out;
	}
	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *s = ef->sym[i];
		if (!is_klp(s))
			continue;
		if (s->s.st_shndx != SHN_UNDEF && s->s.st_shndx != SHN_LIVEPATCH) {
			lp_err("%s: livepatch symbol %s is defined in the module", ko, s->name);
			goto out;
		}
		s->s.st_shndx = SHN_LIVEPATCH;
		s->sec = NULL;
	}
	ret = elf_write(ef, out);
out:
	elf_close(ef);
	return ret;
}
