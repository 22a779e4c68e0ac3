/*
 * A build root per Debian suite: the suite's own compiler, binutils, libc
 * headers and the kernel's build dependencies, so a kernel of that suite is
 * rebuilt with exactly the tools it was built with (gcc-14 for Debian 13)
 * whatever the host runs. Made with mmdebstrap from the suite's archive
 * lines; kbuild enters it with chroot in a mount namespace (util/run.c).
 */
#include "target/debian/steps.h"

#include "target/stamp.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"
#include "util/tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What modules_prepare, single-object builds and M= module builds need
 * (the kernel's Build-Depends that matter for them), besides the compiler. */
#define BUILDROOT_PACKAGES \
	"make,bc,bison,flex,libelf-dev,libssl-dev,libc6-dev,binutils,perl,kmod,cpio," \
	"xz-utils,zstd,dwarves,pkgconf,python3"

/* Is root complete: stamped, with the suite's compiler? */
static bool ready(const struct debian_suite *s, const char *roots, const char *root)
{
	char *cc = xasprintf("%s/usr/bin/%s", root, s->cc);
	bool ok = stamp_done(roots, s->codename) && path_exists(cc);

	free(cc);
	return ok;
}

static int make_root(const struct debian_suite *s, const char *roots, const char *root)
{
	char *tmp = xasprintf("%s/.%s.new.XXXXXX", roots, s->codename);
	char *log = xasprintf("%s/%s.log", roots, s->codename);
	char *include = xasprintf("--include=%s,gcc,%s", s->cc, BUILDROOT_PACKAGES);
	const char *argv[16];
	size_t k = 0;
	time_t t0 = time(NULL);
	int ret = -1;

	if (!have_program("mmdebstrap")) {
		lp_err("the build root of Debian %d (%s) is made with mmdebstrap, which is not "
		       "installed", s->number, s->codename);
		lp_hint("install it: `apt-get install mmdebstrap`");
		goto out;
	}
	if (!mkdtemp(tmp)) {
		lp_perr("cannot create a directory for the build root in %s", roots);
		goto out;
	}
	argv[k++] = "mmdebstrap";
	argv[k++] = "--variant=minbase";
	argv[k++] = include;
	argv[k++] = "--mode=root";
	argv[k++] = s->codename;
	argv[k++] = tmp;
	for (const char *const *l = s->archive; *l && k < 15; l++)
		argv[k++] = *l;
	argv[k] = NULL;
	lp_progress("making the build root of Debian %d (%s) with %s in %s (mmdebstrap: a few "
		    "minutes, once)", s->number, s->codename, s->cc, root);
	if (tool_run_in(argv, NULL, log, "making the build root (mmdebstrap)", NULL, NULL))
		goto out;
	/* complete: replace whatever was there (a damaged root) at once */
	if (path_exists(root) && rm_rf(root)) {
		lp_perr("cannot remove the old build root %s", root);
		goto out;
	}
	if (rename(tmp, root)) {
		lp_perr("cannot rename %s to %s", tmp, root);
		goto out;
	}
	ret = stamp_mark(roots, s->codename, s->cc);
	if (!ret)
		lp_progress("the build root %s is ready (%lld s)", root, (long long)(time(NULL) - t0));
out:
	if (ret && path_exists(tmp))
		rm_rf(tmp);
	free(include);
	free(log);
	free(tmp);
	return ret;
}

char *debian_buildroot(const struct debian_suite *s, const char *cache)
{
	char *roots = path_join(cache, "roots");
	char *root = path_join(roots, s->codename);
	char *lock = xasprintf("%s/.lock-%s", roots, s->codename);
	char *what = xasprintf("the build root of %s", s->codename);
	int fd = -1, ret = -1;

	if (ready(s, roots, root)) {
		ret = 0;
		goto out;
	}
	if (mkdir_p(roots) || (fd = lock_path(lock, what)) < 0)
		goto out;
	/* whoever held the lock may have made it meanwhile */
	if (ready(s, roots, root)) {
		ret = 0;
	} else {
		stamp_clear(roots, s->codename);
		ret = make_root(s, roots, root);
	}
	unlock_path(fd);
out:
	free(what);
	free(lock);
	free(roots);
	if (ret) {
		free(root);
		root = NULL;
	}
	return root;
}
