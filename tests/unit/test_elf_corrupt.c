/*
 * Objects no compiler writes, made by patching bytes of a compiled one as
 * the fuzzer did (issue 10): a relocation past the end of its section, at
 * offset 1 << 40, of a huge type; a corrupt alignment or entry size; a
 * function symbol moved out of its section; a garbage section type on code.
 * `lpatch diff` refuses each with exit 2, naming the file, the section and
 * the entry, and writes no output; `lpatch info` (a .ko) and `lpatch apply`
 * (a .lpatch) read through the same checks and refuse the same way.
 * Every finding of the fuzz targets (fuzz/, docs/fuzzing.md) is rebuilt
 * here from its description, so CI runs it without the fuzzer.
 */
#include "elf/elf.h"
#include "fixture.h"
#include "unit.h"
#include "util/log.h"

#include <fcntl.h>
#include <stddef.h>
#include <unistd.h>

static const char *dir;
static char *orig, *patched;

static const char orig_src[] =
	"extern int printk(const char *, ...);\n"
	"int fx(int x) { printk(\"fx %d\\n\", x); return x + 1; }\n";
static const char patched_src[] =
	"extern int printk(const char *, ...);\n"
	"int fx(int x) { printk(\"fx %d\\n\", x); return x + 2; }\n";

/* Overwrite width bytes at off (little-endian, as x86-64 objects are). */
static void poke(const char *path, uint64_t off, uint64_t value, size_t width)
{
	int fd = open(path, O_WRONLY);

	CHECK(fd >= 0 && pwrite(fd, &value, width, (off_t)off) == (ssize_t)width);
	if (fd >= 0)
		close(fd);
}

/* A copy of the patched object, named for the case. */
static char *copy_of_patched(const char *name)
{
	size_t n = 0;
	char *text = read_file(patched, &n), *p = xasprintf("%s/%s", dir, name);

	write_file(p, text, n);
	free(text);
	return p;
}

struct where {
	uint64_t shdr;		/* file offset of the section header */
	uint64_t data;		/* file offset of the section's contents */
	uint64_t size;
};

static struct where section_at(const char *path, const char *name)
{
	struct elf_file *ef = elf_open(path, 0);
	struct section *sec = ef ? elf_find_section(ef, name) : NULL;
	struct where w = {0};

	CHECK(sec != NULL);
	if (sec)
		w = (struct where){ ef->ehdr.e_shoff + sec->index * sizeof(Elf64_Shdr),
				    sec->sh.sh_offset, sec->size };
	elf_close(ef);
	return w;
}

static uint64_t symbol_at(const char *path, const char *name)
{
	struct elf_file *ef = elf_open(path, 0);
	struct symbol *s = ef ? elf_find_symbol(ef, name) : NULL;
	uint64_t off = 0;

	CHECK(s != NULL);
	if (s)
		off = ef->symtab->sh.sh_offset + s->index * sizeof(Elf64_Sym);
	elf_close(ef);
	return off;
}

/* `./lpatch ARGS...` (the binary, as a user runs it): exit code, *msg its output. */
static int run_lpatch(const char **argv, char **msg)
{
	char *log = xasprintf("%s/log", dir);
	int st;

	unlink(log);
	st = run(argv, &(struct run_opts){ .log = log, .no_stdin = true });
	*msg = read_file_quiet(log, NULL);
	if (!*msg)
		*msg = xstrdup("");
	free(log);
	return st;
}

static void expect(int st, char *msg, const char *const *says)
{
	bool ok = st == LP_EXIT_REFUSED;

	for (size_t i = 0; says[i]; i++)
		ok &= strstr(msg, says[i]) != NULL;
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "    exit %d, said: %s", st, msg);
	free(msg);
}

/* lpatch diff orig bad -o OUT: exit 2, no OUT, a message with every one of says. */
static void diff_refuses(const char *bad, const char *const *says)
{
	char *out = xasprintf("%s/out.o", dir), *msg;
	const char *argv[] = { "./lpatch", "diff", orig, bad, "--parent", orig, "-o", out, NULL };
	int st;

	unlink(out);
	st = run_lpatch(argv, &msg);
	CHECK(!path_exists(out));
	expect(st, msg, says);
	free(out);
}

static void reloc_past_end(void)
{
	char *p = copy_of_patched("past-end.o");
	struct where text = section_at(p, ".text.fx"), rela = section_at(p, ".rela.text.fx");

	/* entry 1's r_offset: 0x1000 past the end of .text.fx */
	poke(p, rela.data + sizeof(Elf64_Rela) + offsetof(Elf64_Rela, r_offset),
	     text.size + 0x1000, 8);
	diff_refuses(p, (const char *[]){ p, ".rela.text.fx", "relocation 1", "past the end", NULL });
	free(p);
}

