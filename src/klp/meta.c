/*
 * The metadata part of the generated livepatch source: modinfo entries
 * (read from the .ko file by modinfo and `lpatch info`) and read-only
 * module parameters (read from /sys/module/NAME/parameters/ once loaded).
 *
 *   modinfo                      parameter            value
 *   description                  lpatch_description   --description ("" when unset;
 *                                                      modinfo then says it is a live patch)
 *   lpatch_cve (one per CVE)     lpatch_cves          --cve, comma-separated
 *   lpatch_target                lpatch_target        the target kernel release
 *   lpatch_patch_sha256          lpatch_patch_sha256  sha256 of the source diff(s)
 *   lpatch_replace               lpatch_replace       "Y" atomic replace, "N" stacks
 *
 * 6.1 has no /sys/kernel/livepatch/NAME/replace (6.11 adds it), so the
 * parameter is how `lpatch status` tells a loaded patch's mode.
 */
#include "klp/module.h"

#include "util/str.h"

#include <stdlib.h>

void klp_c_string(struct strbuf *sb, const char *s)
{
	sb_add(sb, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_addf(sb, "\\%c", *s);
		else if (*s == '\n')
			sb_add(sb, "\\n");
		else if ((unsigned char)*s < 0x20)
			sb_addf(sb, "\\%03o", (unsigned char)*s);
		else
			sb_addn(sb, s, 1);
	}
	sb_add(sb, "\"");
}

static void modinfo(struct strbuf *sb, const char *tag, const char *value)
{
	sb_addf(sb, "MODULE_INFO(%s, ", tag);
	klp_c_string(sb, value);
	sb_add(sb, ");\n");
}

/* A string parameter that can be read (0444) and never set, not even by
 * insmod NAME=VALUE: the set operation refuses. */
static void parameter(struct strbuf *sb, const char *name, const char *value, const char *what)
{
	sb_addf(sb, "static char *%s_value = ", name);
	klp_c_string(sb, value);
	sb_addf(sb, ";\nmodule_param_cb(%s, &lpatch_meta_ops, &%s_value, 0444);\n"
		    "MODULE_PARM_DESC(%s, \"%s (read-only)\");\n", name, name, name, what);
}

void klp_meta_source(struct strbuf *sb, const struct kernel_target *t, const struct klp_meta *m)
{
	struct strbuf cves = {0};
	char *joined;

	for (const char *const *c = m->cves; c && *c; c++)
		sb_addf(&cves, "%s%s", cves.len ? "," : "", *c);
	joined = sb_take(&cves);

	sb_add(sb, "\n/* metadata: modinfo, and read-only parameters in sysfs */\n"
		   "static int lpatch_meta_set(const char *val, const struct kernel_param *kp)\n"
		   "{\n\treturn -EPERM;\n}\n\n"
		   "static const struct kernel_param_ops lpatch_meta_ops = {\n"
		   "\t.set = lpatch_meta_set,\n\t.get = param_get_charp,\n};\n\n");
	parameter(sb, "lpatch_cves", joined, "CVEs this patch fixes, comma-separated");
	parameter(sb, "lpatch_description", m->description ? m->description : "",
		  "what this patch does");
	parameter(sb, "lpatch_target", t->release, "the kernel release this patch is for");
	parameter(sb, "lpatch_patch_sha256", m->patch_sha256 ? m->patch_sha256 : "",
		  "sha256 of the source diff");
	parameter(sb, "lpatch_replace", m->replace ? "Y" : "N",
		  "Y: replaces earlier patches, N: stacks on them");

	sb_add(sb, "\nMODULE_DESCRIPTION(");
	klp_c_string(sb, m->description ? m->description : "live patch built by lpatch");
	sb_add(sb, ");\n");
	modinfo(sb, "lpatch_target", t->release);
	modinfo(sb, "lpatch_replace", m->replace ? "Y" : "N");
	if (m->patch_sha256)
		modinfo(sb, "lpatch_patch_sha256", m->patch_sha256);
	for (const char *const *c = m->cves; c && *c; c++)
		modinfo(sb, "lpatch_cve", *c);
	free(joined);
}
