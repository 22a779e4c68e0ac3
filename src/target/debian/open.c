/* A Debian kernel as a target: resolve the spec, run the steps that are
 * missing under a lock, and say where everything is. */
#include "target/debian/provider.h"
#include "target/debian/steps.h"

#include "target/kconfig.h"
#include "target/stamp.h"
#include "util/cache.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct step {
	const char *name;	/* its stamp */
	unsigned need;		/* which needs it serves; the image serves them all */
	int (*run)(struct debian_ctx *c);
} steps[] = {
	{ "image", ~0u, debian_step_image },
	{ "headers", TARGET_HEADERS, debian_step_headers },
	{ "symbols", TARGET_SYMBOLS, debian_step_symbols },
	{ "source", TARGET_SOURCE, debian_step_source },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static char *in_dir(const struct debian_ctx *c, const char *fmt, const char *a, const char *b)
{
	char *rel = xasprintf(fmt, a, b);
	char *p = path_join(c->dir, rel);

	free(rel);
	return p;
}

/* Paths of what the done steps left (by their stamps alone: no file is read
 * but the config, for the compiler). */
static void fill(const struct debian_ctx *c, struct kernel_target *t)
{
	const char *rel = c->r.release;

	t->release = xstrdup(rel);
	t->dir = xstrdup(c->dir);
	if (stamp_done(c->dir, "image")) {
		t->version = stamp_read(c->dir, "image");
		t->vmlinuz = in_dir(c, DEBIAN_IMAGE_DIR "/boot/vmlinuz-%s", rel, NULL);
		t->config = in_dir(c, DEBIAN_IMAGE_DIR "/boot/config-%s", rel, NULL);
		t->modules = in_dir(c, DEBIAN_IMAGE_DIR "/lib/modules/%s", rel, NULL);
		t->cc = config_cc(t->config);
	}
	if (stamp_done(c->dir, "headers")) {
		t->headers = in_dir(c, DEBIAN_HEADERS_DIR "/usr/src/linux-headers-%s", rel, NULL);
		t->symvers = path_join(t->headers, "Module.symvers");
	}
	if (stamp_done(c->dir, "symbols")) {
		t->vmlinux = in_dir(c, DEBIAN_SYMBOLS_DIR "/vmlinux-%s", rel, NULL);
		t->system_map = in_dir(c, DEBIAN_SYMBOLS_DIR "/System.map-%s", rel, NULL);
	}
	if (stamp_done(c->dir, "source"))
		t->src = in_dir(c, DEBIAN_SOURCE_DIR "/linux-source-%s", c->r.series, NULL);
	if (c->root)
		t->root = xstrdup(c->root);
}

/* The file that proves a done step is still whole. */
static char *step_witness(const struct kernel_target *t, const char *step)
{
	if (!strcmp(step, "image"))
		return t->modules ? path_join(t->modules, "modules.dep") : NULL;
	if (!strcmp(step, "headers"))
		return t->symvers ? xstrdup(t->symvers) : NULL;
	if (!strcmp(step, "symbols"))
		return t->vmlinux ? xstrdup(t->vmlinux) : NULL;
	return t->src ? path_join(t->src, "include/generated/autoconf.h") : NULL;
}

/* Are all the steps `need` asks for done, and their results there? A step
 * whose result vanished since is undone (stamp cleared) so it is redone. */
static bool all_done(const struct debian_ctx *c, unsigned need)
{
	struct kernel_target t = {0};
	bool done = true;

	fill(c, &t);
	for (size_t i = 0; i < NSTEPS; i++) {
		char *w;

		if (!(steps[i].need & need) || !stamp_done(c->dir, steps[i].name))
			continue;
		w = step_witness(&t, steps[i].name);
		if (!w || !path_exists(w)) {
			lp_warn("the cached %s of %s is damaged (%s is missing): redoing it",
				steps[i].name, c->r.release, w ? w : "a file");
			stamp_clear(c->dir, steps[i].name);
		}
		free(w);
	}
	for (size_t i = 0; i < NSTEPS; i++)
		if ((steps[i].need & need) && !stamp_done(c->dir, steps[i].name))
			done = false;
	target_free(&t);
	return done;
}

static void unknown_release(const struct debian_ctx *c)
{
	const char *rel = c->r.release;
	char *list, *snap = snapshot_url();

	if (!apt_have_lists()) {
		lp_err("kernel %s: apt has no package lists, no .deb of it is in %s, and the "
		       "snapshot archive %s does not give it", rel, c->debs, snap ? snap : "(none set)");
		lp_hint("run `apt-get update` (as root) and try again");
		free(snap);
		return;
	}
	lp_err("Debian has no kernel %s: apt knows neither linux-image-%s-unsigned nor "
	       "linux-image-%s", rel, rel, rel);
	if (snap)
		lp_hint("the snapshot archive %s (LPATCH_SNAPSHOT_URL) does not give it either", snap);
	free(snap);
	list = debian_releases(c->r.flavour);
	if (*list) {
		lp_hint("%s releases apt can fetch: %s", c->r.flavour, list);
	} else {
		free(list);
		list = debian_releases(NULL);
		lp_hint("releases apt can fetch: %s", *list ? list : "none (run `apt-get update`?)");
	}
	free(list);
}

/* The image package at version want (NULL: apt's candidate): from the
 * cache, else from apt. */
static bool image_at(struct debian_ctx *c, char *const pkgs[2], const char *want)
{
	struct apt_pkg p[2];

	for (int i = 0; i < 2 && want; i++) {
		char *deb = deb_find(c->debs, pkgs[i], want);
		bool cached = deb != NULL;

		free(deb);
		if (cached) {
			c->image_pkg = xstrdup(pkgs[i]);
			c->version = xstrdup(want);
			return true;
		}
	}
	if (apt_lookup_all((const char *const *)pkgs, 2, want, p))
		return false;
	for (int i = 0; i < 2 && !c->version; i++) {
		if (p[i].name) {
			c->image_pkg = xstrdup(pkgs[i]);
			c->version = xstrdup(p[i].version);
		}
	}
	apt_pkg_free(&p[0]);
	apt_pkg_free(&p[1]);
	return c->version != NULL;
}

/* The image package and its version: the one a meta package asked for
 * (want), else apt's candidate, else (without lists, offline) the newest
 * .deb of it already in the cache, else the newest the snapshot archive
 * has. LP_REFUSED: no such kernel. */
static int resolve_version(struct debian_ctx *c, const char *want)
{
	const char *rel = c->r.release;
	char *pkgs[2] = { xasprintf("linux-image-%s-unsigned", rel),
			  xasprintf("linux-image-%s", rel) };
	int ret = 0;

	if (want && image_at(c, pkgs, want))
		goto out;
	if (image_at(c, pkgs, NULL))
		goto out;
	for (int i = 0; i < 2 && !c->version; i++) {
		char *deb = deb_find_cached(c->debs, pkgs[i], &c->version);

		if (deb) {
			lp_warn("apt does not know %s: using %s from the cache", pkgs[i], deb);
			c->image_pkg = xstrdup(pkgs[i]);
		}
		free(deb);
	}
	for (int i = 0; i < 2 && !c->version; i++) {
		char *versions, *url, *comma;

		/* gone from the lists: the snapshot archive's newest of it */
		int got = snapshot_versions(pkgs[i], &versions, &url);

		if (got < 0)
			i = 2;	/* unreachable: said once */
		if (got == 0) {
			if ((comma = strchr(versions, ',')))
				*comma = '\0';
			lp_progress("apt does not know %s: the snapshot archive has it at %s (%s)",
				    pkgs[i], versions, url);
			c->image_pkg = xstrdup(pkgs[i]);
			c->version = xstrdup(versions);
		}
		free(versions);
		free(url);
	}
	if (!c->version) {
		unknown_release(c);
		ret = LP_REFUSED;
	}
out:
	free(pkgs[0]);
	free(pkgs[1]);
	return ret;
}

/* One step under its own lock: two lpatch runs never do the same step at
 * once, and one preparing the source does not hold up one that wants only
 * the headers. */
static int run_step(struct debian_ctx *c, const struct step *st)
{
	char *lock_file = xasprintf("%s/.lock-%s", c->dir, st->name);
	char *what = xasprintf("the %s of %s in the cache", st->name, c->r.release);
	int fd = lock_path(lock_file, what), ret = -1;

	if (fd >= 0) {
		/* whoever held the lock may have done the step meanwhile */
		ret = stamp_done(c->dir, st->name) ? 0 : st->run(c);
		unlock_path(fd);
	}
	free(what);
	free(lock_file);
	return ret;
}

/* The symbols step in a child process. Extracting the vmlinux and the
 * source are each bound to one core by xz: side by side they use both. */
static pid_t run_step_aside(struct debian_ctx *c, const struct step *st)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(run_step(c, st) ? 1 : 0);
	if (pid < 0)
		lp_debug("cannot fork for the %s step: doing it in turn", st->name);
	return pid;
}

