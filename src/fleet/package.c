/* lpatch package: a Debian package per livepatch, built with dpkg-deb (package.h). */
#include "fleet/package.h"

#include "host/modinfo.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

bool fleet_valid_package(const char *s)
{
	if (!s || strlen(s) < 2 || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr("+.-", *s))
			return false;
	return true;
}

bool fleet_valid_version(const char *s)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!s || !*s)
		return false;
	if (colon) {
		if (colon == s)
			return false;
		for (const char *c = s; c < colon; c++)
			if (!isdigit((unsigned char)*c))
				return false;
		s = colon + 1;
	}
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".+~-:", *s))
			return false;
	return s[-1] != '-';
}

void fleet_pkg_free(struct fleet_pkg *p)
{
	for (size_t i = 0; i < p->nmods; i++) {
		free(p->mods[i].path);
		free(p->mods[i].release);
		patch_info_free(&p->mods[i].info);
	}
	free(p->mods);
	free(p->package);
	free(p->version);
	free(p->maintainer);
	free(p->module);
	free(p->why);
	patch_info_free(&p->meta);
	memset(p, 0, sizeof(*p));
}

static int by_release(const void *a, const void *b)
{
	return strcmp(((const struct fleet_pkg_module *)a)->release,
		      ((const struct fleet_pkg_module *)b)->release);
}

/* "livepatch_fix" -> "livepatch-fix": the package name a module gets by default. */
static char *package_of_module(const char *module)
{
	char *s = xstrdup(module);

	for (char *c = s; *c; c++)
		*c = *c == '_' ? '-' : (char)tolower((unsigned char)*c);
	return s;
}

static int read_module(const char *path, struct fleet_pkg_module *m)
{
	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	if (ko_info_read(path, &m->info))
		return LP_REFUSED;
	if (!m->info.livepatch) {
		lp_err("%s is not a livepatch module (no livepatch=Y in its .modinfo)", path);
		lp_hint("package the modules `lpatch build` writes");
		return LP_REFUSED;
	}
	m->release = m->info.target ? xstrdup(m->info.target)
		     : m->info.vermagic ? vermagic_release(m->info.vermagic) : NULL;
	if (!m->release || !*m->release) {
		lp_err("%s names no kernel release (no lpatch_target, no vermagic)", path);
		return LP_REFUSED;
	}
	return LP_OK;
}

int fleet_pkg_read(const struct fleet_pkg_opts *o, struct fleet_pkg *p)
{
	memset(p, 0, sizeof(*p));
	memset(&p->meta, 0, sizeof(p->meta));
	p->meta.replace = -1;
	p->withdraw = o->withdraw;
	p->version = xstrdup(o->version);
	p->maintainer = xstrdup(o->maintainer ? o->maintainer : FLEET_DEFAULT_MAINTAINER);
	if (!fleet_valid_version(o->version)) {
		lp_err("'%s' is not a Debian version", o->version);
		lp_hint("a version starts with a digit: 1, 2, 1.1 (each new build of the fix gets a higher one)");
		return LP_REFUSED;
	}
	if (o->withdraw)
		p->why = xstrdup(o->description ? o->description : "the fix is withdrawn");
	p->mods = xcalloc(o->nmodules ? o->nmodules : 1, sizeof(*p->mods));
	for (size_t i = 0; i < o->nmodules; i++) {
		struct fleet_pkg_module *m = &p->mods[p->nmods++];

		if (read_module(o->modules[i], m))
			return LP_REFUSED;
		if (!p->module) {
			p->module = xstrdup(m->info.name);
		} else if (strcmp(p->module, m->info.name)) {
			lp_err("%s is module %s, %s is %s: a package holds one fix, under one module name",
			       p->mods[0].path, p->module, m->path, m->info.name);
			lp_hint("build the fix for every release with the same --name");
			return LP_REFUSED;
		}
		for (size_t k = 0; k + 1 < p->nmods; k++)
			if (!strcmp(p->mods[k].release, m->release)) {
				lp_err("%s and %s are both for %s: one module per release",
				       p->mods[k].path, m->path, m->release);
				return LP_REFUSED;
			}
		for (size_t k = 0; k < m->info.ncves; k++) {
			bool have = false;

			for (size_t j = 0; j < p->meta.ncves; j++)
				have |= !strcmp(p->meta.cves[j], m->info.cves[k]);
			if (!have)
				patch_info_add_cve(&p->meta, m->info.cves[k]);
		}
		if (!p->meta.description && m->info.description)
			p->meta.description = xstrdup(m->info.description);
		if (!p->meta.patch_sha256 && m->info.patch_sha256)
			p->meta.patch_sha256 = xstrdup(m->info.patch_sha256);
	}
	patch_info_sort(&p->meta);
	qsort(p->mods, p->nmods, sizeof(*p->mods), by_release);
	p->package = o->package ? xstrdup(o->package) : p->module ? package_of_module(p->module) : NULL;
	if (!p->package) {
		lp_err("a withdrawal names the package it withdraws");
		lp_hint("lpatch package --withdraw --package NAME --version V");
		return LP_REFUSED;
	}
	if (!fleet_valid_package(p->package)) {
		lp_err("'%s' is not a Debian package name (lower case letters, digits, '+', '-', '.')",
		       p->package);
		lp_hint("name it with --package");
		return LP_REFUSED;
	}
	if (!strcmp(p->package, "lpatch")) {
		lp_err("a livepatch package cannot be called lpatch (lpatch's own package)");
		return LP_REFUSED;
	}
	return LP_OK;
}

