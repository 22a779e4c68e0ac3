/* The parent's symbol table: exports and symbol positions. */
#include "parent.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static size_t hash_name(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool counted(const struct symbol *s)
{
	if (!s->name[0] || s->type == STT_FILE || s->type == STT_SECTION)
		return false;
	return s->s.st_shndx != SHN_UNDEF;
}

static void index_symbols(struct parent *p)
{
	const char *file = NULL;
	size_t cap = 0;

	grow_array((void **)&p->syms, &cap, p->elf->nsym, sizeof(*p->syms));

	for (size_t i = 1; i < p->elf->nsym; i++) {
		struct symbol *s = p->elf->sym[i];
		struct parent_sym *ps;

		if (s->type == STT_FILE) {
			file = s->name;
			continue;
		}
		if (!counted(s))
			continue;
		ps = ARRAY_PUSH(p->syms, p->nsyms, cap);
		ps->name = s->name;
		ps->file = s->bind == STB_LOCAL ? file : NULL;
		ps->addr = s->s.st_value;
		ps->size = s->s.st_size;
		ps->type = s->type;
		ps->bind = s->bind;
		ps->order = i;
	}
	p->nbuckets = 1;
	while (p->nbuckets < 2 * p->nsyms)
		p->nbuckets <<= 1;
	p->buckets = xcalloc(p->nbuckets, sizeof(size_t));
	p->next = xcalloc(p->nsyms ? p->nsyms : 1, sizeof(size_t));
	/* insert in reverse so chains run in symtab order */
	for (size_t i = p->nsyms; i-- > 0;) {
		size_t b = hash_name(p->syms[i].name) & (p->nbuckets - 1);
		p->next[i] = p->buckets[b];
		p->buckets[b] = i + 1;
	}
}

struct parent *parent_open(const char *path, const char *objname)
{
	struct parent *p = xcalloc(1, sizeof(*p));

	p->path = xstrdup(path);
	p->objname = xstrdup(objname ? objname : "vmlinux");
	p->elf = elf_open(path, ELF_OPEN_LAZY);
	if (!p->elf) {
		parent_close(p);
		return NULL;
	}
	if (!p->elf->symtab || p->elf->nsym < 2) {
		lp_err("%s has no symbol table; lpatch needs the target's symbols", path);
		parent_close(p);
		return NULL;
	}
	index_symbols(p);
	return p;
}

void parent_close(struct parent *p)
{
	if (!p)
		return;
	parent_types_close(p);
	elf_close(p->elf);
	free(p->syms);
	free(p->buckets);
	free(p->next);
	free(p->path);
	free(p->objname);
	free(p);
}

/* Calls fn for each symbol called name, in symtab order; stops when fn returns true. */
static const struct parent_sym *find(const struct parent *p, const char *name,
				     bool (*fn)(const struct parent_sym *, void *), void *ctx)
{
	size_t b = hash_name(name) & (p->nbuckets - 1);

	for (size_t i = p->buckets[b]; i; i = p->next[i - 1]) {
		const struct parent_sym *ps = &p->syms[i - 1];
		if (!strcmp(ps->name, name) && (!fn || fn(ps, ctx)))
			return ps;
	}
	return NULL;
}

const struct parent_sym *parent_each(const struct parent *p, const char *name,
				     bool (*fn)(const struct parent_sym *, void *), void *ctx)
{
	return find(p, name, fn, ctx);
}

bool parent_exports(const struct parent *p, const char *name)
{
	char *k = xasprintf("__ksymtab_%s", name);
	bool yes = find(p, k, NULL, NULL) != NULL;

	free(k);
	return yes;
}

const struct parent_sym *parent_find(const struct parent *p, const char *name)
{
	return find(p, name, NULL, NULL);
}

bool parent_defines(const struct parent *p, const char *name)
{
	return find(p, name, NULL, NULL) != NULL;
}

struct pos_query {
	const char *file;
	bool local;
	size_t nth;		/* several from file: the nth in symbol table order (1-based) */
	const struct parent_sym *match;
	size_t matches, total;
	const struct parent_sym **all;
	size_t nall, cap;
};

static bool collect(const struct parent_sym *ps, void *ctx)
{
	struct pos_query *q = ctx;

	*ARRAY_PUSH(q->all, q->nall, q->cap) = ps;
	if ((ps->bind == STB_LOCAL) == q->local &&
	    (!q->local || !q->file || (ps->file && !strcmp(ps->file, q->file)))) {
		q->match = ps;
		q->matches++;
	}
	return false;
}

/* The nth (1-based) of q's matches in symbol table order, or NULL. */
static const struct parent_sym *nth_match(struct pos_query *q)
{
	const struct parent_sym *best = NULL;
	size_t k = 0, last = 0;

	/* the smallest order, then the next, nth times */
	for (size_t round = 0; round < q->nth; round++) {
		best = NULL;
		for (size_t i = 0; i < q->nall; i++) {
			const struct parent_sym *o = q->all[i];
			if ((o->bind == STB_LOCAL) != q->local || !o->file || !q->file ||
			    strcmp(o->file, q->file) || (round && o->order <= last))
				continue;
			if (!best || o->order < best->order)
				best = o;
		}
		if (!best)
			return NULL;
		last = best->order;
		k++;
	}
	return k == q->nth ? best : NULL;
}

/* The symbols called name into q (every one in q->all, caller frees; the
 * one of q's binding and file in q->match when q->matches is 1). */
static void query(const struct parent *p, const char *name, struct pos_query *q)
{
	find(p, name, collect, q);
	/* the one symbol of that name, wherever it comes from, for a global */
	if (!q->matches && q->nall == 1 && !q->local) {
		q->match = q->all[0];
		q->matches = 1;
	}
}

long parent_sympos(const struct parent *p, const char *name, const char *file,
		   bool local, const char **why)
{
	return parent_sympos_nth(p, name, file, local, 0, why);
}

long parent_sympos_nth(const struct parent *p, const char *name, const char *file,
		       bool local, size_t nth, const char **why)
{
	struct pos_query q = { .file = file, .local = local, .nth = nth };
	bool vmlinux = !strcmp(p->objname, "vmlinux");
	long pos = 1;

	query(p, name, &q);
	if (!q.nall) {
		*why = "not in the target's symbol table";
		free(q.all);
		return -1;
	}
	if (q.matches > 1 && nth && local && file) {
		/* several statics of that name from one file (a header's beside
		 * the file's own): the same one by order, as the object has them */
		q.match = nth_match(&q);
		q.matches = q.match ? 1 : q.matches;
	}
	if (q.matches != 1) {
		*why = q.matches ? "several symbols of that name come from the same source file"
				 : "no symbol of that name comes from the patched source file";
		free(q.all);
		return -1;
	}
	if (q.nall == 1) {
		free(q.all);
		return 0;
	}
	/* livepatch counts vmlinux symbols in kallsyms (address) order, a
	 * module's in its symbol table order */
	for (size_t i = 0; i < q.nall; i++) {
		const struct parent_sym *o = q.all[i];
		if (o == q.match)
			continue;
		if (vmlinux ? (o->addr < q.match->addr ||
			       (o->addr == q.match->addr && o->order < q.match->order))
			    : o->order < q.match->order)
			pos++;
	}
	free(q.all);
	return pos;
}

struct symbol *parent_symbol(const struct parent *p, const char *name, const char *file,
			     bool local)
{
	struct pos_query q = { .file = file, .local = local };

	query(p, name, &q);
	free(q.all);
	return q.matches == 1 ? p->elf->sym[q.match->order] : NULL;
}
