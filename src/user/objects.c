/* The scratch tree of a user-space build and the objects it produces. */
#include "user/objects.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"
#include "util/tool.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The time the copy gives the build outputs it found (1 s after the epoch):
 * older than any source, so the build remakes each one it has a rule for,
 * and what still has it after the build was not remade.
 */
#define AGED_SEC 1

static struct {
	const char *root;
	struct objlist *list;
	struct objlist *configured;	/* CMake and Meson build directories */
	bool age;
} walk;

/* A .lo that is an object itself (zlib's PIC objects), not libtool's text file naming one. */
static bool elf_lo(const char *path)
{
	char magic[4];
	FILE *f;
	bool yes;

	if (!str_ends(path, ".lo") || !(f = fopen(path, "rb")))
		return false;
	yes = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "\177ELF", 4);
	fclose(f);
	return yes;
}

/* An ELF file (object, executable, shared library) or an ar archive: a build output. */
static bool is_output(const char *path)
{
	char magic[8] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return (n >= 4 && !memcmp(magic, "\177ELF", 4)) ||
	       (n == 8 && !memcmp(magic, "!<arch>\n", 8));
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (walk.age && ((flag == FTW_F && !strcmp(path_basename(path), "CMakeCache.txt")) ||
			 (flag == FTW_D && !strcmp(path_basename(path), "meson-private")))) {
		char *dir = path_dirname(path);

		*ARRAY_PUSH(walk.configured->rel, walk.configured->n, walk.configured->cap) =
			xstrdup(strlen(dir) > strlen(walk.root) ? dir + strlen(walk.root) + 1 : "");
		free(dir);
		return 0;
	}
	if (flag != FTW_F)
		return 0;
	if (walk.age) {
		if (!S_ISREG(st->st_mode) || !st->st_size || !is_output(path))
			return 0;
		if (utimensat(AT_FDCWD, path, (const struct timespec[2]){ { AGED_SEC, 0 },
									   { AGED_SEC, 0 } }, 0))
			return -1;
	} else if (!str_ends(path, ".o") && !elf_lo(path)) {
		return 0;
	}
	*ARRAY_PUSH(walk.list->rel, walk.list->n, walk.list->cap) =
		xstrdup(path + strlen(walk.root) + 1);
	return 0;
}

static int scan(const char *root, struct objlist *list, bool age)
{
	walk.root = root;
	walk.list = list;
	walk.age = age;
	if (nftw(root, visit, 32, FTW_PHYS)) {
		lp_perr("cannot scan %s", root);
		return -1;
	}
	return 0;
}

int objects_copy_tree(const char *src, const char *tree, struct objlist *aged,
		      struct objlist *configured)
{
	char *from = path_join(src, ".");
	const char *argv[] = { "cp", "-a", from, tree, NULL };
	int st;

	if (mkdir_p(tree)) {
		free(from);
		return -1;
	}
	st = run(argv, &(struct run_opts){ .no_stdin = true });
	free(from);
	if (st) {
		lp_err("cannot copy %s to the scratch directory %s", src, tree);
		return -1;
	}
	memset(aged, 0, sizeof(*aged));
	memset(configured, 0, sizeof(*configured));
	walk.configured = configured;
	if (scan(tree, aged, true))
		return -1;
	/*
	 * A CMake or Meson build directory records the absolute paths of the
	 * tree it was configured for and refuses (CMake) or misbuilds from
	 * another: everything in it is a build output, so the copy goes without
	 * it and the build command configures afresh. In-source CMake: only
	 * its cache and CMakeFiles/.
	 */
	for (size_t i = 0; i < configured->n; i++) {
		char *dir = path_join(tree, configured->rel[i]);
		char *cache = path_join(dir, "CMakeCache.txt"), *files = path_join(dir, "CMakeFiles");
		int r = *configured->rel[i] ? rm_rf(dir) : (unlink(cache) || rm_rf(files));

		free(cache);
		free(files);
		free(dir);
		if (r) {
			lp_err("cannot remove the build directory %s from the scratch copy %s",
			       *configured->rel[i] ? configured->rel[i] : ".", tree);
			return -1;
		}
		/* what was in it is no longer in the copy */
		for (size_t k = 0, len = strlen(configured->rel[i]); len && k < aged->n;) {
			if (!strncmp(aged->rel[k], configured->rel[i], len) && aged->rel[k][len] == '/') {
				free(aged->rel[k]);
				aged->rel[k] = aged->rel[--aged->n];
			} else {
				k++;
			}
		}
	}
	return 0;
}

