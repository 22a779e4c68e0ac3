/*
 * Special sections: the patch keeps the entries of the functions it carries
 * and drops the rest. Which tables there are, and what a kept entry may
 * refer to (static keys), is decided here; entry sizes come from entsize.c.
 */
#include "special.h"

#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static const struct special_kind kinds[] = {
	{ .name = "__bug_table", .entry = ENTRY_STRUCT,
	  .ctype = "bug_entry", .user = "find_bug" },
	{ .name = "__ex_table", .entry = ENTRY_STRUCT,
	  .ctype = "exception_table_entry", .user = "fixup_exception" },
	{ .name = "__jump_table", .entry = ENTRY_STRUCT,
	  .ctype = "jump_entry", .user = "static_key_enable", .keys = true,
	  .key_reloc = 3, .tp_key = "__tracepoint_" },
	{ .name = ".altinstructions", .entry = ENTRY_STRUCT,
	  .ctype = "alt_instr", .user = "apply_alternatives", .pieces = ".altinstr_replacement" },
	{ .name = ".parainstructions", .entry = ENTRY_STRUCT,
	  .ctype = "paravirt_patch_site", .user = "apply_paravirt" },
	{ .name = ".static_call_sites", .entry = ENTRY_STRUCT,
	  .ctype = "static_call_site", .user = "static_call_text_reserved",
	  .key_reloc = 2, .tp_key = "__SCK__tp_func_" },
	{ .name = ".orc_unwind_ip", .entry = ENTRY_OFFSET, .pair = ".orc_unwind", .pair_ctype = "orc_entry",
	  .pair_user = "unwind_next_frame" },
	{ .name = "__mcount_loc", .entry = ENTRY_POINTER },
	{ .name = ".return_sites", .entry = ENTRY_OFFSET },
	{ .name = ".retpoline_sites", .entry = ENTRY_OFFSET },
	{ .name = ".call_sites", .entry = ENTRY_OFFSET },
	{ .name = ".ibt_endbr_seal", .entry = ENTRY_OFFSET },
	{ .name = ".smp_locks", .entry = ENTRY_OFFSET },
	{ .name = ".printk_index", .entry = ENTRY_POINTER, .via_data = true },
};

static const struct special_kind *special_kind_of(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

bool diff_is_special(const struct section *sec)
{
	if (special_kind_of(sec->name))
		return true;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].pair && !strcmp(kinds[i].pair, sec->name))
			return true;
	return str_starts(sec->name, ".altinstr_");
}

static bool carried_text(const struct section *sec)
{
	return sec && diff_is_text(sec) && DSEC(sec)->included && !diff_is_special(sec);
}

/* Is the string at (sec, off) used by code the patch carries? */
static bool string_used(struct differ *d, const struct section *sec, int64_t off)
{
	for (size_t i = 1; i < d->patched->nsec; i++) {
		const struct section *t = d->patched->sec[i];
		if (!carried_text(t) || !t->rela)
			continue;
		for (size_t j = 0; j < t->rela->nrel; j++) {
			const struct reloc *r = &t->rela->rel[j];
			if (r->sym && r->sym->sec == sec && diff_target_offset(r) == off)
				return true;
		}
	}
	return false;
}

/* A printk index entry points at a record naming the format string that
 * one printk call uses: kept when carried code uses that string. */
static struct symbol *printk_record(struct differ *d, const struct reloc *r)
{
	struct symbol *rec = r->sym;
	size_t idx = 0;
	struct reloc *f;

	if (rec && rec->type == STT_SECTION && rec->sec)
		rec = elf_symbol_at(d->patched, rec->sec, (uint64_t)r->addend);
	if (!rec || !rec->sec || !rec->sec->rela)
		return NULL;
	while ((f = elf_reloc_in(rec->sec, rec->s.st_value, rec->s.st_value + rec->s.st_size, &idx)))
		if (f->sym && f->sym->sec && diff_is_strings(f->sym->sec) &&
		    string_used(d, f->sym->sec, diff_target_offset(f)))
			return rec;
	return NULL;
}

/* The symbol a reloc of a table entry names (a section symbol: the symbol
 * at its addend, the low two bits of a jump entry's key being flags). */
static struct symbol *entry_symbol(const struct differ *d, const struct reloc *r)
{
	struct symbol *s = r->sym;

	if (s && s->type == STT_SECTION && s->sec)
		s = elf_symbol_at(d->patched, s->sec, (uint64_t)r->addend & ~3ULL);
	return s;
}

/*
 * A jump label (or static call site) whose key is a tracepoint's in the
 * parent module. 6.1's kernel sets up the patch module's jump labels and
 * static calls when it loads, before livepatch has bound its references to
 * another module (kpatch's create-diff-object says the same), so the entry
 * cannot stay. Dropped, a jump site keeps the code the compiler and objtool
 * left there: the key's default, for a tracepoint "off" (a nop); the static
 * call behind it calls the module's trampoline directly. The patched copy
 * runs without that tracepoint, which the author is told. Other keys of the
 * module still refuse (check_keys): their default is not known to be their
 * state.
 */
static bool inert_tracepoint(struct differ *d, const struct section *sec,
			     const struct special_kind *k, uint64_t at, size_t size,
			     const struct reloc *code)
{
	const char *obj = d->parent->objname;
	struct symbol *key = NULL, *fn;
	size_t idx = 0, n = 0;
	struct reloc *r;

	if (!k->key_reloc || !strcmp(obj, "vmlinux"))
		return false;
	while ((r = elf_reloc_in(sec, at, at + size, &idx)))
		if (++n == k->key_reloc)
			key = entry_symbol(d, r);
	if (!key || !str_starts(key->name, k->tp_key) || !parent_defines(d->parent, key->name))
		return false;
	if (!k->keys)
		return true;	/* the call behind the jump label said below */
	fn = code->sym->sec->owner ? code->sym->sec->owner : entry_symbol(d, code);
	diff_note(d, key->name, "the tracepoint '%s' stays off in the patched %s(): its static "
		  "key is module %s's, which 6.1's livepatch cannot bind before the kernel sets up "
		  "the patch's jump labels, so the jump site keeps the key's default (a nop)",
		  key->name + strlen(k->tp_key), fn ? fn->name : code->sym->sec->name, obj);
	return true;
}

