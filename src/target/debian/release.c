/* Debian kernel names: specs and releases. */
#include "target/debian/release.h"

#include "deb/deb.h"
#include "target/debian/suite.h"

#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Meta packages that always depend on the newest kernel of a flavour. */
static const struct {
	const char *word;
	const char *meta;
} debian_metas[] = {
	{ "cloud", "linux-image-cloud-amd64" },
	{ "cloud-amd64", "linux-image-cloud-amd64" },
	{ "amd64", "linux-image-amd64" },
};

static size_t skip_digits(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

bool debian_parse_release(const char *rel, struct debian_release *r)
{
	const char *p = rel, *dot1, *abi_end;
	size_t n;

	memset(r, 0, sizeof(*r));
	/* X.Y.Z, then the ABI: "-N" (6.1.0-56) or "+debN" (6.12.107+deb12, 6.12.115+deb13.1),
	 * then a flavour */
	for (int i = 0; i < 3; i++) {
		n = skip_digits(p);
		if (!n || (i < 2 && p[n] != '.'))
			return false;
		p += n + (i < 2);
	}
	if (*p == '-' && skip_digits(p + 1)) {
		p += 1 + skip_digits(p + 1);
	} else if (*p == '+' && isalnum((unsigned char)p[1])) {
		for (p++; isalnum((unsigned char)*p);)
			p++;
		/* a rebuild of the same upstream release: 6.12.115+deb13.1 */
		if (*p == '.' && skip_digits(p + 1))
			p += 1 + skip_digits(p + 1);
	} else {
		return false;
	}
	if (*p != '-' || !p[1])
		return false;
	abi_end = p;
	for (const char *f = abi_end + 1; *f; f++)
		if (!islower((unsigned char)*f) && !isdigit((unsigned char)*f) && *f != '-')
			return false;
	dot1 = strchr(rel, '.');
	r->release = xstrdup(rel);
	r->abi = xstrndup(rel, (size_t)(abi_end - rel));
	r->flavour = xstrdup(abi_end + 1);
	r->series = xstrndup(rel, (size_t)(strchr(dot1 + 1, '.') - rel));
	return true;
}

void debian_release_free(struct debian_release *r)
{
	free(r->release);
	free(r->abi);
	free(r->flavour);
	free(r->series);
	memset(r, 0, sizeof(*r));
}

int debian_parse_suite_spec(const char *spec, const struct debian_suite **suite, char **meta,
			    char **release)
{
	const struct debian_suite *s = debian_suite_of_spec(spec);
	struct debian_release r;
	const char *rest;

	*meta = *release = NULL;
	*suite = s;
	if (!s) {
		lp_err("unknown target '%s'", spec);
		lp_hint("a target is %s; other kernels are given by --src, --config and --vmlinux",
			DEBIAN_SPEC_FORMS);
		return -1;
	}
	rest = spec + strlen(s->prefix) + 1;
	for (size_t i = 0; i < sizeof(debian_metas) / sizeof(debian_metas[0]); i++) {
		if (!strcmp(rest, debian_metas[i].word)) {
			*meta = xstrdup(debian_metas[i].meta);
			return 0;
		}
	}
	if (str_starts(rest, "linux-image-"))
		rest += strlen("linux-image-");
	if (debian_parse_release(rest, &r)) {
		bool ours = debian_suite_has_release(s, r.release);

		if (ours)
			*release = xstrdup(r.release);
		else
			lp_err("%s is not a Debian %d kernel (its releases are %s.x%s-FLAVOUR)",
			       r.release, s->number, s->series, s->abi_tag ? s->abi_tag : "-N");
		if (!ours)
			lp_hint("the target for it is %s:%s", debian_suite_of_release(r.release)->prefix,
				r.release);
		debian_release_free(&r);
		return ours ? 0 : -1;
	}
	lp_err("unknown Debian target '%s': neither a flavour nor a release", spec);
	lp_hint("a target is %s", DEBIAN_SPEC_FORMS);
	return -1;
}

int debian_parse_spec(const char *spec, char **meta, char **release)
{
	const struct debian_suite *s;

	return debian_parse_suite_spec(spec, &s, meta, release);
}

/* Newer ABI first; the flavour breaks ties. */
static int release_cmp(const char *a, const char *b)
{
	struct debian_release ra, rb;
	int r;

	debian_parse_release(a, &ra);
	debian_parse_release(b, &rb);
	r = deb_version_cmp(ra.abi ? ra.abi : a, rb.abi ? rb.abi : b);
	if (!r)
		r = strcmp(a, b);
	debian_release_free(&ra);
	debian_release_free(&rb);
	return r;
}

char *debian_releases(const char *flavour)
{
	char *text = apt_pkgnames("linux-image-"), *save = NULL;
	char **list = NULL;
	size_t n = 0, cap = 0;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *rel = xstrdup(l + strlen("linux-image-"));
		struct debian_release r;

		if (str_ends(rel, "-unsigned"))
			rel[strlen(rel) - strlen("-unsigned")] = '\0';
		if (debian_parse_release(rel, &r)) {
			if (!flavour || !strcmp(r.flavour, flavour))
				strv_insert_sorted(&list, &n, &cap, r.release, release_cmp);
			debian_release_free(&r);
		}
		free(rel);
	}
	free(text);
	return strv_join_free(list, n);
}
