/*
 * Clone renumbering between builds is not a change. GCC numbers clones
 * (.isra.N, .constprop.N, .part.N) and statics (.N) in the order it makes
 * them, so an unrelated change elsewhere in a file can renumber them; that
 * is hard to provoke on purpose, so these cases build a fixture once and
 * renumber its clones through the ELF model, as another build would have.
 */
#include "kfixture.h"
#include "unit.h"

#include <ctype.h>

static const char clones_src[] =
	"#include <linux/kernel.h>\n"
	"struct fx_big { int a, b, c, d; char name[32]; };\n"
	"static int fx_seen;\n"
	"static noinline int fx_field(struct fx_big *p, int unused) { return p->c * 3 + fx_seen; }\n"
	"int fx_use_field(struct fx_big *p) { return fx_field(p, 0) + fx_field(p + 1, 1); }\n"
	"static noinline int fx_scale(int x, int k) { fx_seen += k; return x * k + (x >> k); }\n"
	"int fx_scale_a(int x) { return fx_scale(x, 7) + fx_scale(x + 1, 7); }\n"
	"static noinline int fx_slow(int x)\n"
	"{\n"
	"	if (likely(x < 100))\n"
	"		return x;\n"
	"	pr_info(\"slow %d\\n\", x);\n"
	"	fx_seen = x * fx_seen + 3;\n"
	"	return fx_seen / (x - 99);\n"
	"}\n"
	"int fx_use_slow(int x) { return fx_slow(x) + fx_slow(x + 1); }\n";

/* name with every clone number (.isra.N, .constprop.N, .part.N) raised by 40;
 * NULL when it has none. */
static char *renumbered(const char *name)
{
	static const char *const kinds[] = { ".isra.", ".constprop.", ".part." };
	struct strbuf sb = {0};
	bool any = false;

	for (const char *p = name; *p;) {
		size_t k = 0, n = 0;

		for (; k < 3; k++)
			if (!strncmp(p, kinds[k], strlen(kinds[k])) &&
			    isdigit((unsigned char)p[strlen(kinds[k])]))
				break;
		if (k == 3) {
			sb_addn(&sb, p++, 1);
			continue;
		}
		n = strlen(kinds[k]);
		sb_addf(&sb, "%s%ld", kinds[k], strtol(p + n, NULL, 10) + 40);
		for (p += n; isdigit((unsigned char)*p); p++)
			;
		any = true;
	}
	if (!any) {
		sb_free(&sb);
		return NULL;
	}
	return sb_take(&sb);
}

/* "hits.3" -> "hits.43", ".bss.hits.3" -> ".bss.hits.43": a static local's
 * number raised by 40; NULL when name is no such static or its section. */
