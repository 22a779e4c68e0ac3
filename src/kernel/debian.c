/* Debian kernel names: specs, releases, package file names, version order. */
#include "kernel/debian.h"

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
	/* X.Y.Z, then the ABI: "-N" (6.1.0-56) or "+debN" (6.12.107+deb12), then a flavour */
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

int debian_parse_spec(const char *spec, char **meta, char **release)
{
	struct debian_release r;

	*meta = *release = NULL;
	if (!str_starts(spec, "debian:")) {
		lp_err("unknown target '%s'", spec);
		lp_hint("a target is %s; other kernels are given by --src, --config and --vmlinux",
			DEBIAN_SPEC_FORMS);
		return -1;
	}
	spec += strlen("debian:");
	for (size_t i = 0; i < sizeof(debian_metas) / sizeof(debian_metas[0]); i++) {
		if (!strcmp(spec, debian_metas[i].word)) {
			*meta = xstrdup(debian_metas[i].meta);
			return 0;
		}
	}
	if (str_starts(spec, "linux-image-"))
		spec += strlen("linux-image-");
	if (debian_parse_release(spec, &r)) {
		*release = xstrdup(r.release);
		debian_release_free(&r);
		return 0;
	}
	lp_err("unknown Debian target 'debian:%s': neither a flavour nor a release", spec);
	lp_hint("a target is %s", DEBIAN_SPEC_FORMS);
	return -1;
}

/* dpkg's weight of one character of a non-digit run: '~' sorts before
 * everything (even the end), letters before other characters. */
static int char_order(char c)
{
	if (isdigit((unsigned char)c))
		return 0;
	if (isalpha((unsigned char)c))
		return (unsigned char)c;
	if (c == '~')
		return -1;
	if (c)
		return (unsigned char)c + 256;
	return 0;
}

/* Alternating runs of non-digits (compared by char_order) and numbers. */
static int part_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first = 0;

		while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
			int ac = char_order(*a), bc = char_order(*b);
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!first)
				first = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first)
			return first;
	}
	return 0;
}

struct version_parts {
	long epoch;
	char *upstream;
	char *revision;
};

static void split_version(const char *v, struct version_parts *p)
{
	const char *colon = strchr(v, ':'), *dash;

	p->epoch = 0;
	if (colon) {
		p->epoch = strtol(v, NULL, 10);
		v = colon + 1;
	}
	dash = strrchr(v, '-');
	p->upstream = dash ? xstrndup(v, (size_t)(dash - v)) : xstrdup(v);
	p->revision = xstrdup(dash ? dash + 1 : "");
}

int debian_version_cmp(const char *a, const char *b)
{
	struct version_parts pa, pb;
	int r;

	split_version(a, &pa);
	split_version(b, &pb);
	if (pa.epoch != pb.epoch)
		r = pa.epoch < pb.epoch ? -1 : 1;
	else if (!(r = part_cmp(pa.upstream, pb.upstream)))
		r = part_cmp(pa.revision, pb.revision);
	free(pa.upstream);
	free(pa.revision);
	free(pb.upstream);
	free(pb.revision);
	return r;
}

char *debian_upstream_version(const char *version)
{
	struct version_parts p;

	split_version(version, &p);
	free(p.revision);
	return p.upstream;
}

char *debian_deb_prefix(const char *pkg, const char *version)
{
	struct strbuf sb = {0};

	sb_addf(&sb, "%s_", pkg);
	for (const char *c = version; *c; c++) {
		if (*c == ':')
			sb_add(&sb, "%3a");
		else
			sb_addn(&sb, c, 1);
	}
	sb_add(&sb, "_");
	return sb_take(&sb);
}
