/*
 * Debian packages: version order, what apt knows, fetching and reading .debs.
 * Kernel targets, the VM's busybox and future package-based features use it.
 */
#ifndef LPATCH_DEB_DEB_H
#define LPATCH_DEB_DEB_H

#include <stdbool.h>
#include <stddef.h>

/* dpkg's ordering of versions: <0, 0, >0 like strcmp. */
int deb_version_cmp(const char *a, const char *b);
/* The upstream part of a Debian version: 1:6.1.192-2 -> 6.1.192. Caller frees. */
char *deb_upstream_version(const char *version);
/* The file name apt-get download gives pkg at version (':' becomes %3a), without arch:
 * "pkg_ver_". Caller frees. */
char *deb_file_prefix(const char *pkg, const char *version);

/* --- apt (apt.c) --- */

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

/* Say that apt has no package lists and how to get them. */
void apt_advise_update(void);

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
/* Names of the packages apt knows that start with prefix, one per line (apt-cache pkgnames);
 * NULL when apt-cache cannot run. Caller frees. */
char *apt_pkgnames(const char *prefix);
void apt_pkg_free(struct apt_pkg *p);

/*
 * Path of pkg's .deb at exactly p->version in debs_dir: the one already
 * there when complete (its size matches), else downloaded with
 * `apt-get download`. NULL with an error naming the package.
 */
char *deb_fetch(const char *debs_dir, const struct apt_pkg *p);
/*
 * p unpacked once into <into>/<name>_<version>, under a lock (<into>/.lock):
 * the .deb (deb if given, else deb_fetch into debs_dir) extracted with
 * dpkg-deb into a temporary directory renamed into place, so a directory
 * there is complete. Returns that directory, or NULL with an error.
 */
char *deb_unpacked(const char *debs_dir, const char *into, const struct apt_pkg *p, const char *deb);
/* pkg's .deb at exactly version in debs_dir, or NULL. */
char *deb_find(const char *debs_dir, const char *pkg, const char *version);
/* The package and version (%3a back to ':') of a .deb's file name as apt-get download
 * gives it, PKG_VERSION_ARCH.deb; false when it is not of that form. Caller frees. */
bool deb_file_parse(const char *file, char **pkg, char **version);
/* A .deb for pkg already in debs_dir at any version, the newest; NULL if none. */
char *deb_find_cached(const char *debs_dir, const char *pkg, char **version);

/* --- a snapshot archive: versions the apt lists no longer carry (snapshot.c) --- */

/* The snapshot archive's base URL: $LPATCH_SNAPSHOT_URL, else Debian's
 * https://snapshot.debian.org; NULL when LPATCH_SNAPSHOT_URL is set but empty
 * (no fallback). Caller frees. */
char *snapshot_url(void);
/* The versions of pkg the snapshot archive has, newest first, ", "-separated, in
 * *versions (caller frees; "" when none), and the URL asked in *url (may be NULL).
 * 0 some, 1 none or no archive set, -1 unreachable (a warning printed). */
int snapshot_versions(const char *pkg, char **versions, char **url);
/* Does the snapshot archive have pkg at version (this architecture or all)? 0, or
 * -1 with an error naming pkg, version and the URL (absent, unreachable). */
int snapshot_check(const char *pkg, const char *version);
/* pkg's .deb at exactly version from the snapshot archive into debs_dir under
 * the name apt-get download gives it: its size and SHA-1 checked against the
 * archive's word and its control (Package, Version) with dpkg-deb, then renamed
 * into place. Its path, or NULL with an error naming pkg, version and URL. */
char *snapshot_fetch(const char *debs_dir, const char *pkg, const char *version);

/* A control field of a .deb (dpkg-deb -f); NULL if it has none. Caller frees. */
char *deb_field(const char *deb, const char *field);
/* The first package deb depends on named prefix...suffix; NULL if none. */
char *deb_depends_on(const char *deb, const char *prefix, const char *suffix);

/* --- Debian source packages (source.c) --- */

/* How lpatch builds a Debian source package: as the archive does, binary
 * packages only, without the extra multilib flavours (their objects would
 * be compared too), without the test suite; the reference build keeps the
 * symbols (nostrip changes no code, only what dh_strip removes). */
#define DEB_BUILD_COMMAND "dpkg-buildpackage -b -uc -us " DEB_BUILD_PROFILES
#define DEB_BUILD_PROFILES "-Pnobiarch"
#define DEB_BUILD_OPTIONS_REFERENCE "nocheck nostrip"
#define DEB_BUILD_OPTIONS_PATCH "nocheck"

/* An installed binary package and the source package it was built from. */
struct deb_installed {
	char *package;		/* as dpkg names it, without :arch */
	char *arch;
	char *version;
	char *source;
	char *source_version;
};

/* pkg (name or name:arch) as installed: LP_OK, LP_REFUSED when it is not
 * installed, LP_FAIL when dpkg-query cannot run; errors printed. */
int deb_installed_get(const char *pkg, struct deb_installed *out);
void deb_installed_free(struct deb_installed *d);
/* The regular ELF files pkg installed (dpkg-query -L; debug files left out),
 * NULL-terminated; NULL when dpkg-query cannot run. Caller frees each and the array. */
char **deb_installed_elf_files(const char *pkg);
/*
 * The source of src at exactly version, unpacked once into lpatch's cache
 * ($LPATCH_CACHE/deb-src/SRC_VERSION/source) by apt-get source through a
 * private apt configuration (deb-src lines: $LPATCH_DEB_SRC, else the Debian
 * archive of this release; its own lists and cache under deb-src/apt). The
 * tree's path (caller frees), NULL with an error printed.
 */
char *deb_source_get(const char *src, const char *version);
/* The build dependencies of the unpacked source tree installed: already, or
 * now with apt-get build-dep as root; otherwise LP_REFUSED naming them. */
int deb_build_deps(const char *tree);
/* A copy of tree built once with DEB_BUILD_COMMAND and
 * DEB_BUILD_OPTIONS=DEB_BUILD_OPTIONS_REFERENCE, cached next to the source;
 * its path (caller frees), NULL with an error printed. */
char *deb_reference_build(const char *src, const char *version, const char *tree);

#endif
