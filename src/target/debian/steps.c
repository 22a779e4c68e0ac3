/* The image, headers and symbols steps of a Debian target, and extracting .debs. */
#include "target/debian/steps.h"

#include "target/stamp.h"
#include "util/tool.h"
#include "target/tree.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void damaged_hint(const char *deb)
{
	lp_hint("if %s is damaged (say, an interrupted copy), remove it and run again: it "
		"will be downloaded anew", deb);
}

/* Extract the whole of deb into dir (dpkg-deb -x), with a progress line. */
static int debian_extract(struct debian_ctx *c, const char *deb, const char *dir)
{
	const char *argv[] = { "dpkg-deb", "-x", deb, dir, NULL };
	char *doing = xasprintf("extracting %s", path_basename(deb));
	int ret;

	lp_progress("%s", doing);
	ret = mkdir_p(dir) ? -1 : tool_run(argv, NULL, c->log, doing);
	if (ret)
		damaged_hint(deb);
	free(doing);
	return ret;
}

/* The name of the data member of a .deb (data.tar.xz, data.tar.zst, ...). */
static char *data_member(const char *deb)
{
	const char *argv[] = { "ar", "t", deb, NULL };
	struct run_opts o = { .quiet = true, .no_stdin = true };
	char *list = run_capture(argv, &o, NULL), *name = NULL, *save = NULL;

	for (char *l = list ? strtok_r(list, "\n", &save) : NULL; l && !name;
	     l = strtok_r(NULL, "\n", &save))
		if (str_starts(l, "data.tar"))
			name = xstrdup(l);
	free(list);
	if (!name)
		lp_err("%s is not a Debian package (no data.tar member): remove it and retry", deb);
	return name;
}

/* Without a pipe between dpkg-deb and tar: the data member is copied out
 * with ar, then tar reads just the members asked for and stops. */
int debian_extract_members(struct debian_ctx *c, const char *deb, const char *dir,
			   const char *const *members)
{
	char *member = data_member(deb), *doing, *archive;
	const char *ar_argv[] = { "ar", "x", deb, member, NULL };
	const char *tar_argv[8] = { "tar", "-x", "--occurrence", "-f", member };
	size_t n = 5;
	int ret = -1;

	if (!member)
		return -1;
	archive = path_join(dir, member);
	doing = xasprintf("extracting %s from %s", path_basename(members[0]), path_basename(deb));
	lp_progress("%s", doing);
	if (mkdir_p(dir) || tool_run(ar_argv, dir, c->log, doing))
		goto out;
	for (const char *const *m = members; *m && n < 7; m++)
		tar_argv[n++] = *m;
	tar_argv[n] = NULL;
	ret = tool_run(tar_argv, dir, c->log, doing);
	if (ret)
		damaged_hint(deb);
out:
	unlink(archive);
	free(archive);
	free(doing);
	free(member);
	return ret;
}

