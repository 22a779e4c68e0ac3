/*
 * lpatch build (kernel): apply the diff to the prepared tree, compile only
 * the objects it touches (original, then patched), diff each pair against
 * the target's symbols, and write the livepatch module.
 */
#include "kernel/build.h"

#include "diff/diff.h"
#include "kernel/journal.h"
#include "kernel/kbuild.h"
#include "util/tool.h"
#include "target/modsyms.h"
#include "kernel/objects.h"
#include "kernel/parents.h"
#include "patch/patchset.h"
#include "kernel/verify.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Copy each built object out of the tree, and remove it there so the tree
 * never keeps a patched object. With drop_missing, an object that a changed
 * header reached but that did not compile (not in this config) is dropped. */
static int collect(const struct kernel_target *t, struct objset *os, const char *into,
		   bool drop_missing, const char *log)
{
	for (size_t i = 0; i < os->n; i++) {
		char *built = path_join(t->src, os->objs[i]);
		int r = copy_rel(t->src, into, os->objs[i]);

		if (r > 0 && drop_missing && os->included[i]) {
			lp_debug("%s does not build here: left out", os->objs[i]);
			objects_drop(os, i--);
			free(built);
			continue;
		}
		if (r > 0) {
			char *kept = tool_failed_log(log, 0, "kbuild-objects");
			lp_err("kbuild could not make %s; the whole log: %s", os->objs[i], kept);
			free(kept);
		}
		unlink(built);
		free(built);
		if (r)
			return -1;
	}
	return 0;
}

static bool included_any(const struct objset *os)
{
	for (size_t i = 0; i < os->n; i++)
		if (os->included[i])
			return true;
	return false;
}

/*
 * Does the diff apply to the (pristine) tree? When it does not and its
 * reverse does, the target's source has the fix already: said so, and
 * b->already_fixed set. LP_EXIT_OK, or the exit code (nothing compiled).
 */
static int check_applies(struct kernel_build *b, const struct patchset *ps)
{
	const struct kernel_target *t = b->target;
	int r = patchset_applies(ps, t->src, false, false);

	if (r)
		return r > 0 ? LP_EXIT_OK : LP_EXIT_FAIL;
	r = patchset_applies(ps, t->src, true, false);
	if (r < 0)
		return LP_EXIT_FAIL;
	if (r) {
		lp_err("%s already has this fix: the diff does not apply to its source%s%s, and "
		       "its reverse applies cleanly; no module written", t->release,
		       t->version ? " " : "", t->version ? t->version : "");
		b->already_fixed = true;
		return LP_EXIT_REFUSED;
	}
	/* neither way: say which file and hunk */
	patchset_applies(ps, t->src, false, true);
	return LP_EXIT_REFUSED;
}

/* Compile the original objects, apply the diff, compile the patched ones.
 * The caller holds the tree; the journal puts it back whatever happens. */
static int build_objects(struct kernel_build *b, const struct patchset *ps,
			 struct objset *os, struct tree_journal *j, const char *work)
{
	const struct kernel_target *t = b->target;
	char *log = path_join(work, "kbuild-objects.log");
	char *orig = path_join(work, "orig"), *patched = path_join(work, "patched");
	char **files = xcalloc(ps->nfiles + 1, sizeof(*files));
	bool reached = included_any(os);
	int ret = LP_EXIT_FAIL;

