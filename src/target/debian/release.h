/*
 * Debian kernels as lpatch targets: the spec forms, and the names of
 * releases and the packages made of them.
 */
#ifndef LPATCH_TARGET_DEBIAN_RELEASE_H
#define LPATCH_TARGET_DEBIAN_RELEASE_H

#include "target/debian/suite.h"

#include <stdbool.h>

/* The accepted spec forms, for messages. */
#define DEBIAN_SPEC_FORMS DEBIAN_SUITE_FORMS

/* A Debian kernel release split into what the package names are made of. */
struct debian_release {
	char *release;		/* 6.1.0-56-cloud-amd64 */
	char *abi;		/* 6.1.0-56 (or 6.12.107+deb12) */
	char *flavour;		/* cloud-amd64 */
	char *series;		/* 6.1: linux-source-6.1 */
};

/* Split rel; false when it is not of the form X.Y.Z-N-FLAVOUR or X.Y.Z+debN-FLAVOUR. */
bool debian_parse_release(const char *rel, struct debian_release *r);
void debian_release_free(struct debian_release *r);

/*
 * A spec after "debian:": either a meta package that follows the newest
 * kernel (*meta set, e.g. linux-image-cloud-amd64) or an exact release
 * (*release set). 0, or -1 with an error listing the accepted forms.
 */
int debian_parse_spec(const char *spec, char **meta, char **release);
/* The same, saying which suite the spec's prefix names (debian13: trixie);
 * a release must be one of that suite's. */
int debian_parse_suite_spec(const char *spec, const struct debian_suite **suite, char **meta,
			    char **release);

/* Releases with an image package for flavour ("cloud-amd64"; NULL: any), newest first,
 * ", "-separated. */
char *debian_releases(const char *flavour);

/* The release a meta package (linux-image-cloud-amd64) depends on today,
 * and the version it wants (*version), remembered under cache until the
 * package lists change. NULL with an error. */
char *debian_meta_release(const char *cache, const char *meta, char **version);
/* The same for a suite's meta package (remembered apart from other suites'). */
char *debian_suite_meta_release(const char *cache, const struct debian_suite *s,
				const char *meta, char **version);

#endif
