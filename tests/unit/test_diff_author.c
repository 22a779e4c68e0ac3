/*
 * The patch author's markers (include/lpatch.h, and kpatch's section names)
 * on kernel fixtures: ignoring a function or a section, forcing one, and
 * callbacks the module writer finds in the differ's output.
 */
#include "kfixture.h"
#include "unit.h"

#include "diff/author.h"

#include <limits.h>

#define FUNCS(k, s, t) \
	"noinline int fx_keep(int x) { return x * 3 + " k "; }\n" \
	"noinline int fx_skip(int x) { return x * 5 + " s "; }\n" \
	"noinline int fx_sect(int x) { return x * 7 + " t "; }\n" \
	"noinline int fx_same(int x) { return x * 11 + 4; }\n"

static const char orig_src[] = "#include <linux/kernel.h>\n#include <linux/livepatch.h>\n"
			       FUNCS("1", "2", "3");

static const char lpatch_markers[] =
	"LPATCH_IGNORE_FUNCTION(fx_skip);\n"
	"LPATCH_IGNORE_SECTION(\".text.fx_sect\");\n"
	"LPATCH_FORCE_FUNCTION(fx_same);\n"
	"static int fx_pre(struct klp_object *obj) { return obj->name ? 1 : 0; }\n"
	"LPATCH_PRE_PATCH_CALLBACK(fx_pre);\n"
	"static void fx_post_un(struct klp_object *obj) { pr_info(\"%p\\n\", obj); }\n"
	"LPATCH_POST_UNPATCH_CALLBACK(fx_post_un);\n";

/* what kpatch's own headers leave in an object, written out by hand */
static const char kpatch_markers[] =
	"static void *kp_ignore __used __section(\".kpatch.ignore.functions\") = fx_skip;\n"
	"struct kp_callback { int (*fn)(struct klp_object *); char *objname; };\n"
	"static int fx_pre(struct klp_object *obj) { return obj->name ? 1 : 0; }\n"
	"static struct kp_callback kp_pre __used __section(\".kpatch.callbacks.pre_patch\") = "
	"{ .fn = fx_pre, .objname = NULL };\n";

static const char bad_marker[] = "LPATCH_FORCE_FUNCTION(_printk);\n";

static char *patched_src(const char *header, const char *markers)
{
	return xasprintf("#include <linux/kernel.h>\n#include <linux/livepatch.h>\n%s%s%s"
			 FUNCS("10", "20", "30") "%s", header ? "#include \"" : "",
			 header ? header : "", header ? "\"\n" : "", markers);
}

static const char *callback(const struct diff_result *r, enum diff_callback_kind k)
{
	bool err = false;
	struct symbol *f = r->out ? diff_callback(r->out, k, "fixture", &err) : NULL;

	CHECK(!err);
	return f ? f->name : "";
}

static void lpatch_names(void)
{
	struct diff_result r;

	CHECK(kfix_diff("author_lpatch", NULL, &r) == LP_EXIT_OK);
	CHECK_ITEMS(&r, "changed fx_keep, changed fx_same, new fx_pre, new fx_post_un, "
			"data __lpatch_callback_pre_patch, data __lpatch_callback_post_unpatch");
	CHECK_REFUSED(&r, "");
	CHECK_STR(callback(&r, DIFF_CB_PRE_PATCH), "fx_pre");
	CHECK_STR(callback(&r, DIFF_CB_POST_PATCH), "");
	CHECK_STR(callback(&r, DIFF_CB_PRE_UNPATCH), "");
	CHECK_STR(callback(&r, DIFF_CB_POST_UNPATCH), "fx_post_un");
	diff_result_free(&r);
}

static void kpatch_sections(void)
{
	struct diff_result r;

	CHECK(kfix_diff("author_kpatch", NULL, &r) == LP_EXIT_OK);
	/* fx_sect is neither ignored nor forced here: its change counts */
	CHECK_ITEMS(&r, "changed fx_keep, changed fx_sect, new fx_pre, data kp_pre");
	CHECK_STR(callback(&r, DIFF_CB_PRE_PATCH), "fx_pre");
	diff_result_free(&r);
}

static void marker_for_undefined_function(void)
{
	struct diff_result r;

	CHECK(kfix_diff("author_bad", NULL, &r) == LP_EXIT_REFUSED);
	CHECK_REFUSED(&r, "_printk");
	CHECK(kfix_refusal_says(&r, "names no function defined in this file"));
	diff_result_free(&r);
}

int main(void)
{
	char hdr[PATH_MAX];
	char *p1, *p2, *p3;

	if (!realpath("include/lpatch.h", hdr)) {
		fprintf(stderr, "include/lpatch.h not found (run from the source tree)\n");
		return 1;
	}
	lp_quiet = true;
	p1 = patched_src(hdr, lpatch_markers);
	p2 = patched_src(NULL, kpatch_markers);
	p3 = patched_src(hdr, bad_marker);
	kfix_add("author_lpatch", orig_src, p1);
	kfix_add("author_kpatch", orig_src, p2);
	kfix_add("author_bad", orig_src, p3);
	free(p1);
	free(p2);
	free(p3);
	if (kfix_build())
		return 1;
	RUN(lpatch_names);
	RUN(kpatch_sections);
	RUN(marker_for_undefined_function);
	kfix_cleanup();
	return unit_done();
}
