/* The Debian releases in lpatch's cache, the disk each part takes, and
 * removing releases safely (lpatch cache list / prune). */
#include "target/debian/cache.h"

#include "target/debian/release.h"
#include "target/stamp.h"
#include "deb/deb.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/strset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const cache_part_names[CACHE_NPARTS] = {
	"debs", "image", "headers", "symbols", "source", "vm", "logs",
};

/* Disk taken by path and all below it (allocated blocks, symlinks not
 * followed); a file with several links counts once per seen set. */
static long long du(const char *path, struct strset *seen)
{
	struct stat st;
	long long sum;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st))
		return 0;
	if (seen && !S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		char key[64];

		snprintf(key, sizeof(key), "%llx:%llx", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
		if (!strset_add(seen, key))
			return 0;
	}
	sum = (long long)st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return sum;
	while ((e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = path_join(path, e->d_name);
		sum += du(sub, seen);
		free(sub);
	}
	closedir(d);
	return sum;
}

/* The disk of the directory entry itself (not what is in it). */
static long long du_self(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : (long long)st.st_blocks * 512;
}

static struct cache_release *find(struct cache_inventory *inv, const char *rel, bool add)
{
	for (size_t i = 0; i < inv->n; i++)
		if (!strcmp(inv->r[i].release, rel))
			return &inv->r[i];
	if (!add)
		return NULL;
	inv->r = xrealloc(inv->r, (inv->n + 1) * sizeof(*inv->r));
	memset(&inv->r[inv->n], 0, sizeof(*inv->r));
	inv->r[inv->n].release = xstrdup(rel);
	return &inv->r[inv->n++];
}

static void add_deb(struct cache_release *r, const char *path, bool shared)
{
	r->debs = xrealloc(r->debs, (r->ndebs + 1) * sizeof(*r->debs));
	r->deb_shared = xrealloc(r->deb_shared, (r->ndebs + 1) * sizeof(*r->deb_shared));
	r->debs[r->ndebs] = xstrdup(path);
	r->deb_shared[r->ndebs++] = shared;
}

/* The release a package is named after (linux-image-REL[-unsigned|-dbg],
 * linux-headers-REL), or NULL (shared or unrelated). */
static char *owner(const char *pkg)
{
	const char *prefixes[] = { "linux-image-", "linux-headers-" };
	const char *suffixes[] = { "-unsigned", "-dbg" };
	struct debian_release r;
	char *rel = NULL;

	for (size_t i = 0; i < 2 && !rel; i++)
		if (str_starts(pkg, prefixes[i]))
			rel = xstrdup(pkg + strlen(prefixes[i]));
	for (size_t i = 0; i < 2 && rel; i++)
		if (str_ends(rel, suffixes[i]))
			rel[strlen(rel) - strlen(suffixes[i])] = '\0';
	if (!rel || str_ends(rel, "-common") || !debian_parse_release(rel, &r)) {
		free(rel);
		return NULL;
	}
	debian_release_free(&r);
	return rel;
}

/* Shared by the releases at its version: source, kbuild, headers-common. */
static bool shared_pkg(const char *pkg)
{
	return str_starts(pkg, "linux-source-") || str_starts(pkg, "linux-kbuild-") ||
	       (str_starts(pkg, "linux-headers-") && str_ends(pkg, "-common"));
}

/* The lock files of a target dir: .lock-STEP, .source.lock, vm/.modules.lock. */
static size_t lock_files(const char *dir, char **out, size_t max)
{
	const char *subs[] = { "", "vm" };
	size_t n = 0;

	for (size_t s = 0; s < 2; s++) {
		char *d = *subs[s] ? path_join(dir, subs[s]) : xstrdup(dir);
		DIR *dh = opendir(d);
		struct dirent *e;

		while (dh && (e = readdir(dh)) && n < max)
			if (e->d_name[0] == '.' && (str_starts(e->d_name, ".lock-") ||
						    str_ends(e->d_name, ".lock")))
				out[n++] = path_join(d, e->d_name);
		if (dh)
			closedir(dh);
		free(d);
	}
	return n;
}

#define MAX_LOCKS 32

/* Take every lock of dir without waiting: their fds in fds (-1 ends), true;
 * false (none kept) when a running lpatch holds one. */
static bool lock_all(const char *dir, int *fds)
{
	char *locks[MAX_LOCKS];
	size_t n = lock_files(dir, locks, MAX_LOCKS), k = 0;
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		int fd = ok ? open(locks[i], O_RDWR | O_CLOEXEC) : -1;

		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
			int err = errno;

			close(fd);
			fd = -1;
			ok = err != EWOULDBLOCK;
		}
		if (fd >= 0)
			fds[k++] = fd;
		free(locks[i]);
	}
	fds[k] = -1;
	if (!ok)
		for (size_t i = 0; i < k; i++)
			close(fds[i]);
	if (!ok)
		fds[0] = -1;
	return ok;
}

