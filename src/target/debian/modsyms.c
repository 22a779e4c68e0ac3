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

/* One member of pkg (at t's version) installed as dest. */
static int extract(const struct kernel_target *t, const char *pkg, const char *member,
		   const char *dest)
{
	struct debian_ctx c = {0};
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
	return ret;
}

char *debian_member_once(const struct kernel_target *t, const char *pkg, const char *member,
			 const char *dest, const char *what)
{
	char *lock_file, *path = xstrdup(dest);
	int fd;

	if (path_exists(path))
		return path;
	lock_file = xasprintf("%s/.lock-members", t->dir);
	fd = lock_path(lock_file, what);
	if (fd < 0 || (!path_exists(path) && extract(t, pkg, member, path))) {
		free(path);
		path = NULL;
	}
	if (fd >= 0)
		unlock_path(fd);
	free(lock_file);
	return path;
}

char *debian_module_symbols(const struct kernel_target *t, const char *relpath)
{
	char *dest = xasprintf("%s/symbols/modules/%s", t->dir, relpath);
	char *pkg = xasprintf("linux-image-%s-dbg", t->release);
	char *member = xasprintf("./usr/lib/debug/lib/modules/%s/%s", t->release, relpath);
	char *what = xasprintf("module symbols of %s in the cache", t->release);
	char *path = debian_member_once(t, pkg, member, dest, what);

	free(what);
	free(member);
	free(pkg);
	free(dest);
	return path;
}

/* Debian signs the kernel for Secure Boot in linux-image-<rel> (built from
 * linux-signed-amd64); lpatch's image step may have taken the -unsigned
 * twin, whose code is the same. */
char *debian_signed_image(const struct kernel_target *t)
{
	char *dest = xasprintf("%s/signed/vmlinuz-%s", t->dir, t->release);
	char *pkg = xasprintf("linux-image-%s", t->release);
	char *member = xasprintf("./boot/vmlinuz-%s", t->release);
	char *what = xasprintf("the signed kernel image of %s in the cache", t->release);
	char *path = debian_member_once(t, pkg, member, dest, what);

	free(what);
	free(member);
	free(pkg);
	free(dest);
	return path;
}
