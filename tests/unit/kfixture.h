/*
 * Kernel fixtures: small C sources compiled at test time with the target
 * kernel's exact flags. Every fixture is an object of one external-module
 * kbuild directory built against the target's headers in a single `make`
 * run, with KCFLAGS="-ffunction-sections -fdata-sections" as lpatch build
 * uses: -mfentry/-mrecord-mcount, objtool (ORC, return thunks, retpolines),
 * -fcf-protection and the rest are the kernel's own. Objects are compiled as
 * built-in (vmlinux) code, not as module code.
 *
 * A fixture NAME has an original and a patched source; they are written to
 * DIR/orig/NAME.c and DIR/patched/NAME.c, so both objects carry the same
 * FILE symbol and __FILE__ ("NAME.c"), as two builds of one kernel file do.
 *
 *	kfix_add("statics", orig_src, patched_src);	(patched NULL: same text)
 *	kfix_build();		one make for all; no target headers: SKIP, exit 77
 *	kfix_diff("statics", NULL, &res);	differ with the original as parent
 *	CHECK_ITEMS(&res, "changed f, new g, data v");
 *
 * Target: $LPATCH_TEST_TARGET (default debian:cloud), opened from lpatch's
 * cache with headers and symbols. $LPATCH_KFIXTURE_DIR keeps the build
 * directory between runs (make then rebuilds only changed fixtures).
 */
#ifndef LPATCH_TESTS_KFIXTURE_H
#define LPATCH_TESTS_KFIXTURE_H

#include "diff/diff.h"
#include "diff/parent.h"
#include "target/kconfig.h"
#include "target/target.h"
#include "util/log.h"
#include "util/fs.h"
#include "util/run.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct kfix {
	char *name;
	char *orig, *patched;	/* sources */
};

static struct {
	struct kernel_target t;
	char *dir;		/* the M= directory */
	bool keep;		/* $LPATCH_KFIXTURE_DIR given: do not remove */
	struct kfix *fx;
	size_t n, cap;
} kfix_state;

/* Register a fixture pair (texts copied). patched NULL: identical to orig. */
static inline void kfix_add(const char *name, const char *orig, const char *patched)
{
	struct kfix *f = ARRAY_PUSH(kfix_state.fx, kfix_state.n, kfix_state.cap);

	f->name = xstrdup(name);
	f->orig = xstrdup(orig);
	f->patched = xstrdup(patched ? patched : orig);
}

/* A fixture whose one text is compiled with "#define MACRO orig" above it
 * in the original and "#define MACRO patched" in the patched build. */
static inline void kfix_add_defined(const char *name, const char *macro, int orig,
				    int patched, const char *text)
{
	char *o = xasprintf("#define %s %d\n%s", macro, orig, text);
	char *p = xasprintf("#define %s %d\n%s", macro, patched, text);

	kfix_add(name, o, p);
	free(o);
	free(p);
}

/* Fixture sources kept as files: tests/fixtures/diff/NAME.c. With a
 * NAME.patched.c beside it, that is the patched text; else both builds
 * come from NAME.c, whose first line is "#define PATCHED 0" or "1" (so
 * `#if PATCHED` blocks differ and every line keeps its number). */
#ifndef KFIX_SOURCES
#define KFIX_SOURCES "tests/fixtures/diff"
#endif
static inline void kfix_add_file(const char *name)
{
	char *c = xasprintf("%s/%s.c", KFIX_SOURCES, name);
	char *pc = xasprintf("%s/%s.patched.c", KFIX_SOURCES, name);
	char *text = read_file(c, NULL), *ptext = read_file_quiet(pc, NULL);

	if (!text) {
		fprintf(stderr, "kernel fixture %s: cannot read %s (run from the source tree)\n", name, c);
		exit(1);
	}
	if (ptext)
		kfix_add(name, text, ptext);
	else
		kfix_add_defined(name, "PATCHED", 0, 1, text);
	free(text);
	free(ptext);
	free(c);
	free(pc);
}

static inline const struct kernel_target *kfix_target(void) { return &kfix_state.t; }

