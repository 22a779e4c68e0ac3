/* The differ's entry point: load, correlate, compare, include, report. */
#include "internal.h"
#include "author.h"

#include "util/log.h"
#include "util/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? xstrdup(fmt) : s;
}

void diff_refuse(struct differ *d, const char *symbol, const char *fmt, ...)
{
	struct diff_result *r = d->res;
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = vformat(fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < r->nrefusals; i++)
		if (!strcmp(r->refusals[i].why, why)) {
			free(why);
			return;
		}
	*ARRAY_PUSH(r->refusals, r->nrefusals, r->refusalcap) =
		(struct diff_refusal){ .symbol = xstrdup(symbol), .why = why };
}

void diff_note(struct differ *d, const char *symbol, const char *fmt, ...)
{
	struct diff_result *r = d->res;
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = vformat(fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < r->nnotes; i++)
		if (!strcmp(r->notes[i].what, what)) {
			free(what);
			return;
		}
	*ARRAY_PUSH(r->notes, r->nnotes, r->notecap) =
		(struct diff_note){ .symbol = xstrdup(symbol), .what = what };
}

static void diff_add_item(struct differ *d, enum diff_kind kind, const char *name, long sympos)
{
	struct diff_result *r = d->res;

	*ARRAY_PUSH(r->items, r->nitems, r->itemcap) =
		(struct diff_item){ .kind = kind, .name = xstrdup(name), .sympos = sympos };
}

static int check_inputs(struct differ *d)
{
	const char *fa = elf_source_file(d->orig), *fb = elf_source_file(d->patched);

	if (d->orig->ehdr.e_type != ET_REL || d->patched->ehdr.e_type != ET_REL) {
		lp_err("%s: not a relocatable object (.o)",
		       d->orig->ehdr.e_type != ET_REL ? d->orig->path : d->patched->path);
		return -1;
	}
	if (d->orig->ehdr.e_machine != d->patched->ehdr.e_machine) {
		lp_err("%s and %s are for different architectures", d->orig->path, d->patched->path);
		return -1;
	}
	if (d->patched->ehdr.e_machine != EM_X86_64) {
		lp_err("%s: lpatch handles x86-64 objects only", d->patched->path);
		return -1;
	}
	if (!fa || !fb || strcmp(fa, fb)) {
		lp_err("%s (%s) and %s (%s) come from different source files",
		       d->orig->path, fa ? fa : "no FILE symbol", d->patched->path,
		       fb ? fb : "no FILE symbol");
		return -1;
	}
	d->source = fb;
	return 0;
}

static void attach_state(struct elf_file *ef)
{
	for (size_t i = 0; i < ef->nsec; i++)
		ef->sec[i]->priv = xcalloc(1, sizeof(struct dsec));
	for (size_t i = 0; i < ef->nsym; i++)
		ef->sym[i]->priv = xcalloc(1, sizeof(struct dsym));
	/* a section holding symbols at several offsets is shared (explicit
	 * section attributes: __read_mostly, .data.once, .sched.text) */
	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *s = ef->sym[i];
		if ((s->type == STT_FUNC || s->type == STT_OBJECT) && s->sec && s->s.st_value != 0)
			DSEC(s->sec)->shared = true;
	}
}

static void detach_state(struct elf_file *ef)
{
	if (!ef)
		return;
	for (size_t i = 0; i < ef->nsec; i++)
		free(ef->sec[i]->priv);
	for (size_t i = 0; i < ef->nsym; i++)
		free(ef->sym[i]->priv);
}

