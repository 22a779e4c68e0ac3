#include "vm/busybox.h"

#include "deb/deb.h"
#include "target/target.h"
#include "util/cache.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/str.h"
#include "vm/program.h"

#include <stdlib.h>

#define PACKAGE "busybox-static"

/* busybox-static unpacked once into <cache>/vm/ (deb_unpacked); its bin/busybox installed
 * at path (atomically). */
static int fetch(const char *cache, const char *path)
{
	struct apt_pkg p = {0};
	char *debs = path_join(cache, "debs"), *into = path_join(cache, "vm");
	char *root = NULL, *bin = NULL;
	int ret = -1, found;

	lp_progress("no static busybox on this machine: fetching %s", PACKAGE);
	found = apt_lookup(PACKAGE, NULL, &p);
	if (found == 1) {
		lp_err("apt knows no package %s", PACKAGE);
		lp_hint("run `apt-get update`, or install it: `apt-get install %s`", PACKAGE);
	} else if (found == 0 && (root = deb_unpacked(debs, into, &p, NULL))) {
		bin = path_join(root, "bin/busybox");
		if (!program_is_static(bin))
			lp_err("%s %s holds no static bin/busybox", PACKAGE, p.version);
		else
			ret = atomic_install(bin, path, 0755);
	}
	apt_pkg_free(&p);
	free(bin);
	free(root);
	free(into);
	free(debs);
	return ret;
}

char *busybox_find(void)
{
	static const char *const host[] = { "/bin/busybox", "/usr/bin/busybox", NULL };
	char *cache, *dir, *path, *lock;
	int fd, ret = 0;

	for (const char *const *h = host; *h; h++)
		if (path_exists(*h) && program_is_static(*h))
			return xstrdup(*h);
	cache = lp_cache_dir();
	dir = path_join(cache, "vm");
	path = path_join(dir, "busybox");
	if (!path_exists(path)) {
		if (mkdir_p(dir))
			ret = -1;
		lock = path_join(dir, ".busybox.lock");
		fd = ret ? -1 : lock_path(lock, "the busybox download");
		if (fd < 0)
			ret = -1;
		else if (!path_exists(path))
			ret = fetch(cache, path);
		unlock_path(fd);
		free(lock);
	}
	free(dir);
	free(cache);
	if (ret) {
		lp_hint("lpatch vm needs a static busybox: `apt-get install %s`", PACKAGE);
		free(path);
		return NULL;
	}
	return path;
}
