/* Verification: a compiled function against the target's bytes, link sites masked. */
#include "diff/verify.h"
#include "elf/elf.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static const char *src =
	"#include <stdio.h>\n"
	"static int counter;\n"
	"__thread int tls_count;\n"
	"extern int shared_fn(int);\n"
	"static __attribute__((noinline)) int helper(int x) { return x * counter + 7; }\n"
	"int entry(int y) { counter++; tls_count++; printf(\"%d\\n\", y);\n"
	"                   return helper(y) + shared_fn(y); }\n";
static const char *other = "extern int entry(int);\n"
			   "int shared_fn(int x) { return x * 3; }\n"
			   "int main(int c, char **v) { return entry(c); }\n";

/* verify fn of obj against the same-named symbol of target */
static int check(const char *obj, const char *target, const char *fn, char **why)
{
	struct elf_file *o = elf_open(obj, 0), *t = elf_open(target, 0);
	struct symbol *a = o ? elf_find_symbol(o, fn) : NULL, *b = t ? elf_find_symbol(t, fn) : NULL;
	int r = a && b ? verify_function(o, a, t, b, why) : -2;

	elf_close(o);
	elf_close(t);
	return r;
}

/* The same source and flags, compiled twice: every function matches. */
static void same_build_matches(void)
{
	char *a = fixture_cc("same_a", src, "-fpie -mcmodel=small");
	char *b = fixture_cc("same_b", src, "-fpie -mcmodel=small");
	char *why = NULL;

	CHECK(a && b);
	CHECK(check(a, b, "entry", &why) == 1);
	CHECK(why == NULL);
	CHECK(check(a, b, "helper", NULL) == 1);
	free(a);
	free(b);
}

/* Other optimisation flags: the mismatch is found and says where. */
static void other_flags_mismatch(void)
{
	char *a = fixture_cc("flags_a", src, "-fpie -mcmodel=small");
	char *b = fixture_cc("flags_b", src, "-fpie -mcmodel=small -O0");
	char *why = NULL;

	CHECK(a && b);
	CHECK(check(a, b, "entry", &why) == 0);
	CHECK(why && (strstr(why, "bytes long") || strstr(why, "differ at")));
	free(why);
	free(a);
	free(b);
}

/* src and other compiled as NAME_a.o and NAME_main.o and linked into the
 * PIE executable NAME (returned; caller frees); *obj: NAME_a.o. */
static char *link_pie(const char *name, char **obj)
{
	char *an = xasprintf("%s_a", name), *mn = xasprintf("%s_main", name);
	char *a = fixture_cc(an, src, "-fpie -mcmodel=small");
	char *m = fixture_cc(mn, other, "-fpie -mcmodel=small");
	char *exe = xasprintf("%s/%s", fixture_tmp(), name);
	const char *ld[] = { "cc", "-pie", "-o", exe, a, m, NULL };

	CHECK(a && m);
	CHECK(run(ld, &(struct run_opts){ .no_stdin = true }) == 0);
	free(m);
	free(mn);
	free(an);
	*obj = a;
	return exe;
}

/* Linked into a PIE executable (relocations applied, GOT loads and TLS
 * access relaxed by the linker): the object still matches. */
static void linked_executable_matches(void)
{
	char *a, *exe = link_pie("exe", &a);
	char *why = NULL;

	CHECK(check(a, exe, "entry", &why) == 1);
	if (why)
		fprintf(stderr, "  entry: %s\n", why);
	CHECK(check(a, exe, "helper", NULL) == 1);
	free(why);
	free(exe);
	free(a);
}

/* One changed constant in an otherwise identical function is caught. */
static void changed_constant_mismatch(void)
{
	char *a = fixture_cc("const_a", src, "-fpie -mcmodel=small");
	char *changed = xstrdup(src);
	char *seven = strstr(changed, "+ 7;");
	char *b, *why = NULL;

	seven[2] = '9';
	b = fixture_cc("const_b", changed, "-fpie -mcmodel=small");
	CHECK(a && b);
	CHECK(check(a, b, "helper", &why) == 0);
	CHECK(why && strstr(why, "differ at +0x"));
	CHECK(check(a, b, "entry", NULL) == 1);
	free(why);
	free(changed);
	free(a);
	free(b);
}

/* A target symbol whose address lies before its section's (a damaged or
 * foreign file): refused, not read from before the section's bytes. */
static void symbol_before_section_refused(void)
{
	char *a, *exe = link_pie("before", &a);
	struct elf_file *o, *t;
	struct symbol *fn, *tsym;

	o = elf_open(a, 0);
	t = elf_open(exe, 0);
	fn = o ? elf_find_symbol(o, "helper") : NULL;
	tsym = t ? elf_find_symbol(t, "helper") : NULL;
	CHECK(fn && tsym && tsym->sec);
	if (fn && tsym && tsym->sec) {
		tsym->s.st_value = tsym->sec->sh.sh_addr - 4;
		CHECK(verify_function(o, fn, t, tsym, NULL) == -1);
	}
	elf_close(o);
	elf_close(t);
	free(exe);
	free(a);
}

int main(void)
{
	RUN(same_build_matches);
	RUN(other_flags_mismatch);
	RUN(linked_executable_matches);
	RUN(changed_constant_mismatch);
	RUN(symbol_before_section_refused);
	fixture_cleanup();
	return unit_done();
}
