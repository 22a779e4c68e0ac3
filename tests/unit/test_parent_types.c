/*
 * The target's types from its debug info (src/diff/parent_types.c): the
 * compile unit of a function found by lpatch's own reading of
 * .debug_aranges is the one libdw's full table gives, for every function of
 * a program of two source files, and a struct's size is read from it.
 */
#include "diff/parent.h"
#include "fixture.h"
#include "unit.h"

#include <elfutils/libdw.h>
#include <fcntl.h>
#include <unistd.h>

static const char *const a_c =
	"struct thing { long a; int b; };\n"
	"__attribute__((noinline)) int use_thing(struct thing *t) { return t->b + 1; }\n"
	"int use_other(void *);\n"
	"int main(void) { struct thing t = { 1, 2 }; return use_thing(&t) + use_other(0); }\n";
static const char *const b_c =
	"struct other { int x[3]; };\n"
	"__attribute__((noinline)) int use_other(void *p)\n"
	"{ struct other *o = p; return o ? o->x[2] : 0; }\n";

static char *build_program(void)
{
	char *exe = path_join(fixture_tmp(), "prog");
	char *a = path_join(fixture_tmp(), "a.c"), *b = path_join(fixture_tmp(), "b.c");
	const char *argv[] = { "cc", "-g", "-O2", "-o", exe, a, b, NULL };

	fixture_put(fixture_tmp(), "a.c", a_c);
	fixture_put(fixture_tmp(), "b.c", b_c);
	if (run(argv, &(struct run_opts){ .no_stdin = true })) {
		free(exe);
		exe = NULL;
	}
	free(a);
	free(b);
	return exe;
}

/* libdw's answer: the header offset of the unit whose DIE dwarf_addrdie gives */
static bool libdw_unit(Dwarf *dw, uint64_t addr, uint64_t *unit)
{
	Dwarf_Die cu;
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (!dwarf_addrdie(dw, addr, &cu))
		return false;
	/* walk the unit headers to the one holding the DIE */
	while (dwarf_next_unit(dw, off, &next, &hsize, NULL, NULL, NULL, NULL, NULL, NULL) == 0) {
		if (dwarf_dieoffset(&cu) == off + hsize) {
			*unit = off;
			return true;
		}
		off = next;
	}
	return false;
}

static void units_agree_with_libdw(void)
{
	char *exe = build_program();
	struct parent *p = exe ? parent_open(exe, "prog") : NULL;
	int fd = exe ? open(exe, O_RDONLY) : -1;
	Dwarf *dw = fd >= 0 ? dwarf_begin(fd, DWARF_C_READ) : NULL;
	const char *fns[] = { "use_thing", "use_other", "main" };
	uint64_t units[3] = {0};

	CHECK(p != NULL && dw != NULL);
	for (size_t i = 0; p && dw && i < 3; i++) {
		const struct parent_sym *s = parent_find(p, fns[i]);
		uint64_t mine = ~0ull, theirs = ~1ull;

		CHECK(s != NULL);
		if (!s)
			continue;
		/* the first byte, the last byte */
		CHECK(parent_aranges_unit(p, s->addr, &mine) == 0);
		CHECK(libdw_unit(dw, s->addr, &theirs));
		CHECK(mine == theirs);
		if (mine != theirs)
			fprintf(stderr, "    %s: unit %#llx, libdw says %#llx\n", fns[i],
				(unsigned long long)mine, (unsigned long long)theirs);
		CHECK(parent_aranges_unit(p, s->addr + s->size - 1, &mine) == 0 && mine == theirs);
		units[i] = mine;
	}
	/* two source files, two units */
	CHECK(units[0] == units[2] && units[0] != units[1]);
	{
		uint64_t u;
		CHECK(p == NULL || parent_aranges_unit(p, 0x10, &u) == 1);
	}
	if (dw)
		dwarf_end(dw);
	if (fd >= 0)
		close(fd);
	parent_close(p);
	free(exe);
}

static void struct_sizes_from_the_unit(void)
{
	char *exe = build_program();
	struct parent *p = exe ? parent_open(exe, "prog") : NULL;
	const char *why = NULL;

	CHECK(p != NULL);
	if (p) {
		/* a type the unit of the user does not define; no such user (answers
		 * are kept per type name: asked first) */
		CHECK(parent_type_size(p, "other", "use_thing", &why) == -1 && why != NULL);
		CHECK(parent_type_size(p, "thing", "no_such_function", &why) == -1 && why != NULL);
	}
	parent_close(p);
	p = exe ? parent_open(exe, "prog") : NULL;
	if (p) {
		CHECK(parent_type_size(p, "thing", "use_thing", &why) == 16);
		CHECK(parent_type_size(p, "other", "use_other", &why) == 12);
	}
	parent_close(p);
	free(exe);
}

int main(void)
{
	RUN(units_agree_with_libdw);
	RUN(struct_sizes_from_the_unit);
	fixture_cleanup();
	return unit_done();
}
