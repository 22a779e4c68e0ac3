/*
 * Pairing each symbol and section of the patched object with its original.
 * Plain names pair by name. Names the compiler numbers pair by what they
 * are, not by their number, which may change between builds: clones
 * (f.isra.N, f.constprop.N, f.part.N) by their stripped name, preferring
 * identical code; static locals (calls.N) by their use in functions that
 * pair. Per-call-site statics (once-flags, __func__, CSWTCH) never pair.
 */
#include "internal.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static bool same_kind(const struct symbol *a, const struct symbol *b)
{
	return a->type == b->type && (a->bind == STB_LOCAL) == (b->bind == STB_LOCAL) &&
	       (a->s.st_shndx == SHN_UNDEF) == (b->s.st_shndx == SHN_UNDEF);
}

static bool pairable(const struct symbol *s)
{
	return s->type != STT_SECTION && s->type != STT_FILE && !diff_special_static(s);
}

static void pair_symbols(struct symbol *p, struct symbol *o)
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

static void pair_plain_names(struct differ *d)
{
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *p = d->patched->sym[i];

		if (!pairable(p) || diff_is_numbered(p->name))
			continue;
		for (size_t j = 1; j < d->orig->nsym; j++) {
			struct symbol *o = d->orig->sym[j];
			if (!DSYM(o)->twin && same_kind(o, p) && !strcmp(o->name, p->name)) {
				pair_symbols(p, o);
				break;
			}
		}
	}
}

/* Unpaired numbered symbols of ef whose stripped name is base, like sym. */
static size_t candidates(struct elf_file *ef, const char *base, const struct symbol *like,
			 struct symbol **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *s = ef->sym[i];
		char *sb;

		if (DSYM(s)->twin || !pairable(s) || !same_kind(s, like) || !diff_is_numbered(s->name))
			continue;
		sb = diff_stripped_name(s->name);
		if (!strcmp(sb, base) && n < max)
			out[n++] = s;
		free(sb);
	}
	return n;
}

static bool same_code(const struct symbol *a, const struct symbol *b)
{
	return a->sec && b->sec && a->sec->owner == a && b->sec->owner == b &&
	       a->sec->size == b->sec->size && diff_bytes_equal(a->sec, b->sec);
}

/* Clones: the one candidate, else the one with identical code, else the same name. */
static void pair_clones(struct differ *d)
{
	enum { MAX = 64 };
	struct symbol *o[MAX], *p[MAX];

	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i], *pick = NULL;
		size_t no, np;
		char *base;

		if (DSYM(s)->twin || s->type != STT_FUNC || !pairable(s) || !diff_is_numbered(s->name))
			continue;
		base = diff_stripped_name(s->name);
		no = candidates(d->orig, base, s, o, MAX);
		np = candidates(d->patched, base, s, p, MAX);
		free(base);
		if (no == 1 && np == 1)
			pick = o[0];
		for (size_t k = 0; !pick && k < no; k++)
			if (same_code(s, o[k]))
				pick = o[k];
		for (size_t k = 0; !pick && k < no; k++)
			if (!strcmp(o[k]->name, s->name))
				pick = o[k];
		if (pick)
			pair_symbols(s, pick);
	}
}

static bool static_local(const struct symbol *s)
{
	return s->type == STT_OBJECT && s->bind == STB_LOCAL && s->sec && pairable(s) &&
	       diff_is_numbered(s->name);
}

static bool uses(const struct symbol *fn, const struct symbol *var)
{
	const struct section *rs = fn->sec ? fn->sec->rela : NULL;

	for (size_t i = 0; rs && i < rs->nrel; i++)
		if (diff_ref_symbol(fn->sec, &rs->rel[i], NULL) == var)
			return true;
	return false;
}

/* Static locals used by two paired functions pair in order of use. */
static void pair_statics_by_use(struct symbol *p, struct symbol *o)
{
	const struct section *pr = p->sec->rela, *or = o->sec->rela;

	for (size_t i = 0; pr && or && i < pr->nrel; i++) {
		struct symbol *ps = diff_ref_symbol(p->sec, &pr->rel[i], NULL);
		char *base;

		if (!static_local(ps) || DSYM(ps)->twin)
			continue;
		base = diff_stripped_name(ps->name);
		for (size_t j = 0; j < or->nrel; j++) {
			struct symbol *os = diff_ref_symbol(o->sec, &or->rel[j], NULL);
			char *ob;
			bool match;

			if (!static_local(os) || DSYM(os)->twin || !same_kind(os, ps))
				continue;
			ob = diff_stripped_name(os->name);
			match = !strcmp(ob, base);
			free(ob);
			if (match) {
				pair_symbols(ps, os);
				break;
			}
		}
		free(base);
	}
}

static void pair_statics(struct differ *d)
{
	enum { MAX = 64 };
	struct symbol *o[MAX], *p[MAX];

	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *f = d->patched->sym[i], *t = DSYM(f)->twin;
		if (f->type == STT_FUNC && t && f->sec && t->sec)
			pair_statics_by_use(f, t);
	}
	/* used by no paired function: by name when that is unambiguous */
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i];
		char *base;

		if (!static_local(s) || DSYM(s)->twin)
			continue;
		base = diff_stripped_name(s->name);
		if (candidates(d->orig, base, s, o, MAX) == 1 &&
		    candidates(d->patched, base, s, p, MAX) == 1)
			pair_symbols(s, o[0]);
		free(base);
	}
}

/* The patched function (or one of its .cold/.part pieces) uses var. */
static bool piece_uses(struct differ *d, const struct symbol *fn, const struct symbol *var)
{
	size_t n = strlen(fn->name);

	if (uses(fn, var))
		return true;
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i];
		if (s->type == STT_FUNC && !strncmp(s->name, fn->name, n) && s->name[n] == '.' &&
		    uses(s, var))
			return true;
	}
	return false;
}

/* A paired function that stops using one of its static locals: which of the
 * patched build's statics is the original can no longer be told by use. */
static void refuse_dropped_statics(struct differ *d)
{
	for (size_t i = 1; i < d->orig->nsym; i++) {
		struct symbol *o = d->orig->sym[i], *p = DSYM(o)->twin;
		const struct section *rs = o->sec ? o->sec->rela : NULL;

		if (o->type != STT_FUNC || !p || !p->sec)
			continue;
		for (size_t j = 0; rs && j < rs->nrel; j++) {
			struct symbol *v = diff_ref_symbol(o->sec, &rs->rel[j], NULL), *pv;
			if (!static_local(v))
				continue;
			pv = DSYM(v)->twin;
			if (pv && piece_uses(d, p, pv))
				continue;
			diff_refuse(d, p->name, "'%s' no longer uses its static variable '%s': lpatch "
				    "pairs static locals with the target's by their use, so it cannot "
				    "tell which state the patched function means; keep a use of it, or "
				    "move the state into a new variable", p->name, v->name);
		}
	}
}

void diff_correlate(struct differ *d)
{
	pair_plain_names(d);
	pair_clones(d);
	pair_statics(d);
	refuse_dropped_statics(d);
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
