/*
 * Which objects a kernel diff touches. A changed .c file that the target
 * builds is compiled itself. A changed header, or a changed .c file that
 * other files #include (kernel/sched/ does that), reaches every source file
 * that includes it: those the target builds are compiled too, original and
 * patched, and the differ keeps what really changed in them.
 */
#include "kernel/objects.h"

#include "kernel/includers.h"
#include "kernel/units.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static void add(struct objset *os, const char *c_path, bool included, bool builtin)
{
	char *o = xstrdup(c_path);

	o[strlen(o) - 1] = 'o';
	for (size_t i = 0; i < os->n; i++)
		if (!strcmp(os->objs[i], o)) {
			os->included[i] &= included;
			free(o);
			return;
		}
	if (os->n == os->cap) {
		os->cap = os->cap ? 2 * os->cap : 16;
		os->objs = xrealloc(os->objs, os->cap * sizeof(char *));
		os->included = xrealloc(os->included, os->cap * sizeof(bool));
		os->builtin = xrealloc(os->builtin, os->cap * sizeof(bool));
	}
	os->objs[os->n] = o;
	os->included[os->n] = included;
	os->builtin[os->n++] = builtin;
}

/* The built files among those that include the changed ones. */
static int reach(const struct kernel_target *t, struct kernel_units *u,
		 const struct includers *inc, char **changed, size_t n, struct objset *os,
		 size_t *nbuilt, long *nfound)
{
	char **users = NULL;
	long found = includers_find(inc, changed, n, OBJECTS_INCLUDED_MAX, &users);
	size_t built = 0;

	if (found > OBJECTS_INCLUDED_MAX) {
		lp_err("%s%s is included by more than %d source files: lpatch compiles each file "
		       "a changed header reaches, and refuses a change that reaches this many",
		       changed[0], n > 1 ? " (with the other changed headers)" : "",
		       OBJECTS_INCLUDED_MAX);
		lp_hint("make the change in the .c files that need it (a new static inline there), "
			"leaving the widely used header as it is");
		for (long i = 0; users[i]; i++)
			free(users[i]);
		free(users);
		return LP_EXIT_REFUSED;
	}
	for (long i = 0; users[i]; i++) {
		bool in_vmlinux = units_in_vmlinux(u, users[i]);

		if (in_vmlinux || units_maybe_module(u, users[i])) {
			add(os, users[i], true, in_vmlinux);
			built++;
		}
		free(users[i]);
	}
	free(users);
	*nbuilt = built;
	if (nfound)
		*nfound = found;
	lp_progress("%s%s reach%s %ld source file%s; %zu of them may be built into %s",
		    changed[0], n > 1 ? " and the other included files" : "", n > 1 ? "" : "es",
		    found, found == 1 ? "" : "s", built, t->release);
	return LP_EXIT_OK;
}

int objects_pick(const struct kernel_target *t, const struct patchset *ps, struct objset *os)
{
	struct kernel_units u;
	char **headers = xcalloc(ps->nfiles + 1, sizeof(char *));
	char **cfiles = xcalloc(ps->nfiles + 1, sizeof(char *));
	size_t nh = 0, nc = 0, built;
	long found = 0;
	struct includers *inc = NULL;
	int ret = LP_EXIT_REFUSED;

	memset(os, 0, sizeof(*os));
	if (units_read(t, &u)) {
		free(headers);
		free(cfiles);
		return LP_EXIT_FAIL;
	}
	for (size_t i = 0; i < ps->nfiles; i++) {
		const char *p = ps->files[i].path;

		if (ps->files[i].added || ps->files[i].removed) {
			lp_err("the diff %s %s: a live patch cannot add or remove source files",
			       ps->files[i].added ? "adds" : "removes", p);
			goto out;
		}
		if (str_ends(p, ".bpf.c")) {
			lp_err("%s is the source of a BPF program (.bpf.c): the kernel's build makes no "
			       "part of vmlinux or a module from it (user space compiles and loads it), "
			       "so a livepatch has nothing of it to replace", p);
			lp_hint("leave it out of the diff, or ship the fixed program the way it is "
				"shipped today");
			goto out;
		}
		if (str_ends(p, ".c") && units_in_vmlinux(&u, p))
			add(os, p, false, true);
		else if (str_ends(p, ".c") && units_maybe_module(&u, p))
			add(os, p, false, false);
		else if (str_ends(p, ".c"))
			cfiles[nc++] = (char *)p;	/* a .c file others include */
		else if (str_ends(p, ".h"))
			headers[nh++] = (char *)p;
		else
			lp_warn("ignoring %s: not C source", p);
	}
	/* the tree is read once for all the questions below */
	if ((nc || nh) && !(inc = includers_scan(t->src, "x86"))) {
		ret = LP_EXIT_FAIL;
		goto out;
	}
	/* each included .c file alone, to say when none builds it */
	for (size_t i = 0; i < nc; i++) {
		if ((ret = reach(t, &u, inc, &cfiles[i], 1, os, &built, NULL)))
			goto out;
		if (!built) {
			char *off = units_rule_off(&u, cfiles[i]);

			if (off) {
				lp_err("%s is not built into %s: %s, and no built file includes it",
				       cfiles[i], t->release, off);
				free(off);
			} else {
				lp_err("%s is not built into %s: it is no compile unit of its vmlinux, "
				       "lies in no module's directory, and no built file includes it",
				       cfiles[i], t->release);
				lp_hint("is its CONFIG_ option off in the target's config?");
			}
			ret = LP_EXIT_REFUSED;
			goto out;
		}
	}
	/* the headers together */
	if (nh && (ret = reach(t, &u, inc, headers, nh, os, &built, &found)))
		goto out;
	ret = LP_EXIT_REFUSED;
	if (!os->n && found > 0) {
		/* known before compiling: kbuild's rules leave every one of them out */
		lp_err("%s's config builds none of the %ld source file%s the changed headers "
		       "reach, so there is nothing to patch; no module written", t->release, found,
		       found == 1 ? "" : "s");
		ret = LP_EXIT_NOCHANGE;
		goto out;
	}
	if (!os->n) {
		lp_err("the diff touches no C source that %s builds", t->release);
		goto out;
	}
	ret = LP_EXIT_OK;
out:
	includers_free(inc);
	units_free(&u);
	free(headers);
	free(cfiles);
	return ret;
}

void objects_drop(struct objset *os, size_t i)
{
	free(os->objs[i]);
	memmove(&os->objs[i], &os->objs[i + 1], (os->n - i - 1) * sizeof(char *));
	memmove(&os->included[i], &os->included[i + 1], (os->n - i - 1) * sizeof(bool));
	memmove(&os->builtin[i], &os->builtin[i + 1], (os->n - i - 1) * sizeof(bool));
	os->n--;
}

void objects_free(struct objset *os)
{
	for (size_t i = 0; i < os->n; i++)
		free(os->objs[i]);
	free(os->objs);
	free(os->included);
	free(os->builtin);
	memset(os, 0, sizeof(*os));
}