/* One line of an extended description: "." for an empty one, no line over 79. */
static void desc_line(struct strbuf *sb, const char *s)
{
	sb_addf(sb, " %s\n", *s ? s : ".");
}

static char *releases_of(const struct fleet_pkg *p, const char *sep)
{
	struct strbuf sb = {0};

	for (size_t i = 0; i < p->nmods; i++)
		sb_addf(&sb, "%s%s", i ? sep : "", p->mods[i].release);
	return sb_take(&sb);
}

char *fleet_pkg_control(const struct fleet_pkg *p, unsigned long installed_kb)
{
	struct strbuf sb = {0}, cves = {0};
	char *rels = releases_of(p, " ");

	for (size_t i = 0; i < p->meta.ncves; i++)
		sb_addf(&cves, "%s%s", i ? " " : "", p->meta.cves[i]);
	sb_addf(&sb, "Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: %s\n"
		"Installed-Size: %lu\nDepends: lpatch\nSection: kernel\nPriority: optional\n",
		p->package, p->version, p->maintainer, installed_kb);
	if (p->withdraw) {
		sb_add(&sb, "Description: withdrawn kernel livepatch (unloads it)\n");
		desc_line(&sb, "This version is an empty package: installing it unloads and");
		desc_line(&sb, "uninstalls the livepatch that earlier versions of this package loaded.");
		desc_line(&sb, "");
		char *why = xasprintf("Why: %s", p->why);
		desc_line(&sb, why);
		free(why);
	} else {
		char *syn = xasprintf("kernel livepatch%s%s", cves.len ? " for " : "",
				      cves.len ? cves.buf : "");
		if (strlen(syn) > 72)
			strcpy(syn + 69, "...");
		sb_addf(&sb, "Description: %s\n", syn);
		free(syn);
		desc_line(&sb, "A livepatch module built by lpatch, loaded into the running kernel");
		desc_line(&sb, "with no reboot when this package is installed.");
		if (p->meta.description) {
			desc_line(&sb, "");
			/* the patch's own description, one line at a time */
			for (char *d = xstrdup(p->meta.description), *s = d, *nl; s; s = nl) {
				if ((nl = strchr(s, '\n')))
					*nl++ = '\0';
				desc_line(&sb, s);
				if (!nl)
					free(d);
			}
		}
		desc_line(&sb, "");
		char *l = xasprintf("Module: %s", p->module);
		desc_line(&sb, l);
		free(l);
		l = xasprintf("CVEs: %s", cves.len ? cves.buf : "(none recorded)");
		desc_line(&sb, l);
		free(l);
		l = xasprintf("Releases: %s", rels);
		desc_line(&sb, l);
		free(l);
		l = xasprintf("Patch-SHA256: %s", p->meta.patch_sha256 ? p->meta.patch_sha256 : "(not recorded)");
		desc_line(&sb, l);
		free(l);
	}
	sb_free(&cves);
	free(rels);
	return sb_take(&sb);
}

/*
 * The maintainer scripts. @PKG@, @VERSION@, @MODULE@ (empty: withdrawn) and
 * @RELEASES@ are filled in. The record ROOT/packages/PKG lists "MODULE RELEASE"
 * for what the installed version put in the store, so the next version knows
 * what it takes over.
 */
