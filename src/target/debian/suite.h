/*
 * Debian suites lpatch takes kernels from: one table row each (the spec's
 * prefix, the archive lines, the kernel series and ABI naming, the compiler
 * the kernels are built with). A suite that is not the host's own is
 * fetched through lpatch's private apt configuration and built in a build
 * root of that suite (buildroot.c), so a future suite is one more row.
 */
#ifndef LPATCH_TARGET_DEBIAN_SUITE_H
#define LPATCH_TARGET_DEBIAN_SUITE_H

#include <stdbool.h>

struct debian_suite {
	const char *prefix;	/* the spec's "PREFIX:": "debian" (12), "debian13" */
	const char *codename;	/* bookworm, trixie */
	int number;		/* 12, 13 */
	const char *series;	/* the kernel series of its releases: 6.1, 6.12 */
	const char *abi_tag;	/* what the ABI part of its releases contains: "+deb13";
				 * NULL: any (6.1.0-56, and 6.12.x+deb12 from backports) */
	const char *cc;		/* the compiler its kernels are built with */
	const char *const *archive; /* apt sources lines (deb URI SUITE COMPONENTS) */
	/* fetch through the host's apt when the host runs this suite (the
	 * lists `apt-get update` keeps); else, or when false, the private one */
	bool host_apt;
	/* @all takes a release only when the lists have linux-source-SERIES of
	 * its version (the archive keeps each release's: trixie-security);
	 * without it, older releases' source comes from the snapshot archive */
	bool all_source_listed;
};

/* The suite of a spec's prefix ("debian13:cloud" -> trixie); NULL if none. */
const struct debian_suite *debian_suite_of_spec(const char *spec);
/* The suite by codename (bookworm, trixie); NULL if none. */
const struct debian_suite *debian_suite_named(const char *codename);
/* The suite a release belongs to, by its ABI tag (6.12.118+deb13-cloud-amd64
 * -> trixie); releases without a tag are Debian 12's. */
const struct debian_suite *debian_suite_of_release(const char *release);
/* Does release name a kernel of suite s (its ABI tag, when s has one)? */
bool debian_suite_has_release(const struct debian_suite *s, const char *release);

/* The host's Debian codename (VERSION_CODENAME of /etc/os-release), or "". */
const char *debian_host_codename(void);
/* Is the host running suite s (so its compiler and apt are the suite's)? */
bool debian_suite_is_host(const struct debian_suite *s);

/*
 * Point this process's apt at the suite's package lists: nothing for the
 * host's own suite (host_apt), else lpatch's private configuration under
 * <cache>/apt/<codename>/ (its own sources list, lists, archives and an
 * empty dpkg status; /etc/apt is never read nor written), made on first
 * use, with `apt-get update` run when the lists are missing or older than
 * a day (LPATCH_APT_MAX_AGE seconds). Sets APT_CONFIG for every apt-get
 * and apt-cache lpatch runs after. 0, or -1 with an error.
 */
int debian_suite_use_apt(const struct debian_suite *s, const char *cache);

/* The spec forms of every suite, for messages. */
#define DEBIAN_SUITE_FORMS \
	"debian:cloud, debian:amd64, or debian:<release> (e.g. debian:6.1.0-56-cloud-amd64) " \
	"for Debian 12; debian13:cloud, debian13:amd64, or debian13:<release> (e.g. " \
	"debian13:6.12.118+deb13-cloud-amd64) for Debian 13"

#endif
