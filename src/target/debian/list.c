/* Every release of a Debian kernel flavour the archive can build: debian:cloud@all. */
#include "target/debian/provider.h"
#include "target/debian/release.h"

#include "deb/deb.h"
#include "util/cache.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* Is name one line of the newline-separated list names? */
static bool listed(const char *names, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = names; p && (p = strstr(p, name)); p += n)
		if ((p == names || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

int debian_target_list(const char *spec, const char *which, char ***specs, size_t *n)
{
	char *meta = NULL, *rel = NULL, *want = NULL, *cache = lp_cache_dir();
	char *all = NULL, *names = NULL, *save = NULL;
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
	if (debian_parse_spec(spec, &meta, &rel))
		goto out;
	if (!meta) {
		lp_err("%s@all: @all follows a flavour (debian:cloud@all, debian:amd64@all), "
		       "not a release", spec);
		goto out;
	}
	ret = LP_FAIL;
	/* the flavour's series is the one its meta package follows today: 6.1 for
	 * linux-image-cloud-amd64, not the backports' 6.12 of the same flavour */
	free(rel);
	if (!(rel = debian_meta_release(cache, meta, &want)) || !debian_parse_release(rel, &newest)) {
		lp_err("cannot tell which releases %s@all means: no release for %s", spec, meta);
		goto out;
	}
	all = debian_releases(newest.flavour);
	names = apt_pkgnames("linux-image-");
	if (!names) {
		lp_err("apt-cache cannot list the kernel packages for %s@all", spec);
		goto out;
	}
	for (char *r = strtok_r(all, ", ", &save); r; r = strtok_r(NULL, ", ", &save)) {
		struct debian_release dr;
		char *dbg = xasprintf("linux-image-%s-dbg", r);

		if (debian_parse_release(r, &dr) && !strcmp(dr.series, newest.series)) {
			/* without the -dbg package there is no vmlinux with symbols to build for */
			if (listed(names, dbg)) {
				grow_array((void **)specs, &cap, *n + 2, sizeof(char *));
				(*specs)[(*n)++] = xasprintf("debian:%s", r);
			} else {
				sb_addf(&skipped, "%s%s", skipped.len ? ", " : "", r);
			}
		}
		debian_release_free(&dr);
		free(dbg);
	}
	if (skipped.len)
		lp_progress("%s@all: left out (the archive has no -dbg package for them): %s", spec,
			    skipped.buf);
	if (!*n) {
		lp_err("%s@all: apt knows no %s release of series %s with its -dbg package", spec,
		       newest.flavour, newest.series);
		lp_hint("run `apt-get update`, or name the releases: --target debian:RELEASE");
		ret = LP_REFUSED;
		goto out;
	}
	ret = LP_OK;
out:
	sb_free(&skipped);
	debian_release_free(&newest);
	free(names);
	free(all);
	free(want);
	free(rel);
	free(meta);
	free(cache);
	return ret;
}
