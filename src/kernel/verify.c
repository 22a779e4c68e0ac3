/*
 * Verification of a build against the target kernel: every function lpatch
 * compiled from the original source must be, byte for byte outside the
 * link sites, the function the target runs. A different compiler, config or
 * source shows up here, before a module is written.
 */
#include "kernel/verify.h"

#include "diff/verify.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

#define SHOWN_MAX 5	/* mismatches printed in full per object */

static const char *source_file(const struct elf_file *ef)
{
	for (size_t i = 1; i < ef->nsym; i++)
		if (ef->sym[i]->type == STT_FILE)
			return ef->sym[i]->name;
	return NULL;
}

int kernel_verify_object(const char *obj, const char *name, const struct parent *p,
			 struct verify_stats *st)
{
	struct verify_stats local = {0};
	struct elf_file *ef = elf_open(obj, 0);
	const char *file;
	int ret = 0;

	if (!st)
		st = &local;
	*st = (struct verify_stats){0};
	if (!ef)
		return -1;
	file = source_file(ef);
	for (size_t i = 1; i < ef->nsym && ret >= 0; i++) {
		struct symbol *fn = ef->sym[i], *tsym;
		char *why = NULL;
		int r;

		/* a weak definition may lose to another object's at link time */
		if (fn->type != STT_FUNC || !fn->sec || !fn->s.st_size || fn->bind == STB_WEAK)
			continue;
		tsym = parent_symbol(p, fn->name, file, fn->bind == STB_LOCAL);
		if (!tsym || tsym->type != STT_FUNC) {
			st->absent++;
			continue;
		}
		st->checked++;
		r = verify_function(ef, fn, p->elf, tsym, &why);
		if (r < 0) {
			ret = -1;
		} else if (r == 0) {
			if (st->mismatched++ < SHOWN_MAX)
				lp_err("%s: %s() does not match the target's %s: %s", name, fn->name,
				       p->objname, why);
			ret = 1;
		}
		free(why);
	}
	if (st->mismatched > SHOWN_MAX)
		lp_err("%s: %zu more functions do not match the target", name,
		       st->mismatched - SHOWN_MAX);
	lp_debug("%s: %zu functions match the target's %s, %zu not in it", name,
		 st->checked - st->mismatched, p->objname, st->absent);
	elf_close(ef);
	return ret;
}
