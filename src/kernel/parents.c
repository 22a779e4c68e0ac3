/* Opening each parent of a kernel patch once. */
#include "kernel/parents.h"

#include "target/modsyms.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

struct parent *parents_get(struct parents *ps, const char *modname)
{
	const char *name = modname ? modname : "vmlinux";
	struct parent *p;
	char *ko;

	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->open[i]->objname, name))
			return ps->open[i];
	if (!modname) {
		p = parent_open(ps->target->vmlinux, "vmlinux");
	} else {
		lp_progress("reading the symbols of module %s", modname);
		if (!(ko = target_module_symbols(ps->target, modname)))
			return NULL;
		p = parent_open(ko, modname);
		free(ko);
	}
	if (!p) {
		lp_hint("%s", target_symbols_hint(ps->target));
		return NULL;
	}
	*ARRAY_PUSH(ps->open, ps->n, ps->cap) = p;
	return p;
}

void parents_free(struct parents *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		parent_close(ps->open[i]);
	free(ps->open);
	ps->open = NULL;
	ps->n = ps->cap = 0;
}
