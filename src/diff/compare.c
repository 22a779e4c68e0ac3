/*
 * Comparing the two builds: a function changed when its bytes differ
 * outside relocation sites, or when a relocation binds to something else.
 * Strings and constant tables are compared by content, never by name.
 */
#include "internal.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static bool diff_sections_equal(struct differ *d, struct section *a, struct section *b);

static bool readonly_data(const struct section *sec)
{
	return sec && !(sec->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) &&
	       sec->sh.sh_flags & SHF_ALLOC;
}

static bool strings_equal(const struct section *a, int64_t oa, const struct section *b, int64_t ob)
{
	const char *sa, *sb;

	if (oa < 0 || ob < 0 || (uint64_t)oa >= a->size || (uint64_t)ob >= b->size)
		return oa == ob;
	sa = (const char *)a->data + oa;
	sb = (const char *)b->data + ob;
	return strnlen(sa, a->size - (size_t)oa) == strnlen(sb, b->size - (size_t)ob) &&
	       !strncmp(sa, sb, a->size - (size_t)oa);
}

/* Mergeable constants (.rodata.cst8, .rodata.cst16: floating point and SIMD
 * literals, .LCn): the linker merges equal ones, and their order in the
 * object follows the functions using them, so one function's new constant
 * moves every later one. A reference means its entry's bytes. */
static bool merged_constants(const struct section *sec)
{
	return (sec->sh.sh_flags & (SHF_MERGE | SHF_STRINGS)) == SHF_MERGE && sec->sh.sh_entsize &&
	       sec->data && !(sec->sh.sh_flags & SHF_WRITE);
}

static bool constants_equal(const struct section *a, int64_t oa, const struct section *b,
			    int64_t ob)
{
	uint64_t es = a->sh.sh_entsize;

	if (es != b->sh.sh_entsize || oa < 0 || ob < 0 || (uint64_t)oa + es > a->size ||
	    (uint64_t)ob + es > b->size)
		return false;
	return !memcmp(a->data + oa, b->data + ob, es);
}

/* Where in its section the constant r refers to through sym (the section's
 * symbol, or a .LCn label) is. */
static int64_t constant_offset(const struct section *in, const struct reloc *r,
			       const struct symbol *sym)
{
	return (sym->type == STT_SECTION ? 0 : (int64_t)sym->s.st_value) + diff_ref_offset(in, r);
}

static bool range_equal(struct differ *d, struct section *a, uint64_t oa, struct section *b,
			uint64_t ob, uint64_t size);

/* Where the piece of code at off in sec ends: the next place any relocation
 * of the object points into sec, or the section's end. */
static uint64_t piece_end(const struct section *sec, uint64_t off)
{
	uint64_t end = sec->size;
	const struct elf_file *ef = sec->elf;

	for (size_t i = 1; i < ef->nsec; i++) {
		const struct section *rs = ef->sec[i];
		for (size_t k = 0; rs->base && k < rs->nrel; k++) {
			const struct reloc *r = &rs->rel[k];
			int64_t at;
			if (!r->sym || r->sym->sec != sec || r->sym->type != STT_SECTION)
				continue;
			at = diff_ref_offset(rs->base, r);
			if (at > (int64_t)off && (uint64_t)at < end)
				end = (uint64_t)at;
		}
	}
	return end;
}

/* static_cpu_has()'s out-of-line tests (.altinstr_aux), one piece per use,
 * laid end to end: a new use before it moves the piece. The same piece is
 * the same code with the same references. */
static bool aux_piece_equal(struct differ *d, struct section *a, int64_t oa, struct section *b,
			    int64_t ob)
{
	uint64_t la, lb;

	if (oa < 0 || ob < 0 || (uint64_t)oa >= a->size || (uint64_t)ob >= b->size)
		return false;
	la = piece_end(a, (uint64_t)oa) - (uint64_t)oa;
	lb = piece_end(b, (uint64_t)ob) - (uint64_t)ob;
	return la == lb && range_equal(d, a, (uint64_t)oa, b, (uint64_t)ob, la);
}

/* "__UNIQUE_ID_ddebug1130" -> "__UNIQUE_ID_ddebug" */
static void drop_counter(char *name)
{
	size_t n = strlen(name);

	while (n > 12 && name[n - 1] >= '0' && name[n - 1] <= '9')
		n--;
	name[n] = '\0';
}

