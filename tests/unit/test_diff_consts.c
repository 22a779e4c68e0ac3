/*
 * Mergeable constants (.rodata.cst8/16: floating point and SIMD literals)
 * compare by content. GCC lays them out in the order of the functions using
 * them, so a new constant in one function moves every later function's;
 * only the function whose constants or code changed is reported (redis's
 * server.c: a one-line change to pingCommand listed 14 functions).
 * User-space objects, compiled here, diffed as a process patch.
 */
#include "diff/diff.h"
#include "diff/parent.h"
#include "fixture.h"
#include "util/log.h"
#include "unit.h"

#include <sys/stat.h>

static const char consts_src[] =
	"double fa(double x) { return x * 1.5 + 2.25; }\n"
	"double fb(double x) { return x * 3.75 - 0.125; }\n"
	"double fc(double x) { return x / 7.5 + 9.0625; }\n"
	"float fd(float x) { return x * 0.3f - 4.5f; }\n";

/* Compile src as DIR/consts.c (both builds carry FILE "consts.c"). */
static char *build(const char *dir, const char *src, const char *flags)
{
	char *d = xasprintf("%s/%s", fixture_tmp(), dir), *name = xasprintf("%s/consts", dir);
	char *o;

	mkdir(d, 0755);
	o = fixture_cc(name, src, flags);
	free(d);
	free(name);
	return o;
}

static void expect_only_fa(const char *tag, const char *flags)
{
	char *changed = xstrdup(consts_src), *at = strstr(changed, "2.25");
	char *od = xasprintf("%s_orig", tag), *pd = xasprintf("%s_patched", tag);
	char *orig, *patched;
	struct parent *p;
	struct diff_result r;

	memcpy(at, "2.75", 4);		/* a new constant in fa, before fb's and fc's */
	orig = build(od, consts_src, flags);
	patched = build(pd, changed, flags);
	CHECK(orig && patched);
	p = orig ? parent_open(orig, "consts") : NULL;
	CHECK(p != NULL);
	if (p && patched) {
		int st = diff_objects(orig, patched, &(struct diff_opts){ .parent = p, .process = true },
				      &r);
		CHECK(st == LP_EXIT_OK);
		CHECK(r.nitems == 1 && !strcmp(r.items[0].name, "fa"));
		for (size_t i = 0; r.nitems != 1 && i < r.nitems; i++)
			fprintf(stderr, "  %s: item %s\n", tag, r.items[i].name);
		diff_result_free(&r);
	}
	parent_close(p);
	free(orig);
	free(patched);
	free(od);
	free(pd);
}

/* PIE code refers to the constants through .LCn labels. */
static void constants_by_label(void) { expect_only_fa("pie", "-fpie -mcmodel=small"); }
/* Kernel-style code, through the section symbol and an offset. */
static void constants_by_offset(void) { expect_only_fa("kernel", NULL); }

int main(void)
{
	RUN(constants_by_label);
	RUN(constants_by_offset);
	return unit_done();
}