static const char postinst[] =
	"#!/bin/sh\n"
	"# postinst of @PKG@ @VERSION@, written by lpatch package (docs/fleet.md)\n"
	"set -e\n"
	"pkg=@PKG@\n"
	"module=@MODULE@\n"
	"ship=" FLEET_SHIP_DIR "/$pkg\n"
	"rec=${LPATCH_ROOT:-/var/lib/lpatch}/" FLEET_RECORD_DIR "/$pkg\n"
	"[ \"$1\" = configure ] || exit 0\n"
	"running=$(uname -r)\n"
	"new=\n"
	"if [ -n \"$module\" ]; then\n"
	"\tfor ko in \"$ship\"/*/\"$module\".ko; do\n"
	"\t\t[ -f \"$ko\" ] || continue\n"
	"\t\trel=$(basename \"$(dirname \"$ko\")\")\n"
	"\t\tlpatch install --release \"$rel\" \"$ko\"\n"
	"\t\tnew=\"$new$module $rel\n\"\n"
	"\tdone\n"
	"fi\n"
	"live=no\n"
	"if [ -z \"$module\" ]; then\n"
	"\techo \"$pkg @VERSION@: the fix is withdrawn; its livepatch is unloaded and uninstalled\"\n"
	"elif [ ! -f \"$ship/$running/$module.ko\" ]; then\n"
	"\techo \"$pkg @VERSION@: no livepatch for the running kernel $running (this package\" \\\n"
	"\t     \"covers @RELEASES@); installed for those releases, loaded when one of them boots\" >&2\n"
	"elif [ ! -d /sys/kernel/livepatch ]; then\n"
	"\techo \"$pkg @VERSION@: no livepatch support in the running kernel; $module loads at the\" \\\n"
	"\t     \"next boot of $running\" >&2\n"
	"elif [ -d \"/sys/kernel/livepatch/$module\" ]; then\n"
	"\tlive=yes\n"
	"elif lpatch load \"$ship/$running/$module.ko\"; then\n"
	"\tlive=yes\n"
	"else\n"
	"\techo \"$pkg @VERSION@: loading $module failed (exit $?): it stays installed and loads at\" \\\n"
	"\t     \"the next boot; \\`lpatch status\\` shows its state\" >&2\n"
	"fi\n"
	"# what the previous version installed: replaced by this one (the old module\n"
	"# leaves only once the new one is in force, so there is no window), or withdrawn\n"
	"if [ -f \"$rec\" ]; then\n"
	"\twhile read -r old rel; do\n"
	"\t\t[ -n \"$old\" ] && [ \"$old\" != \"$module\" ] || continue\n"
	"\t\tif [ \"$rel\" = \"$running\" ] && [ -d \"/sys/module/$old\" ] &&\n"
	"\t\t   { [ -z \"$module\" ] || [ $live = yes ]; }; then\n"
	"\t\t\tlpatch unload \"$old\" || echo \"$pkg @VERSION@: $old is still loaded\" >&2\n"
	"\t\tfi\n"
	"\t\tlpatch uninstall --release \"$rel\" \"$old\" >/dev/null 2>&1 || true\n"
	"\tdone <\"$rec\"\n"
	"fi\n"
	"mkdir -p \"$(dirname \"$rec\")\"\n"
	"printf '%s' \"$new\" >\"$rec.new\"\n"
	"mv \"$rec.new\" \"$rec\"\n"
	"exit 0\n";

static const char prerm[] =
	"#!/bin/sh\n"
	"# prerm of @PKG@ @VERSION@, written by lpatch package: removing the package\n"
	"# unloads its livepatch first (an unload that stalls stops the removal)\n"
	"set -e\n"
	"module=@MODULE@\n"
	"if [ \"$1\" = remove ] && [ -n \"$module\" ] && [ -d \"/sys/module/$module\" ]; then\n"
	"\tlpatch unload \"$module\"\n"
	"fi\n"
	"exit 0\n";

static const char postrm[] =
	"#!/bin/sh\n"
	"# postrm of @PKG@ @VERSION@, written by lpatch package: removing the package\n"
	"# uninstalls its livepatch from lpatch's store\n"
	"set -e\n"
	"pkg=@PKG@\n"
	"rec=${LPATCH_ROOT:-/var/lib/lpatch}/" FLEET_RECORD_DIR "/$pkg\n"
	"case \"$1\" in\n"
	"remove|purge)\n"
	"\t[ -f \"$rec\" ] || exit 0\n"
	"\tif command -v lpatch >/dev/null; then\n"
	"\t\twhile read -r old rel; do\n"
	"\t\t\t[ -n \"$old\" ] || continue\n"
	"\t\t\tlpatch uninstall --release \"$rel\" \"$old\" >/dev/null 2>&1 || true\n"
	"\t\tdone <\"$rec\"\n"
	"\tfi\n"
	"\trm -f \"$rec\"\n"
	"\t;;\n"
	"esac\n"
	"exit 0\n";

