/* What kind of section or symbol the differ is looking at. */
#include "internal.h"

#include "util/str.h"

#include <string.h>

bool diff_is_text(const struct section *sec)
{
	return sec->sh.sh_flags & SHF_EXECINSTR;
}

bool diff_is_strings(const struct section *sec)
{
	return (sec->sh.sh_flags & (SHF_MERGE | SHF_STRINGS)) == (SHF_MERGE | SHF_STRINGS);
}

bool diff_is_init(const struct section *sec)
{
	return str_starts(sec->name, ".init.") || str_starts(sec->name, ".exit.") ||
	       str_starts(sec->name, ".meminit.") || str_starts(sec->name, ".ref.");
}

bool diff_is_ignored(const struct section *sec)
{
	static const char *const prefixes[] = {
		".debug", ".comment", ".note", ".discard", ".initcall", "__ksymtab",
		"___ksymtab", ".modinfo", ".BTF", ".gnu.linkonce.this_module", "__versions",
		".eh_frame", ".llvm", "__patchable_function_entries", ".export_symbol",
		".con_initcall", ".security_initcall", "__param", "__modver", ".init_array",
		".ctors", ".rela", ".symtab", ".strtab", ".shstrtab", "__kcrctab",
		"__kstrtab", ".GCC.command.line",
	};

	if (sec->sh.sh_type == SHT_NULL || sec->sh.sh_type == SHT_GROUP)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (str_starts(sec->name, prefixes[i]))
			return true;
	return false;
}

int64_t diff_target_offset(const struct reloc *r)
{
	bool pc_relative = r->type == R_X86_64_PC32 || r->type == R_X86_64_PLT32 ||
			   r->type == R_X86_64_GOTPCREL || r->type == R_X86_64_GOTPCRELX ||
			   r->type == R_X86_64_REX_GOTPCRELX;

	return r->addend + (pc_relative ? 4 : 0);
}

char *diff_cold_parent(const char *name)
{
	const char *c = strstr(name, ".cold");

	if (!c || c == name)
		return NULL;
	if (c[5] && c[5] != '.')
		return NULL;
	return xstrndup(name, (size_t)(c - name));
}