	for (size_t i = 0; i < ps->nfiles; i++)
		files[i] = ps->files[i].path;
	lp_progress("compiling %zu original object%s", os->n, os->n > 1 ? "s" : "");
	/* objects a header reached may not build in this config: keep going */
	if ((kbuild_objects(t, os->objs, os->n, log, reached) && !reached) ||
	    collect(t, os, orig, true, log))
		goto out;
	/* every object was reached through a header and none builds here: the
	 * second pass would have nothing to make */
	if (!os->n) {
		lp_err("kbuild made none of the files the changed headers reach: %s's config "
		       "builds none of them, so there is nothing to patch; no module written",
		       t->release);
		ret = LP_EXIT_NOCHANGE;
		goto out;
	}
	if (journal_begin(j, files, ps->nfiles, os->objs, os->n))
		goto out;
	lp_progress("applying the diff");
	if (patchset_apply(ps, t->src)) {
		ret = LP_EXIT_REFUSED;
		goto restore;
	}
	lp_progress("compiling %zu patched object%s", os->n, os->n > 1 ? "s" : "");
	if (kbuild_objects(t, os->objs, os->n, log, false) || collect(t, os, patched, false, log))
		goto restore;
	ret = LP_EXIT_OK;
restore:
	if (journal_end(j))
		ret = LP_EXIT_FAIL;
out:
	free(files);
	free(log);
	free(orig);
	free(patched);
	return ret;
}

/* Is the original object the code the target runs? (unless --no-verify) */
static int verify(struct kernel_build *b, const char *orig, const char *obj, struct parent *p)
{
	struct verify_stats st;
	int r;

	if (b->no_verify)
		return LP_EXIT_OK;
	r = kernel_verify_object(orig, obj, p, &st);
	if (r > 0) {
		lp_err("%s as compiled here is not what %s runs (%zu of %zu functions differ)", obj,
		       p->objname, st.mismatched, st.checked);
		lp_hint("a different compiler, config or source than the target's; check them, or "
			"build with --no-verify if you know why they differ");
		b->unverified++;
		return LP_EXIT_REFUSED;
	}
	if (!r)
		printf("%s: verified against %s: %zu function%s identical%s\n", obj, p->objname,
		       st.checked, st.checked == 1 ? "" : "s",
		       st.absent ? " (others inlined or discarded there)" : "");
	return r < 0 ? LP_EXIT_FAIL : LP_EXIT_OK;
}

/* Diff object i against its parent: vmlinux, or the module it is built into. */
static int diff_one(struct kernel_build *b, struct parents *pars, const struct objset *os,
		    size_t i, const char *work, struct diff_result *res, struct klp_part *part)
{
	const char *obj = os->objs[i];
	char *a = xasprintf("%s/orig/%s", work, obj), *p = xasprintf("%s/patched/%s", work, obj);
	char *mod = kbuild_object_module(b->target, obj);
	struct parent *parent = NULL;
	int r = LP_EXIT_NOCHANGE;

	/* reached through a header and compiled the same: nothing to look at */
	if (os->included[i] && files_equal(a, p))
		goto out;
	r = LP_EXIT_REFUSED;
	if (!mod && !os->builtin[i]) {
		if (os->included[i])
			r = LP_EXIT_NOCHANGE;	/* compiles, but this config does not build it */
		else
			lp_err("%s is not built into %s: its source is no compile unit of the "
			       "target's vmlinux, nor of a module", obj, b->target->release);
		goto out;
	}
	if (mod && os->included[i] && !target_has_module(b->target, mod)) {
		r = LP_EXIT_NOCHANGE;
		goto out;
	}
	r = LP_EXIT_FAIL;
	if (!(parent = parents_get(pars, mod)))
		goto out;
	r = verify(b, a, obj, parent);
	if (r)
		goto out;
	r = diff_objects(a, p, &(struct diff_opts){ .parent = parent,
						 .skip_init = b->skip_init }, res);
	if (!(os->included[i] && r == LP_EXIT_NOCHANGE))
		diff_report_text(res, obj);
	/* the part owns a copy of the objname: it outlives the parents */
	if (r == LP_EXIT_OK)
		*part = (struct klp_part){ .objname = xstrdup(parent->objname), .source = obj,
					   .diff = res };
out:
	free(mod);
	free(a);
	free(p);
	return r;
}

static int diff_all(struct kernel_build *b, const struct objset *os, const char *work,
		    struct diff_result *res, struct klp_part *parts, size_t *nparts)
{
	struct parents pars = { .target = b->target };
	int worst = LP_EXIT_NOCHANGE;