static void reloc_far_away(void)
{
	char *p = copy_of_patched("far.o");
	struct where rela = section_at(p, ".rela.text.fx");

	/* the SIGSEGV in imm_after(): an offset of 1 << 40 */
	poke(p, rela.data + offsetof(Elf64_Rela, r_offset), (uint64_t)1 << 40, 8);
	diff_refuses(p, (const char *[]){ p, ".rela.text.fx", "relocation 0", "0x10000000000", NULL });
	free(p);
}

static void reloc_huge_type(void)
{
	char *p = copy_of_patched("type.o");
	struct where rela = section_at(p, ".rela.text.fx");

	/* the low half of r_info is the type: UBSan's overflow in reloc_shape() */
	poke(p, rela.data + offsetof(Elf64_Rela, r_info), 0xfffffff0u, 4);
	diff_refuses(p, (const char *[]){ p, ".rela.text.fx", "relocation 0", "unknown type", NULL });
	free(p);
}

static void bad_alignment(void)
{
	char *p = copy_of_patched("align.o");
	struct where text = section_at(p, ".text.fx");

	poke(p, text.shdr + offsetof(Elf64_Shdr, sh_addralign), 3, 8);
	diff_refuses(p, (const char *[]){ p, ".text.fx", "alignment 0x3", NULL });
	free(p);
}

static void bad_entsize(void)
{
	char *p = copy_of_patched("entsize.o");
	char *q = copy_of_patched("entsize2.o");
	struct where text = section_at(p, ".text.fx"), rela = section_at(q, ".rela.text.fx");

	/* code in 7-byte entries; relocations of 25 bytes */
	poke(p, text.shdr + offsetof(Elf64_Shdr, sh_entsize), 7, 8);
	if (text.size % 7 == 0)
		poke(p, text.shdr + offsetof(Elf64_Shdr, sh_entsize), 0x1000000, 8);
	diff_refuses(p, (const char *[]){ p, ".text.fx", "entries", NULL });
	poke(q, rela.shdr + offsetof(Elf64_Shdr, sh_entsize), 25, 8);
	diff_refuses(q, (const char *[]){ q, ".rela.text.fx", "entry size 25", NULL });
	free(p);
	free(q);
}

static void function_moved(void)
{
	char *p = copy_of_patched("moved.o");

	/* fx starts 16 bytes into its own section and runs past its end */
	poke(p, symbol_at(p, "fx") + offsetof(Elf64_Sym, st_value), 16, 8);
	diff_refuses(p, (const char *[]){ p, ".symtab entry", "(fx)", ".text.fx", NULL });
	free(p);
}

static void code_of_garbage_type(void)
{
	char *p = copy_of_patched("type-garbage.o");
	char *q = copy_of_patched("type-note.o");
	struct where text = section_at(p, ".text.fx");

	poke(p, text.shdr + offsetof(Elf64_Shdr, sh_type), 0xdeadbeef, 4);
	diff_refuses(p, (const char *[]){ p, ".text.fx", "unknown type 0xdeadbeef", NULL });
	/* a known type, but code is PROGBITS */
	poke(q, text.shdr + offsetof(Elf64_Shdr, sh_type), SHT_NOTE, 4);
	diff_refuses(q, (const char *[]){ q, ".text.fx", "holds code", NULL });
	free(p);
	free(q);
}

/* fuzz_elf's timeout: a file of unknown type (e_type 0x20) with a section
 * aligned to 4 GiB went unchecked (only ET_REL was), and elf_write wrote
 * gigabytes. The section headers of any file read whole are checked. */
static void unknown_file_type(void)
{
	char *p = copy_of_patched("etype.ko"), *q = copy_of_patched("exec-aligned.o"), *msg;
	struct where text = section_at(p, ".text.fx");
	const char *info[] = { "./lpatch", "info", p, NULL };
	struct elf_file *ef;
	int st;

	poke(p, offsetof(Elf64_Ehdr, e_type), 0x20, 2);
	poke(p, text.shdr + offsetof(Elf64_Shdr, sh_addralign), (uint64_t)1 << 32, 8);
	st = run_lpatch(info, &msg);
	expect(st, msg, (const char *[]){ p, "unknown ELF file type 0x20", NULL });
	CHECK(!(ef = elf_open(p, 0)));
	elf_close(ef);
	/* a linked file's type, the same alignment */
	poke(q, offsetof(Elf64_Ehdr, e_type), ET_EXEC, 2);
	poke(q, text.shdr + offsetof(Elf64_Shdr, sh_addralign), (uint64_t)1 << 32, 8);
	CHECK(!(ef = elf_open(q, 0)));
	elf_close(ef);
	free(p);
	free(q);
}

/* fuzz_lpatch's leak: .lpatch.meta with a key twice kept the last value and
 * lost the first. lpatch writes each once; a repeat is refused. */
