/*
 * Binding for process patches: a reference to something the target object
 * defines (its statics included) or imports becomes an undefined symbol of
 * that name, resolved by the runtime in the running process; thread-local
 * variables bind like variables; a function the target has no symbol for
 * (inlined everywhere there) travels with the patch as a copy.
 */
#include "internal.h"

#include "util/str.h"

#include <string.h>

static void add_binding(struct differ *d, const char *name, long pos, bool own)
{
	struct diff_result *r = d->res;

	for (size_t i = 0; i < r->nbindings; i++)
		if (!strcmp(r->bindings[i].symbol, name) && r->bindings[i].sympos == pos)
			return;
	*ARRAY_PUSH(r->bindings, r->nbindings, r->bindingcap) =
		(struct diff_binding){ .symbol = xstrdup(name), .sympos = pos, .klp = own };
}

/* A name the target defines (binding.klp = true, with its sympos) or imports. */
static struct symbol *bind_name(struct differ *d, const char *name, bool local, const char *from)
{
	const char *why = NULL;
	long pos;

	if (!parent_defines(d->parent, name)) {
		if (local) {
			diff_refuse(d, name, "%s refers to static '%s', which %s does not have", from,
				    name, d->parent->path);
			return NULL;
		}
		add_binding(d, name, 0, false);		/* imported from a dependency */
		return elf_undefined_symbol(d->out, name);
	}
	pos = parent_sympos(d->parent, name, d->source, local, &why);
	if (pos < 0) {
		diff_refuse(d, name, "%s refers to %s '%s', which cannot be told apart in %s: %s",
			    from, local ? "static" : "global", name, d->parent->path, why);
		return NULL;
	}
	add_binding(d, name, pos, true);
	return elf_undefined_symbol(d->out, name);
}

struct symbol *diff_process_resolve(struct differ *d, struct symbol *sym, const char *from)
{
	struct dsym *ds;

	if (!sym->sec)
		return bind_name(d, sym->name, false, from);
	ds = DSYM(sym);
	if (ds->included || DSEC(sym->sec)->included)
		return diff_out_symbol(d, sym);
	if ((sym->type == STT_FUNC || sym->type == STT_OBJECT) &&
	    (ds->status == ST_NEW || ds->status == ST_CHANGED))
		return diff_out_symbol(d, sym);
	if (sym->type == STT_FUNC && !parent_defines(d->parent, sym->name))
		return diff_out_symbol(d, sym);	/* inlined in the target: carry a copy */
	if (sym->type == STT_FUNC || sym->type == STT_OBJECT || sym->type == STT_TLS)
		return bind_name(d, diff_target_name(sym), sym->bind == STB_LOCAL, from);
	if (!(sym->sec->sh.sh_flags & SHF_WRITE))
		return diff_out_symbol(d, sym);
	diff_refuse(d, sym->name, "%s refers to '%s' (%s), which is neither a function nor a variable",
		    from, sym->name, sym->sec->name);
	return NULL;
}
