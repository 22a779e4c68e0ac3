/* The ELF model: reading objects, changing them, writing them back. */
#include "elf/elf.h"
#include "fixture.h"
#include "target/tree.h"
#include "unit.h"

#include <unistd.h>

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

/* A linked program from src: cc src -o name (flags: extra, e.g. -static). */
static char *link_program(const char *name, const char *flags)
{
	char *c = xasprintf("%s/%s.c", fixture_tmp(), name);
	char *exe = xasprintf("%s/%s", fixture_tmp(), name);
	const char *argv[] = { "cc", "-o", exe, c, flags, NULL };
	static const char prog[] = "int main(void) { return 0; }\n";

	write_file(c, prog, sizeof(prog) - 1);
	if (run(argv, &(struct run_opts){ .no_stdin = true })) {
		free(exe);
		exe = NULL;
	}
	free(c);
	return exe;
}

/* PT_INTERP through the model (what lpatch vm copies into the guest). */
static void reads_the_interpreter(void)
{
	char *dyn = link_program("dynamic", NULL), *st = link_program("static", "-static");
	struct elf_file *ef;
	char *interp;

	CHECK(dyn != NULL);
	ef = dyn ? elf_open(dyn, ELF_OPEN_LAZY) : NULL;
	CHECK(ef != NULL);
	interp = ef ? elf_interp(ef) : NULL;
	CHECK(interp && interp[0] == '/' && strstr(interp, "ld-linux"));
	free(interp);
	elf_close(ef);
	if (st) {	/* without libc.a there is no static program to look at */
		ef = elf_open(st, ELF_OPEN_LAZY);
		CHECK(ef && elf_interp(ef) == NULL);
		elf_close(ef);
	}
	free(dyn);
	free(st);
}

/* ELF_OPEN_SECTIONS: section headers and data on demand, no symbols; the
 * release of a "vmlinux" is read that way from the banner in .rodata. */
static void reads_sections_only(void)
{
	static const char banner_src[] =
		"const char linux_banner[] = \"Linux version 6.1.0-99-test-amd64 (gcc) #1 SMP\";\n";
	char *o = fixture_cc("banner", banner_src, "-fno-data-sections");
	char *p = xasprintf("%s/not-elf", fixture_tmp()), *rel;
	struct elf_file *ef = o ? elf_open(o, ELF_OPEN_SECTIONS) : NULL;
	struct section *ro = ef ? elf_find_section(ef, ".rodata") : NULL;

	CHECK(ef && ef->nsym == 1 && ef->nsec > 1);
	CHECK(ro && !ro->data && elf_section_data(ro) && ro->data);
	elf_close(ef);
	CHECK_STR(rel = o ? vmlinux_release(o) : NULL, "6.1.0-99-test-amd64");
	free(rel);
	write_file(p, "hello\n", 6);
	CHECK(vmlinux_release(p) == NULL);
	free(p);
	free(o);
}

/* elf_dyn_may_define: never false for a name the table has, false for names it lacks. */
static void may_define_filters_dynsym(void)
{
	const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";
	struct elf_file *ef = access(libc, R_OK) ? NULL : elf_open(libc, ELF_OPEN_LAZY);
	struct elf_dyn *dy = ef ? elf_dyn_read(ef) : NULL;
	size_t missed = 0;

	if (!ef) {	/* not Debian's x86-64 layout: nothing to look at */
		printf("  (no %s)\n", libc);
		return;
	}
	CHECK(dy && dy->nsym > 1000);
	for (size_t i = 1; dy && i < dy->nsym; i++) {
		char *versioned = xasprintf("%s@%s", dy->sym[i].name,
					    dy->sym[i].version ? dy->sym[i].version : "V");

		if (!elf_dyn_may_define(ef, dy->sym[i].name) || !elf_dyn_may_define(ef, versioned))
			missed++;
		free(versioned);
	}
	CHECK(missed == 0);
	CHECK(elf_dyn_may_define(ef, "printf"));
	CHECK(elf_dyn_lookup(dy, "printf") != NULL);
	/* libgcc's, not glibc's: what hook-apply looks up in every process */
	CHECK(!elf_dyn_may_define(ef, "__register_frame_info"));
	CHECK(!elf_dyn_may_define(ef, "lpatch_no_such_symbol@GLIBC_2.2.5"));
	elf_dyn_free(dy);
	elf_close(ef);
}

int main(void)
{
	RUN(reads_an_object);
	RUN(round_trips);
	RUN(drops_and_adds);
	RUN(refuses_non_elf);
	RUN(reads_the_interpreter);
	RUN(reads_sections_only);
	RUN(may_define_filters_dynsym);
	fixture_cleanup();
	return unit_done();
}
