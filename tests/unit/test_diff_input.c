/*
 * lpatch diff on bad input: not an ELF file, a truncated object, another
 * architecture (32-bit x86, and aarch64 made by editing e_machine through
 * libelf), objects of different source files, a missing file. Each exits 2
 * with a message naming the file and why, and writes no output file.
 */
#include "elf/elf.h"
#include "fixture.h"
#include "unit.h"
#include "util/log.h"

#include <unistd.h>

static const char *dir;
static char *good, *other;

/* Run `./lpatch diff orig patched --parent parent -o OUT` (the binary, as
 * a user would); returns its exit code, *msg what it printed. */
static int run_diff(const char *orig, const char *patched, const char *parent, char **msg)
{
	char *out = xasprintf("%s/out.o", dir), *log = xasprintf("%s/log", dir);
	const char *argv[] = { "./lpatch", "diff", orig, patched, "--parent", parent, "-o", out, NULL };
	int st;

	unlink(out);
	unlink(log);
	st = run(argv, &(struct run_opts){ .log = log, .no_stdin = true });
	*msg = read_file_quiet(log, NULL);
	if (!*msg)
		*msg = xstrdup("");
	CHECK(!path_exists(out));	/* never an output file on bad input */
	free(out);
	free(log);
	return st;
}

static void expect_refused(const char *orig, const char *patched, const char *parent,
			   const char *names, const char *why)
{
	char *msg;
	int st = run_diff(orig, patched, parent, &msg);

	CHECK(st == LP_EXIT_REFUSED);
	CHECK(strstr(msg, names) != NULL);
	CHECK(strstr(msg, why) != NULL);
	if (st != LP_EXIT_REFUSED || !strstr(msg, names) || !strstr(msg, why))
		fprintf(stderr, "    exit %d, said: %s", st, msg);
	free(msg);
}

static void not_elf(void)
{
	char *p = xasprintf("%s/notes.o", dir);

	write_file(p, "just text\n", 10);
	expect_refused(p, good, good, p, "not an ELF file");
	free(p);
}

static void truncated(void)
{
	size_t n = 0;
	char *text = read_file(good, &n), *p = xasprintf("%s/cut.o", dir);

	write_file(p, text, n / 2);
	expect_refused(good, p, good, p, "truncated");
	free(text);
	free(p);
}

static void i386_object(void)
{
	char *p = xasprintf("%s/m32.o", dir), *c = xasprintf("%s/m32.c", dir);
	const char *argv[] = { "cc", "-m32", "-c", "-o", p, c, NULL };

	write_file(c, "int fx(int x) { return x + 1; }\n", 32);
	if (run(argv, &(struct run_opts){ .no_stdin = true })) {
		/* gcc without the 32-bit multilib: the aarch64 case still runs */
		printf("# no gcc -m32 here: the i386 case was not run\n");
	} else {
		expect_refused(good, p, good, p, "32-bit");
	}
	free(p);
	free(c);
}

/* An x86-64 object relabelled as aarch64 (e_machine changed through libelf). */
static void aarch64_object(void)
{
	char *p = xasprintf("%s/arm.o", dir);
	struct elf_file *ef = elf_open(good, 0);

	CHECK(ef != NULL);
	if (!ef)
		return;
	ef->ehdr.e_machine = EM_AARCH64;
	CHECK(elf_write(ef, p) == 0);
	elf_close(ef);
	expect_refused(good, p, good, p, "different architectures");
	expect_refused(p, p, good, p, "x86-64 objects only");
	free(p);
}

static void different_sources(void)
{
	expect_refused(good, other, good, "different source files", "one.c");
}

static void missing_file(void)
{
	char *p = xasprintf("%s/nowhere.o", dir);

	expect_refused(good, p, good, p, "No such file");
	expect_refused(good, good, p, p, "No such file");
	free(p);
}

int main(void)
{
	if (access("./lpatch", X_OK)) {
		fprintf(stderr, "run from the source tree after make (./lpatch is missing)\n");
		return 1;
	}
	dir = fixture_tmp();
	good = fixture_cc("one", "int fx(int x) { return x + 1; }\n", NULL);
	other = fixture_cc("two", "int fx(int x) { return x + 2; }\n", NULL);
	if (!good || !other) {
		fprintf(stderr, "cannot compile fixtures\n");
		return 1;
	}
	RUN(not_elf);
	RUN(truncated);
	RUN(i386_object);
	RUN(aarch64_object);
	RUN(different_sources);
	RUN(missing_file);
	fixture_cleanup();
	return unit_done();
}
