/* Debian version strings: dpkg's order, the upstream part, .deb file names. */
#include "deb/deb.h"

#include "util/str.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>


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

int deb_version_cmp(const char *a, const char *b)
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

char *deb_upstream_version(const char *version)
{
	struct version_parts p;

	split_version(version, &p);
	free(p.revision);
	return p.upstream;
}

char *deb_file_prefix(const char *pkg, const char *version)
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
