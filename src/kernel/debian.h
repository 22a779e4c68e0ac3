/*
 * Debian kernels as lpatch targets: names of releases and packages,
 * Debian version ordering, and the apt queries and downloads behind them.
 */
#ifndef LPATCH_KERNEL_DEBIAN_H
#define LPATCH_KERNEL_DEBIAN_H

#include <stdbool.h>
#include <stddef.h>

/* The accepted spec forms, for messages. */
#define DEBIAN_SPEC_FORMS \
	"debian:cloud, debian:amd64, or debian:<release> (e.g. debian:6.1.0-56-cloud-amd64)"

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

/* dpkg's ordering of versions: <0, 0, >0 like strcmp. */
int debian_version_cmp(const char *a, const char *b);
/* The upstream part of a Debian version: 1:6.1.192-2 -> 6.1.192. Caller frees. */
char *debian_upstream_version(const char *version);
/* The file name apt-get download gives pkg at version (':' becomes %3a), without arch:
 * "pkg_ver_". Caller frees. */
char *debian_deb_prefix(const char *pkg, const char *version);

/* --- apt (debian_apt.c) --- */

/* One package at one version as apt knows it. */
struct apt_pkg {
	char *name;
	char *version;
	long long size;		/* bytes of the .deb; -1 when unknown */
};

/* Are there package lists at all (else `apt-get update` is needed)? */
bool apt_have_lists(void);
/* Modification time of the package lists, to know when an answer from them is stale. */
long long apt_lists_stamp(void);

/* The release a meta package (linux-image-cloud-amd64) depends on today,
 * and the version it wants (*version), remembered under cache until the
 * package lists change. NULL with an error. */
char *apt_meta_release(const char *cache, const char *meta, char **version);

/*
 * What apt knows of name at version (NULL version: the candidate).
 * 0 found, 1 not known (nothing printed), -1 apt failed (error printed).
 */
int apt_lookup(const char *name, const char *version, struct apt_pkg *out);
/* apt_lookup for n packages at once (one apt-cache run): out[i].name is
 * NULL for those apt does not know. 0, or -1 when apt-cache cannot run. */
int apt_lookup_all(const char *const *names, size_t n, const char *version, struct apt_pkg *out);
/* Versions of name apt can download, newest first, ", "-separated ("" if none). */
char *apt_versions(const char *name);
/* Releases with an image package for flavour ("cloud-amd64"), newest first, ", "-separated. */
char *apt_releases(const char *flavour);
void apt_pkg_free(struct apt_pkg *p);

/*
 * Path of pkg's .deb at exactly p->version in debs_dir: the one already
 * there when complete (its size matches), else downloaded with
 * `apt-get download`. NULL with an error naming the package.
 */
char *deb_fetch(const char *debs_dir, const struct apt_pkg *p);
/* pkg's .deb at exactly version in debs_dir, or NULL. */
char *deb_find(const char *debs_dir, const char *pkg, const char *version);
/* A .deb for pkg already in debs_dir at any version, the newest; NULL if none. */
char *deb_find_cached(const char *debs_dir, const char *pkg, char **version);

/* A control field of a .deb (dpkg-deb -f); NULL if it has none. Caller frees. */
char *deb_field(const char *deb, const char *field);
/* The first package deb depends on named prefix...suffix; NULL if none. */
char *deb_depends_on(const char *deb, const char *prefix, const char *suffix);

#endif