/* Does the target's kbuild run objtool only on the linked module (IBT or
 * clang LTO: Debian 13's 6.12)? Then single objects carry none of what
 * objtool writes (.orc_unwind, .return_sites, .retpoline_sites,
 * .static_call_sites, .ibt_endbr_seal): the module link adds them. */
static inline bool kfix_objtool_at_link(void)
{
	char *ibt = kfix_state.t.config ? config_value(kfix_state.t.config, "X86_KERNEL_IBT") : NULL;
	bool yes = ibt && !strcmp(ibt, "y");

	free(ibt);
	return yes;
}

static inline char *kfix_path(const char *side, const char *name, const char *ext)
{
	return xasprintf("%s/%s/%s.%s", kfix_state.dir, side, name, ext);
}

/* The original and patched objects of fixture name (caller frees). */
static inline char *kfix_orig(const char *name) { return kfix_path("orig", name, "o"); }
static inline char *kfix_patched(const char *name) { return kfix_path("patched", name, "o"); }

/* Remove the build directory (unless kept) and forget every fixture. */
static inline void kfix_cleanup(void)
{
	if (kfix_state.dir && !kfix_state.keep)
		rm_rf(kfix_state.dir);
	for (size_t i = 0; i < kfix_state.n; i++) {
		free(kfix_state.fx[i].name);
		free(kfix_state.fx[i].orig);
		free(kfix_state.fx[i].patched);
	}
	free(kfix_state.fx);
	free(kfix_state.dir);
	target_free(&kfix_state.t);
	memset(&kfix_state, 0, sizeof(kfix_state));
}

/* Skip the whole test (exit 77), removing the build directory first. */
static inline void kfix_skip(const char *why)
{
	kfix_cleanup();
	printf("SKIP: %s\n", why);
	fflush(stdout);
	exit(77);
}

/* Write path only when its text differs, so a kept directory rebuilds only what changed. */
static inline int kfix_write(const char *path, const char *text)
{
	char *old = read_file_quiet(path, NULL);
	int r = 0;

	if (!old || strcmp(old, text))
		r = write_file(path, text, strlen(text));
	free(old);
	return r;
}

static inline void kfix_show_log(const char *log)
{
	char *text = read_file_quiet(log, NULL);
	size_t n = text ? strlen(text) : 0;

	fprintf(stderr, "--- kbuild log (end) ---\n%s\n", text ? text + (n > 6000 ? n - 6000 : 0) : "");
	free(text);
}

/* The kbuild files: M=DIR builds orig/ and patched/, each every fixture. */
static inline int kfix_write_kbuild(void)
{
	struct strbuf list = { 0 };
	char *kb, *top;
	int bad = 0;

	for (size_t i = 0; i < kfix_state.n; i++)
		sb_addf(&list, " %s.o", kfix_state.fx[i].name);
	/* __FILE__ of orig/NAME.c and patched/NAME.c is "NAME.c" in both */
	kb = xasprintf("obj-y +=%s\nccflags-y += -fmacro-prefix-map=$(src)/=\n",
		       list.buf ? list.buf : "");
	sb_free(&list);
	/* mkdir_p first: a kept directory ($LPATCH_KFIXTURE_DIR) may not exist yet */
	for (int s = 0; s < 2 && !bad; s++) {
		char *d = path_join(kfix_state.dir, s ? "patched" : "orig");
		char *k = path_join(d, "Kbuild");
		bad = mkdir_p(d) || kfix_write(k, kb);
		free(k);
		free(d);
	}
	free(kb);
	if (bad)
		return -1;
	top = path_join(kfix_state.dir, "Kbuild");
	bad = kfix_write(top, "obj-y += orig/ patched/\n");
	free(top);
	return bad ? -1 : 0;
}

