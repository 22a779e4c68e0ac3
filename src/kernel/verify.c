/*
 * Verification of a build against the target kernel: every function lpatch
 * compiled from the original source must be, instruction for instruction
 * (src/diff/verify.c), the function the target runs. A different compiler, config or
 * source shows up here, before a module is written.
 */
#include "kernel/verify.h"

#include "util/log.h"

#define SHOWN_MAX 5	/* mismatches printed in full per object */

struct shown {
	const char *name;
	const struct parent *p;
};

static void show(void *ctx, const struct verify_stats *st, const struct symbol *fn,
		 const char *source, const char *why)
{
	const struct shown *s = ctx;

	if (st->mismatched <= SHOWN_MAX)
		lp_err("%s: %s() does not match the target's %s: %s", s->name, fn->name,
		       s->p->objname, why);
}

int kernel_verify_object(const char *obj, const char *name, const struct parent *p,
			 struct verify_stats *st)
{
	struct verify_stats local;
	int ret;

	if (!st)
		st = &local;
	/* a weak definition may lose to another object's at link time */
	ret = verify_object(obj, p, false, st, show, &(struct shown){ .name = name, .p = p });
	if (st->mismatched > SHOWN_MAX)
		lp_err("%s: %zu more functions do not match the target", name,
		       st->mismatched - SHOWN_MAX);
	if (ret >= 0)
		lp_debug("%s: %zu functions match the target's %s, %zu not in it", name,
			 st->checked - st->mismatched, p->objname, st->absent);
	return ret;
}
