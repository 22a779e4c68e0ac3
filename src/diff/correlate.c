/* Pairing each symbol and section of the patched object with its original. */
#include "internal.h"

#include "util/str.h"

#include <ctype.h>
#include <string.h>

/* Length of name without a trailing compiler number (".123"). */
static size_t base_len(const char *name)
{
	size_t n = strlen(name), k = n;

	while (k && isdigit((unsigned char)name[k - 1]))
		k--;
	if (k < n && k > 1 && name[k - 1] == '.')
		return k - 1;
	return n;
}

static bool same_kind(const struct symbol *a, const struct symbol *b)
{
	return a->type == b->type && (a->bind == STB_LOCAL) == (b->bind == STB_LOCAL) &&
	       (a->s.st_shndx == SHN_UNDEF) == (b->s.st_shndx == SHN_UNDEF);
}

/* Static locals get numbered names (counter.3); the number may change between
 * builds. Pair them by base name when that is unambiguous on both sides. */
static struct symbol *numbered_twin(struct elf_file *orig, struct elf_file *patched,
				    const struct symbol *sym)
{
	size_t len = base_len(sym->name);
	struct symbol *found = NULL;
	int here = 0, there = 0;

	if (len == strlen(sym->name) || sym->type != STT_OBJECT)
		return NULL;
	for (size_t i = 1; i < patched->nsym; i++) {
		struct symbol *s = patched->sym[i];
		if (s->type == STT_OBJECT && base_len(s->name) == len &&
		    !strncmp(s->name, sym->name, len))
			here++;
	}
	for (size_t i = 1; i < orig->nsym; i++) {
		struct symbol *s = orig->sym[i];
		if (same_kind(s, sym) && base_len(s->name) == len && !strncmp(s->name, sym->name, len)) {
			there++;
			found = s;
		}
	}
	return here == 1 && there == 1 ? found : NULL;
}

static struct symbol *find_twin(struct differ *d, struct symbol *sym)
{
	for (size_t i = 1; i < d->orig->nsym; i++) {
		struct symbol *o = d->orig->sym[i];
		if (!DSYM(o)->twin && same_kind(o, sym) && !strcmp(o->name, sym->name))
			return o;
	}
	return numbered_twin(d->orig, d->patched, sym);
}

static void pair_symbols(struct differ *d, struct symbol *p, struct symbol *o)
{
	DSYM(p)->twin = o;
	DSYM(o)->twin = p;
}

static void pair_sections(struct section *p, struct section *o)
{
	if (DSEC(p)->twin || DSEC(o)->twin)
		return;
	DSEC(p)->twin = o;
	DSEC(o)->twin = p;
}

void diff_correlate(struct differ *d)
{
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *p = d->patched->sym[i], *o;

		if (p->type == STT_SECTION || p->type == STT_FILE)
			continue;
		o = find_twin(d, p);
		if (o)
			pair_symbols(d, p, o);
	}
	/* sections: through the symbols they hold, else by name */
	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *p = d->patched->sec[i];
		struct symbol *twin = p->owner ? DSYM(p->owner)->twin : NULL;

		if (twin && twin->sec && twin->sec->owner == twin)
			pair_sections(p, twin->sec);
	}
	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *p = d->patched->sec[i], *o;

		if (DSEC(p)->twin || p->owner)
			continue;
		o = elf_find_section(d->orig, p->name);
		if (o && !o->owner)
			pair_sections(p, o);
	}
	/* relocation sections follow their bases */
	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *p = d->patched->sec[i], *twin = DSEC(p)->twin;
		if (p->rela && twin && twin->rela)
			pair_sections(p->rela, twin->rela);
	}
}