static char *fill(const char *tmpl, const struct fleet_pkg *p)
{
	char *rels = releases_of(p, ", ");
	const char *keys[][2] = {
		{ "@PKG@", p->package }, { "@VERSION@", p->version },
		{ "@MODULE@", p->module ? p->module : "" }, { "@RELEASES@", rels },
	};
	struct strbuf sb = {0};

	for (const char *s = tmpl; *s;) {
		size_t k;

		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (str_starts(s, keys[k][0]))
				break;
		if (k < sizeof(keys) / sizeof(keys[0])) {
			sb_add(&sb, keys[k][1]);
			s += strlen(keys[k][0]);
		} else {
			sb_addn(&sb, s++, 1);
		}
	}
	free(rels);
	return sb_take(&sb);
}

char *fleet_pkg_script(const struct fleet_pkg *p, const char *which)
{
	if (!strcmp(which, "postinst"))
		return fill(postinst, p);
	if (!strcmp(which, "prerm"))
		return fill(prerm, p);
	if (!strcmp(which, "postrm"))
		return fill(postrm, p);
	return NULL;
}

static int put(const char *root, const char *rel, const char *text, unsigned mode)
{
	char *path = path_join(root, rel), *dir = path_dirname(path);
	int ret = mkdir_p(dir) || write_file(path, text, strlen(text)) ? -1 : 0;

	if (!ret && chmod(path, mode)) {
		lp_perr("cannot chmod %s", path);
		ret = -1;
	}
	free(dir);
	free(path);
	return ret;
}

/* gzip -9n of a text into path (Debian wants compressed changelogs). */
static int put_gz(const char *root, const char *rel, const char *text)
{
	char *plain = xasprintf("%s.plain", rel), *from = path_join(root, plain);
	char *to = path_join(root, rel);
	const char *argv[] = { "gzip", "-9nf", from, NULL };
	char *gz = xasprintf("%s.gz", from);
	int ret = -1;

	if (put(root, plain, text, 0644))
		goto out;
	if (run(argv, NULL) != 0) {
		lp_err("gzip of %s failed", from);
		goto out;
	}
	if (rename(gz, to)) {
		lp_perr("cannot rename %s to %s", gz, to);
		goto out;
	}
	ret = 0;
out:
	free(gz);
	free(to);
	free(from);
	free(plain);
	return ret;
}

/* The build time: $SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
static struct tm build_time(void)
{
	time_t now = getenv("SOURCE_DATE_EPOCH") ? (time_t)strtoll(getenv("SOURCE_DATE_EPOCH"), NULL, 10)
						  : time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	return tm;
}

static char *changelog(const struct fleet_pkg *p)
{
	char date[64];
	struct tm tm = build_time();

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return xasprintf("%s (%s) stable; urgency=high\n\n  * %s\n\n -- %s  %s\n", p->package,
			 p->version, p->withdraw ? "Withdraw the livepatch." : "Livepatch built by lpatch.",
			 p->maintainer, date);
}

/*
 * DEP-5 copyright. The notice names years (lintian's
 * copyright-without-copyright-notice wants one): the kernel's, from its first
 * release to the year the module was built.
 */
static char *copyright(void)
{
	struct tm tm = build_time();

	return xasprintf("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
			 "Comment: A kernel livepatch module built by lpatch from a source diff of\n"
			 " the Linux kernel; it is a derived work of the kernel.\n\n"
			 "Files: *\n"
			 "Copyright: 1991-%d Linus Torvalds and the other authors of the Linux kernel\n"
			 "License: GPL-2\n"
			 " On Debian systems, the full text of the GNU General Public License\n"
			 " version 2 can be found in /usr/share/common-licenses/GPL-2.\n",
			 tm.tm_year + 1900);
}

/* du -k of the payload, as dpkg counts it (KiB, rounded up per file). */
static unsigned long payload_kb(const struct fleet_pkg *p)
{
	unsigned long kb = 8;	/* doc files */

	for (size_t i = 0; i < p->nmods; i++) {
		struct stat st;

		if (!stat(p->mods[i].path, &st))
			kb += ((unsigned long)st.st_size + 1023) / 1024;
	}
	return kb;
}