static int wait_aside(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int run_steps(struct debian_ctx *c, unsigned need)
{
	const struct step *later = NULL;
	pid_t aside = -1;
	int ret;

	if (stamp_done(c->dir, "image")) {
		free(c->version);
		c->version = stamp_read(c->dir, "image");
	} else if (!c->version && (ret = resolve_version(c, NULL))) {
		return ret;	/* the image was cached when looked at, and is no longer */
	}
	/* all the packages at the right version, before any is downloaded */
	ret = debian_check_packages(c, &need);
	if (!ret)
		ret = mkdir_p(c->dir);
	for (size_t i = 0; i < NSTEPS && !ret; i++) {
		if (!(steps[i].need & need) || stamp_done(c->dir, steps[i].name))
			continue;
		if (steps[i].need == TARGET_SYMBOLS && (need & TARGET_SOURCE) &&
		    !stamp_done(c->dir, "source") && (aside = run_step_aside(c, &steps[i])) > 0)
			continue;
		/* headers whose kbuild tools come from the source tree: after it */
		if (steps[i].need == TARGET_HEADERS && c->kbuild_from_source) {
			later = &steps[i];
			continue;
		}
		ret = run_step(c, &steps[i]);
		/* the image fixes the version every other package must have */
		if (!ret && i == 0) {
			free(c->version);
			c->version = stamp_read(c->dir, "image");
		}
	}
	if (later && !ret)
		ret = run_step(c, later);
	if (aside > 0 && wait_aside(aside) && !ret)
		ret = -1;
	return ret;
}

static void ctx_free(struct debian_ctx *c)
{
	debian_release_free(&c->r);
	free(c->version);
	free(c->image_pkg);
	free(c->debs);
	free(c->dir);
	free(c->log);
	free(c->kbuild_pkg);
	free(c->root);
	for (size_t i = 0; i < c->nknown; i++)
		apt_pkg_free(&c->known[i]);
	free(c->known);
}

/* Does the target need a build root: kbuild will run (source, headers) and the
 * host is not of the target's suite, so its compiler is not the target's? */
static bool needs_root(const struct debian_ctx *c, unsigned need)
{
	if (getenv("LPATCH_NO_BUILDROOT"))	/* the host's tools, on purpose */
		return false;
	return (need & (TARGET_SOURCE | TARGET_HEADERS)) && !debian_suite_is_host(c->suite);
}

int debian_target_open(const char *spec, unsigned need, struct kernel_target *t)
{
	struct debian_ctx c = {0};
	char *meta = NULL, *rel = NULL, *want = NULL, *cache = lp_cache_dir();
	int ret = -1;

	memset(t, 0, sizeof(*t));
	if (debian_parse_suite_spec(spec, &c.suite, &meta, &rel)) {
		ret = LP_REFUSED;
		goto out;
	}
	/* the suite's package lists: the host's, or lpatch's own for another suite */
	if (debian_suite_use_apt(c.suite, cache))
		goto out;
	if (meta && !(rel = debian_suite_meta_release(cache, c.suite, meta, &want)))
		goto out;
	/* rel names a directory of the cache: it must be a release, nothing else */
	if (!debian_parse_release(rel, &c.r)) {
		lp_err("'%s'%s%s is not a Debian kernel release (X.Y.Z-N-FLAVOUR or "
		       "X.Y.Z+debN-FLAVOUR); nothing fetched", rel, meta ? ", named for " : "",
		       meta ? meta : "");
		goto out;
	}
	if (meta && !debian_suite_has_release(c.suite, rel)) {
		lp_err("%s of Debian %d stands for %s, not a Debian %d kernel; nothing fetched", meta,
		       c.suite->number, rel, c.suite->number);
		goto out;
	}
	c.debs = path_join(cache, "debs");
	c.dir = xasprintf("%s/targets/%s", cache, rel);
	c.log = path_join(c.dir, "prepare.log");
	if (needs_root(&c, need) && !(c.root = debian_buildroot(c.suite, cache)))
		goto out;
	if (!all_done(&c, need)) {
		/* resolved before anything is made: no directory for a misspelt release */
		ret = stamp_done(c.dir, "image") ? 0 : resolve_version(&c, want);
		if (ret || (ret = run_steps(&c, need)))
			goto out;
	}
	t->spec = xstrdup(spec);
	fill(&c, t);
	ret = 0;
out:
	ctx_free(&c);
	free(meta);
	free(want);
	free(rel);
	free(cache);
	return ret;
}

/* One provider per suite's prefix: the suite table (suite.c) says the rest,
 * release sets (@all) too (list.c, from the suite's apt lists). */
#define DEBIAN_PROVIDER(pfx)								\
	{										\
		.prefix = (pfx),							\
		.forms = DEBIAN_SPEC_FORMS,						\
		.open = debian_target_open,						\
		.module_symbols = debian_module_symbols,				\
		.signed_image = debian_signed_image,					\
		.list = debian_target_list,						\
		.symbols_hint = "for a Debian kernel, vmlinux and modules with symbols are in " \
				"linux-image-<release>-dbg",				\
	}

const struct target_provider debian_provider = DEBIAN_PROVIDER("debian");
const struct target_provider debian13_provider = DEBIAN_PROVIDER("debian13");
