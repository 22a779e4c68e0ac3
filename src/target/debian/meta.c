/* Which release a Debian meta package (linux-image-cloud-amd64) stands for today. */
#include "target/debian/release.h"

#include "deb/deb.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A Debian version as dpkg allows it: a digit first, then [A-Za-z0-9.+~:-]. */
static bool debian_version_ok(const char *v)
{
	if (!isdigit((unsigned char)v[0]))
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && !strchr(".+~:-", *v))
			return false;
	return true;
}

/* apt-cache is slow here (no binary cache: ~1 s a call), so the answer
 * for a meta package is remembered until the lists change. The file is
 * checked like apt's answer is: the release names a directory of the
 * cache, and an entry that is no release and version is ignored. */
static char *remembered_release(const char *file, long long stamp, char **version)
{
	char *s = read_file_quiet(file, NULL), *rel = NULL;
	long long was;
	char name[256], ver[256];
	struct debian_release r;

	if (s && sscanf(s, "%lld %255s %255s", &was, name, ver) == 3 && was == stamp) {
		if (debian_parse_release(name, &r) && debian_version_ok(ver)) {
			rel = xstrdup(r.release);
			*version = xstrdup(ver);
		} else {
			lp_debug("%s: '%s %s' is no release and version: asking apt again", file,
				 name, ver);
		}
		debian_release_free(&r);
	}
	free(s);
	return rel;
}

static void remember_release(const char *file, long long stamp, const char *rel,
			     const char *version)
{
	struct atomic_out out;
	char *text = xasprintf("%lld %s %s\n", stamp, rel, version);
	char *dir = path_dirname(file);

	if (!mkdir_p(dir) && !atomic_begin(&out, file)) {
		if (write_file(out.tmp, text, strlen(text)) || atomic_commit(&out))
			atomic_abort(&out);
	}
	free(dir);
	free(text);
}

/* "Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)" -> release, version. */
static char *parse_meta_depends(char *text, char **version)
{
	char *save = NULL, *rel = NULL;

	for (char *l = strtok_r(text, "\n", &save); l && !rel; l = strtok_r(NULL, "\n", &save)) {
		struct debian_release r;
		char *dep = strstr(l, "linux-image-"), *name, *eq;

		if (!str_starts(l, "Depends: ") || !dep)
			continue;
		name = xstrndup(dep + strlen("linux-image-"), strcspn(dep + 12, " ,"));
		if (debian_parse_release(name, &r)) {
			rel = xstrdup(r.release);
			debian_release_free(&r);
			eq = strstr(dep, "(= ");
			if (eq && eq < dep + strcspn(dep, ","))
				*version = xstrndup(eq + 3, strcspn(eq + 3, ")"));
		}
		free(name);
	}
	return rel;
}

char *debian_meta_release(const char *cache, const char *meta, char **version)
{
	return debian_suite_meta_release(cache, debian_suite_named("bookworm"), meta, version);
}

char *debian_suite_meta_release(const char *cache, const struct debian_suite *s,
				const char *meta, char **version)
{
	const char *argv[] = { "apt-cache", "show", "--no-all-versions", meta, NULL };
	struct run_opts o = { .quiet = true, .no_stdin = true };
	/* Debian 12's answers keep their old name */
	char *file = s->abi_tag ? xasprintf("%s/targets/.resolved-%s-%s", cache, s->codename, meta)
				: xasprintf("%s/targets/.resolved-%s", cache, meta);
	long long stamp = apt_lists_stamp();
	char *out, *rel = NULL;

	*version = NULL;
	if ((rel = remembered_release(file, stamp, version)))
		goto done;
	if (!apt_have_lists()) {
		apt_advise_update();
		goto done;
	}
	out = run_capture(argv, &o, NULL);
	rel = out ? parse_meta_depends(out, version) : NULL;
	free(out);
	if (!rel || !*version || !debian_version_ok(*version)) {
		lp_err("cannot tell which kernel %s stands for: `apt-cache show %s` names no "
		       "linux-image-<release> (= <version>)", meta, meta);
		lp_hint("check that %s exists (`apt-cache policy %s`); run `apt-get update` if the "
			"lists are old", meta, meta);
		free(rel);
		free(*version);
		rel = *version = NULL;
		goto done;
	}
	remember_release(file, stamp, rel, *version);
done:
	free(file);
	return rel;
}
