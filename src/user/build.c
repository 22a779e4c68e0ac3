/*
 * lpatch build --user: copy the source tree to a scratch directory, build it
 * through the compiler wrapper, apply the diff and build again in the same
 * place, compare the objects that changed, check that the original build is
 * what runs (each compiled function against the binary's bytes), and write
 * the .lpatch.
 */
#include "user/build.h"

#include "diff/diff.h"
#include "diff/verify.h"
#include "patch/patchset.h"
#include "user/ccwrap.h"
#include "user/installed.h"
#include "user/objects.h"
#include "user/patchwrite.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct work {
	char *dir, *tree, *orig, *patched, *wrap, *log;
	char **env;
	struct objlist changed;
	char *cclog;		/* the wrappers' records of their calls (link_only) */
	struct objlist linked;	/* what the link of the binary took (link_only) */
	bool have_linked;
};

/* The wrappers' environment, then b->env, then where the wrappers record their calls. */
static void more_env(const struct user_build *b, struct work *w)
{
	size_t n = 0, extra = 0;

	while (w->env[n])
		n++;
	while (b->env && b->env[extra])
		extra++;
	w->env = xrealloc(w->env, (n + extra + 2) * sizeof(char *));
	for (size_t i = 0; i < extra; i++)
		w->env[n++] = xstrdup(b->env[i]);
	if (w->cclog)
		w->env[n++] = xasprintf("%s=%s", CCWRAP_LOG_ENV, w->cclog);
	w->env[n] = NULL;
}

/* Only the objects the link of the binary took (when the wrappers saw that link). */
static void keep_linked(const struct user_build *b, struct work *w)
{
	size_t k = 0;

	if (!w->have_linked)
		return;
	for (size_t i = 0; i < w->changed.n; i++) {
		bool in = false;

		for (size_t j = 0; j < w->linked.n && !in; j++)
			in = !strcmp(w->changed.rel[i], w->linked.rel[j]);
		if (in)
			w->changed.rel[k++] = w->changed.rel[i];
		else {
			lp_debug("%s changed but is not linked into %s: left out", w->changed.rel[i],
				 path_basename(b->binary));
			free(w->changed.rel[i]);
		}
	}
	w->changed.n = k;
}

/* "a, b, c and 4 more" of a list, for messages; caller frees. */
static char *some_of(const struct objlist *l)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < l->n && i < 3; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", l->rel[i]);
	if (l->n > 3)
		sb_addf(&sb, " and %zu more", l->n - 3);
	return sb_take(&sb);
}

/*
 * --src was built before: its outputs are in the copy, aged so that the build
 * remakes them (objects_copy_tree). Objects the build did not remake (a
 * sub-build behind a stamp file) keep the earlier build's code: a change to
 * their sources would go unseen, so say which they are.
 */
static void report_stale(const struct user_build *b, const char *cmd, const struct objlist *aged,
			 const struct objlist *stale)
{
	char *names;

	if (!aged->n)
		return;
	names = some_of(aged);
	lp_progress("%s was built before: %zu build output%s (%s) marked out of date in the copy",
		    b->src, aged->n, aged->n > 1 ? "s" : "", names);
	free(names);
	if (!stale->n)
		return;
	names = some_of(stale);
	lp_warn("`%s` did not remake %zu object%s left in %s by an earlier build (%s): a change "
		"to %s sources would not be seen", cmd, stale->n, stale->n > 1 ? "s" : "", b->src,
		names, stale->n > 1 ? "their" : "its");
	lp_hint("to include them, give --make a command that remakes them (one that runs the "
		"sub-build), or --src a clean tree (a fresh unpack, or a copy after `make "
		"distclean`) if the build then makes them");
	free(names);
}

