/*
 * The steps that fill a Debian target's cache directory, one stamp each:
 *   image    linux-image-<rel>[-unsigned]: vmlinuz, config, modules (+ depmod)
 *   headers  linux-headers-<rel>, -common, linux-kbuild: a tree for M= builds
 *            (kbuild's scripts and objtool from the prepared source tree when
 *            linux-kbuild at the image's version is no longer in the archive)
 *   symbols  linux-image-<rel>-dbg: vmlinux and the real System.map
 *   source   linux-source-X.Y: extracted, configured, modules_prepare done
 * Every package is taken at exactly the image's version.
 */
#ifndef LPATCH_TARGET_DEBIAN_STEPS_H
#define LPATCH_TARGET_DEBIAN_STEPS_H

#include "target/debian/release.h"
#include "deb/deb.h"
#include "target/target.h"

struct debian_ctx {
	const struct debian_suite *suite;	/* which Debian (the spec's prefix) */
	char *root;		/* the suite's build root (kbuild runs there); NULL: the host */
	struct debian_release r;
	char *version;		/* the image's Debian version; every package must match it */
	char *image_pkg;	/* linux-image-<rel>-unsigned, or the signed one */
	char *debs;		/* <cache>/debs */
	char *dir;		/* <cache>/targets/<release> */
	char *log;		/* <dir>/prepare.log: output of the tools */
	struct apt_pkg *known;	/* what apt said of the packages, asked once for all */
	size_t nknown;
	char *kbuild_pkg;	/* linux-kbuild-X.Y (guessed from the release) */
	bool kbuild_from_source;/* kbuild_pkg is not at version: its tools come from the
				 * prepared source tree, so the source step goes first */
};

/* Where each step leaves its results, relative to the target's dir. */
#define DEBIAN_IMAGE_DIR "image"
#define DEBIAN_HEADERS_DIR "headers"
#define DEBIAN_SYMBOLS_DIR "symbols"
#define DEBIAN_SOURCE_DIR "source"

int debian_step_image(struct debian_ctx *c);
int debian_step_headers(struct debian_ctx *c);
int debian_step_symbols(struct debian_ctx *c);
int debian_step_source(struct debian_ctx *c);

/* Before anything is fetched: every package the missing steps of *need use
 * is in the cache or known to apt at c->version (one apt-cache run). When
 * linux-kbuild is not at that version, sets c->kbuild_from_source and adds
 * TARGET_SOURCE to *need (and checks its package too). 0, or -1 with an
 * error naming each package whose version disagrees. */
int debian_check_packages(struct debian_ctx *c, unsigned *need);
/* pkg's .deb at c->version: from the cache, else downloaded; NULL with an
 * error saying which versions disagree. */
char *debian_get_deb(struct debian_ctx *c, const char *pkg);
/* Extract only the named members (./path, at most 3) of deb's data into
 * dir: stops reading the archive once they are found. */
int debian_extract_members(struct debian_ctx *c, const char *deb, const char *dir,
			   const char *const *members);

/* The build root of suite s: <cache>/roots/<codename>, a minimal system of
 * the suite with its compiler and the kernel's build dependencies, made
 * once with mmdebstrap (in a temporary directory, renamed into place when
 * complete) under a lock. Its path, or NULL with an error. */
char *debian_buildroot(const struct debian_suite *s, const char *cache);

/* Fetch and prepare a Debian target (target_open for "debian:..."). */
int debian_target_open(const char *spec, unsigned need, struct kernel_target *t);

/* The -dbg package's copy of a module (relpath as in modules.dep),
 * extracted once into <dir>/symbols/modules/ under a lock; its path, or
 * NULL with an error. Caller frees. */
char *debian_module_symbols(const struct kernel_target *t, const char *relpath);
/* The kernel image Debian signs for Secure Boot (from linux-image-<rel>, not
 * -unsigned), extracted once into <dir>/signed/; NULL with an error. */
char *debian_signed_image(const struct kernel_target *t);
/* Member (./path) of pkg at t's version extracted once as dest, under a
 * lock (what names it in a wait message); dest, or NULL with an error. */
char *debian_member_once(const struct kernel_target *t, const char *pkg, const char *member,
			 const char *dest, const char *what);

#endif
