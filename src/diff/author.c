/*
 * The patch author's markers (include/lpatch.h, include/kpatch-macros.h).
 * Each marker is a pointer-sized variable in a marker section; its
 * relocation names the function, the section name string, or the callback.
 * Markers for ignoring and forcing change the statuses compare.c decided;
 * callback markers are carried into the output, where the module writer
 * reads them back (diff_callback).
 */
#include "author.h"
#include "internal.h"

#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

enum marker { MARK_IGNORE_FUNC, MARK_IGNORE_SECTION, MARK_FORCE_FUNC };

static const char *const cb_fields[DIFF_CB_KINDS] = {
	[DIFF_CB_PRE_PATCH] = "pre_patch",
	[DIFF_CB_POST_PATCH] = "post_patch",
	[DIFF_CB_PRE_UNPATCH] = "pre_unpatch",
	[DIFF_CB_POST_UNPATCH] = "post_unpatch",
};

/* Marker sections: lpatch's own names, then the ones kpatch's headers use. */
static const struct {
	const char *name;
	enum marker kind;
	const char *macro;	/* for messages */
} marker_sections[] = {
	{ ".lpatch.ignore.functions", MARK_IGNORE_FUNC, "*_IGNORE_FUNCTION" },
	{ ".lpatch.ignore.sections", MARK_IGNORE_SECTION, "*_IGNORE_SECTION" },
	{ ".lpatch.force.functions", MARK_FORCE_FUNC, "LPATCH_FORCE_FUNCTION (KPATCH_FORCE_UNSAFE)" },
	{ ".kpatch.ignore.functions", MARK_IGNORE_FUNC, "KPATCH_IGNORE_FUNCTION" },
	{ ".kpatch.ignore.sections", MARK_IGNORE_SECTION, "KPATCH_IGNORE_SECTION" },
	{ ".kpatch.force", MARK_FORCE_FUNC, "KPATCH_FORCE_UNSAFE" },
};

const char *diff_callback_field(enum diff_callback_kind kind)
{
	return cb_fields[kind];
}

/* ".lpatch.callbacks.pre_patch" / ".kpatch.callbacks.pre_patch" → its kind, or -1 */
static int callback_kind(const char *secname)
{
	const char *rest;

	if (str_starts(secname, ".lpatch.callbacks."))
		rest = secname + strlen(".lpatch.callbacks.");
	else if (str_starts(secname, ".kpatch.callbacks."))
		rest = secname + strlen(".kpatch.callbacks.");
	else
		return -1;
	for (int k = 0; k < DIFF_CB_KINDS; k++)
		if (!strcmp(rest, cb_fields[k]))
			return k;
	return -1;
}

/* The function a marker relocation points at (a section symbol of a
 * function's own section counts as that function), or NULL. */
static struct symbol *marked_function(const struct reloc *r)
{
	struct symbol *s = r->sym;

	/* against its section: the function there, at the start or, behind
	 * CONFIG_CALL_PADDING's 16 bytes of NOPs (6.12), at +16 */
	if (s && s->type == STT_SECTION && s->sec && r->addend >= 0) {
		struct symbol *o = s->sec->owner;

		if (o && o->s.st_value == (uint64_t)r->addend)
			return o->type == STT_FUNC ? o : NULL;
		for (size_t i = 1; i < s->elf->nsym; i++) {
			struct symbol *f = s->elf->sym[i];
			if (f->sec == s->sec && f->type == STT_FUNC &&
			    f->s.st_value == (uint64_t)r->addend)
				return f;
		}
		return NULL;
	}
	return s && s->type == STT_FUNC ? s : NULL;
}

/* Forget refusals about a symbol the author told the differ to ignore. */
static void drop_refusals(struct differ *d, const char *name)
{
	struct diff_result *r = d->res;
	size_t k = 0;

	for (size_t i = 0; i < r->nrefusals; i++) {
		if (!strcmp(r->refusals[i].symbol, name)) {
			free(r->refusals[i].symbol);
			free(r->refusals[i].why);
			continue;
		}
		r->refusals[k++] = r->refusals[i];
	}
	r->nrefusals = k;
}

static void ignore_symbol(struct differ *d, struct symbol *s)
{
	if (DSYM(s)->status == ST_CHANGED)
		DSYM(s)->status = ST_SAME;
	drop_refusals(d, s->name);
}

