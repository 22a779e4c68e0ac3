/* Which .c files a header change reaches, on a small tree laid out like the kernel's. */
#include "kernel/includers.h"
#include "fixture.h"
#include "unit.h"

static const char *root;

static void put(const char *rel, const char *text) { fixture_put(root, rel, text); }

static char *found(char *const *files, size_t n, size_t max, long *count)
{
	char **out = NULL;
	struct strbuf sb = {0};

	*count = includers_search(root, "x86", files, n, max, &out);
	for (size_t i = 0; out && out[i]; i++) {
		sb_addf(&sb, "%s%s", i ? " " : "", out[i]);
		free(out[i]);
	}
	free(out);
	return sb.len ? sb_take(&sb) : xstrdup("");
}

static void make_tree(void)
{
	root = fixture_tmp();
	put("include/linux/widget.h", "#pragma once\nstatic inline int widget(void) { return 1; }\n");
	put("include/linux/gadget.h", "#include <linux/widget.h>\n");
	put("fs/a/direct.c", "#include <linux/widget.h>\nint a(void) { return widget(); }\n");
	put("fs/a/through.c", "  #  include <linux/gadget.h>\n");
	put("fs/a/local.h", "#include \"../../include/linux/widget.h\"\n");
	put("fs/a/quoted.c", "#include \"local.h\"\n");
	put("fs/a/unrelated.c", "#include <linux/gadget_other.h>\n/* #include <linux/widget.h> */\n");
	put("fs/b/driver.h", "int drv;\n");
	put("fs/b/sub/use.c", "#include \"driver.h\"\n");	/* found through -I$(src)/.. */
	put("kernel/sched/rt.c", "#include <linux/widget.h>\n");
	put("kernel/sched/build_policy.c", "#include \"rt.c\"\n");
	put("arch/x86/include/asm/thing.h", "#include <linux/widget.h>\n");
	put("arch/x86/kernel/t.c", "#include <asm/thing.h>\n");
	put("arch/arm64/kernel/t.c", "#include <linux/widget.h>\n");
	put("tools/x.c", "#include <linux/widget.h>\n");
}

/* direct, through another header, quoted beside the includer, through an
 * included .c, through arch/x86/include; not arch/arm64, tools or comments */
static void header_reaches_its_users(void)
{
	char *h[] = { "include/linux/widget.h" };
	long n;
	char *got = found(h, 1, 100, &n);

	CHECK_STR(got, "arch/x86/kernel/t.c fs/a/direct.c fs/a/quoted.c fs/a/through.c "
		       "kernel/sched/build_policy.c kernel/sched/rt.c");
	CHECK(n == 6);
	free(got);
}

/* a quoted name that only a per-directory -I finds: matched by path suffix */
static void quoted_name_elsewhere(void)
{
	char *h[] = { "fs/b/driver.h" };
	long n;
	char *got = found(h, 1, 100, &n);

	CHECK_STR(got, "fs/b/sub/use.c");
	free(got);
}

/* an included .c file (kernel/sched/rt.c) reaches the unit that includes it */
static void included_c_file(void)
{
	char *h[] = { "kernel/sched/rt.c" };
	long n;
	char *got = found(h, 1, 100, &n);

	CHECK_STR(got, "kernel/sched/build_policy.c");
	free(got);
}

/* stops past max and says so with a count above it */
static void stops_past_max(void)
{
	char *h[] = { "include/linux/widget.h" };
	long n;
	char *got = found(h, 1, 2, &n);

	CHECK(n > 2);
	free(got);
}

int main(void)
{
	make_tree();
	RUN(header_reaches_its_users);
	RUN(quoted_name_elsewhere);
	RUN(included_c_file);
	RUN(stops_past_max);
	fixture_cleanup();
	return unit_done();
}
