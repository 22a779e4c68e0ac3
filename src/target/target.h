/*
 * A target kernel: the exact kernel a livepatch is built for and tried on,
 * and where its artifacts live in lpatch's cache.
 */
#ifndef LPATCH_TARGET_TARGET_H
#define LPATCH_TARGET_TARGET_H

#include "util/run.h"

#include <stdbool.h>
#include <stddef.h>

struct target_provider;

struct kernel_target {
	const struct target_provider *provider;	/* who resolved it; NULL for --src */
	char *spec;		/* as given: "debian:cloud", "debian:6.1.0-56-cloud-amd64", or the --src dir */
	char *release;		/* uname -r of the target, e.g. 6.1.0-56-cloud-amd64 */
	char *version;		/* the distribution's package version (Debian: 6.1.192-2); NULL for --src */
	char *dir;		/* the target's directory in the cache */
	char *vmlinuz;		/* bootable image */
	char *config;		/* kernel .config */
	char *vmlinux;		/* vmlinux with a full symbol table (FILE symbols included) */
	char *system_map;	/* real System.map */
	char *symvers;		/* Module.symvers: what vmlinux and the modules export */
	char *headers;		/* tree to build external modules against: make -C headers M=DIR */
	char *modules;		/* the target's /lib/modules/<release>, with modules.dep */
	char *src;		/* prepared source tree (config applied, modules_prepare done) */
	char *cc;		/* the compiler the target was built with, e.g. gcc-12 */
	char *root;		/* the build root kbuild runs in (chroot: the target's suite,
				 * with its compiler); NULL: the host */
};

/* What a caller needs present; target_open fetches and prepares only that. */
enum target_need {
	TARGET_BOOT = 1 << 0,		/* vmlinuz, modules */
	TARGET_HEADERS = 1 << 1,	/* headers, symvers */
	TARGET_SYMBOLS = 1 << 2,	/* vmlinux, system_map */
	TARGET_SOURCE = 1 << 3,		/* src (prepared) */
};

/*
 * A source of target kernels: a distribution whose kernels lpatch fetches
 * and prepares itself. Each lives in its own folder (target/debian/); the
 * rest of lpatch sees only this interface.
 */
struct target_provider {
	const char *prefix;	/* the spec's "PREFIX:" part, e.g. "debian" */
	const char *forms;	/* the accepted specs, for messages */
	/* target_open for a spec with this prefix (t is zeroed): an lp_status. */
	int (*open)(const char *spec, unsigned need, struct kernel_target *t);
	/* The copy with symbols of a module of t (relpath as in modules.dep),
	 * or NULL with an error. Caller frees. */
	char *(*module_symbols)(const struct kernel_target *t, const char *relpath);
	/* The kernel image the distribution signs for Secure Boot (the same
	 * code as vmlinuz), or NULL with an error. Caller frees. NULL member:
	 * the provider has none. */
	char *(*signed_image)(const struct kernel_target *t);
	/* Where a vmlinux and modules with symbols come from, for hints. */
	const char *symbols_hint;
	/* The exact specs of a set of releases: spec (before the '@') names a
	 * flavour, which the set ("all": every release of it the provider can
	 * build). An lp_status; *specs (n of them) is the caller's. NULL: the
	 * provider has no sets. */
	int (*list)(const char *spec, const char *which, char ***specs, size_t *n);
};

/*
 * Resolve spec ("PROVIDER:...", e.g. "debian:cloud") and make
 * sure what `need` asks for is in the cache, fetching with apt and preparing
 * as needed. Prints progress lines; on failure prints what failed and why.
 * Returns an lp_status: LP_OK; LP_FAIL when fetching or preparing failed;
 * LP_REFUSED when the spec is refused (not an accepted form, or no such
 * release). lp_exit_code() turns it into the command's exit code.
 * A second call with everything in the cache runs no apt and no make.
 */
int target_open(const char *spec, unsigned need, struct kernel_target *t);

/*
 * The exact targets a spec stands for: "PROVIDER:FLAVOUR@all" (every release
 * of the flavour, e.g. debian:cloud@all) is expanded by its provider, any
 * other spec stands for itself. Appended to *specs (*n of them, each
 * allocated; the array grows with grow_array). Nothing is fetched. An
 * lp_status, the error printed.
 */
int target_expand(const char *spec, char ***specs, size_t *n, size_t *cap);

/*
 * A kernel given by its parts (any distribution): --src --config --vmlinux
 * [--symvers]. src must be prepared (olddefconfig, modules_prepare); config
 * (NULL: src/.config) must agree with src/.config and vmlinux (NULL:
 * src/vmlinux) must be the release src builds. headers = src; symvers
 * defaults to src/Module.symvers. LP_OK, or LP_REFUSED when the parts are
 * refused (error printed).
 */
int target_custom(const char *src, const char *config, const char *vmlinux,
		  const char *symvers, struct kernel_target *t);

/* Exclusive use of the prepared source tree while objects are built in it.
 * Returns a lock fd for target_unlock_source(), or -1. */
int target_lock_source(const struct kernel_target *t);
void target_unlock_source(int fd);

void target_free(struct kernel_target *t);

/* t's kernel image signed for Secure Boot, or NULL with an error (a --src
 * target, or a provider with no signed images). Caller frees. */
char *target_signed_image(const struct kernel_target *t);

/*
 * Run the target's build tools (make in src or headers) where the target
 * is built: in t->root when it has one, with lpatch's cache, the temporary
 * directory, extra (NULL: none) and /dev, /proc bound in at their own
 * paths; else on the host. o is filled (root and binds; the rest is the
 * caller's).
 */
void target_run_opts(const struct kernel_target *t, const char *extra, struct run_opts *o);

/* The symbols hint of t's provider, or a general one. */
const char *target_symbols_hint(const struct kernel_target *t);

#endif
