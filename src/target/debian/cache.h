/*
 * What lpatch's cache holds for each Debian release, and removing releases
 * from it (lpatch cache list / prune). The cache (util/cache.h) is
 *   debs/               the .debs, named as `apt-get download` names them
 *   targets/RELEASE/    image/, headers/, symbols/, source/ (the prepared tree),
 *                       vm/ (the guest's modules disk), prepare.log, stamps, locks
 *   anything else       logs/ (kept failure logs), vm/ (busybox), ...: "other"
 * A .deb named after a release (linux-image-REL[-unsigned|-dbg], linux-headers-REL)
 * is that release's; linux-source-X.Y, linux-kbuild-X.Y and linux-headers-ABI-common
 * at a version are shared by the releases at that version.
 */
#ifndef LPATCH_TARGET_DEBIAN_CACHE_H
#define LPATCH_TARGET_DEBIAN_CACHE_H

#include <stdbool.h>
#include <stddef.h>

enum cache_part {
	CACHE_DEBS,	/* its own .debs and the shared ones at its version */
	CACHE_IMAGE,
	CACHE_HEADERS,
	CACHE_SYMBOLS,
	CACHE_SOURCE,	/* the prepared source tree (builds leave no objects in it) */
	CACHE_VM,
	CACHE_LOGS,	/* prepare.log, and the stamps and locks */
	CACHE_NPARTS
};

/* The parts' names, for output: "debs", "image", ... */
extern const char *const cache_part_names[CACHE_NPARTS];

struct cache_release {
	char *release;		/* 6.1.0-57-cloud-amd64 */
	char *version;		/* its image's Debian version; NULL when unknown */
	char *dir;		/* <cache>/targets/<release>, NULL when there is none */
	long long bytes[CACHE_NPARTS];	/* disk taken (allocated blocks) */
	long long shared;	/* of bytes[CACHE_DEBS]: debs other releases use too */
	long long total;
	bool busy;		/* a running lpatch holds one of its locks */
	char **debs;		/* paths of the .debs counted in bytes[CACHE_DEBS] */
	bool *deb_shared;	/* debs[i] is one of the shared ones */
	size_t ndebs;
};

struct cache_inventory {
	char *dir;		/* the cache */
	struct cache_release *r;	/* newest first */
	size_t n;
	long long other;	/* disk of what belongs to no release */
	long long total;	/* the whole cache, each file once */
};

/* Look at the cache dir. 0, or -1 with an error (nothing there is fine). */
int cache_scan(const char *dir, struct cache_inventory *inv);
void cache_inventory_free(struct cache_inventory *inv);

/*
 * Remove the releases whose remove[i] is set: each one's target directory
 * (renamed aside under its locks, then deleted) and its .debs, the shared
 * ones only when no release that stays is at their version. A release whose
 * lock a running lpatch holds is left whole (*busy counts them, a warning
 * says so). dry_run: nothing is removed. *freed: the disk given back (or
 * that would be). 0, or -1 when something could not be removed (said).
 */
int cache_remove(struct cache_inventory *inv, const bool *remove, bool dry_run,
		 long long *freed, size_t *busy);

#endif
