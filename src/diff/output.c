/* Building the output object: copies of what the patch carries. */
#include "internal.h"

#include "util/str.h"

#include <string.h>

/* A changed global function is local to the patch (as kpatch makes it): the
 * patch's copy is reached through livepatch, and an object of the patch that
 * calls the function by name means the target's (an export), not a second
 * global definition beside it. */
static unsigned char out_bind(const struct differ *d, const struct symbol *s)
{
	return !d->process && s->type == STT_FUNC && DSYM(s)->status == ST_CHANGED ?
	       STB_LOCAL : s->bind;
}

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
		DSYM(s)->out = elf_add_symbol(d->out, diff_target_name(s), s->type, out_bind(d, s),
					      out, 0, s->s.st_value, s->s.st_size);
		DSYM(s)->out->s.st_other = s->s.st_other;
		DSYM(s)->included = true;
	}
	*ARRAY_PUSH(d->work, d->nwork, d->workcap) = sec;
	return out;
}

/* A variable in a writable data section it shares with others
 * (__read_mostly, __section): the patch carries only that variable, in a
 * section of its own, so that its code keeps using the target's neighbours
 * (bound like any other existing variable) rather than copies of them. */
bool diff_sliced_section(const struct section *sec)
{
	return DSEC(sec)->shared && !DSEC(sec)->out && (sec->sh.sh_flags & SHF_WRITE) &&
	       !diff_is_text(sec) && !diff_is_special(sec);
}

static bool sliced(const struct symbol *sym)
{
	return sym->type == STT_OBJECT && diff_sliced_section(sym->sec) &&
	       sym->s.st_value + sym->s.st_size <= sym->sec->size;
}

static struct symbol *out_slice(struct differ *d, struct symbol *sym)
{
	struct section *sec = sym->sec, *out;
	const unsigned char *data = sec->sh.sh_type == SHT_NOBITS ? NULL : elf_section_data(sec);
	uint64_t at = sym->s.st_value, size = sym->s.st_size;

	out = elf_add_section(d->out, sec->name, sec->sh.sh_type, sec->sh.sh_flags,
			      data ? data + at : NULL, size, sec->sh.sh_addralign, sec->sh.sh_entsize);
	DSYM(sym)->out = elf_add_symbol(d->out, diff_target_name(sym), sym->type, sym->bind, out,
					  0, 0, size);
	DSYM(sym)->out->s.st_other = sym->s.st_other;
	DSYM(sym)->included = true;
	diff_copy_relocs(d, sec, out, at, at + size, -(int64_t)at);
	return DSYM(sym)->out;
}

struct symbol *diff_out_symbol(struct differ *d, struct symbol *sym)
{
	if (DSYM(sym)->out)
		return DSYM(sym)->out;
	if (sym->type != STT_SECTION && sliced(sym))
		return out_slice(d, sym);
	if (sym->type == STT_SECTION)
		return elf_section_symbol(diff_out_section(d, sym->sec));
	diff_out_section(d, sym->sec);
	return DSYM(sym)->out;
}