/* Start a step afresh: no stamp, no leftovers of an interrupted attempt. */
static char *begin_step(struct debian_ctx *c, const char *step, const char *sub)
{
	char *dir = path_join(c->dir, sub);

	if (stamp_clear(c->dir, step) || rm_rf(dir) || mkdir_p(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int expect_file(const char *dir, const char *name, const char *pkg)
{
	char *p = path_join(dir, name);
	int ret = 0;

	if (!path_exists(p)) {
		lp_err("%s has no %s: is it really the package of a Debian kernel?", pkg, name);
		ret = -1;
	}
	free(p);
	return ret;
}

/* Debian 13's packages have their modules in /usr/lib/modules (merged
 * /usr): move them where depmod -b and the rest of lpatch look. */
static int merged_usr_modules(const char *dir)
{
	char *usr = path_join(dir, "usr/lib/modules"), *lib = path_join(dir, "lib/modules");
	char *parent = path_join(dir, "lib");
	int ret = 0;

	if (path_is_dir(usr) && !path_exists(lib)) {
		ret = mkdir_p(parent) ? -1 : rename(usr, lib);
		if (ret)
			lp_perr("cannot move %s to %s", usr, lib);
	}
	free(parent);
	free(lib);
	free(usr);
	return ret;
}

int debian_step_image(struct debian_ctx *c)
{
	const char *rel = c->r.release;
	char *deb = debian_get_deb(c, c->image_pkg);
	char *dir = deb ? begin_step(c, "image", DEBIAN_IMAGE_DIR) : NULL;
	char *vmlinuz = xasprintf("boot/vmlinuz-%s", rel), *config = xasprintf("boot/config-%s", rel);
	char *mods = xasprintf("lib/modules/%s", rel), *dep = xasprintf("%s/modules.dep", mods);
	const char *depmod[] = { "depmod", "-b", dir, rel, NULL };
	int ret = -1;

	if (!dir || debian_extract(c, deb, dir) || merged_usr_modules(dir))
		goto out;
	if (expect_file(dir, vmlinuz, c->image_pkg) || expect_file(dir, config, c->image_pkg) ||
	    expect_file(dir, mods, c->image_pkg))
		goto out;
	/* the package leaves modules.dep to the postinst: make it here */
	lp_progress("indexing the modules of %s (depmod)", rel);
	if (tool_run(depmod, NULL, c->log, "indexing modules (depmod)") ||
	    expect_file(dir, dep, "depmod"))
		goto out;
	ret = stamp_mark(c->dir, "image", c->version);
out:
	free(dep);
	free(mods);
	free(config);
	free(vmlinuz);
	free(dir);
	free(deb);
	return ret;
}

/* The headers Makefile includes the -common one by an absolute path under
 * /usr/src; point it at the copy beside it, relative to itself, so the
 * extracted tree works where it is without installing anything. */
static int fix_headers_makefile(const char *headers)
{
	char *path = path_join(headers, "Makefile");
	char *text = read_file(path, NULL);
	struct strbuf sb = {0};
	char *save = NULL;
	int ret = -1;

	if (!text)
		goto out;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (str_starts(l, "include /usr/src/"))
			sb_addf(&sb, "include $(dir $(lastword $(MAKEFILE_LIST)))../%s\n",
				l + strlen("include /usr/src/"));
		else
			sb_addf(&sb, "%s\n", l);
	}
	ret = write_file(path, sb.buf, sb.len);
out:
	sb_free(&sb);
	free(text);
	free(path);
	return ret;
}

/* cp -a from to (to must not exist yet). */
static int copy_tree(struct debian_ctx *c, const char *from, const char *to)
{
	const char *argv[] = { "cp", "-a", from, to, NULL };
	char *doing = xasprintf("copying %s to %s", from, to);
	char *parent = path_dirname(to);
	int ret = mkdir_p(parent) ? -1 : tool_run(argv, NULL, c->log, doing);

	free(parent);
	free(doing);
	return ret;
}

/*
 * Without linux-kbuild at the image's version: fill in what the headers'
 * scripts and tools links point to (../../lib/linux-kbuild-X.Y/...) from
 * the source tree at the same version, whose modules_prepare built the
 * very host tools (fixdep, modpost, genksyms, objtool, ...) kbuild ships.
 * The headers keep their own Module.symvers, .config and generated
 * headers, so vermagic and the CRCs are still the ABI's own.
 */
static int kbuild_from_source(struct debian_ctx *c, const char *headers)
{
	char *src = xasprintf("%s/" DEBIAN_SOURCE_DIR "/linux-source-%s", c->dir, c->r.series);
	char *links[2] = { path_join(headers, "scripts"), path_join(headers, "tools") };
	char *objtool = path_join(src, "tools/objtool/objtool");
	int ret = -1;

	if (!stamp_done(c->dir, "source")) {
		lp_err("cannot make kbuild's tools for %s: the source tree at %s is not prepared",
		       c->r.release, c->version);
		goto out;
	}
	lp_progress("taking kbuild's tools (fixdep, modpost, ...) from the source tree %s", src);
	for (int i = 0; i < 2; i++) {
		char *to = NULL, *dir = path_dirname(links[i]), *target = NULL;
		char buf[4096];
		ssize_t n = readlink(links[i], buf, sizeof(buf) - 1);
		int r = -1;

		if (n <= 0) {
			lp_perr("%s in linux-headers-%s is not a link to kbuild", links[i],
				c->r.release);
			goto next;
		}
		buf[n] = 0;
		to = path_join(dir, buf);
		if (i == 0) {
			char *from = path_join(src, "scripts");

			r = rm_rf(to) ? -1 : copy_tree(c, from, to);
			free(from);
		} else {
			target = path_join(to, "objtool/objtool");
			/* no objtool without CONFIG_OBJTOOL: nothing to copy then */
			r = rm_rf(to) || mkdir_p(to) ? -1 :
			    path_exists(objtool) ? copy_tree(c, objtool, target) : 0;
		}
next:
		free(target);
		free(to);
		free(dir);
		if (r)
			goto out;
	}
	ret = 0;
out:
	free(objtool);
	free(links[0]);
	free(links[1]);
	free(src);
	return ret;
}

int debian_step_headers(struct debian_ctx *c)
{
	const char *rel = c->r.release;
	char *pkgs[3] = { xasprintf("linux-headers-%s", rel), NULL, NULL };
	char *debs[3] = { NULL, NULL, NULL };
	char *dir = NULL, *headers = NULL, *uts = NULL;
	int ndebs = c->kbuild_from_source ? 2 : 3, ret = -1;

	/* the rest of the tree is in what the headers package depends on: the
	 * -common headers and kbuild (linux-kbuild-6.1, linux-kbuild-6.12.107+deb12) */
	if (!(debs[0] = debian_get_deb(c, pkgs[0])))
		goto out;
	pkgs[1] = deb_depends_on(debs[0], "linux-headers-", "-common");
	pkgs[2] = deb_depends_on(debs[0], "linux-kbuild-", "");
	if (!pkgs[1])
		pkgs[1] = xasprintf("linux-headers-%s-common", c->r.abi);
	if (!pkgs[2])
		pkgs[2] = xasprintf("linux-kbuild-%s", c->r.series);
	for (int i = 1; i < ndebs; i++)
		if (!(debs[i] = debian_get_deb(c, pkgs[i])))
			goto out;
	if (!(dir = begin_step(c, "headers", DEBIAN_HEADERS_DIR)))
		goto out;
	for (int i = 0; i < ndebs; i++)
		if (debian_extract(c, debs[i], dir))
			goto out;
	headers = xasprintf("%s/usr/src/linux-headers-%s", dir, rel);
	if (expect_file(headers, "Makefile", pkgs[0]) || expect_file(headers, "Module.symvers", pkgs[0]))
		goto out;
	if (c->kbuild_from_source && kbuild_from_source(c, headers))
		goto out;
	/* scripts -> ../../lib/linux-kbuild-X.Y/scripts resolves inside dir */
	if (expect_file(headers, "scripts/mod/modpost",
			c->kbuild_from_source ? "the prepared source" : pkgs[2]) ||
	    fix_headers_makefile(headers))
		goto out;
	uts = tree_utsrelease(headers);
	if (!uts || strcmp(uts, rel)) {
		lp_err("%s is for release %s, not %s", pkgs[0], uts ? uts : "(none)", rel);
		goto out;
	}
	ret = stamp_mark(c->dir, "headers", c->version);
out:
	for (int i = 0; i < 3; i++) {
		free(pkgs[i]);
		free(debs[i]);
	}
	free(uts);
	free(headers);
	free(dir);
	return ret;
}

/* Move dir/./usr/lib/debug/boot/<name> to dir/<name>. */
static int lift(const char *dir, const char *member, const char *pkg)
{
	char *from = path_join(dir, member + 2);
	char *to = path_join(dir, path_basename(member));
	int ret = rename(from, to);

	if (ret)
		lp_perr("%s has no %s", pkg, member + 1);
	free(from);
	free(to);
	return ret;
}

int debian_step_symbols(struct debian_ctx *c)
{
	const char *rel = c->r.release;
	char *pkg = xasprintf("linux-image-%s-dbg", rel);
	char *deb = debian_get_deb(c, pkg), *dir = NULL, *vmlinux = NULL, *found = NULL;
	char *members[3] = { xasprintf("./usr/lib/debug/boot/vmlinux-%s", rel),
			     xasprintf("./usr/lib/debug/boot/System.map-%s", rel), NULL };
	char *usr = NULL;
	int ret = -1;

	if (!deb || !(dir = begin_step(c, "symbols", DEBIAN_SYMBOLS_DIR)))
		goto out;
	if (debian_extract_members(c, deb, dir, (const char *const *)members))
		goto out;
	if (lift(dir, members[0], pkg) || lift(dir, members[1], pkg))
		goto out;
	usr = path_join(dir, "usr");
	rm_rf(usr);
	/* the vmlinux must be the target's own: its banner names the release */
	vmlinux = path_join(dir, path_basename(members[0]));
	if (!(found = vmlinux_release(vmlinux)))
		goto out;
	if (strcmp(found, rel)) {
		lp_err("the vmlinux in %s is release %s, not %s", pkg, found, rel);
		goto out;
	}
	ret = stamp_mark(c->dir, "symbols", c->version);
out:
	free(usr);
	free(found);
	free(vmlinux);
	free(members[0]);
	free(members[1]);
	free(dir);
	free(deb);
	free(pkg);
	return ret;
}
