/* The source step of a Debian target: linux-source-X.Y at the image's
 * version, extracted, configured like the image and modules_prepare'd. */
#include "target/debian/steps.h"

#include "target/kconfig.h"
#include "target/stamp.h"
#include "util/tool.h"
#include "target/tree.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Stamp of the extraction alone: an interrupted prepare does not cost a
 * new extraction (make picks up where it stopped). */
#define EXTRACTED "source-extracted"

static int extract_source(struct debian_ctx *c, const char *dir, const char *tree)
{
	const char *series = c->r.series;
	char *pkg = xasprintf("linux-source-%s", series);
	char *deb = debian_get_deb(c, pkg);
	char *tarball = xasprintf("./usr/src/linux-source-%s.tar.xz", series);
	const char *members[] = { tarball, NULL };
	const char *untar[] = { "tar", "-x", "-I", "xz -T2", "-f", tarball, NULL };
	char *upstream = deb_upstream_version(c->version), *version = NULL, *usr = NULL;
	int ret = -1;

	if (!deb || stamp_clear(c->dir, "source") || stamp_clear(c->dir, EXTRACTED) ||
	    rm_rf(dir) || mkdir_p(dir))
		goto out;
	if (debian_extract_members(c, deb, dir, members))
		goto out;
	lp_progress("extracting source (%s, 1.5 GB)", path_basename(tarball));
	if (tool_run(untar, dir, c->log, "extracting the kernel source"))
		goto out;
	usr = path_join(dir, "usr");
	rm_rf(usr);
	version = tree_makefile_version(tree);
	if (!version || strcmp(version, upstream)) {
		lp_err("versions disagree: %s %s holds Linux %s, but the image is %s (%s)", pkg,
		       c->version, version ? version : "(unknown)", c->version, upstream);
		goto out;
	}
	ret = stamp_mark(c->dir, EXTRACTED, c->version);
out:
	free(usr);
	free(version);
	free(upstream);
	free(tarball);
	free(deb);
	free(pkg);
	return ret;
}

/* The prepared tree must be configured exactly like the target. */
static int check_prepared(struct debian_ctx *c, const char *tree, const char *config)
{
	char *dot_config = path_join(tree, ".config");
	char *uts = tree_utsrelease(tree), *report = NULL;
	int diff = -1, ret = -1;

	if (!uts || strcmp(uts, c->r.release)) {
		lp_err("the prepared source says release %s, not %s", uts ? uts : "(none)",
		       c->r.release);
		goto out;
	}
	diff = config_diff(config, dot_config, &report);
	if (diff > 0) {
		lp_err("the prepared source's config differs from the target's %s:\n%s", config,
		       report);
		lp_hint("a different compiler or toolchain changes the config; the target was "
			"built with the one named in CONFIG_CC_VERSION_TEXT");
	}
	ret = diff == 0 ? 0 : -1;
out:
	free(report);
	free(uts);
	free(dot_config);
	return ret;
}

int debian_step_source(struct debian_ctx *c)
{
	char *dir = path_join(c->dir, DEBIAN_SOURCE_DIR);
	char *tree = xasprintf("%s/linux-source-%s", dir, c->r.series);
	char *config = xasprintf("%s/" DEBIAN_IMAGE_DIR "/boot/config-%s", c->dir, c->r.release);
	char *cc = config_cc(config);
	int ret = -1;

	if (!cc) {
		lp_err("%s does not say which compiler built the kernel (CONFIG_CC_VERSION_TEXT)",
		       config);
		goto out;
	}
	if (c->root) {
		char *in = xasprintf("%s/usr/bin/%s", c->root, cc);
		bool there = path_exists(in);

		free(in);
		if (!there) {
			lp_err("the kernel %s was built with %s, which the build root %s does not "
			       "have", c->r.release, cc, c->root);
			lp_hint("remove %s to have it made again with the suite's compiler", c->root);
			goto out;
		}
	} else if (!have_program(cc)) {
		lp_err("the kernel %s was built with %s, which is not installed", c->r.release, cc);
		lp_hint("install it (`apt-get install %s`): objects built with another compiler "
			"would not match the kernel's", cc);
		goto out;
	}
	if (!stamp_done(c->dir, EXTRACTED) && extract_source(c, dir, tree))
		goto out;
	lp_progress("preparing source tree (olddefconfig, modules_prepare with %s%s%s)", cc,
		    c->root ? " in the build root " : "", c->root ? c->root : "");
	{
		struct kernel_target in = { .root = c->root };
		struct run_opts o = {0};

		target_run_opts(&in, NULL, &o);
		if (tree_prepare_in(tree, config, c->r.release, cc, c->log, &o) ||
		    check_prepared(c, tree, config))
			goto out;
	}
	ret = stamp_mark(c->dir, "source", c->version);
out:
	free(cc);
	free(config);
	free(tree);
	free(dir);
	return ret;
}
