/*
 * The symbol namespaces a livepatch module must import. An export made with
 * EXPORT_SYMBOL_NS (efivar_query_variable_info in EFIVAR, the crypto API's
 * CRYPTO_INTERNAL, ...) may only be used by a module that says
 * MODULE_IMPORT_NS; the patched module says it, the livepatch module must
 * too, or modpost refuses it ("uses symbol X from namespace NS, but does not
 * import it"). The namespaces come from the target's Module.symvers (its
 * fifth column) for every export the parts use.
 */
#include "klp/module.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

struct ns_export {
	char *name, *ns;
};

/* The namespaced exports of symvers: few (about 100 of 30000 in 6.1). */
static struct ns_export *read_namespaced(const char *symvers, size_t *count)
{
	char *text = read_file_quiet(symvers, NULL), *save = NULL;
	struct ns_export *list = NULL;
	size_t n = 0, cap = 0;

	*count = 0;
	if (!text)
		return NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		/* CRC, symbol, module, export type, namespace */
		char *f[5] = {0}, *p = l;
		size_t k = 0;

		while (k < 5) {
			f[k++] = p;
			if (!(p = strchr(p, '\t')))
				break;
			*p++ = '\0';
		}
		if (k == 5 && *f[4]) {
			struct ns_export *e = ARRAY_PUSH(list, n, cap);
			e->name = xstrdup(f[1]);
			e->ns = xstrdup(f[4]);
		}
	}
	free(text);
	*count = n;
	return list;
}

/* strv_insert_sorted puts s before the first entry cmp does not rank above it */
static int ascending(const char *a, const char *b)
{
	return strcmp(b, a);
}

size_t klp_namespaces(const char *symvers, const struct klp_part *parts, size_t nparts,
		      char ***out)
{
	size_t nexp, n = 0, cap = 0;
	struct ns_export *exp = symvers ? read_namespaced(symvers, &nexp) : NULL;
	char **list = NULL;

	*out = NULL;
	if (!exp)
		return 0;
	for (size_t i = 0; i < nparts; i++) {
		const struct elf_file *ef = parts[i].diff->out;

		for (size_t s = 1; ef && s < ef->nsym; s++) {
			const struct symbol *sym = ef->sym[s];

			if (sym->dropped || sym->s.st_shndx != SHN_UNDEF || sym->bind == STB_LOCAL)
				continue;
			for (size_t e = 0; e < nexp; e++)
				if (!strcmp(exp[e].name, sym->name)) {
					strv_insert_sorted(&list, &n, &cap, exp[e].ns, ascending);
					break;
				}
		}
	}
	for (size_t e = 0; e < nexp; e++)
		free(exp[e].name), free(exp[e].ns);
	free(exp);
	*out = list;
	return n;
}