	*nparts = 0;
	for (size_t i = 0; i < os->n; i++) {
		int r = diff_one(b, &pars, os, i, work, &res[i], &parts[*nparts]);

		if (r == LP_EXIT_OK) {
			(*nparts)++;
			if (worst == LP_EXIT_NOCHANGE)
				worst = LP_EXIT_OK;
		} else if (r != LP_EXIT_NOCHANGE && worst != LP_EXIT_FAIL) {
			worst = r;
		}
	}
	parents_free(&pars);
	return worst;
}

/* The module, signed when asked: built and signed in the work directory, so
 * b->out appears only as the finished (signed) module. */
static int write_module(struct kernel_build *b, struct klp_part *parts, size_t nparts,
			const char *work)
{
	char *unsigned_ko = b->sign ? path_join(work, "unsigned.ko") : NULL;
	int ret = LP_EXIT_FAIL;

	if (klp_module_build(b->target, parts, nparts, &b->meta, work,
			     unsigned_ko ? unsigned_ko : b->out))
		goto out;
	if (unsigned_ko && kernel_sign_module(b->target, b->sign, unsigned_ko, b->out))
		goto out;
	lp_progress("wrote %s", b->out);
	ret = LP_EXIT_OK;
out:
	free(unsigned_ko);
	return ret;
}

int kernel_build(struct kernel_build *b)
{
	struct patchset ps;
	struct objset os = {0};
	struct diff_result *res = NULL;
	struct klp_part *parts = NULL;
	size_t nparts = 0;
	char *work = NULL, *sha = NULL;
	struct tree_journal journal = {0};
	int lock, ret;

	if (patchset_read(&ps, b->patches, b->npatches)) {
		ret = LP_EXIT_REFUSED;
		goto out;
	}
	ret = LP_EXIT_FAIL;
	work = make_temp_dir("build");
	if (!work)
		goto out;
	/* the tree is shared: one build at a time edits it */
	lock = target_lock_source(b->target);
	if (lock < 0)
		goto out;
	if (!journal_open(&journal, b->target->dir, b->target->src)) {
		ret = check_applies(b, &ps);
		if (!ret)
			ret = objects_pick(b->target, &ps, &os);
		if (!ret)
			ret = build_objects(b, &ps, &os, &journal, work);
	}
	journal_close(&journal);
	target_unlock_source(lock);
	if (ret)
		goto out;
	lp_progress("comparing %zu object%s", os.n, os.n > 1 ? "s" : "");
	res = xcalloc(os.n, sizeof(*res));
	parts = xcalloc(os.n, sizeof(*parts));
	ret = diff_all(b, &os, work, res, parts, &nparts);
	if (ret == LP_EXIT_NOCHANGE) {
		lp_err("no functional change: the diff changes no function's code or data "
		       "(comments, whitespace, or code the compiler discards); no module written");
		goto out;
	}
	if (ret == LP_EXIT_REFUSED && b->unverified)
		lp_err("%zu object%s compiled here did not match the target (listed above); no "
		       "module written", b->unverified, b->unverified > 1 ? "s" : "");
	else if (ret == LP_EXIT_REFUSED)
		lp_err("the diff makes changes a live patch cannot carry (listed above); no module written");
	if (ret)
		goto out;
	/* the module records which diff it was built from: never an empty hash */
	sha = patchset_sha256(&ps);
	if (!sha) {
		ret = LP_EXIT_FAIL;
		goto out;
	}
	b->meta.patch_sha256 = sha;
	ret = write_module(b, parts, nparts, work);
out:
	for (size_t i = 0; res && i < os.n; i++)
		diff_result_free(&res[i]);
	free(res);
	for (size_t i = 0; i < nparts; i++)
		free(parts[i].objname);
	free(parts);
	objects_free(&os);
	patchset_free(&ps);
	if (work && !b->keep_work)
		rm_rf(work);
	else if (work)
		lp_progress("work directory kept: %s", work);
	free(work);
	free(sha);
	return ret;
}
