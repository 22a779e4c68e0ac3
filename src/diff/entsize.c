/*
 * How big one entry of a special table is. Nothing here is a table of
 * sizes: the object says it through sh_entsize (objtool sets it) or through
 * the stride of the relocations in the section; where one stride could be
 * several (one entry, or several relocations per entry) the target's own
 * struct, read from the parent's debug info, decides.
 */
#include "special.h"

/* What a relocation points at, for telling entries' fields apart. */
static int reloc_shape(const struct reloc *r)
{
	const struct section *to = r->sym ? r->sym->sec : NULL;

	return (int)r->type * 2 + (to && diff_is_text(to));
}

/*
 * The shortest period of the section's relocations: every entry has the
 * same relocations at the same offsets, pointing at the same kinds of
 * things, and the entries fill the section exactly. 0 when there is none.
 */
static size_t reloc_stride(const struct section *sec, size_t *per_entry, size_t *entries)
{
	const struct section *rs = sec->rela;
	size_t n = rs ? rs->nrel : 0;

	for (size_t k = 1; k <= n; k++) {
		size_t m = n / k;
		uint64_t e;
		bool ok;

		if (n % k || sec->size % m)
			continue;
		e = sec->size / m;
		ok = rs->rel[k - 1].offset < e;
		for (size_t i = 0; ok && i + k < n; i++)
			ok = rs->rel[i + k].offset - rs->rel[i].offset == e &&
			     reloc_shape(&rs->rel[i + k]) == reloc_shape(&rs->rel[i]);
		if (ok) {
			*per_entry = k;
			*entries = m;
			return (size_t)e;
		}
	}
	return 0;
}

/* The target's size for one entry, or -1 with *why. */
static long target_size(struct differ *d, const struct section *sec, enum special_entry entry,
			const char *ctype, const char *user, const char **why)
{
	switch (entry) {
	case ENTRY_OFFSET:
		return 4;
	case ENTRY_POINTER:
		return sec->elf->ehdr.e_ident[EI_CLASS] == ELFCLASS64 ? 8 : 4;
	case ENTRY_STRUCT:
		break;
	}
	return parent_type_size(d->parent, ctype, user, why);
}

/* by_stride: from_object is the stride of sec's relocations, which may be a
 * fraction of an entry (several relocations each) */
static size_t settle(struct differ *d, const struct section *sec, size_t from_object,
		     const char *how, bool by_stride, long target, const char *ctype,
		     const char *why)
{
	const char *tname = ctype ? ctype : "entry";

	if (target > 0 && sec->size % (size_t)target) {
		diff_refuse(d, sec->name, "section %s is %zu bytes, not a whole number of %ld-byte "
			    "entries (the target's %s%s)", sec->name, sec->size, target,
			    ctype ? "struct " : "", tname);
		return 0;
	}
	if (target > 0 && from_object && (size_t)target != from_object) {
		/* relocations every N bytes, entries of a multiple of N (that fill
		 * the section: checked above) */
		if (by_stride && (size_t)target % from_object == 0) {
			from_object = (size_t)target;
		} else {
			diff_refuse(d, sec->name, "section %s has %zu-byte entries by %s, but the "
				    "target's %s%s is %ld bytes: the objects were not built for this "
				    "kernel", sec->name, from_object, how, ctype ? "struct " : "", tname,
				    target);
			return 0;
		}
	}
	if (!from_object && target > 0) {
		from_object = (size_t)target;
		how = "the target's definition";
	}
	if (!from_object) {
		diff_refuse(d, sec->name, "cannot tell the entry size of section %s: its relocations "
			    "are not evenly spaced, and the target's struct %s is unknown (%s); give "
			    "the target's vmlinux with debug info as --parent", sec->name, tname,
			    why ? why : "no definition");
		return 0;
	}
	if (sec->size % from_object) {
		diff_refuse(d, sec->name, "section %s is %zu bytes, not a whole number of %zu-byte "
			    "entries (%s)", sec->name, sec->size, from_object, how);
		return 0;
	}
	return from_object;
}

size_t special_entry_size(struct differ *d, const struct section *sec,
			  const struct special_kind *k)
{
	size_t per = 0, entries = 0, stride = reloc_stride(sec, &per, &entries);
	bool by_stride = !sec->sh.sh_entsize;
	size_t obj = by_stride ? stride : sec->sh.sh_entsize;
	const char *how = by_stride ? "the stride of its relocations" : "its sh_entsize";
	const char *why = NULL;
	long target = -1;

	/* the object alone is sure with sh_entsize, or with one relocation in
	 * each of several entries; a scalar's size costs nothing to check */
	if (k->entry != ENTRY_STRUCT || (by_stride && (!stride || per > 1 || entries < 2)))
		target = target_size(d, sec, k->entry, k->ctype, k->user, &why);
	return settle(d, sec, obj, how, by_stride, target, k->ctype, why);
}

size_t special_pair_entry_size(struct differ *d, const struct section *pair,
			       const struct special_kind *k, size_t n)
{
	size_t obj = pair->sh.sh_entsize ? pair->sh.sh_entsize : n && pair->size % n == 0 ?
		     pair->size / n : 0;
	const char *why = NULL;
	long target = -1;

	if (!pair->sh.sh_entsize)
		target = target_size(d, pair, ENTRY_STRUCT, k->pair_ctype, k->pair_user, &why);
	if (obj && pair->size != obj * n) {
		diff_refuse(d, pair->name, "section %s is %zu bytes, not %zu entries of %zu bytes "
			    "(one per entry of %s)", pair->name, pair->size, n, obj, k->name);
		return 0;
	}
	return settle(d, pair, obj, pair->sh.sh_entsize ? "its sh_entsize" :
		      "its ratio to the paired section", false, target, k->pair_ctype, why);
}