static int build_twice(const struct user_build *b, const struct patchset *ps, struct work *w)
{
	const char *cmd = b->make ? b->make : "make";
	struct objlist all = { 0 }, aged = { 0 }, stale = { 0 }, configured = { 0 };
	int ret = LP_EXIT_FAIL;

	lp_progress("copying %s to %s", b->src, w->tree);
	if (objects_copy_tree(b->src, w->tree, &aged, &configured) || mkdir_p(w->wrap) ||
	    !(w->env = ccwrap_write(w->wrap)))
		goto out;
	if (b->link_only) {
		w->cclog = path_join(w->dir, "cc-calls");
		if (mkdir_p(w->cclog))
			goto out;
	}
	if (b->env || w->cclog)
		more_env(b, w);
	for (size_t i = 0; i < configured.n; i++)
		lp_progress("%s/%s is a configured CMake or Meson build directory of that tree (its "
			    "paths): left out of the copy, `%s` configures again", b->src,
			    *configured.rel[i] ? configured.rel[i] : "CMakeCache.txt", cmd);
	lp_progress("building the original (%s)", cmd);
	if (objects_build(w->tree, cmd, (const char *const *)w->env, w->log) ||
	    objects_list(w->tree, w->orig, &all) || objects_stale(w->tree, &all, &stale))
		goto out;
	report_stale(b, cmd, &aged, &stale);
	if (all.n == stale.n) {
		lp_err("`%s` in %s produced no object file (*.o)", cmd, b->src);
		lp_hint("lpatch compares objects: the build must compile each source file to a .o");
		goto out;
	}
	if (w->cclog) {
		int r = ccwrap_link_inputs(w->cclog, w->tree, path_basename(b->binary), &w->linked);

		if (r < 0)
			goto out;
		w->have_linked = !r;
		if (r)
			lp_warn("the build did not link %s through the compiler wrapper: every changed "
				"object is compared", path_basename(b->binary));
		else
			lp_progress("%s is linked from %zu objects", path_basename(b->binary),
				    w->linked.n);
	}
	lp_progress("applying the diff");
	if (patchset_apply(ps, w->tree)) {
		ret = LP_EXIT_REFUSED;
		goto out;
	}
	lp_progress("building the patched source");
	if (objects_build(w->tree, cmd, (const char *const *)w->env, w->log) ||
	    objects_changed(w->tree, w->orig, w->patched, &w->changed))
		goto out;
	keep_linked(b, w);
	ret = LP_EXIT_OK;
	if (!w->changed.n) {
		lp_err("no functional change: no object file changed");
		if (stale.n)
			lp_hint("%zu object%s left from an earlier build of %s %s not remade (above)",
				stale.n, stale.n > 1 ? "s" : "", b->src, stale.n > 1 ? "were" : "was");
		ret = LP_EXIT_NOCHANGE;
	}
out:
	objlist_free(&all);
	objlist_free(&aged);
	objlist_free(&stale);
	objlist_free(&configured);
	return ret;
}

struct shown {
	const char *rel;
	const struct parent *target;
	struct strbuf msgs;	/* the mismatches, printed once the object is known to be FILE's */
};

static void show(void *ctx, const struct verify_stats *st, const struct symbol *fn,
		 const char *source, const char *why)
{
	struct shown *s = ctx;

	(void)st;
	sb_addf(&s->msgs, "%s: function %s as compiled from %s does not match %s: %s\n", s->rel,
		fn->name, source ? source : s->rel, s->target->path, why ? why : "");
}

static void print_errors(const struct strbuf *msgs)
{
	for (char *line = msgs->buf, *end; line && *line; line = end + 1) {
		end = strchr(line, '\n');
		lp_err("%.*s", (int)(end - line), line);
	}
}

/* The source file an object was compiled from (its STT_FILE symbol); caller frees. */
static char *object_source(const char *path)
{
	struct elf_file *ef = elf_open(path, 0);
	char *name = NULL;

	for (size_t i = 1; ef && i < ef->nsym && !name; i++)
		if (ef->sym[i]->type == STT_FILE && ef->sym[i]->name && *ef->sym[i]->name)
			name = xstrdup(ef->sym[i]->name);
	elf_close(ef);
	return name;
}