/* Does the entry [at, at + size) belong to code the patch carries? A
 * via_data entry's record goes to *rec. */
static bool entry_kept(struct differ *d, const struct section *sec, const struct special_kind *k,
		       uint64_t at, size_t size, struct symbol **rec)
{
	size_t idx = 0;
	struct reloc *r = elf_reloc_in(sec, at, at + size, &idx);

	if (!r || !r->sym)
		return false;
	if (k->via_data)
		return (*rec = printk_record(d, r)) != NULL;
	if (!carried_text(r->sym->sec))
		return false;
	return !inert_tracepoint(d, sec, k, at, size, r);
}

/* A kept jump label's (or static call's) key must be usable when the module is loaded: the
 * kernel sets up a module's jump labels before livepatch resolves symbols
 * of other modules, so only keys of vmlinux (or exported, or in the patch)
 * work. prefix: ".klp.sym.MODULE." of the parent module (vmlinux's keys
 * are all usable, not checked). */
static void check_keys(struct differ *d, const struct special_kind *k, const struct section *out,
		       uint64_t from, uint64_t to, const char *prefix)
{
	size_t idx = 0, n = strlen(prefix);
	struct reloc *r;

	while ((r = elf_reloc_in(out, from, to, &idx))) {
		const char *name = r->sym->name;
		char *key;
		if (!str_starts(name, prefix))
			continue;
		key = xstrndup(name + n, strcspn(name + n, ","));
		if (k->keys)
			diff_refuse(d, key, "a jump label in the patch uses static key "
				    "'%s' of module %s: the kernel sets up a module's jump labels "
				    "before livepatch can bind it to another module's key; test the "
				    "key with static_key_enabled() in the patched code instead of "
				    "static_branch_*()", key, d->parent->objname);
		else
			diff_refuse(d, key, "a static call in the patch uses key '%s' of module "
				    "%s: the kernel sets up a module's static calls before livepatch "
				    "can bind it to another module's key; call the function directly "
				    "in the patched code instead of through static_call()",
				    key, d->parent->objname);
		free(key);
	}
}

static void filter(struct differ *d, struct section *sec, const struct special_kind *k)
{
	struct section *pair = k->pair ? elf_find_section(d->patched, k->pair) : NULL;
	size_t es = special_entry_size(d, sec, k), pes = 0, n, kept = 0;
	struct section *out, *pout = NULL;
	struct pieces pieces = { .name = k->pieces };
	struct symbol **recs;	/* via_data: each kept entry's record */
	char *keys;
	bool *keep, cut;

	if (!es)
		return;
	n = sec->size / es;
	if (pair && !(pes = special_pair_entry_size(d, pair, k, n)))
		return;
	keep = xcalloc(n + 1, sizeof(*keep));
	recs = xcalloc(n + 1, sizeof(*recs));
	for (size_t i = 0; i < n; i++)
		kept += keep[i] = entry_kept(d, sec, k, i * es, es, &recs[i]);
	lp_debug("%s: %zu entries of %zu bytes, %zu kept", sec->name, n, es, kept);
	if (!kept) {
		free(keep);
		free(recs);
		return;
	}
	keys = k->key_reloc && strcmp(d->parent->objname, "vmlinux") ?
	       xasprintf(".klp.sym.%s.", d->parent->objname) : NULL;
	cut = k->pieces && pieces_open(d, &pieces, sec, es, n, keep);
	out = elf_add_section(d->out, sec->name, sec->sh.sh_type, sec->sh.sh_flags, NULL,
			      kept * es, sec->sh.sh_addralign, sec->sh.sh_entsize);
	if (pair)
		pout = elf_add_section(d->out, pair->name, pair->sh.sh_type, pair->sh.sh_flags, NULL,
				       kept * pes, pair->sh.sh_addralign, pair->sh.sh_entsize);
	DSEC(sec)->out = out;
	DSEC(sec)->included = true;
	if (cut)
		pieces_write(d, &pieces);
	for (size_t i = 0, j = 0; i < n; i++) {
		uint64_t at = i * es, to = j * es;
		if (!keep[i])
			continue;
		if (recs[i])
			diff_out_section(d, recs[i]->sec);
		memcpy(out->data + to, sec->data + at, es);
		diff_copy_relocs(d, sec, out, at, at + es, (int64_t)to - (int64_t)at);
		if (cut)
			pieces_retarget(&pieces, out, to, to + es);
		if (keys)
			check_keys(d, k, out, to, to + es, keys);
		if (pout)
			memcpy(pout->data + j * pes, pair->data + i * pes, pes);
		j++;
	}
	if (cut)
		lp_debug("%s: %llu of %zu bytes kept", pieces.name,
			 (unsigned long long)pieces.kept_bytes, pieces.in->size);
	pieces_close(&pieces);
	free(keys);
	free(recs);
	free(keep);
}

void diff_special_sections(struct differ *d)
{
	for (size_t i = 1; i < d->patched->nsec; i++) {
		struct section *sec = d->patched->sec[i];
		const struct special_kind *k = special_kind_of(sec->name);

		if (k && sec->rela && sec->size)
			filter(d, sec, k);
	}
}