/* Per-call-site statics: constants by content, the others (once-flags,
 * keys) by what they are: the same name without its number. */
static bool special_equal(struct differ *d, struct symbol *sa, struct symbol *sb)
{
	char *na, *nb;
	bool same;

	if (!diff_special_static(sa) || !diff_special_static(sb) || !sa->sec || !sb->sec)
		return false;
	if (readonly_data(sa->sec))
		return readonly_data(sb->sec) && sa->s.st_size == sb->s.st_size &&
		       sa->sec->owner == sa && sb->sec->owner == sb &&
		       diff_sections_equal(d, sa->sec, sb->sec);
	na = diff_stripped_name(sa->name);
	nb = diff_stripped_name(sb->name);
	/* __UNIQUE_ID_ddebug1130: the counter is __COUNTER__, which any earlier
	 * use in the file moves */
	if (str_starts(na, "__UNIQUE_ID_") && str_starts(nb, "__UNIQUE_ID_")) {
		drop_counter(na);
		drop_counter(nb);
	}
	same = !strcmp(na, nb) && sa->s.st_size == sb->s.st_size;
	free(na);
	free(nb);
	return same;
}

static bool refs_equal(struct differ *d, const struct section *a, const struct reloc *ra,
		       const struct section *b, const struct reloc *rb)
{
	struct symbol *sa, *sb;
	int64_t aa, ab;
	bool same;

	if (ra->type != rb->type)
		return false;
	if (diff_string_refs(ra, rb, &same))
		return same || diff_line_only_string(d, a, ra, b, rb);
	sa = diff_ref_symbol(a, ra, &aa);
	sb = diff_ref_symbol(b, rb, &ab);
	if (sa->sec && sb->sec && merged_constants(sa->sec) && merged_constants(sb->sec))
		return constants_equal(sa->sec, constant_offset(a, ra, sa), sb->sec,
				       constant_offset(b, rb, sb));
	if (sa->type == STT_SECTION && sb->type == STT_SECTION) {
		struct section *xa = sa->sec, *xb = sb->sec;
		if (!xa || !xb)
			return false;
		if (diff_is_strings(xa) && diff_is_strings(xb))
			return strings_equal(xa, diff_target_offset(ra), xb, diff_target_offset(rb)) ||
			       diff_line_only_string(d, a, ra, b, rb);
		if (DSEC(xa)->twin == xb && aa != ab && !strcmp(xa->name, ".altinstr_aux"))
			return aux_piece_equal(d, xa, diff_ref_offset(a, ra), xb, diff_ref_offset(b, rb));
		if (DSEC(xa)->twin != xb || aa != ab)
			return false;
		return readonly_data(xa) ? diff_sections_equal(d, xa, xb) : true;
	}
	if (sa->type == STT_SECTION || sb->type == STT_SECTION || aa != ab)
		return false;
	if (!sa->sec && !sb->sec)
		return !strcmp(sa->name, sb->name);
	if (diff_special_static(sa) || diff_special_static(sb))
		return special_equal(d, sa, sb);
	if (DSYM(sa)->twin != sb) {
		/* unpaired constants (__func__.12 vs __func__.13): by content */
		return sa->type == STT_OBJECT && sb->type == STT_OBJECT && readonly_data(sa->sec) &&
		       readonly_data(sb->sec) && sa->sec->owner == sa && sb->sec->owner == sb &&
		       diff_sections_equal(d, sa->sec, sb->sec);
	}
	if (sa->type == STT_OBJECT && sa->bind == STB_LOCAL && readonly_data(sa->sec) &&
	    sa->sec->owner == sa && sb->sec && sb->sec->owner == sb)
		return diff_sections_equal(d, sa->sec, sb->sec);
	return true;
}

bool diff_bytes_equal(const struct section *a, const struct section *b)
{
	const struct section *ra = a->rela;
	size_t k = 0;
	uint64_t next_rel = ra && ra->nrel ? ra->rel[0].offset : UINT64_MAX;
	unsigned width = ra && ra->nrel ? elf_reloc_width(ra->rel[0].type) : 0;

	for (uint64_t i = 0; i < a->size; i++) {
		if (i >= next_rel) {
			if (i < next_rel + width)
				continue;
			k++;
			next_rel = ra && k < ra->nrel ? ra->rel[k].offset : UINT64_MAX;
			width = ra && k < ra->nrel ? elf_reloc_width(ra->rel[k].type) : 0;
			if (i >= next_rel && i < next_rel + width)
				continue;
		}
		if (a->data[i] != b->data[i])
			return false;
	}
	return true;
}