struct checked {
	char *source;
	size_t matched, mismatched;
	struct strbuf msgs;
};

/*
 * Every function of each original object that the binary has must be its
 * very bytes. A build may compile one source twice for two programs
 * (memcached and memcached-debug, with other flags): a changed object with
 * mismatches is left out when another changed object compiled from the same
 * source matches the binary completely.
 */
static int verify_all(const struct user_build *b, struct parent *target, struct work *w)
{
	size_t bad = 0, kept = 0, n = w->changed.n;
	struct checked *c = xcalloc(n ? n : 1, sizeof(*c));
	int ret = LP_EXIT_OK;

	lp_progress("checking the original build against %s", b->binary);
	for (size_t i = 0; i < n; i++) {
		char *o = path_join(w->orig, w->changed.rel[i]);
		struct verify_stats st;
		struct shown sh = { .rel = w->changed.rel[i], .target = target };
		int r = verify_object(o, target, true, &st, show, &sh);

		c[i].source = object_source(o);
		free(o);
		c[i].msgs = sh.msgs;
		if (r < 0) {
			ret = LP_EXIT_FAIL;
			goto out;
		}
		c[i].matched = st.checked - st.mismatched;
		c[i].mismatched = st.mismatched;
		lp_debug("%s: %zu functions match %s", w->changed.rel[i], c[i].matched, target->path);
	}
	for (size_t i = 0; i < n; i++) {
		bool twin = false;

		for (size_t k = 0; k < n && c[i].mismatched && c[i].source && !twin; k++)
			twin = k != i && c[k].source && !strcmp(c[k].source, c[i].source) &&
			       c[k].matched && !c[k].mismatched;
		if (twin) {
			lp_progress("%s: compiled from %s for another program (another object of it "
				    "matches %s): left out", w->changed.rel[i], c[i].source, b->binary);
			free(w->changed.rel[i]);
			continue;
		}
		print_errors(&c[i].msgs);
		bad += c[i].mismatched;
		w->changed.rel[kept++] = w->changed.rel[i];
	}
	w->changed.n = kept;
	if (bad) {
		lp_err("%s was not built from this source with these compiler and flags: a patch "
		       "built from it would not fit; no patch written", b->binary);
		lp_hint("build with the same compiler, flags and sources as the binary; --no-verify "
			"skips this check (at your own risk)");
		ret = LP_EXIT_REFUSED;
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(c[i].source);
		sb_free(&c[i].msgs);
	}
	free(c);
	return ret;
}

static int diff_all(const struct user_build *b, struct parent *target, struct work *w,
		    struct diff_result *res, struct user_part *parts, size_t *nparts)
{
	int worst = LP_EXIT_NOCHANGE;

	*nparts = 0;
	for (size_t i = 0; i < w->changed.n; i++) {
		char *a = path_join(w->orig, w->changed.rel[i]);
		char *p = path_join(w->patched, w->changed.rel[i]);
		int r = diff_objects(a, p, &(struct diff_opts){ .parent = target, .process = true },
				     &res[i]);

		if (!b->quiet)
			diff_report_text(&res[i], w->changed.rel[i]);
		free(a);
		if (r == LP_EXIT_OK) {
			parts[(*nparts)++] = (struct user_part){ .object = w->changed.rel[i],
								 .patched = p, .res = &res[i] };
			if (worst == LP_EXIT_NOCHANGE)
				worst = LP_EXIT_OK;
		} else {
			free(p);
			if (r != LP_EXIT_NOCHANGE)
				worst = r;
		}
	}
	return worst;
}

