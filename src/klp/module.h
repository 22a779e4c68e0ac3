/* Writing a livepatch module from the differ's output (one part per object). */
#ifndef LPATCH_KLP_MODULE_H
#define LPATCH_KLP_MODULE_H

#include "diff/diff.h"
#include "target/target.h"

#include <stdbool.h>

struct strbuf;

/* The generated file names the new functions and the callbacks of part P
 * through global aliases: __lpatch_new_P_ITEM, __lpatch_cb_P_KIND. */
#define KLP_ALIAS_NEW "__lpatch_new_"
#define KLP_ALIAS_CB "__lpatch_cb_"

struct klp_part {
	char *objname;			/* "vmlinux" or the patched module's name;
					 * owned by the part (whoever fills parts frees it) */
	const char *source;		/* the source file, for messages */
	struct diff_result *diff;	/* its changes; diff->out is what it carries */
};

struct klp_meta {
	const char *name;		/* module name, e.g. livepatch-cve-2024-1234 */
	bool replace;			/* atomic replace of earlier patches */
	const char *description;
	const char *const *cves;	/* NULL-terminated, may be NULL */
	const char *patch_sha256;	/* of the source diff(s) */
};

/* Build the module in workdir with kbuild against t->headers; write out_ko
 * atomically. Returns 0, or -1 with the reason printed. */
int klp_module_build(const struct kernel_target *t, struct klp_part *parts, size_t nparts,
		     const struct klp_meta *meta, const char *workdir, const char *out_ko);

/* The symbol namespaces (sorted, each once) of the exports that the parts
 * objects use, from the target's Module.symvers: what the module must import
 * (klp/namespaces.c). Returns how many; *out is NULL when none. */
size_t klp_namespaces(const char *symvers, const struct klp_part *parts, size_t nparts,
		      char ***out);

/* klp_meta.c: the metadata of the generated source (modinfo and read-only
 * parameters lpatch_cves, lpatch_description, lpatch_target,
 * lpatch_patch_sha256, lpatch_replace), and C string literals. */
void klp_meta_source(struct strbuf *sb, const struct kernel_target *t, const struct klp_meta *m);
void klp_c_string(struct strbuf *sb, const char *s);

/* Turn references to .klp.sym.* symbols in a linked module into livepatch
 * relocation sections and symbols (module-elf-format.rst); write to out. */
int klp_convert(const char *ko, const char *out);

#endif
