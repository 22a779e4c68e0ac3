/*
 * The differ's DWARF line tables (srclines.c) belong to one differ: two
 * differs in one process each read their own objects' lines, and freeing
 * one's tables leaves the other's answering.
 */
#include "diff/internal.h"
#include "elf/elf.h"
#include "fixture.h"
#include "unit.h"

/* f on line 3 of one file, on line 9 of the other */
static const char *near_src = "int g;\n\nint f(int x) { return x * g + 1; }\n";
static const char *far_src = "int g;\n\n\n\n\n\n\n\nint f(int x) { return x * g + 1; }\n";

static void two_differs_own_lines(void)
{
	char *near = fixture_cc("near", near_src, "-g");
	char *far = fixture_cc("far", far_src, "-g");
	struct elf_file *a = near ? elf_open(near, 0) : NULL;
	struct elf_file *b = far ? elf_open(far, 0) : NULL;
	struct section *fa = a ? elf_find_section(a, ".text.f") : NULL;
	struct section *fb = b ? elf_find_section(b, ".text.f") : NULL;
	struct differ d1 = { .orig = a, .patched = a }, d2 = { .orig = b, .patched = b };

	CHECK(fa && fb);
	if (!fa || !fb)
		goto out;
	CHECK(diff_source_line(&d1, fa, 0) == 3);
	CHECK(diff_source_line(&d2, fb, 0) == 9);
	CHECK(d1.lines[0] && d2.lines[0] && d1.lines[0] != d2.lines[0]);
	/* a differ answers only for its own objects */
	CHECK(diff_source_line(&d1, fb, 0) == 0);
	diff_source_lines_free(&d1);
	CHECK(!d1.lines[0] && !d1.lines[1]);
	CHECK(diff_source_line(&d2, fb, 0) == 9);
	/* read again after a free */
	CHECK(diff_source_line(&d1, fa, 0) == 3);
out:
	diff_source_lines_free(&d1);
	diff_source_lines_free(&d2);
	elf_close(a);
	elf_close(b);
	free(near);
	free(far);
}

int main(void)
{
	RUN(two_differs_own_lines);
	fixture_cleanup();
	return unit_done();
}
