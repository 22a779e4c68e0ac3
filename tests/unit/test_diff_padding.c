/*
 * Function padding (Linux 6.2+, CONFIG_CALL_PADDING: Debian 13's 6.12 is
 * built with -fpatchable-function-entry=16,16): each function's section
 * starts with 16 NOPs and the function after them, with no __pfx_ symbol
 * in a single-object build. Such a function still owns its section: a
 * change to its code or to a string it prints is found (it was taken for
 * an alias and never compared: "no functional change").
 */
#include "diff/author.h"
#include "diff/diff.h"
#include "diff/parent.h"
#include "elf/elf.h"
#include "fixture.h"
#include "util/log.h"
#include "unit.h"

#include <sys/stat.h>

#define PADDING "-fpatchable-function-entry=16,16 -pg -mfentry -mrecord-mcount"

static const char src[] =
	"extern void show(const char *s, unsigned long v);\n"
	"void fa(unsigned long v) { show(\"VmallocChunk:   \", v); }\n"
	"int fb(int x) { return x * 3 + 1; }\n";

static char *build(const char *dir, const char *text)
{
	char *d = xasprintf("%s/%s", fixture_tmp(), dir), *name = xasprintf("%s/pad", dir);
	char *o;

	mkdir(d, 0755);
	o = fixture_cc(name, text, PADDING);
	free(d);
	free(name);
	return o;
}

/* The patched text: from replaced by to (first occurrence). */
static char *edit(const char *from, const char *to)
{
	const char *at = strstr(src, from);

	return xasprintf("%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
}

static void expect_changed(const char *tag, const char *from, const char *to, const char *fn)
{
	char *od = xasprintf("%s_orig", tag), *pd = xasprintf("%s_patched", tag);
	char *text = edit(from, to), *orig = build(od, src), *patched = build(pd, text);
	struct parent *p = orig ? parent_open(orig, "vmlinux") : NULL;
	struct diff_result r;

	CHECK(orig && patched && p);
	if (p && patched) {
		int st = diff_objects(orig, patched, &(struct diff_opts){ .parent = p }, &r);

		CHECK(st == LP_EXIT_OK);
		CHECK(r.nitems == 1 && r.items[0].kind == DIFF_CHANGED &&
		      !strcmp(r.items[0].name, fn));
		for (size_t i = 0; i < r.nitems; i++)
			fprintf(stderr, "  %s: item %s\n", tag, r.items[i].name);
		diff_result_free(&r);
	}
	parent_close(p);
	free(orig);
	free(patched);
	free(text);
	free(od);
	free(pd);
}

/* The object is what Debian 13's kbuild makes: the function behind 16 NOPs. */
static void function_behind_padding(void)
{
	char *o = build("layout", src);
	struct elf_file *ef = o ? elf_open(o, 0) : NULL;
	struct section *sec = ef ? elf_find_section(ef, ".text.fa") : NULL;

	CHECK(sec != NULL);
	if (sec) {
		CHECK(sec->owner && !strcmp(sec->owner->name, "fa"));
		CHECK(sec->owner && sec->owner->s.st_value == 16);
		CHECK(sec->size > 16 && !memcmp(sec->data, "\x90\x90\x90\x90\x90\x90\x90\x90"
						"\x90\x90\x90\x90\x90\x90\x90\x90", 16));
	}
	elf_close(ef);
	free(o);
}

static void string_change(void) { expect_changed("str", "VmallocChunk", "VMALLOCCHUNK", "fa"); }
static void code_change(void) { expect_changed("code", "x * 3 + 1", "x * 3 + 2", "fb"); }

/* A callback marker (include/lpatch.h's LPATCH_*_CALLBACK) names a static
 * function: the assembler relocates against the function's section, and
 * behind the padding the function is at +16 of it, not +0. */
static void callback_behind_padding(void)
{
	static const char cb_src[] =
		"struct klp_object;\n"
		"static void cb(struct klp_object *o) { asm volatile(\"\" : : \"r\"(o)); }\n"
		"static void (*const __lpatch_callback_post_unpatch)(struct klp_object *)\n"
		"	__attribute__((used, section(\".lpatch.callbacks.post_unpatch\"))) = cb;\n";
	char *o = fixture_cc("pad_callback", cb_src, PADDING);
	struct elf_file *ef = o ? elf_open(o, 0) : NULL;
	struct section *sec = ef ? elf_find_section(ef, ".lpatch.callbacks.post_unpatch") : NULL;
	struct reloc *r = sec ? elf_reloc_at(sec, 0) : NULL;
	struct symbol *f;
	bool err = false;

	CHECK(ef && r);
	if (!r)
		goto out;
	/* the case is there: against the section, 16 bytes in */
	CHECK(r->sym->type == STT_SECTION && r->addend == 16);
	f = diff_callback(ef, DIFF_CB_POST_UNPATCH, "pad_callback.c", &err);
	CHECK(!err);
	CHECK(f && !strcmp(f->name, "cb"));
out:
	elf_close(ef);
	free(o);
}

int main(void)
{
	RUN(function_behind_padding);
	RUN(string_change);
	RUN(code_change);
	RUN(callback_behind_padding);
	fixture_cleanup();
	return unit_done();
}