/* Both sources of every fixture, and their objects appended to argv at k. */
static inline int kfix_write_sources(const char **argv, size_t *k)
{
	for (size_t i = 0; i < kfix_state.n; i++) {
		struct kfix *f = &kfix_state.fx[i];
		char *co = kfix_path("orig", f->name, "c"), *cp = kfix_path("patched", f->name, "c");
		int bad = kfix_write(co, f->orig) || kfix_write(cp, f->patched);

		free(co);
		free(cp);
		if (bad)
			return -1;
		argv[(*k)++] = xasprintf("orig/%s.o", f->name);
		argv[(*k)++] = xasprintf("patched/%s.o", f->name);
	}
	return 0;
}

/* One kbuild run for every fixture added. Exits 77 (SKIP) without the
 * target's headers; returns -1 when a fixture does not compile, after
 * kfix_cleanup (so the caller only has to return). */
static inline int kfix_build(void)
{
	const char *spec = getenv("LPATCH_TEST_TARGET"), *keep = getenv("LPATCH_KFIXTURE_DIR");
	const char **argv;
	char *mflag, *log = NULL;
	size_t k = 0, first;
	struct timespec a, b;
	int st = -1;

	if (!spec || !*spec)
		spec = "debian:cloud";
	if (target_open(spec, TARGET_HEADERS | TARGET_SYMBOLS, &kfix_state.t) != 0 ||
	    !kfix_state.t.headers || !path_is_dir(kfix_state.t.headers)) {
		char *why = xasprintf("the headers of target %s are not available (lpatch target "
				      "--need headers,symbols %s fetches them); kernel fixtures "
				      "were not compiled", spec, spec);
		kfix_skip(why);
	}
	kfix_state.keep = keep && *keep;
	kfix_state.dir = kfix_state.keep ? path_absolute(keep) : make_temp_dir("kfixture");
	if (!kfix_state.dir) {
		fprintf(stderr, "kernel fixtures: no build directory (see above)\n");
		kfix_cleanup();
		return -1;
	}
	argv = xcalloc(2 * kfix_state.n + 10, sizeof(*argv));
	mflag = xasprintf("M=%s", kfix_state.dir);
	argv[k++] = "make";
	argv[k++] = "-C";
	argv[k++] = kfix_state.t.headers;
	argv[k++] = mflag;
	argv[k++] = "-j2";
	argv[k++] = "KCFLAGS=-ffunction-sections -fdata-sections";
	first = k;
	if (kfix_write_kbuild() || kfix_write_sources(argv, &k)) {
		fprintf(stderr, "kernel fixtures: cannot write the sources into %s\n", kfix_state.dir);
		goto out;
	}
	log = path_join(kfix_state.dir, "kbuild.log");
	unlink(log);
	clock_gettime(CLOCK_MONOTONIC, &a);
	{
		/* a target of another suite compiles in its build root (gcc-14 for Debian 13) */
		struct run_opts o = { .log = log, .no_stdin = true };

		target_run_opts(&kfix_state.t, kfix_state.dir, &o);
		st = run(argv, &o);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("# kernel fixtures: %zu pairs compiled against %s%s%s in %.1f s\n", kfix_state.n,
	       kfix_state.t.headers, kfix_state.t.root ? " in the build root " : "",
	       kfix_state.t.root ? kfix_state.t.root : "",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	if (st)
		kfix_show_log(log);
out:
	for (size_t i = first; i < k; i++)
		free((char *)argv[i]);
	free(argv);
	free(mflag);
	free(log);
	if (st)
		kfix_cleanup();
	return st ? -1 : 0;
}

/*
 * Run the differ on objects o (original) and p (patched), bound to the ELF
 * at parent as the object objname ("vmlinux", or a module's name).
 * Returns diff_objects' code; LP_EXIT_FAIL when parent does not open.
 */
static inline int kfix_diff_paths(const char *o, const char *p, const char *parent,
				  const char *objname, struct diff_result *res)
{
	struct parent *par = parent_open(parent, objname);
	int ret = LP_EXIT_FAIL;

	memset(res, 0, sizeof(*res));
	if (!par) {
		fprintf(stderr, "    cannot open %s as the parent %s\n", parent, objname);
		return ret;
	}
	ret = diff_objects(o, p, &(struct diff_opts){ .parent = par }, res);
	parent_close(par);
	return ret;
}

/*
 * Run the differ on fixture name. parent: the ELF to bind to; NULL means
 * the fixture's original object (as vmlinux). Returns diff_objects' code.
 */
static inline int kfix_diff(const char *name, const char *parent, struct diff_result *res)
{
	char *o = kfix_orig(name), *p = kfix_patched(name);
	int ret = kfix_diff_paths(o, p, parent ? parent : o, "vmlinux", res);

	free(o);
	free(p);
	return ret;
}

static inline int kfix_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "a, c, b" -> "a, b, c" (items trimmed, empty list ""). Caller frees. */
static inline char *kfix_sorted(const char *list)
{
	char *copy = xstrdup(list), *save = NULL, **v = NULL;
	size_t n = 0, cap = 0;
	struct strbuf sb = { 0 };

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		for (char *e = t + strlen(t); e > t && e[-1] == ' ';)
			*--e = '\0';
		if (*t)
			*ARRAY_PUSH(v, n, cap) = t;
	}
	qsort(v, n, sizeof(*v), kfix_cmp);
	sb_add(&sb, "");
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", v[i]);
	free(v);
	free(copy);
	return sb_take(&sb);
}

/* The result's items as "changed f, new g, data v" (sorted). Caller frees. */
static inline char *kfix_items(const struct diff_result *r)
{
	static const char *const kind[] = { [DIFF_CHANGED] = "changed", [DIFF_NEW_FUNC] = "new",
					    [DIFF_NEW_DATA] = "data" };
	struct strbuf sb = { 0 };
	char *s;

	sb_add(&sb, "");
	for (size_t i = 0; i < r->nitems; i++)
		sb_addf(&sb, "%s%s %s", i ? "," : "", kind[r->items[i].kind], r->items[i].name);
	s = kfix_sorted(sb.buf);
	sb_free(&sb);
	return s;
}

/* The refused symbols, sorted, as "f, v". Caller frees. */
static inline char *kfix_refused(const struct diff_result *r)
{
	struct strbuf sb = { 0 };
	char *s;

	sb_add(&sb, "");
	for (size_t i = 0; i < r->nrefusals; i++)
		sb_addf(&sb, "%s%s", i ? "," : "", r->refusals[i].symbol);
	s = kfix_sorted(sb.buf);
	sb_free(&sb);
	return s;
}

/* Does some refusal's reason contain text? */
static inline bool kfix_refusal_says(const struct diff_result *r, const char *text)
{
	for (size_t i = 0; i < r->nrefusals; i++)
		if (strstr(r->refusals[i].why, text))
			return true;
	return false;
}

/* The binding of symbol in the result, or NULL. */
static inline const struct diff_binding *kfix_binding(const struct diff_result *r, const char *sym)
{
	for (size_t i = 0; i < r->nbindings; i++)
		if (!strcmp(r->bindings[i].symbol, sym))
			return &r->bindings[i];
	return NULL;
}

static inline void kfix_print_refusals(const struct diff_result *r)
{
	for (size_t i = 0; i < r->nrefusals; i++)
		fprintf(stderr, "    refused %s: %s\n", r->refusals[i].symbol, r->refusals[i].why);
}

/* The list getter(res) ("a, b"; caller frees) is exactly expected, in any order. */
#define KFIX_CHECK_LIST(getter, res, expected)                                   \
	do {                                                                     \
		char *got_ = getter(res), *want_ = kfix_sorted(expected);        \
		CHECK_STR(got_, want_);                                          \
		if (strcmp(got_, want_))                                         \
			kfix_print_refusals(res);                                \
		free(got_);                                                      \
		free(want_);                                                     \
	} while (0)

/* Exact set of included items ("changed f, new g, data v"; any order). */
#define CHECK_ITEMS(res, expected) KFIX_CHECK_LIST(kfix_items, res, expected)

/* Exact set of refused symbols (any order). */
#define CHECK_REFUSED(res, expected) KFIX_CHECK_LIST(kfix_refused, res, expected)

#endif