static bool compare_now(struct differ *d, struct section *a, struct section *b)
{
	size_t na = a->rela ? a->rela->nrel : 0, nb = b->rela ? b->rela->nrel : 0;

	if (a->size != b->size || a->sh.sh_type != b->sh.sh_type)
		return false;
	if ((a->sh.sh_flags ^ b->sh.sh_flags) & (SHF_WRITE | SHF_ALLOC | SHF_EXECINSTR))
		return false;
	if (a->sh.sh_type == SHT_NOBITS)
		return true;
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		const struct reloc *ra = &a->rela->rel[i], *rb = &b->rela->rel[i];
		if (ra->offset != rb->offset || !refs_equal(d, a, ra, b, rb))
			return false;
	}
	return diff_bytes_equal(a, b) || (diff_is_text(a) && diff_line_only_change(d, a, b));
}

static bool diff_sections_equal(struct differ *d, struct section *a, struct section *b)
{
	struct dsec *da;
	bool same;

	if (!a || !b)
		return false;
	da = DSEC(a);
	if (da->status == ST_SAME || da->status == ST_CHANGED)
		return da->status == ST_SAME && da->twin == b;
	if (da->comparing)
		return true;
	da->comparing = true;
	same = compare_now(d, a, b);
	da->comparing = false;
	if (da->twin == b)
		da->status = same ? ST_SAME : ST_CHANGED;
	return same;
}

static void compare_function(struct differ *d, struct symbol *f)
{
	struct symbol *twin = DSYM(f)->twin;

	if (!twin || !twin->sec) {
		DSYM(f)->status = ST_NEW;
		return;
	}
	DSYM(f)->status = diff_sections_equal(d, f->sec, twin->sec) ? ST_SAME : ST_CHANGED;
}

/* The bytes of a and b in [oa, oa+size) and [ob, ob+size), and what the
 * relocations there bind to: a variable in a section it shares with others. */
static bool range_equal(struct differ *d, struct section *a, uint64_t oa, struct section *b,
			uint64_t ob, uint64_t size)
{
	size_t ia = 0, ib = 0;
	struct reloc *ra, *rb;

	if (a->sh.sh_type != b->sh.sh_type || oa + size > a->size || ob + size > b->size)
		return false;
	if (a->sh.sh_type == SHT_NOBITS)
		return true;
	for (;;) {
		ra = elf_reloc_in(a, oa, oa + size, &ia);
		rb = elf_reloc_in(b, ob, ob + size, &ib);
		if (!ra || !rb)
			break;
		if (ra->offset - oa != rb->offset - ob || !refs_equal(d, a, ra, b, rb))
			return false;
	}
	if (ra || rb)
		return false;
	ia = 0;
	ra = elf_reloc_in(a, oa, oa + size, &ia);
	for (uint64_t i = 0; i < size; i++) {
		while (ra && ra->offset + elf_reloc_width(ra->type) <= oa + i)
			ra = elf_reloc_in(a, oa, oa + size, &ia);
		if (ra && ra->offset <= oa + i)
			continue;	/* a relocation field: compared above */
		if (a->data[oa + i] != b->data[ob + i])
			return false;
	}
	return true;
}

/* ".data.fx_var" -> ".data": the section a variable is in, without the
 * -fdata-sections suffix (a move to .data..read_mostly is a change). */
static size_t section_kind_len(const struct symbol *v)
{
	size_t n = strlen(v->sec->name), k = strlen(v->name);

	if (n > k + 1 && !strcmp(v->sec->name + n - k, v->name) && v->sec->name[n - k - 1] == '.')
		return n - k - 1;
	return n;
}

static bool same_place(const struct symbol *a, const struct symbol *b)
{
	size_t la = section_kind_len(a), lb = section_kind_len(b);

	return la == lb && !strncmp(a->sec->name, b->sec->name, la);
}