static void list_items(struct differ *d)
{
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i];
		struct dsym *ds = DSYM(s);
		const char *why = NULL, *name;
		long pos = 0;

		if (!ds->included || (s->type != STT_FUNC && s->type != STT_OBJECT) ||
		    diff_is_prefix(s))
			continue;	/* a padding prefix travels with its function, unlisted */
		if (s->type == STT_OBJECT) {
			/* per-call-site statics travel with their function, unlisted */
			if (ds->status == ST_NEW && !diff_special_static(s))
				diff_add_item(d, DIFF_NEW_DATA, s->name, 0);
			continue;
		}
		if (ds->status == ST_NEW) {
			if (!diff_is_cold_part(s->name))
				diff_add_item(d, DIFF_NEW_FUNC, s->name, 0);
			continue;
		}
		if (ds->status != ST_CHANGED)
			continue;
		if (diff_is_cold_part(s->name) || ds->via_callers)
			continue;	/* a .cold part travels with its function; a notrace
					 * function with its callers (a note says so) */
		if (!d->process && !diff_traceable(s) && diff_is_exit(s->sec)) {
			diff_refuse(d, s->name, "'%s' is a module's exit code (%s), which stays until "
				    "the module unloads, but __exit code is notrace (no __fentry__ "
				    "call): livepatch cannot redirect it; change a function it calls "
				    "instead", s->name, s->sec->name);
			continue;
		}
		if (!d->process && !diff_traceable(s)) {
			bool sys = str_starts(s->name, "__do_sys_") || str_starts(s->name, "__se_sys_");
			diff_refuse(d, s->name, "'%s' changes but has no __fentry__ call (notrace, or "
				    "always inlined): livepatch cannot redirect it%s%s; %s", s->name,
				    ds->notrace_why ? ", nor its callers instead: " : "",
				    ds->notrace_why ? ds->notrace_why : "", sys ?
				    "define the syscall with LPATCH_SYSCALL_DEFINEn (lpatch.h) or "
				    "KPATCH_SYSCALL_DEFINEn instead of SYSCALL_DEFINEn (docs/patch-"
				    "authoring.md, Syscalls)" : "patch its callers");
			continue;
		}
		name = diff_target_name(s);
		pos = parent_sympos_nth(d->parent, name, diff_symbol_source(d, s), s->bind == STB_LOCAL,
					diff_local_rank(d, s), &why);
		if (pos < 0) {
			diff_refuse(d, name, "'%s' changes, but %s has no matching symbol (%s): it may "
				    "be inlined into its callers there", name, d->parent->path, why);
			continue;
		}
		diff_add_item(d, DIFF_CHANGED, name, pos);
	}
}

int diff_objects(const char *orig, const char *patched, const struct diff_opts *opts,
		 struct diff_result *result)
{
	struct differ d = { .parent = opts->parent, .res = result, .process = opts->process,
			  .skip_init = opts->skip_init };
	int ret = LP_EXIT_FAIL;

	memset(result, 0, sizeof(*result));
	d.orig = elf_open(orig, 0);
	d.patched = d.orig ? elf_open(patched, 0) : NULL;
	if (!d.patched || check_inputs(&d))
		goto out;
	result->source = xstrdup(d.source);
	attach_state(d.orig);
	attach_state(d.patched);
	diff_correlate(&d);
	diff_compare(&d);
	d.out = elf_create(d.patched);
	elf_add_symbol(d.out, d.source, STT_FILE, STB_LOCAL, NULL, SHN_ABS, 0, 0);
	diff_author(&d);	/* lpatch.h markers: ignore, force, callbacks */
	diff_carry_notrace(&d);
	diff_include(&d);
	list_items(&d);
	if (result->nrefusals) {
		ret = LP_EXIT_REFUSED;
	} else if (!result->nitems) {
		ret = LP_EXIT_NOCHANGE;
	} else {
		result->out = d.out;
		d.out = NULL;
		ret = LP_EXIT_OK;
	}
out:
	elf_close(d.out);
	detach_state(d.orig);
	detach_state(d.patched);
	diff_source_lines_free(&d);
	elf_close(d.orig);
	elf_close(d.patched);
	free(d.work);
	return ret;
}

void diff_result_free(struct diff_result *r)
{
	for (size_t i = 0; i < r->nitems; i++)
		free(r->items[i].name);
	for (size_t i = 0; i < r->nrefusals; i++) {
		free(r->refusals[i].symbol);
		free(r->refusals[i].why);
	}
	for (size_t i = 0; i < r->nbindings; i++)
		free(r->bindings[i].symbol);
	for (size_t i = 0; i < r->nnotes; i++) {
		free(r->notes[i].symbol);
		free(r->notes[i].what);
	}
	free(r->notes);
	free(r->items);
	free(r->refusals);
	free(r->bindings);
	free(r->source);
	elf_close(r->out);
	memset(r, 0, sizeof(*r));
}