static void work_free(struct work *w, bool keep)
{
	if (w->dir && !keep)
		rm_rf(w->dir);
	else if (w->dir)
		lp_progress("work directory kept: %s", w->dir);
	free(w->dir);
	free(w->tree);
	free(w->orig);
	free(w->patched);
	free(w->wrap);
	free(w->log);
	ccwrap_env_free(w->env);
	objlist_free(&w->changed);
	free(w->cclog);
	objlist_free(&w->linked);
}

int user_build(const struct user_build *b)
{
	struct patchset ps;
	struct work w = {0};
	struct parent *target = NULL;
	struct diff_result *res = NULL;
	struct user_part *parts = NULL;
	size_t nparts = 0;
	char *bid = NULL, *real = NULL, *inst = NULL;
	int ret;

	if (patchset_read(&ps, b->patches, b->npatches))
		return LP_EXIT_REFUSED;
	ret = LP_EXIT_FAIL;
	real = realpath(b->binary, NULL);
	if (!real) {
		lp_perr("cannot read %s", b->binary);
		goto out;
	}
	target = parent_open(real, path_basename(real));
	if (!target)
		goto out;
	if (b->installed) {
		struct elf_file *ief;

		if (!(inst = realpath(b->installed, NULL))) {
			lp_perr("cannot read %s", b->installed);
			goto out;
		}
		if ((ret = installed_same_code(real, inst))) {
			ret = ret == LP_REFUSED ? LP_EXIT_REFUSED : LP_EXIT_FAIL;
			if (ret == LP_EXIT_REFUSED)
				lp_err("no patch written: %s cannot give %s its symbols", b->binary,
				       b->installed);
			goto out;
		}
		ret = LP_EXIT_FAIL;
		if (!(ief = elf_open(inst, ELF_OPEN_SECTIONS)))
			goto out;
		bid = elf_build_id(ief);
		elf_close(ief);
	} else {
		bid = elf_build_id(target->elf);
	}
	if (!bid) {
		lp_err("%s has no GNU build-id: lpatch binds a patch to the build-id of what runs",
		       b->binary);
		lp_hint("link with -Wl,--build-id (the default of Debian's gcc)");
		ret = LP_EXIT_REFUSED;
		goto out;
	}
	if (!(w.dir = make_temp_dir("build-user")))
		goto out;
	w.tree = path_join(w.dir, "tree");
	w.orig = path_join(w.dir, "orig");
	w.patched = path_join(w.dir, "patched");
	w.wrap = path_join(w.dir, "cc");
	w.log = path_join(w.dir, "build.log");
	ret = build_twice(b, &ps, &w);
	if (ret)
		goto out;
	if (b->verify && (ret = verify_all(b, target, &w)))
		goto out;
	lp_progress("comparing %zu object%s", w.changed.n, w.changed.n > 1 ? "s" : "");
	res = xcalloc(w.changed.n, sizeof(*res));
	parts = xcalloc(w.changed.n, sizeof(*parts));
	ret = diff_all(b, target, &w, res, parts, &nparts);
	if (ret == LP_EXIT_NOCHANGE) {
		lp_err("no functional change: the diff changes no function's code or data; "
		       "no patch written");
		goto out;
	}
	if (ret == LP_EXIT_REFUSED)
		lp_err("the diff makes changes a live patch cannot carry (listed above); no patch written");
	if (ret)
		goto out;
	ret = patchwrite(target, parts, nparts,
			 &(struct patch_meta){ .name = b->name, .build_id = bid,
					       .object = path_basename(inst ? inst : real),
					       .stripped = inst != NULL }, b->out);
	if (!ret)
		lp_progress("wrote %s", b->out);
out:
	for (size_t i = 0; i < nparts; i++)
		free((char *)parts[i].patched);
	for (size_t i = 0; res && i < w.changed.n; i++)
		diff_result_free(&res[i]);
	free(res);
	free(parts);
	work_free(&w, b->keep_work);
	parent_close(target);
	patchset_free(&ps);
	free(bid);
	free(real);
	free(inst);
	return ret;
}