/* A variable or function of the target in sec (one the original build has too). */
static const struct symbol *existing_neighbour(struct differ *d, const struct section *sec)
{
	for (size_t i = 1; i < d->patched->nsym; i++) {
		const struct symbol *s = d->patched->sym[i];
		if (s->sec == sec && (s->type == STT_OBJECT || s->type == STT_FUNC) &&
		    DSYM(s)->twin && DSYM(s)->twin->sec)
			return s;
	}
	return NULL;
}

static void compare_object(struct differ *d, struct symbol *v)
{
	struct symbol *twin = DSYM(v)->twin;
	bool writable = v->sec->sh.sh_flags & SHF_WRITE, same;
	const struct symbol *old;

	if (!twin || !twin->sec) {
		DSYM(v)->status = ST_NEW;
		/* a new variable in a writable section it shares with existing
		 * ones travels alone (output.c); in a constant one, with copies of
		 * its constant neighbours. Only a table the kernel walks cannot be
		 * cut: the patch would carry copies of the target's entries. */
		if (DSEC(v->sec)->shared && !diff_gone(d, v->sec) && writable &&
		    diff_is_special(v->sec) && (old = existing_neighbour(d, v->sec)))
			diff_refuse(d, v->name, "the new variable '%s' is in section %s with the "
				    "existing '%s': the patch would carry a copy of that section, and "
				    "its code would use copies of the target's variables; declare the "
				    "new variable without a section attribute (__read_mostly, "
				    "__section) or as a shadow variable", v->name, v->sec->name,
				    old->name);
		return;
	}
	if (DSEC(v->sec)->shared || DSEC(twin->sec)->shared)
		same = v->s.st_size == twin->s.st_size && same_place(v, twin) &&
		       range_equal(d, v->sec, v->s.st_value, twin->sec, twin->s.st_value, v->s.st_size);
	else
		same = twin->sec->owner == twin && v->s.st_size == twin->s.st_size &&
		       same_place(v, twin) && diff_sections_equal(d, v->sec, twin->sec);
	if (same) {
		DSYM(v)->status = ST_SAME;
		return;
	}
	DSYM(v)->status = ST_CHANGED;
	if ((writable || v->bind != STB_LOCAL) && !diff_gone(d, v->sec))
		diff_refuse(d, v->name, "the %s variable '%s' changes (its initial value, size or "
			    "section differs); a live patch cannot change data that already exists: "
			    "keep the old definition and add new state in a new variable or a shadow "
			    "variable", v->bind == STB_LOCAL ? "static" : "global", v->name);
}

/* A .cold part shares its function's fate: a change to either is a change to both. */
static void join_cold_parts(struct differ *d)
{
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *cold = d->patched->sym[i], *hot;
		char *parent;

		if (cold->type != STT_FUNC || !(parent = diff_cold_parent(cold->name)))
			continue;
		hot = elf_find_symbol(d->patched, parent);
		free(parent);
		if (!hot || hot->type != STT_FUNC)
			continue;
		if (DSYM(cold)->status != ST_SAME && DSYM(hot)->status == ST_SAME)
			DSYM(hot)->status = ST_CHANGED;
		if (DSYM(hot)->status != ST_SAME && DSYM(cold)->status == ST_SAME)
			DSYM(cold)->status = ST_CHANGED;
	}
}

/* Section groups (COMDAT): the linker keeps one copy of a group for the
 * whole kernel, so a patch cannot tell which copy runs: a change is refused.
 * For a process, a new group of code (a template or inline function this
 * object now emits out of line) is carried: the patch's own copy, as good as
 * any; and C++'s DW.ref.NAME pointers of exception data are the unwind data's
 * (the process patch writer binds them, user/patchwrite.c). */
static void refuse_group_changes(struct differ *d)
{
	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *sec = d->patched->sec[i], *twin = DSEC(sec)->twin;
		struct symbol *owner = sec->owner;

		if (!(sec->sh.sh_flags & SHF_GROUP) || diff_is_ignored(sec) ||
		    (twin && diff_sections_equal(d, sec, twin)))
			continue;
		if (d->process && !twin && (diff_is_text(sec) || strstr(sec->name, ".DW.ref.")))
			continue;
		diff_refuse(d, owner ? owner->name : sec->name, "section %s is in a section group "
			    "(COMDAT) and %s: the kernel keeps one copy of a group, so a live patch "
			    "cannot replace it; change the code outside the group",
			    sec->name, twin ? "changes" : "is new");
		if (owner)
			DSYM(owner)->status = ST_SAME;
	}
}