static void unlock_all(int *fds)
{
	for (size_t i = 0; fds[i] >= 0; i++)
		close(fds[i]);
	fds[0] = -1;
}

static enum cache_part part_of(const char *name)
{
	for (int p = CACHE_IMAGE; p < CACHE_LOGS; p++)
		if (!strcmp(name, cache_part_names[p]))
			return (enum cache_part)p;
	return CACHE_LOGS;
}

static void scan_target(struct cache_release *r, struct strset *seen)
{
	DIR *d = opendir(r->dir);
	struct dirent *e;
	int fds[MAX_LOCKS + 1];

	while (d && (e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = path_join(r->dir, e->d_name);
		r->bytes[part_of(e->d_name)] += du(sub, seen);
		free(sub);
	}
	if (d)
		closedir(d);
	r->busy = !lock_all(r->dir, fds);
	unlock_all(fds);
	if (!r->version)
		r->version = stamp_read(r->dir, "image");
}

static int newest_first(const void *a, const void *b)
{
	const struct cache_release *x = a, *y = b;
	int c;

	if (!x->version || !y->version)
		c = !x->version - !y->version;
	else
		c = -deb_version_cmp(x->version, y->version);
	return c ? c : strcmp(x->release, y->release);
}

/* Pass over debs/: each .deb to its release, or kept aside as shared
 * (*shared: their paths, with their package in *spkg and version in *sver). */
static void scan_debs(struct cache_inventory *inv, const char *debs, char ***shared,
		      char ***sver, size_t *nshared)
{
	DIR *d = opendir(debs);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *pkg, *ver, *rel, *path;

		if (!deb_file_parse(e->d_name, &pkg, &ver))
			continue;
		path = path_join(debs, e->d_name);
		if ((rel = owner(pkg))) {
			struct cache_release *r = find(inv, rel, true);

			add_deb(r, path, false);
			r->bytes[CACHE_DEBS] += du(path, NULL);
			/* the image's version is the release's */
			if (str_starts(pkg, "linux-image-") && !str_ends(pkg, "-dbg") && !r->version)
				r->version = xstrdup(ver);
		} else if (shared_pkg(pkg)) {
			*shared = xrealloc(*shared, (*nshared + 1) * sizeof(**shared));
			*sver = xrealloc(*sver, (*nshared + 1) * sizeof(**sver));
			(*shared)[*nshared] = xstrdup(path);
			(*sver)[(*nshared)++] = xstrdup(ver);
		}
		free(path);
		free(rel);
		free(pkg);
		free(ver);
	}
	if (d)
		closedir(d);
}

/* Disk of what in dir is neither debs/ nor a release's target dir. */
static long long du_other(const struct cache_inventory *inv, const char *dir,
			  struct strset *seen)
{
	long long sum = du_self(dir);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = path_join(dir, e->d_name);
		if (!strcmp(e->d_name, "debs") || !strcmp(e->d_name, "targets")) {
			/* only what no release took: unnamed debs, stray dirs, the dirs themselves */
			DIR *d2 = opendir(sub);
			struct dirent *e2;

			sum += du_self(sub);
			while (d2 && (e2 = readdir(d2))) {
				char *f;
				bool taken = false;

				if (!strcmp(e2->d_name, ".") || !strcmp(e2->d_name, ".."))
					continue;
				f = path_join(sub, e2->d_name);
				for (size_t i = 0; i < inv->n && !taken; i++) {
					const struct cache_release *r = &inv->r[i];

					taken = r->dir && !strcmp(r->dir, f);
					for (size_t k = 0; k < r->ndebs && !taken; k++)
						taken = !strcmp(r->debs[k], f);
				}
				if (!taken)
					sum += du(f, seen);
				free(f);
			}
			if (d2)
				closedir(d2);
		} else {
			sum += du(sub, seen);
		}
		free(sub);
	}
	if (d)
		closedir(d);
	return sum;
}