static void meta_key_twice(void)
{
	static const char src[] =
		"__attribute__((section(\".lpatch.meta\"), used)) static const char meta[] =\n"
		"\"format=1\\nname=twice\\nbuild-id=00\\nobject=loop\\nobject=other\\n"
		"func=nowhere 10 10\\n\";\n"
		"int fx(int x) { return x; }\n";
	char *o = fixture_cc("twice", src, NULL), *p = xasprintf("%s/twice.lpatch", dir), *msg;
	const char *apply[] = { "./lpatch", "apply", "--pid", "1", p, NULL };
	int st;

	CHECK(o && !rename(o, p));
	st = run_lpatch(apply, &msg);
	expect(st, msg, (const char *[]){ p, "line 5 repeats object= (loop, then other)", NULL });
	free(o);
	free(p);
}

/* A stripped program (no .symtab): its .rela.plt names .dynsym, not read as
 * relocations against a symbol table it does not have. */
static void stripped_program(void)
{
	char *p = xasprintf("%s/program.ko", dir), *msg, *text;
	const char *info[] = { "./lpatch", "info", p, NULL };
	size_t n = 0;
	int st;

	if (!(text = read_file_quiet("/bin/true", &n))) {
		printf("# no /bin/true: case not run\n");
		free(p);
		return;
	}
	write_file(p, text, n);
	st = run_lpatch(info, &msg);
	expect(st, msg, (const char *[]){ p, "not a kernel module (an ELF file, but not relocatable", NULL });
	free(text);
	free(p);
}

/* The original is checked as much as the patched one. */
static void corrupt_original(void)
{
	char *p = copy_of_patched("orig-bad.o");
	struct where rela = section_at(p, ".rela.text.fx");
	char *out = xasprintf("%s/out.o", dir), *msg;
	const char *argv[] = { "./lpatch", "diff", p, patched, "--parent", orig, "-o", out, NULL };
	int st;

	poke(p, rela.data + offsetof(Elf64_Rela, r_offset), (uint64_t)1 << 40, 8);
	unlink(out);
	st = run_lpatch(argv, &msg);
	expect(st, msg, (const char *[]){ p, ".rela.text.fx", NULL });
	CHECK(!path_exists(out));
	free(out);
	free(p);
}

/* lpatch info on a .ko and lpatch apply on a .lpatch read through the same checks. */
static void module_and_patch_readers(void)
{
	char *ko = copy_of_patched("corrupt.ko"), *lp = copy_of_patched("corrupt.lpatch"), *msg;
	struct where rela = section_at(ko, ".rela.text.fx");
	const char *info[] = { "./lpatch", "info", ko, NULL };
	/* the file is read before any process is touched: pid 1 is never attached */
	const char *apply[] = { "./lpatch", "apply", "--pid", "1", lp, NULL };

	poke(ko, rela.data + offsetof(Elf64_Rela, r_offset), rela.size + (1 << 20), 8);
	poke(lp, rela.data + offsetof(Elf64_Rela, r_offset), rela.size + (1 << 20), 8);
	int st;

	st = run_lpatch(info, &msg);
	expect(st, msg, (const char *[]){ ko, ".rela.text.fx", "relocation 0", NULL });
	st = run_lpatch(apply, &msg);
	expect(st, msg, (const char *[]){ lp, ".rela.text.fx", "relocation 0", NULL });
	free(ko);
	free(lp);
}

/* The uncorrupted pair still makes a patch: the checks refuse nothing real. */
static void clean_pair_accepted(void)
{
	char *out = xasprintf("%s/out.o", dir), *msg;
	const char *argv[] = { "./lpatch", "diff", orig, patched, "--parent", orig, "-o", out, NULL };

	int st = run_lpatch(argv, &msg);

	CHECK(st == LP_EXIT_OK);
	CHECK(path_exists(out));
	if (st != LP_EXIT_OK)
		fprintf(stderr, "    exit %d, said: %s", st, msg);
	free(msg);
	free(out);
}

int main(void)
{
	char *o;

	if (access("./lpatch", X_OK)) {
		fprintf(stderr, "run from the source tree after make (./lpatch is missing)\n");
		return 1;
	}
	dir = fixture_tmp();
	/* both built as one.c, the way a patched tree rebuilds the same file */
	o = fixture_cc("one", orig_src, "-pg -mfentry");
	orig = xasprintf("%s/orig.o", dir);
	if (!o || rename(o, orig)) {
		fprintf(stderr, "cannot compile fixtures\n");
		return 1;
	}
	free(o);
	patched = fixture_cc("one", patched_src, "-pg -mfentry");
	if (!patched) {
		fprintf(stderr, "cannot compile fixtures\n");
		return 1;
	}
	RUN(clean_pair_accepted);
	RUN(reloc_past_end);
	RUN(reloc_far_away);
	RUN(reloc_huge_type);
	RUN(bad_alignment);
	RUN(bad_entsize);
	RUN(function_moved);
	RUN(code_of_garbage_type);
	RUN(unknown_file_type);
	RUN(meta_key_twice);
	RUN(stripped_program);
	RUN(corrupt_original);
	RUN(module_and_patch_readers);
	fixture_cleanup();
	return unit_done();
}