bool diff_gone(const struct differ *d, const struct section *sec)
{
	return diff_is_init(sec) ||
	       (diff_is_exit(sec) && !strcmp(d->parent->objname, "vmlinux") && !d->process);
}

void diff_refuse_gone(struct differ *d, const struct symbol *s)
{
	if (diff_is_init(s->sec) && d->skip_init)
		diff_note(d, s->name, "--skip-init: left out the init %s '%s' (%s), which changes: "
			  "it ran with the target's code %s; the patch carries the runtime "
			  "changes only", s->type == STT_FUNC ? "function" : "data", s->name,
			  s->sec->name, strcmp(d->parent->objname, "vmlinux") ?
			  "when the module loaded, and a module loaded later still runs it" :
			  "at boot");
	else if (diff_is_init(s->sec))
		diff_refuse(d, s->name, "'%s' is init code or data (%s), which has already run "
			    "and been freed: a live patch cannot change it; if the change to it only matters "
			    "at boot, --skip-init carries the rest (docs/patch-authoring.md)",
			    s->name, s->sec->name);
	else
		diff_refuse(d, s->name, "'%s' is exit code or data (%s) of built-in code, which "
			    "the kernel discards unrun: there is nothing to patch; leave it as it "
			    "is", s->name, s->sec->name);
}

void diff_compare(struct differ *d)
{
	for (size_t i = 1; i < d->patched->nsym; i++) {
		struct symbol *s = d->patched->sym[i];

		if (!s->sec || diff_is_ignored(s->sec) || (s->type != STT_FUNC && s->type != STT_OBJECT))
			continue;
		if (s->type == STT_OBJECT && s->sec->owner != s && DSEC(s->sec)->shared) {
			compare_object(d, s);
			if (diff_gone(d, s->sec) && DSYM(s)->status != ST_SAME)
				diff_refuse_gone(d, s);
			continue;
		}
		if (diff_after_prefix(s)) {
			/* the section's function, behind its padding prefix: the
			 * section is compared as the function */
			struct section *twin = DSEC(s->sec)->twin;
			DSYM(s)->status = !twin ? ST_NEW : diff_sections_equal(d, s->sec, twin) ?
					  ST_SAME : ST_CHANGED;
			continue;
		}
		if (s->type == STT_FUNC && DSEC(s->sec)->shared && diff_gone(d, s->sec)) {
			/* init code without -ffunction-sections (.init.text): each
			 * function by its own bytes, not by the whole section's */
			struct symbol *twin = DSYM(s)->twin;
			if (!twin || !twin->sec)
				continue;	/* new init code: unused by the patch */
			if (twin->s.st_size == s->s.st_size && !strcmp(twin->sec->name, s->sec->name) &&
			    range_equal(d, s->sec, s->s.st_value, twin->sec, twin->s.st_value,
					s->s.st_size))
				DSYM(s)->status = ST_SAME;
			else
				diff_refuse_gone(d, s);
			continue;
		}
		if (s->sec->owner != s) {
			/* an alias (same address, e.g. __x64_sys_getpid) shares its owner's fate */
			struct section *twin = DSEC(s->sec)->twin;
			/* several functions in one section (.sched.text): only a change is refused */
			if (s->type == STT_FUNC && s->sec->owner && s->sec->owner->type == STT_FUNC &&
			    s->s.st_value != s->sec->owner->s.st_value && !diff_gone(d, s->sec) &&
			    !(twin && diff_sections_equal(d, s->sec, twin)))
				diff_refuse(d, s->name, "functions '%s' and '%s' share section %s: "
					    "build with -ffunction-sections", s->name,
					    s->sec->owner->name, s->sec->name);
			continue;
		}
		if (s->type == STT_FUNC)
			compare_function(d, s);
		else
			compare_object(d, s);
		/* per-call-site statics are never paired, so they always look new:
		 * only a function using them can make them matter */
		if (diff_gone(d, s->sec) && DSYM(s)->status != ST_SAME &&
		    !(DSYM(s)->status == ST_NEW && diff_special_static(s))) {
			diff_refuse_gone(d, s);
			DSYM(s)->status = ST_SAME;
		}
	}
	join_cold_parts(d);
	refuse_group_changes(d);
}