static char *static_renumbered(const char *name)
{
	const char *dot = strrchr(name, '.'), *p;

	if (!dot || dot == name || !dot[1] || strncmp(name, ".isra", 5) == 0)
		return NULL;
	for (p = dot + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return NULL;
	for (p = name; p < dot; p++)	/* no clone part: f.isra.3 is not a static */
		if (!strncmp(p, ".isra.", 6) || !strncmp(p, ".constprop.", 11) ||
		    !strncmp(p, ".part.", 6) || !strncmp(p, ".cold", 5))
			return NULL;
	return xasprintf("%.*s.%ld", (int)(dot - name), name, strtol(dot + 1, NULL, 10) + 40);
}

static bool statics_too;

/* Copy obj to out with its clones renumbered, symbols and their sections
 * (and with statics_too, its static locals). */
static int renumber(const char *obj, const char *out, size_t *renamed)
{
	struct elf_file *ef = elf_open(obj, 0);
	int ret;

	*renamed = 0;
	if (!ef)
		return -1;
	for (size_t i = 1; i < ef->nsec; i++) {
		const char *sn = ef->sec[i]->name;
		char *n = statics_too && (str_starts(sn, ".bss.") || str_starts(sn, ".data.")) ?
			  static_renumbered(sn) : renumbered(sn);
		if (n) {
			free(ef->sec[i]->name);
			ef->sec[i]->name = n;
		}
	}
	for (size_t i = 1; i < ef->nsym; i++) {
		struct symbol *y = ef->sym[i];
		char *n = y->type == STT_FUNC ? renumbered(y->name) :
			  statics_too && y->type == STT_OBJECT && y->bind == STB_LOCAL ?
			  static_renumbered(y->name) : NULL;
		if (n) {
			free(ef->sym[i]->name);
			ef->sym[i]->name = n;
			(*renamed)++;
		}
	}
	ret = elf_write(ef, out);
	elf_close(ef);
	return ret;
}

/* Diff fixture name's original against its patched object with the clones
 * renumbered, as another build of the patched source would have them. */
static int diff_renumbered(const char *name, size_t *renamed, struct diff_result *r)
{
	char *orig = kfix_orig(name), *patched = kfix_patched(name);
	char *out = xasprintf("%s.renumbered.o", patched);
	int ret = LP_EXIT_FAIL;

	memset(r, 0, sizeof(*r));
	if (!renumber(patched, out, renamed))
		ret = kfix_diff_paths(orig, out, orig, "vmlinux", r);
	free(out);
	free(patched);
	free(orig);
	return ret;
}

static void clones_renumbered_no_change(void)
{
	struct diff_result r;
	size_t renamed = 0;

	CHECK(diff_renumbered("renumber", &renamed, &r) == LP_EXIT_NOCHANGE);
	CHECK(renamed >= 2);	/* the fixture really has numbered clones */
	CHECK(r.nitems == 0 && r.nrefusals == 0);
	kfix_print_refusals(&r);
	diff_result_free(&r);
}

/* The same renumbering with a real change in one clone's caller: only it is included. */
static void renumbered_and_changed(void)
{
	struct diff_result r;
	size_t renamed = 0;

	CHECK(diff_renumbered("renumber_changed", &renamed, &r) == LP_EXIT_OK);
	CHECK(renamed >= 2);
	CHECK_ITEMS(&r, "changed fx_use_slow");
	diff_result_free(&r);
}

/* Static locals renumbered (the target's xstats.0 is the patched build's
 * xstats.2) in a changed function and a changed clone: each binds to the
 * target's name, and the changed clone is the target's clone by name. */
static const char statics_src[] =
	"#include <linux/kernel.h>\n"
	"#include <linux/spinlock.h>\n"
	"int fx_hits(int x)\n"
	"{\n"
	"	static int hits;\n"
	"	hits += x;\n"
	"	return hits;\n"
	"}\n"
	"static noinline int fx_locked(int x, int k)\n"
	"{\n"
	"	static DEFINE_SPINLOCK(lock);\n"
	"	static int count;\n"
	"	spin_lock(&lock);\n"
	"	count += x * K;\n"
	"	spin_unlock(&lock);\n"
	"	return count;\n"
	"}\n"
	"int fx_locked_a(int x) { return fx_locked(x, 3) + fx_locked(x + 1, 3); }\n";

static void statics_renumbered_bind_by_use(void)
{
	struct diff_result r;
	size_t renamed = 0;
	bool hits = false, count = false;

	statics_too = true;
	CHECK(diff_renumbered("renumber_statics", &renamed, &r) == LP_EXIT_OK);
	statics_too = false;
	CHECK(renamed >= 3);
	kfix_print_refusals(&r);
	CHECK(r.nrefusals == 0);
	for (size_t i = 0; i < r.nbindings; i++) {
		const char *b = r.bindings[i].symbol, *dot = strrchr(b, '.');
		if (dot && isdigit((unsigned char)dot[1]))
			CHECK(atoi(dot + 1) < 40);	/* the target's number, not the patched one */
		hits |= str_starts(b, "hits.");
		count |= str_starts(b, "count.");
	}
	CHECK(hits && count);
	for (size_t i = 0; i < r.nitems; i++) {
		const char *dot = strrchr(r.items[i].name, '.');
		CHECK(!dot || !isdigit((unsigned char)dot[1]) || atoi(dot + 1) < 40);
	}
	diff_result_free(&r);
}

/* Two statics of one name from one source file (a header's static beside the
 * file's own, as net/ipv4/route.c has two dst_discard): made here by renaming
 * fx_dupa and fx_dupb to fx_dup in both objects. Each binds to its own by
 * the order of the file's symbols, not refused as ambiguous. */
static const char dup_src[] =
	"static int fx_dupa = 1;\n"
	"static int fx_dupb = 2;\n"
	"int fx_dup_use(int x) { fx_dupa += x; fx_dupb -= x; return fx_dupa * K + fx_dupb; }\n";

static int rename_dups(const char *obj, const char *out)
{
	struct elf_file *ef = elf_open(obj, 0);
	int ret;

	if (!ef)
		return -1;
	for (size_t i = 1; i < ef->nsym; i++)
		if (!strcmp(ef->sym[i]->name, "fx_dupa") || !strcmp(ef->sym[i]->name, "fx_dupb")) {
			free(ef->sym[i]->name);
			ef->sym[i]->name = xstrdup("fx_dup");
		}
	ret = elf_write(ef, out);
	elf_close(ef);
	return ret;
}

static void same_named_statics_by_order(void)
{
	char *orig = kfix_orig("dup_statics"), *patched = kfix_patched("dup_statics");
	char *o2 = xasprintf("%s.dup.o", orig), *p2 = xasprintf("%s.dup.o", patched);
	struct diff_result r;
	bool pos1 = false, pos2 = false;

	CHECK(!rename_dups(orig, o2) && !rename_dups(patched, p2));
	CHECK(kfix_diff_paths(o2, p2, o2, "vmlinux", &r) == LP_EXIT_OK);
	kfix_print_refusals(&r);
	for (size_t i = 0; i < r.nbindings; i++)
		if (!strcmp(r.bindings[i].symbol, "fx_dup")) {
			pos1 |= r.bindings[i].sympos == 1;
			pos2 |= r.bindings[i].sympos == 2;
		}
	CHECK(pos1 && pos2);
	/* and each use keeps its own: the first symbol's uses bind to position 1 */
	for (size_t i = 1; r.out && i < r.out->nsec; i++) {
		struct section *sec = r.out->sec[i];
		for (size_t k = 0; sec->rela && k < sec->rela->nrel; k++) {
			const char *n = sec->rela->rel[k].sym->name;
			CHECK(!str_starts(n, ".klp.sym.vmlinux.fx_dup,") ||
			      !strcmp(n, ".klp.sym.vmlinux.fx_dup,1") ||
			      !strcmp(n, ".klp.sym.vmlinux.fx_dup,2"));
		}
	}
	diff_result_free(&r);
	free(orig);
	free(patched);
	free(o2);
	free(p2);
}

int main(void)
{
	char *changed = xstrdup(clones_src);
	char *at = strstr(changed, "fx_slow(x + 1)");

	at[12] = '2';	/* fx_slow(x + 2): a change in the caller only */
	kfix_add("renumber", clones_src, NULL);
	kfix_add("renumber_changed", clones_src, changed);
	kfix_add_defined("dup_statics", "K", 3, 5, dup_src);
	{
		char *o = xstrdup(statics_src), *p = xstrdup(statics_src);
		char *k = strstr(o, "x * K"), *h = strstr(p, "hits += x");
		k[4] = 'k';				/* count += x * k */
		strstr(p, "x * K")[4] = '1';		/* count += x * 1: the clone changes */
		h[8] = '1';				/* hits += 1 */
		kfix_add("renumber_statics", o, p);
		free(o);
		free(p);
	}
	if (kfix_build())
		return 1;
	RUN(clones_renumbered_no_change);
	RUN(renumbered_and_changed);
	RUN(statics_renumbered_bind_by_use);
	RUN(same_named_statics_by_order);
	kfix_cleanup();
	free(changed);
	return unit_done();
}
