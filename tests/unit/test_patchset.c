/* Source diffs are read once: the recorded sha256 is the sha256 of exactly
 * the bytes read, and those same bytes are what patch(1) applies, whatever
 * happens to the files afterwards. */
#include "unit.h"

#include "patch/patchset.h"
#include "util/fs.h"
#include "util/run.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp;

static const char diff_a[] =
	"--- a/hello.c\n+++ b/hello.c\n@@ -1,3 +1,3 @@\n int a;\n-int b;\n+int b2;\n int c;\n";
static const char diff_a2[] =
	"--- a/hello.c\n+++ b/hello.c\n@@ -1,3 +1,3 @@\n int a;\n-int b;\n+int OTHER;\n int c;\n";
/* a trailing line patch(1) ignores, with a NUL byte in it */
static const char diff_b[] =
	"--- a/world.c\n+++ b/world.c\n@@ -1 +1 @@\n-int w;\n+int w2;\nnot part of a hunk \0 end\n";

static char *put(const char *name, const void *data, size_t len)
{
	char *p = path_join(tmp, name);

	CHECK(write_file(p, data, len) == 0);
	return p;
}

/* sha256sum FILES... as one hex string */
static char *sha256sum_cat(const char *a, const char *b)
{
	char *cmd = xasprintf("cat '%s' '%s' | sha256sum", a, b);
	const char *argv[] = { "sh", "-c", cmd, NULL };
	int st = -1;
	char *out = run_capture(argv, NULL, &st);

	CHECK(st == 0 && out && strlen(out) >= 64);
	if (out && strlen(out) >= 64)
		out[64] = '\0';
	free(cmd);
	return out;
}

static void sha_is_of_the_bytes(void)
{
	char *a = put("a.diff", diff_a, sizeof(diff_a) - 1);
	char *b = put("b.diff", diff_b, sizeof(diff_b) - 1);
	char *paths[] = { a, b };
	char *want = sha256sum_cat(a, b), *sha;
	struct patchset ps;

	CHECK(patchset_read(&ps, paths, 2) == 0);
	sha = patchset_sha256(&ps);
	CHECK_STR(sha, want);
	free(sha);
	/* the files change or go away after the read: the hash does not */
	CHECK(write_file(a, diff_a2, sizeof(diff_a2) - 1) == 0);
	unlink(b);
	sha = patchset_sha256(&ps);
	CHECK_STR(sha, want);
	free(sha);
	patchset_free(&ps);
	free(want);
	free(a);
	free(b);
}

/* What is applied is what was read (and hashed), not the file as it is now. */
static void applies_what_was_read(void)
{
	char *a = put("a.diff", diff_a, sizeof(diff_a) - 1);
	char *tree = path_join(tmp, "tree"), *hello = path_join(tree, "hello.c"), *text;
	char *paths[] = { a };
	struct patchset ps;

	mkdir_p(tree);
	CHECK(write_file(hello, "int a;\nint b;\nint c;\n", 21) == 0);
	CHECK(patchset_read(&ps, paths, 1) == 0);
	CHECK(write_file(a, diff_a2, sizeof(diff_a2) - 1) == 0);
	CHECK(patchset_apply(&ps, tree) == 0);
	text = read_file(hello, NULL);
	CHECK_STR(text, "int a;\nint b2;\nint c;\n");
	free(text);
	/* the file is gone: it still applies (to a fresh tree) from what was read */
	unlink(a);
	CHECK(write_file(hello, "int a;\nint b;\nint c;\n", 21) == 0);
	CHECK(patchset_apply(&ps, tree) == 0);
	text = read_file(hello, NULL);
	CHECK_STR(text, "int a;\nint b2;\nint c;\n");
	free(text);
	patchset_free(&ps);
	free(a);
	free(hello);
	rm_rf(tree);
	free(tree);
}

/* A diff that cannot be read is an error, not a diff left out. */
static void unreadable_is_an_error(void)
{
	char *a = put("a.diff", diff_a, sizeof(diff_a) - 1);
	char *dir = path_join(tmp, "a-directory"), *missing = path_join(tmp, "missing.diff");
	char *paths[] = { a, dir }, *paths2[] = { missing, a };
	struct patchset ps;

	mkdir_p(dir);
	CHECK(patchset_read(&ps, paths, 2) == -1);
	patchset_free(&ps);
	CHECK(patchset_read(&ps, paths2, 2) == -1);
	patchset_free(&ps);
	free(a);
	free(dir);
	free(missing);
}

/* Forward, reverse, neither: "already fixed" is a tree the diff's reverse
 * applies to; the dry runs leave the tree as it was. */
static void applies_forward_or_reverse(void)
{
	char *a = put("a.diff", diff_a, sizeof(diff_a) - 1);
	char *tree = path_join(tmp, "tree3"), *hello = path_join(tree, "hello.c"), *text;
	char *paths[] = { a };
	struct patchset ps;

	mkdir_p(tree);
	CHECK(patchset_read(&ps, paths, 1) == 0);
	/* not fixed: forward yes, reverse no */
	CHECK(write_file(hello, "int a;\nint b;\nint c;\n", 21) == 0);
	CHECK(patchset_applies(&ps, tree, false, false) == 1);
	CHECK(patchset_applies(&ps, tree, true, false) == 0);
	text = read_file(hello, NULL);
	CHECK_STR(text, "int a;\nint b;\nint c;\n");
	free(text);
	/* fixed already: forward no (not applied backwards, as --batch alone would), reverse yes */
	CHECK(write_file(hello, "int a;\nint b2;\nint c;\n", 22) == 0);
	CHECK(patchset_applies(&ps, tree, false, false) == 0);
	CHECK(patchset_applies(&ps, tree, true, false) == 1);
	text = read_file(hello, NULL);
	CHECK_STR(text, "int a;\nint b2;\nint c;\n");
	free(text);
	/* something else: neither */
	CHECK(write_file(hello, "int a;\nint x;\nint c;\n", 21) == 0);
	CHECK(patchset_applies(&ps, tree, false, false) == 0);
	CHECK(patchset_applies(&ps, tree, true, false) == 0);
	patchset_free(&ps);
	free(a);
	free(hello);
	rm_rf(tree);
	free(tree);
}

int main(void)
{
	tmp = make_temp_dir("test-patchset");
	if (!tmp)
		return 1;
	RUN(sha_is_of_the_bytes);
	RUN(applies_what_was_read);
	RUN(unreadable_is_an_error);
	RUN(applies_forward_or_reverse);
	rm_rf(tmp);
	free(tmp);
	return unit_done();
}