int fleet_pkg_write(const struct fleet_pkg *p, const char *outdir, char **deb)
{
	char *tmp = make_temp_dir("package"), *root = tmp ? path_join(tmp, "root") : NULL;
	char *name = xasprintf("%s_%s_amd64.deb", p->package,
			       strchr(p->version, ':') ? strchr(p->version, ':') + 1 : p->version);
	char *dest = path_join(outdir ? outdir : ".", name), *text = NULL, *rel;
	struct atomic_out out = {0};
	struct strbuf sums = {0};
	int ret = LP_EXIT_FAIL;

	*deb = NULL;
	if (!tmp)
		goto out;
	for (size_t i = 0; i < p->nmods; i++) {
		const char *argv[] = { "md5sum", NULL, NULL };
		char *file, *sum;
		int st;

		rel = xasprintf("%s/%s/%s/%s.ko", FLEET_SHIP_DIR + 1, p->package, p->mods[i].release, p->module);
		file = path_join(root, rel);
		char *dir = path_dirname(file);
		int bad = mkdir_p(dir) || copy_file(p->mods[i].path, file) || chmod(file, 0644);
		free(dir);
		argv[1] = file;
		sum = bad ? NULL : run_capture(argv, NULL, &st);
		if (!sum || st || strlen(sum) < 32) {
			lp_err("cannot copy or checksum %s into the package", p->mods[i].path);
			free(sum);
			free(file);
			free(rel);
			goto out;
		}
		sb_addf(&sums, "%.32s  %s\n", sum, rel);
		free(sum);
		free(file);
		free(rel);
	}
	rel = xasprintf("usr/share/doc/%s/copyright", p->package);
	text = copyright();
	ret = put(root, rel, text, 0644);
	free(text);
	free(rel);
	text = changelog(p);
	rel = xasprintf("usr/share/doc/%s/changelog.gz", p->package);
	ret = ret || put_gz(root, rel, text);
	free(rel);
	free(text);
	text = NULL;
	if (ret) {
		ret = LP_EXIT_FAIL;
		goto out;
	}
	ret = LP_EXIT_FAIL;
	for (const char *const *s = (const char *const[]){ "postinst", "prerm", "postrm", NULL }; *s; s++) {
		char *script = fleet_pkg_script(p, *s);

		rel = xasprintf("DEBIAN/%s", *s);
		int bad = put(root, rel, script, 0755);
		free(rel);
		free(script);
		if (bad)
			goto out;
	}
	{
		/* md5sums of the doc files too, as dh_md5sums writes them */
		const char *docs[] = { "copyright", "changelog.gz" };

		for (size_t i = 0; i < 2; i++) {
			char *r = xasprintf("usr/share/doc/%s/%s", p->package, docs[i]);
			char *f = path_join(root, r), *sum;
			const char *argv[] = { "md5sum", f, NULL };
			int st;

			sum = run_capture(argv, NULL, &st);
			if (sum && !st && strlen(sum) >= 32)
				sb_addf(&sums, "%.32s  %s\n", sum, r);
			free(sum);
			free(f);
			free(r);
		}
	}
	if (put(root, "DEBIAN/md5sums", sums.len ? sums.buf : "", 0644))
		goto out;
	text = fleet_pkg_control(p, payload_kb(p));
	if (put(root, "DEBIAN/control", text, 0644))
		goto out;
	if (mkdir_p(outdir ? outdir : ".") || atomic_begin(&out, dest))
		goto out;
	{
		const char *argv[] = { "dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, out.tmp, NULL };
		char *log = path_join(tmp, "dpkg-deb.log");
		struct run_opts ro = { .log = log, .no_stdin = true };
		int st = run(argv, &ro);

		if (st) {
			char *msg = read_file_quiet(log, NULL);

			lp_err("dpkg-deb --build of %s failed (exit %d): %s", p->package, st, msg ? msg : "");
			free(msg);
			free(log);
			atomic_abort(&out);
			goto out;
		}
		free(log);
	}
	if (atomic_commit(&out))
		goto out;
	*deb = dest;
	dest = NULL;
	ret = LP_EXIT_OK;
out:
	if (tmp)
		rm_rf(tmp);
	sb_free(&sums);
	free(text);
	free(dest);
	free(name);
	free(root);
	free(tmp);
	return ret;
}
