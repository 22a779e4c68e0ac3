/* The packages of a Debian target at exactly the image's version: checked
 * all at once before any download, then fetched one by one. */
#include "target/debian/steps.h"

#include "target/stamp.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static void report_missing(const struct debian_ctx *c, const char *pkg)
{
	char *avail;

	if (!apt_have_lists()) {
		lp_err("cannot fetch %s %s: apt has no package lists", pkg, c->version);
		lp_hint("run `apt-get update` (as root), or put %s's .deb in %s", pkg, c->debs);
		return;
	}
	avail = apt_versions(pkg);
	if (*avail) {
		lp_err("versions disagree: the kernel %s is version %s, but apt has %s only at %s",
		       c->r.release, c->version, pkg, avail);
		lp_hint("run `apt-get update` if the lists are old; an older kernel's packages come "
			"from a snapshot archive (LPATCH_SNAPSHOT_URL), or put %s %s's .deb in %s",
			pkg, c->version, c->debs);
	} else {
		lp_err("the kernel %s (version %s) needs %s, which apt does not know at all",
		       c->r.release, c->version, pkg);
		lp_hint("run `apt-get update` if the lists are old, or put its .deb (version %s) "
			"in %s", c->version, c->debs);
	}
	free(avail);
}

/* The packages the missing steps need; *required says which must exist
 * (the headers' -common and kbuild are only guessed here: the headers
 * package's Depends names them for sure). */
static size_t planned(const struct debian_ctx *c, unsigned need, char **names, bool *required)
{
	const char *rel = c->r.release;
	size_t n = 0;

#define PLAN(req, ...) (required[n] = (req), names[n++] = xasprintf(__VA_ARGS__))
	if (!stamp_done(c->dir, "image") && c->image_pkg)
		PLAN(true, "%s", c->image_pkg);
	if ((need & TARGET_HEADERS) && !stamp_done(c->dir, "headers")) {
		PLAN(true, "linux-headers-%s", rel);
		PLAN(false, "linux-headers-%s-common", c->r.abi);
		PLAN(false, "%s", c->kbuild_pkg);
	}
	if ((need & TARGET_SYMBOLS) && !stamp_done(c->dir, "symbols"))
		PLAN(true, "linux-image-%s-dbg", rel);
	if ((need & TARGET_SOURCE) && !stamp_done(c->dir, "source-extracted") &&
	    !stamp_done(c->dir, "source"))
		PLAN(true, "linux-source-%s", c->r.series);
#undef PLAN
	return n;
}

/* 6.1.0-56 uses linux-kbuild-6.1; 6.12.107+deb12 linux-kbuild-6.12.107+deb12 (a guess:
 * the headers package's Depends says for sure) */
static char *kbuild_guess(const struct debian_ctx *c)
{
	return xasprintf("linux-kbuild-%s", strchr(c->r.abi, '+') ? c->r.abi : c->r.series);
}

static void free_known(struct debian_ctx *c)
{
	for (size_t i = 0; i < c->nknown; i++)
		apt_pkg_free(&c->known[i]);
	free(c->known);
	c->known = NULL;
	c->nknown = 0;
}

/* Is pkg at c->version in the cache or known to apt (after the lookup)? */
static bool at_version(const struct debian_ctx *c, const char *pkg)
{
	char *deb = deb_find(c->debs, pkg, c->version);

	free(deb);
	if (deb)
		return true;
	for (size_t i = 0; i < c->nknown; i++)
		if (c->known[i].name && !strcmp(c->known[i].name, pkg))
			return true;
	return false;
}

static int check_planned(struct debian_ctx *c, unsigned need)
{
	char *names[8];
	bool required[8];
	const char *ask[8];
	size_t n = planned(c, need, names, required), nask = 0;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		char *deb = deb_find(c->debs, names[i], c->version);

		if (!deb)
			ask[nask++] = names[i];
		free(deb);
	}
	if (nask) {
		c->known = xcalloc(nask, sizeof(*c->known));
		c->nknown = nask;
		if (apt_lookup_all(ask, nask, c->version, c->known))
			ret = -1;
	}
	for (size_t i = 0; i < nask && c->known; i++) {
		bool req = false;

		for (size_t j = 0; j < n; j++)
			if (names[j] == ask[i])
				req = required[j];
		/* not in the lists: from the snapshot archive, if it has it */
		if (req && !c->known[i].name && snapshot_check(ask[i], c->version)) {
			report_missing(c, ask[i]);
			ret = -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return ret;
}

int debian_check_packages(struct debian_ctx *c, unsigned *need)
{
	int ret;

	if (!c->kbuild_pkg)
		c->kbuild_pkg = kbuild_guess(c);
	ret = check_planned(c, *need);
	/* linux-kbuild-X.Y is not named after the ABI: the archive keeps only its
	 * newest version, so an older kernel's is gone. Its tools are then built
	 * from the source at the image's version, which the headers step needs. */
	if (ret || !(*need & TARGET_HEADERS) || stamp_done(c->dir, "headers") ||
	    at_version(c, c->kbuild_pkg))
		return ret;
	c->kbuild_from_source = true;
	lp_progress("%s %s is not in the apt lists: kbuild's tools will come from the source "
		    "tree at %s (modules_prepare)", c->kbuild_pkg, c->version, c->version);
	if (*need & TARGET_SOURCE)
		return 0;
	*need |= TARGET_SOURCE;
	free_known(c);
	return check_planned(c, *need);
}

char *debian_get_deb(struct debian_ctx *c, const char *pkg)
{
	char *path = deb_find(c->debs, pkg, c->version);
	struct apt_pkg p;
	int found;

	if (path)
		return path;
	for (size_t i = 0; i < c->nknown; i++)
		if (c->known[i].name && !strcmp(c->known[i].name, pkg))
			return deb_fetch(c->debs, &c->known[i]);
	found = apt_lookup(pkg, c->version, &p);
	if (found == 0) {
		path = deb_fetch(c->debs, &p);
		apt_pkg_free(&p);
		return path;
	}
	if (found > 0) {
		lp_progress("%s %s is not in the apt lists: asking the snapshot archive", pkg,
			    c->version);
		path = snapshot_fetch(c->debs, pkg, c->version);
		if (!path)
			report_missing(c, pkg);
	}
	return path;
}
