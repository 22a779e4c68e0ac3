/* Every release of a Debian kernel flavour the archive can build: debian:cloud@all. */
#include "target/debian/provider.h"
#include "target/debian/release.h"
#include "target/debian/suite.h"

#include "deb/deb.h"
#include "util/cache.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* Is item one entry of list, whose entries follow `before` and end at
 * `after` (or the end): lines ('\n', '\n'), or ", "-separated (' ', ',')? */
static bool listed(const char *list, const char *item, char before, char after)
{
	size_t n = strlen(item);

	for (const char *p = list; p && (p = strstr(p, item)); p += n)
		if ((p == list || p[-1] == before) && (p[n] == after || !p[n]))
			return true;
	return false;
}

/*
 * For a suite whose lists keep every release's source (trixie-security
 * holds linux-source-6.12 of each release since the point release): is
 * linux-source-SERIES of the version of the -dbg package dbg among the
 * versions sources? *version: the -dbg's newest version ("" if none;
 * caller frees).
 */
static bool source_match(const char *dbg, const char *sources, char **version)
{
	char *comma;

	*version = apt_versions(dbg);
	if ((comma = strchr(*version, ',')))
		*comma = '\0';
	return **version && listed(sources, *version, ' ', ',');
}

int debian_target_list(const char *spec, const char *which, char ***specs, size_t *n)
{
	char *meta = NULL, *rel = NULL, *want = NULL, *cache = lp_cache_dir();
	char *all = NULL, *names = NULL, *save = NULL, *sources = NULL;
	const struct debian_suite *suite;
	struct strbuf nosource = {0};
	struct debian_release newest = {0};
	struct strbuf skipped = {0};
	size_t cap = 0;
	int ret = LP_REFUSED;

	*specs = NULL;
	*n = 0;
	if (strcmp(which, "all")) {
		lp_err("unknown release set '@%s' in %s@%s: the set is @all", which, spec, which);
		goto out;
	}
	if (debian_parse_suite_spec(spec, &suite, &meta, &rel))
		goto out;
	if (!meta) {
		lp_err("%s@all: @all follows a flavour (%s:cloud@all, %s:amd64@all), not a release",
		       spec, suite->prefix, suite->prefix);
		goto out;
	}
	ret = LP_FAIL;
	/* the suite's package lists: the host's, or lpatch's own for another suite */
	if (debian_suite_use_apt(suite, cache))
		goto out;
	/* the flavour's series is the one its meta package follows today: 6.1 for
	 * Debian 12's linux-image-cloud-amd64, not the backports' 6.12 of the same
	 * flavour */
	free(rel);
	if (!(rel = debian_suite_meta_release(cache, suite, meta, &want)) ||
	    !debian_parse_release(rel, &newest)) {
		lp_err("cannot tell which releases %s@all means: no release for %s", spec, meta);
		goto out;
	}
	all = debian_releases(newest.flavour);
	names = apt_pkgnames("linux-image-");
	if (!names) {
		lp_err("apt-cache cannot list the kernel packages for %s@all", spec);
		goto out;
	}
	if (suite->all_source_listed) {
		char *src = xasprintf("linux-source-%s", newest.series);

		sources = apt_versions(src);
		free(src);
	}
	for (char *r = strtok_r(all, ", ", &save); r; r = strtok_r(NULL, ", ", &save)) {
		struct debian_release dr;
		char *dbg = xasprintf("linux-image-%s-dbg", r);

		if (debian_parse_release(r, &dr) && !strcmp(dr.series, newest.series) &&
		    debian_suite_has_release(suite, r)) {
			char *version = NULL;

			/* without the -dbg package there is no vmlinux with symbols to build for */
			if (!listed(names, dbg, '\n', '\n')) {
				sb_addf(&skipped, "%s%s", skipped.len ? ", " : "", r);
			} else if (sources && !source_match(dbg, sources, &version)) {
				sb_addf(&nosource, "%s%s (%s)", nosource.len ? ", " : "", r,
					*version ? version : "no version");
			} else {
				grow_array((void **)specs, &cap, *n + 2, sizeof(char *));
				(*specs)[(*n)++] = xasprintf("%s:%s", suite->prefix, r);
			}
			free(version);
		}
		debian_release_free(&dr);
		free(dbg);
	}
	if (skipped.len)
		lp_progress("%s@all: left out (the archive has no -dbg package for them): %s", spec,
			    skipped.buf);
	if (nosource.len)
		lp_progress("%s@all: left out (lpatch's %s lists have no linux-source-%s of their "
			    "version): %s", spec, suite->codename, newest.series, nosource.buf);
	if (!*n) {
		lp_err("%s@all: apt knows no %s release of series %s with its -dbg package%s", spec,
		       newest.flavour, newest.series, sources ? " and its source" : "");
		lp_hint("run `apt-get update`, or name the releases: --target debian:RELEASE");
		ret = LP_REFUSED;
		goto out;
	}
	ret = LP_OK;
out:
	sb_free(&skipped);
	sb_free(&nosource);
	free(sources);
	debian_release_free(&newest);
	free(names);
	free(all);
	free(want);
	free(rel);
	free(meta);
	free(cache);
	return ret;
}
