/* Finding a target's modules, and the copies of them with symbols. */
#include "target/modsyms.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* Module names compare with '-' and '_' as one character. */
static bool same_modname(const char *a, const char *b, size_t blen)
{
	size_t i = 0;

	for (; a[i] && i < blen; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return false;
	return !a[i] && i == blen;
}

/* The length of name without its ".ko" or ".ko.COMPRESSION" ending (6.12's
 * modules.dep names kernel/fs/binfmt_misc.ko.xz), or 0 when it has none. */
static size_t ko_stem(const char *name, size_t len)
{
	static const char *const ends[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t e = strlen(ends[i]);
		if (len > e && !memcmp(name + len - e, ends[i], e))
			return len - e;
	}
	return 0;
}

/* The module's path relative to t->modules as modules.dep has it, with a
 * compressed module's ending made ".ko" (e.g. "kernel/fs/xfs/xfs.ko": the
 * name of its copy with symbols, which is never compressed); modname as
 * KBUILD_MODNAME has it ('-' and '_' are the same). NULL when the target
 * has no such module, with an error unless quiet. */
static char *find_module(const struct kernel_target *t, const char *modname, bool quiet)
{
	char *dep, *text, *found = NULL;

	if (!t->modules) {
		if (!quiet)
			lp_err("the target's module tree is unknown: cannot find module %s", modname);
		return NULL;
	}
	dep = path_join(t->modules, "modules.dep");
	text = quiet ? read_file_quiet(dep, NULL) : read_file(dep, NULL);
	for (const char *l = text; l && *l && !found;) {
		size_t n = strcspn(l, ":\n");
		const char *slash = memrchr(l, '/', n);
		const char *base = slash ? slash + 1 : l;
		size_t blen = (size_t)(l + n - base);

		size_t stem = ko_stem(base, blen);

		if (stem && same_modname(modname, base, stem))
			found = xasprintf("%.*s.ko", (int)(base + stem - l), l);
		l += strcspn(l, "\n");
		l += *l == '\n';
	}
	if (text && !found && !quiet) {
		lp_err("module %s is not among the target's modules (%s)", modname, dep);
		lp_hint("is it built in (=y) in the target's config? lpatch reads modules.dep");
	}
	free(text);
	free(dep);
	return found;
}

bool target_has_module(const struct kernel_target *t, const char *modname)
{
	char *rel = find_module(t, modname, true);
	bool yes = rel != NULL;

	free(rel);
	return yes;
}

char *target_module_symbols(const struct kernel_target *t, const char *modname)
{
	char *rel = find_module(t, modname, false), *out = NULL;

	if (!rel)
		return NULL;
	if (t->provider && t->provider->module_symbols)
		out = t->provider->module_symbols(t, rel);
	else
		lp_err("patching module %s of a kernel given with --src needs the module's .ko "
		       "with symbols, which lpatch cannot find yet for such targets", modname);
	free(rel);
	return out;
}
