/* The ELF model: reading objects, changing them, writing them back. */
#include "elf/elf.h"
#include "fixture.h"
#include "unit.h"

static const char *src =
	"static int counter;\n"
	"int shared = 3;\n"
	"extern int ext(const char *);\n"
	"static __attribute__((noinline)) int helper(int x) { return x * counter + shared; }\n"
	"int entry(int y) { counter++; return helper(y) + ext(\"hello\"); }\n";

static void reads_an_object(void)
{
	char *o = fixture_cc("read", src, NULL);
	struct elf_file *ef;
	struct symbol *entry, *helper;
	struct section *text;
	bool calls_helper = false, calls_ext = false;

	CHECK(o != NULL);
	ef = elf_open(o, 0);
	CHECK(ef != NULL);
	if (!ef)
		return;
	entry = elf_find_symbol(ef, "entry");
	helper = elf_find_symbol(ef, "helper");
	CHECK(entry && entry->type == STT_FUNC && entry->bind == STB_GLOBAL);
	CHECK(helper && helper->type == STT_FUNC && helper->bind == STB_LOCAL);
	text = elf_find_section(ef, ".text.entry");
	CHECK(text && text->owner == entry && text->rela);
	for (size_t i = 0; text && text->rela && i < text->rela->nrel; i++) {
		struct reloc *r = &text->rela->rel[i];
		calls_helper |= r->sym == helper || (r->sym->sec && r->sym->sec->owner == helper);
		calls_ext |= !strcmp(r->sym->name, "ext");
	}
	CHECK(calls_helper);
	CHECK(calls_ext);
	CHECK(elf_symbol_at(ef, text, 1) == entry);
	elf_close(ef);
	free(o);
}

static void round_trips(void)
{
	char *o = fixture_cc("trip", src, NULL);
	char *out = xasprintf("%s/trip-out.o", fixture_tmp());
	struct elf_file *a, *b;

	a = o ? elf_open(o, 0) : NULL;
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(elf_write(a, out) == 0);
	b = elf_open(out, 0);
	CHECK(b != NULL);
	if (b) {
		struct section *ta = elf_find_section(a, ".text.entry");
		struct section *tb = elf_find_section(b, ".text.entry");
		CHECK(tb && ta && tb->size == ta->size && !memcmp(tb->data, ta->data, ta->size));
		CHECK(tb && tb->rela && ta->rela && tb->rela->nrel == ta->rela->nrel);
		for (size_t i = 0; tb && tb->rela && i < tb->rela->nrel; i++) {
			CHECK_STR(tb->rela->rel[i].sym->name, ta->rela->rel[i].sym->name);
			CHECK(tb->rela->rel[i].addend == ta->rela->rel[i].addend);
		}
		CHECK(elf_find_symbol(b, "helper") != NULL);
		CHECK(elf_find_symbol(b, "shared")->bind == STB_GLOBAL);
		/* a NOBITS section keeps its size, though it has no bytes */
		{
			struct section *ba = elf_find_section(a, ".bss.counter");
			struct section *bb = elf_find_section(b, ".bss.counter");
			CHECK(ba && bb && ba->sh.sh_type == SHT_NOBITS && ba->size == 4);
			CHECK(bb && bb->sh.sh_type == SHT_NOBITS && bb->sh.sh_size == 4);
		}
		elf_close(b);
	}
	/* the output links: ld -r accepts it */
	{
		char *lo = xasprintf("%s/trip-ld.o", fixture_tmp());
		const char *argv[] = { "ld", "-r", "-o", lo, out, NULL };
		CHECK(run(argv, NULL) == 0);
		free(lo);
	}
	elf_close(a);
	free(out);
	free(o);
}

static void drops_and_adds(void)
{
	char *o = fixture_cc("edit", src, NULL);
	char *out = xasprintf("%s/edit-out.o", fixture_tmp());
	struct elf_file *a = o ? elf_open(o, 0) : NULL, *b;
	struct section *helper_text, *text;
	struct symbol *klp;

	CHECK(a != NULL);
	if (!a)
		return;
	helper_text = elf_find_section(a, ".text.helper");
	text = elf_find_section(a, ".text.entry");
	CHECK(helper_text && text);
	if (!helper_text || !text)
		return;
	/* calls to helper now go to an undefined symbol */
	klp = elf_add_symbol(a, ".klp.sym.vmlinux.helper,0", STT_NOTYPE, STB_GLOBAL, NULL,
			     SHN_UNDEF, 0, 0);
	for (size_t i = 0; i < text->rela->nrel; i++)
		if (text->rela->rel[i].sym->sec == helper_text)
			text->rela->rel[i].sym = klp;
	helper_text->dropped = true;
	elf_add_section(a, ".lpatch.note", SHT_PROGBITS, 0, "hi", 3, 1, 0);
	CHECK(elf_write(a, out) == 0);
	b = elf_open(out, 0);
	CHECK(b && !elf_find_section(b, ".text.helper") && !elf_find_section(b, ".rela.text.helper"));
	CHECK(b && !elf_find_symbol(b, "helper"));
	CHECK(b && elf_find_symbol(b, ".klp.sym.vmlinux.helper,0"));
	CHECK(b && elf_find_section(b, ".lpatch.note") && !strcmp((char *)elf_find_section(b, ".lpatch.note")->data, "hi"));
	elf_close(b);
	elf_close(a);
	free(out);
	free(o);
}

static void refuses_non_elf(void)
{
	char *p = xasprintf("%s/not-elf.o", fixture_tmp());
	write_file(p, "hello\n", 6);
	CHECK(elf_open(p, 0) == NULL);
	write_file(p, "\177ELF\2\1\1", 7);	/* truncated header */
	CHECK(elf_open(p, 0) == NULL);
	free(p);
}

int main(void)
{
	RUN(reads_an_object);
	RUN(round_trips);
	RUN(drops_and_adds);
	RUN(refuses_non_elf);
	fixture_cleanup();
	return unit_done();
}