int cache_scan(const char *dir, struct cache_inventory *inv)
{
	char *targets = path_join(dir, "targets"), *debs = path_join(dir, "debs");
	char **shared = NULL, **sver = NULL;
	size_t nshared = 0;
	struct strset seen = {0};
	long long releases = 0;
	DIR *d;
	struct dirent *e;

	memset(inv, 0, sizeof(*inv));
	inv->dir = xstrdup(dir);
	if ((d = opendir(targets))) {
		while ((e = readdir(d))) {
			struct debian_release r;
			char *sub = path_join(targets, e->d_name);

			if (e->d_name[0] != '.' && path_is_dir(sub) &&
			    debian_parse_release(e->d_name, &r)) {
				find(inv, e->d_name, true)->dir = xstrdup(sub);
				debian_release_free(&r);
			}
			free(sub);
		}
		closedir(d);
	}
	scan_debs(inv, debs, &shared, &sver, &nshared);
	/* one walk of each target dir: it is most of the cache (a source tree is
	 * some 70000 files) */
	for (size_t i = 0; i < inv->n; i++)
		if (inv->r[i].dir)
			scan_target(&inv->r[i], &seen);
	for (size_t s = 0; s < nshared; s++) {
		long long size = du(shared[s], NULL);
		bool used = false;

		for (size_t i = 0; i < inv->n; i++) {
			struct cache_release *r = &inv->r[i];

			if (r->version && !strcmp(r->version, sver[s])) {
				add_deb(r, shared[s], true);
				r->bytes[CACHE_DEBS] += size;
				r->shared += size;
				used = true;
			}
		}
		if (used)
			releases += size;
		free(shared[s]);
		free(sver[s]);
	}
	free(shared);
	free(sver);
	for (size_t i = 0; i < inv->n; i++) {
		struct cache_release *r = &inv->r[i];

		for (int p = 0; p < CACHE_NPARTS; p++)
			r->total += r->bytes[p];
		/* each file once: its own debs and target dir (shared debs above) */
		releases += r->total - r->shared;
	}
	inv->other = du_other(inv, dir, &seen);
	inv->total = releases + inv->other;
	qsort(inv->r, inv->n, sizeof(*inv->r), newest_first);
	strset_free(&seen);
	free(targets);
	free(debs);
	return 0;
}

void cache_inventory_free(struct cache_inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		struct cache_release *r = &inv->r[i];

		free(r->release);
		free(r->version);
		free(r->dir);
		for (size_t k = 0; k < r->ndebs; k++)
			free(r->debs[k]);
		free(r->debs);
		free(r->deb_shared);
	}
	free(inv->r);
	free(inv->dir);
	memset(inv, 0, sizeof(*inv));
}

/* Is a shared .deb at version still used by a release that stays? */
static bool kept_user(const struct cache_inventory *inv, const bool *gone, const char *path)
{
	for (size_t i = 0; i < inv->n; i++) {
		if (gone[i])
			continue;
		for (size_t k = 0; k < inv->r[i].ndebs; k++)
			if (!strcmp(inv->r[i].debs[k], path))
				return true;
	}
	return false;
}

/* Rename the target dir aside under its locks, then delete it. */
static int remove_dir(struct cache_release *r, int *fds)
{
	char *aside = xasprintf("%s.removing.%ld", r->dir, (long)getpid());
	int ret = -1;

	if (rename(r->dir, aside)) {
		lp_perr("cannot move %s aside to remove it", r->dir);
		unlock_all(fds);
	} else {
		/* no lpatch finds it under its name any more: the locks can go */
		unlock_all(fds);
		ret = rm_rf(aside);
	}
	free(aside);
	return ret;
}

int cache_remove(struct cache_inventory *inv, const bool *remove, bool dry_run,
		 long long *freed, size_t *busy)
{
	bool *gone = xcalloc(inv->n ? inv->n : 1, sizeof(*gone));
	struct strset unlinked = {0};
	int fds[MAX_LOCKS + 1], ret = 0;

	*freed = 0;
	*busy = 0;
	/* which go: the ones asked for whose locks are free (held until the dir is aside) */
	for (size_t i = 0; i < inv->n; i++) {
		struct cache_release *r = &inv->r[i];

		if (!remove[i])
			continue;
		r->busy = r->dir && !lock_all(r->dir, fds);
		if (r->busy) {
			lp_warn("%s is in use by a running lpatch: kept", r->release);
			(*busy)++;
			continue;
		}
		gone[i] = true;
		if (r->dir && !dry_run) {
			if (remove_dir(r, fds))
				ret = -1;
		} else if (r->dir) {
			unlock_all(fds);
		}
		for (int p = CACHE_IMAGE; p < CACHE_NPARTS; p++)
			*freed += r->bytes[p];
	}
	/* then their .debs: the shared ones when no release that stays uses them */
	for (size_t i = 0; i < inv->n; i++) {
		struct cache_release *r = &inv->r[i];

		for (size_t k = 0; gone[i] && k < r->ndebs; k++) {
			struct stat st;

			if (r->deb_shared[k] && kept_user(inv, gone, r->debs[k]))
				continue;
			if (!strset_add(&unlinked, r->debs[k]) || lstat(r->debs[k], &st))
				continue;
			*freed += (long long)st.st_blocks * 512;
			if (!dry_run && unlink(r->debs[k]) && errno != ENOENT) {
				lp_perr("cannot remove %s", r->debs[k]);
				ret = -1;
			}
		}
	}
	strset_free(&unlinked);
	free(gone);
	return ret;
}