int objects_stale(const char *tree, const struct objlist *objs, struct objlist *stale)
{
	memset(stale, 0, sizeof(*stale));
	for (size_t i = 0; i < objs->n; i++) {
		char *path = path_join(tree, objs->rel[i]);
		struct stat st;
		int r = lstat(path, &st);

		free(path);
		if (r) {
			lp_perr("cannot read %s in %s", objs->rel[i], tree);
			return -1;
		}
		if (st.st_mtim.tv_sec == AGED_SEC && !st.st_mtim.tv_nsec)
			*ARRAY_PUSH(stale->rel, stale->n, stale->cap) = xstrdup(objs->rel[i]);
	}
	return 0;
}

int objects_build(const char *tree, const char *cmd, const char *const *env, const char *logfile)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };
	long mark = tool_log_mark(logfile);	/* the original build's output is not this one's */
	int st = run(argv, &(struct run_opts){ .cwd = tree, .env = env, .log = logfile,
					       .no_stdin = true });
	char *kept;

	if (!st)
		return 0;
	/* the log and the tree are in the work directory, removed on exit */
	kept = tool_failed_log(logfile, mark, "build-user");
	lp_err("the build command `%s` failed (exit %d) in %s; the whole log: %s", cmd, st, tree,
	       kept);
	free(kept);
	return -1;
}

/* Copy an object the scan just found out of the tree. */
static int save_object(const char *tree, const char *into, const char *rel)
{
	int r = copy_rel(tree, into, rel);

	if (r > 0)
		lp_err("%s vanished from %s while lpatch copied it: does something else write "
		       "to the scratch tree?", rel, tree);
	return r ? -1 : 0;
}

int objects_list(const char *tree, const char *save, struct objlist *out)
{
	memset(out, 0, sizeof(*out));
	if (scan(tree, out, false))
		return -1;
	for (size_t i = 0; save && i < out->n; i++)
		if (save_object(tree, save, out->rel[i]))
			return -1;
	return 0;
}

/*
 * An object the wrapper made for a one-step compile-and-link (DIR/PROG-STEM.o)
 * whose source DIR/STEM.c (or .cc, .cpp, .cxx) is gone: a test program a
 * configure script compiled and removed (zlib's ztest$$.c, autoconf's
 * conftest.c), named anew by each build. Not part of anything built.
 */
static bool test_leftover(const char *tree, const char *rel)
{
	static const char *const exts[] = { ".c", ".cc", ".cpp", ".cxx", ".C" };
	const char *base = path_basename(rel), *dash = strchr(base, '-');
	char *dir, *stem;
	bool gone = true;

	if (!dash || !str_ends(base, ".o"))
		return false;
	dir = path_dirname(rel);
	stem = xstrndup(dash + 1, strlen(dash + 1) - 2);
	for (size_t i = 0; gone && i < sizeof(exts) / sizeof(*exts); i++) {
		char *src = xasprintf("%s/%s/%s%s", tree, dir, stem, exts[i]);

		gone = !path_exists(src);
		free(src);
	}
	free(stem);
	free(dir);
	return gone;
}

int objects_changed(const char *tree, const char *saved, const char *into, struct objlist *out)
{
	struct objlist now;

	memset(out, 0, sizeof(*out));
	if (objects_list(tree, NULL, &now))
		return -1;
	for (size_t i = 0; i < now.n; i++) {
		char *a = path_join(saved, now.rel[i]), *b = path_join(tree, now.rel[i]);
		bool changed = !path_exists(a) || !files_equal(a, b);

		if (changed && !path_exists(a) && test_leftover(tree, now.rel[i])) {
			lp_debug("%s: left by a build-time test program whose source is gone: "
				 "not compared", now.rel[i]);
			free(a);
			free(b);
			continue;
		}
		if (changed && !path_exists(a)) {
			lp_err("the diff adds object %s: a live patch cannot add source files",
			       now.rel[i]);
			lp_hint("put new code in the files the program already has");
			free(a);
			free(b);
			objlist_free(&now);
			return -1;
		}
		free(a);
		free(b);
		if (!changed)
			continue;
		if (save_object(tree, into, now.rel[i])) {
			objlist_free(&now);
			return -1;
		}
		*ARRAY_PUSH(out->rel, out->n, out->cap) = xstrdup(now.rel[i]);
	}
	objlist_free(&now);
	return 0;
}

void objlist_free(struct objlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->rel[i]);
	free(l->rel);
	memset(l, 0, sizeof(*l));
}
