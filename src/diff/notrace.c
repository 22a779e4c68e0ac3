/*
 * A changed function without an __fentry__ call cannot be redirected by
 * livepatch. The kernel's `inline` means notrace, so a static inline that
 * GCC emitted out of line is such a function (ip_vs_bind_dest in
 * net/netfilter/ipvs/ip_vs_conn.c). When every use of it is a call or jump
 * from functions of the same object, the patch carries it as it is and
 * redirects those callers instead (their calls then reach the patched
 * copy), going up through callers that are notrace too, until functions
 * livepatch can redirect. A note names them. Anything else (a global the
 * object cannot see all callers of, an address stored in data, a chain
 * ending in notrace code nothing calls) stays refused by list_items.
 */
#include "internal.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

bool diff_traceable(const struct symbol *f)
{
	size_t idx = 0;
	const struct reloc *r = elf_reloc_in(f->sec, f->s.st_value, f->s.st_value + 16, &idx);

	return r && r->sym && !strcmp(r->sym->name, "__fentry__");
}

struct walk {
	struct symbol **seen;		/* notrace functions on the way up */
	size_t nseen, seencap;
	struct symbol **redirect;	/* traceable callers to redirect */
	size_t nredirect, redirectcap;
};

static bool listed(struct symbol **v, size_t n, const struct symbol *s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == s)
			return true;
	return false;
}

static bool refers_to(const struct reloc *r, const struct symbol *f)
{
	return r->sym && (r->sym == f || (r->sym->type == STT_SECTION && r->sym->sec == f->sec &&
					  f->sec->owner == f));
}

/* The function whose code holds offset off of text section t (a .cold
 * part counts as its hot function). */
static struct symbol *holder(const struct differ *d, const struct section *t, uint64_t off)
{
	struct symbol *s = t->owner ? t->owner : elf_symbol_at(d->patched, t, off);
	char *hot;

	if (!s || s->type != STT_FUNC || !(hot = diff_cold_parent(s->name)))
		return s && s->type == STT_FUNC ? s : NULL;
	s = elf_find_symbol(d->patched, hot);
	free(hot);
	return s;
}

/* Collect what to redirect so that every call of f reaches its patched
 * copy; false (with *why) when that cannot be done. */
static bool walk_up(struct differ *d, struct symbol *f, struct walk *w, const char **why)
{
	size_t callers = 0;

	if (f->bind != STB_LOCAL) {
		*why = "it is global: other objects may call it";
		return false;
	}
	*ARRAY_PUSH(w->seen, w->nseen, w->seencap) = f;
	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *t = d->patched->sec[i];
		if (!t->rela || t == f->sec || !(t->sh.sh_flags & SHF_ALLOC) ||
		    diff_is_ignored(t) || diff_is_special(t))
			continue;
		for (size_t j = 0; j < t->rela->nrel; j++) {
			const struct reloc *r = &t->rela->rel[j];
			struct symbol *c;
			if (!refers_to(r, f))
				continue;
			if (!diff_is_text(t) || !(c = holder(d, t, r->offset))) {
				*why = "its address is stored in data";
				return false;
			}
			if (c == f || diff_gone(d, c->sec))
				continue;	/* recursion; init code that has run */
			callers++;
			if (DSYM(c)->status == ST_NEW || listed(w->seen, w->nseen, c) ||
			    listed(w->redirect, w->nredirect, c))
				continue;	/* a new function of the patch calls the copy */
			if (diff_traceable(c) && !diff_is_exit(c->sec))
				*ARRAY_PUSH(w->redirect, w->nredirect, w->redirectcap) = c;
			else if (diff_is_exit(c->sec)) {
				*why = "a module's exit code calls it";
				return false;
			} else if (!walk_up(d, c, w, why))
				return false;
		}
	}
	if (!callers) {
		*why = "nothing in the object calls it";
		return false;
	}
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct symbol *const *)a)->name, (*(struct symbol *const *)b)->name);
}

void diff_carry_notrace(struct differ *d)
{
	if (d->process)
		return;
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *f = d->patched->sym[i];
		struct walk w = {0};
		struct strbuf names = {0};
		const char *why = NULL;

		if (f->type != STT_FUNC || !f->sec || DSYM(f)->status != ST_CHANGED ||
		    diff_is_cold_part(f->name) || diff_is_prefix(f) || diff_gone(d, f->sec) ||
		    diff_is_exit(f->sec) || diff_is_ignored(f->sec) || diff_traceable(f) ||
		    DSYM(f)->via_callers)
			continue;
		if (walk_up(d, f, &w, &why)) {
			qsort(w.redirect, w.nredirect, sizeof(*w.redirect), by_name);
			for (size_t k = 0; k < w.nseen; k++) {
				DSYM(w.seen[k])->via_callers = true;
				if (DSYM(w.seen[k])->status == ST_SAME)
					DSYM(w.seen[k])->status = ST_CHANGED;
			}
			for (size_t k = 0; k < w.nredirect; k++) {
				struct symbol *c = w.redirect[k];
				if (DSYM(c)->status == ST_SAME)
					DSYM(c)->status = ST_CHANGED;
				sb_addf(&names, "%s%s()", k ? ", " : "", diff_target_name(c));
			}
			if (w.nredirect)
				diff_note(d, f->name, "%s() changes but has no __fentry__ call (notrace, "
					  "as the kernel's inline is): the patch carries it and redirects "
					  "its caller%s %s, whose calls reach the patched copy", f->name,
					  w.nredirect > 1 ? "s" : "", names.buf);
			else
				diff_note(d, f->name, "%s() changes but has no __fentry__ call (notrace, "
					  "as the kernel's inline is): the patch carries it for the new "
					  "functions that call it", f->name);
		} else {
			DSYM(f)->notrace_why = why;
		}
		sb_free(&names);
		free(w.seen);
		free(w.redirect);
	}
}
