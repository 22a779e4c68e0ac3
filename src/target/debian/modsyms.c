/*
 * Modules with their symbols, from linux-image-<rel>-dbg. The loadable
 * modules are stripped of their FILE symbols, which lpatch needs to tell
 * same-named statics of one module apart; the -dbg package has every module
 * whole. Only the module a patch touches is extracted, once.
 */
#include "target/debian/steps.h"

#include "util/cache.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int extract(const struct kernel_target *t, const char *relpath, const char *dest)
{
	struct debian_ctx c = {0};
	char *pkg = xasprintf("linux-image-%s-dbg", t->release);
	char *member = xasprintf("./usr/lib/debug/lib/modules/%s/%s", t->release, relpath);
	const char *members[] = { member, NULL };
	char *tmp = NULL, *got = NULL, *deb = NULL, *cache = NULL, *dir = path_dirname(dest);
	int ret = -1;

	if (!debian_parse_release(t->release, &c.r)) {
		lp_err("%s is not a Debian kernel release", t->release);
		goto out;
	}
	c.version = t->version;
	cache = lp_cache_dir();
	c.debs = path_join(cache, "debs");
	c.dir = t->dir;
	c.log = path_join(t->dir, "prepare.log");
	if (!(deb = debian_get_deb(&c, pkg)))
		goto out;
	tmp = xasprintf("%s.extract", dest);
	rm_rf(tmp);
	if (debian_extract_members(&c, deb, tmp, members))
		goto out;
	got = path_join(tmp, member);
	if (!path_exists(got)) {
		lp_err("%s has no %s", pkg, member + 1);
		goto out;
	}
	ret = mkdir_p(dir) || atomic_install(got, dest, 0644) ? -1 : 0;
out:
	if (tmp)
		rm_rf(tmp);
	debian_release_free(&c.r);
	free(c.debs);
	free(c.log);
	free(cache);
	free(dir);
	free(got);
	free(tmp);
	free(deb);
	free(member);
	free(pkg);
	return ret;
}

char *debian_module_symbols(const struct kernel_target *t, const char *relpath)
{
	char *dest = xasprintf("%s/symbols/modules/%s", t->dir, relpath);
	char *lock_file, *what;
	int fd;

	if (path_exists(dest))
		return dest;
	lock_file = xasprintf("%s/.lock-modsyms", t->dir);
	what = xasprintf("module symbols of %s in the cache", t->release);
	fd = lock_path(lock_file, what);
	if (fd < 0 || (!path_exists(dest) && extract(t, relpath, dest))) {
		free(dest);
		dest = NULL;
	}
	if (fd >= 0)
		unlock_path(fd);
	free(what);
	free(lock_file);
	return dest;
}