/* A function and its .cold parts. */
static void ignore_function(struct differ *d, struct symbol *f, const char *macro)
{
	size_t n = strlen(f->name);

	if (DSYM(f)->status == ST_NEW) {
		lp_warn("%s: %s(%s) names a function the original does not have; it stays in the "
			"patch", d->source, macro, f->name);
		return;
	}
	lp_progress("%s: %s: ignoring any change to %s", d->source, macro, f->name);
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i];
		/* its .cold part, and the clones GCC made of it */
		if (s == f || (s->type == STT_FUNC && !strncmp(s->name, f->name, n) &&
			       (str_starts(s->name + n, ".cold") || str_starts(s->name + n, ".isra.") ||
				str_starts(s->name + n, ".constprop.") ||
				str_starts(s->name + n, ".part."))))
			ignore_symbol(d, s);
	}
}

static void ignore_section(struct differ *d, const char *name, const char *macro)
{
	bool found = false;

	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *sec = d->patched->sec[i];
		if (strcmp(sec->name, name))
			continue;
		found = true;
		for (size_t k = 1; k < d->patched->nsym; k++)
			if (d->patched->sym[k]->sec == sec)
				ignore_symbol(d, d->patched->sym[k]);
	}
	drop_refusals(d, name);
	if (found)
		lp_progress("%s: %s: ignoring any change in section %s", d->source, macro, name);
	else
		lp_warn("%s: %s(\"%s\"): the object has no such section", d->source, macro, name);
}

static void force_function(struct differ *d, struct symbol *f, const char *macro)
{
	if (DSYM(f)->status == ST_SAME)
		DSYM(f)->status = ST_CHANGED;
	lp_progress("%s: %s: %s is patched whether or not it changed", d->source, macro, f->name);
}

static void apply_marker(struct differ *d, struct section *sec, enum marker kind,
			 const char *macro)
{
	for (size_t i = 0; sec->rela && i < sec->rela->nrel; i++) {
		const struct reloc *r = &sec->rela->rel[i];
		struct symbol *f = kind == MARK_IGNORE_SECTION ? NULL : marked_function(r);
		const char *s = kind == MARK_IGNORE_SECTION ? elf_reloc_string(r) : NULL;

		if (kind == MARK_IGNORE_SECTION && !s) {
			diff_refuse(d, sec->name, "%s: an %s marker does not point at a string",
				    d->source, macro);
		} else if (kind == MARK_IGNORE_SECTION) {
			ignore_section(d, s, macro);
		} else if (!f || !f->sec) {
			diff_refuse(d, r->sym ? r->sym->name : sec->name,
				    "%s: %s(%s) names no function defined in this file", d->source,
				    macro, r->sym ? r->sym->name : "?");
		} else if (kind == MARK_IGNORE_FUNC) {
			ignore_function(d, f, macro);
		} else {
			force_function(d, f, macro);
		}
	}
}

void diff_author(struct differ *d)
{
	/* forcing first: an ignore marker for the same function wins */
	static const enum marker order[] = { MARK_FORCE_FUNC, MARK_IGNORE_FUNC, MARK_IGNORE_SECTION };

	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		for (size_t m = 0; m < sizeof(marker_sections) / sizeof(marker_sections[0]); m++) {
			struct section *sec;
			if (marker_sections[m].kind != order[o])
				continue;
			sec = elf_find_section(d->patched, marker_sections[m].name);
			if (sec)
				apply_marker(d, sec, order[o], marker_sections[m].macro);
		}
	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *sec = d->patched->sec[i];
		if (callback_kind(sec->name) >= 0)
			diff_include_section(d, sec);
	}
}

struct symbol *diff_callback(const struct elf_file *out, enum diff_callback_kind kind,
			     const char *source, bool *err)
{
	struct symbol *found = NULL;

	for (size_t i = 1; i < out->nsec; i++) {
		struct section *sec = out->sec[i];
		struct reloc *r;
		struct symbol *f;

		if (callback_kind(sec->name) != (int)kind)
			continue;
		r = elf_reloc_at(sec, 0);
		f = r ? marked_function(r) : NULL;
		if (!f || !f->sec) {
			lp_err("%s: the %s callback is not a function defined in the patched file",
			       source, cb_fields[kind]);
			*err = true;
			return NULL;
		}
		if (found && found != f) {
			lp_err("%s: two %s callbacks (%s and %s): one per object", source,
			       cb_fields[kind], found->name, f->name);
			*err = true;
			return NULL;
		}
		found = f;
	}
	return found;
}
