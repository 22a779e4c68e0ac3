/* Building the output object: copies of what the patch carries. */
#include "internal.h"

#include "util/str.h"

#include <string.h>

struct section *diff_out_section(struct differ *d, struct section *sec)
{
	struct dsec *ds = DSEC(sec);
	struct section *out;

	if (ds->out)
		return ds->out;
	out = elf_add_section(d->out, sec->name, sec->sh.sh_type, sec->sh.sh_flags,
			      sec->data, sec->size, sec->sh.sh_addralign, sec->sh.sh_entsize);
	ds->out = out;
	ds->included = true;
	/* the functions and variables it holds come along */
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i];
		if (s->sec != sec || s->type == STT_SECTION || DSYM(s)->out)
			continue;
		DSYM(s)->out = elf_add_symbol(d->out, s->name, s->type, s->bind, out, 0,
					      s->s.st_value, s->s.st_size);
		DSYM(s)->out->s.st_other = s->s.st_other;
		DSYM(s)->included = true;
	}
	*ARRAY_PUSH(d->work, d->nwork, d->workcap) = sec;
	return out;
}

struct symbol *diff_out_symbol(struct differ *d, struct symbol *sym)
{
	if (sym->type == STT_SECTION)
		return elf_section_symbol(diff_out_section(d, sym->sec));
	diff_out_section(d, sym->sec);
	return DSYM(sym)->out;
}
