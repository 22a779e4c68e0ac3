/*
 * lpatch package: a Debian package per livepatch (docs/fleet.md). It holds the
 * module of the fix for every release it was built for under
 * /usr/lib/lpatch/packages/PACKAGE/RELEASE/MODULE.ko, and maintainer scripts
 * that put them into lpatch's store (`lpatch install`), load the one for the
 * running kernel (`lpatch load`), take over from the package's previous
 * version (atomic replace, then the old module removed) and, on removal,
 * unload and uninstall. A withdrawal is a version with no module: installing
 * it unloads and uninstalls the fix everywhere.
 */
#ifndef LPATCH_FLEET_PACKAGE_H
#define LPATCH_FLEET_PACKAGE_H

#include "host/patchinfo.h"

#include <stdbool.h>
#include <stddef.h>

#define FLEET_SHIP_DIR "/usr/lib/lpatch/packages"	/* where the package puts modules */
#define FLEET_RECORD_DIR "packages"			/* under the store: what each package installed */

struct fleet_pkg_opts {
	char *const *modules;		/* the fix's modules, one per release */
	size_t nmodules;
	const char *package;		/* package name, or NULL: from the module name */
	const char *version;		/* the package's version (required) */
	const char *maintainer;		/* "Name <mail>", or NULL: FLEET_DEFAULT_MAINTAINER */
	const char *outdir;		/* where the .deb goes ("." when NULL) */
	bool withdraw;			/* no module: the version that withdraws the fix */
	const char *description;	/* withdraw: why (NULL: a default) */
};
#define FLEET_DEFAULT_MAINTAINER "lpatch maintainers <lpatch@example.org>"

/* One release's module, as read. */
struct fleet_pkg_module {
	char *path;			/* the .ko given */
	char *release;			/* its target release */
	struct patch_info info;
};

/* What a package holds: its control data and modules, before it is written. */
struct fleet_pkg {
	char *package, *version, *maintainer, *module;	/* module: NULL when withdrawn */
	struct fleet_pkg_module *mods;	/* sorted by release */
	size_t nmods;
	struct patch_info meta;		/* CVEs of every module; description, sha256 of the first */
	bool withdraw;
	char *why;			/* withdraw: the reason */
};

/*
 * Read and check the modules: each a livepatch with a target release, one
 * module name for all, no release twice, a valid Debian package name and
 * version. Returns LP_OK, or LP_REFUSED with the reason printed. Free *p with
 * fleet_pkg_free whatever the result.
 */
int fleet_pkg_read(const struct fleet_pkg_opts *o, struct fleet_pkg *p);
void fleet_pkg_free(struct fleet_pkg *p);

/* The DEBIAN/control text (Installed-Size in KiB given); caller frees. */
char *fleet_pkg_control(const struct fleet_pkg *p, unsigned long installed_kb);
/* The maintainer script "postinst", "prerm" or "postrm"; caller frees. */
char *fleet_pkg_script(const struct fleet_pkg *p, const char *which);

/*
 * Write PACKAGE_VERSION_amd64.deb into outdir with dpkg-deb, atomically.
 * An exit code (0, 1); *deb is the file written (caller frees).
 */
int fleet_pkg_write(const struct fleet_pkg *p, const char *outdir, char **deb);

/* Debian's rules: a package name ([a-z0-9][a-z0-9+.-]+), a version
 * ([EPOCH:]UPSTREAM[-REVISION], starting with a digit). */
bool fleet_valid_package(const char *s);
bool fleet_valid_version(const char *s);

#endif
