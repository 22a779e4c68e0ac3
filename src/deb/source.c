/*
 * Debian source packages: the installed package and its source, the source
 * unpacked in lpatch's cache (apt-get source through a private apt
 * configuration with deb-src lines: the system's /etc/apt is never
 * touched), its build dependencies, and one reference build with the
 * package's own rules and flags, cached.
 */
#include "deb/deb.h"

#include "util/cache.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"
#include "util/tool.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void deb_installed_free(struct deb_installed *d)
{
	free(d->package);
	free(d->arch);
	free(d->version);
	free(d->source);
	free(d->source_version);
	memset(d, 0, sizeof(*d));
}

static char *native_arch(void)
{
	const char *argv[] = { "dpkg", "--print-architecture", NULL };
	char *out = run_capture(argv, &(struct run_opts){ .no_stdin = true }, NULL);

	if (out)
		out[strcspn(out, "\n")] = '\0';
	return out;
}

int deb_installed_get(const char *pkg, struct deb_installed *out)
{
	const char *argv[] = { "dpkg-query", "-W", "-f",
			       "${db:Status-Status}\t${Package}\t${Architecture}\t${Version}\t"
			       "${source:Package}\t${source:Version}\n", pkg, NULL };
	char *text, *arch, *save = NULL;
	int st = 0, ret = LP_REFUSED;

	memset(out, 0, sizeof(*out));
	text = run_capture(argv, &(struct run_opts){ .no_stdin = true, .quiet = true }, &st);
	if (!text)
		return LP_FAIL;
	arch = native_arch();
	for (char *l = strtok_r(text, "\n", &save); l && ret; l = strtok_r(NULL, "\n", &save)) {
		char *f[6], *sv = NULL;
		int n = 0;

		for (char *t = strtok_r(l, "\t", &sv); t && n < 6; t = strtok_r(NULL, "\t", &sv))
			f[n++] = t;
		if (n < 6 || strcmp(f[0], "installed"))
			continue;
		/* a Multi-Arch: same package may be installed for several; the native one */
		if (strchr(pkg, ':') == NULL && arch && strcmp(f[2], arch) && strcmp(f[2], "all"))
			continue;
		out->package = xstrdup(f[1]);
		out->arch = xstrdup(f[2]);
		out->version = xstrdup(f[3]);
		out->source = xstrdup(f[4]);
		out->source_version = xstrdup(f[5]);
		ret = LP_OK;
	}
	free(text);
	free(arch);
	if (ret) {
		lp_err("package %s is not installed (dpkg-query -W %s): lpatch builds patches for "
		       "the installed version of a package", pkg, pkg);
		lp_hint("name a binary package that is installed (dpkg -S FILE says which package a "
			"file belongs to)");
	}
	return ret;
}

static bool is_elf(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	bool yes = f && fread(magic, 1, 4, f) == 4 && !memcmp(magic, "\177ELF", 4);

	if (f)
		fclose(f);
	return yes;
}

char **deb_installed_elf_files(const char *pkg)
{
	const char *argv[] = { "dpkg-query", "-L", pkg, NULL };
	char *text = run_capture(argv, &(struct run_opts){ .no_stdin = true }, NULL), *save = NULL;
	char **list = NULL;
	size_t n = 0, cap = 0;

	if (!text)
		return NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct stat st;

		if (l[0] != '/' || str_starts(l, "/usr/lib/debug/") || lstat(l, &st) ||
		    !S_ISREG(st.st_mode) || !is_elf(l))
			continue;
		*ARRAY_PUSH(list, n, cap) = xstrdup(l);
	}
	*ARRAY_PUSH(list, n, cap) = NULL;
	free(text);
	return list;
}

/* $LPATCH_CACHE/deb-src/NAME_VERSION (':' as %3a, as apt names files). Caller frees. */
static char *entry_dir(const char *src, const char *version)
{
	char *cache = lp_cache_dir(), *prefix = deb_file_prefix(src, version), *dir;

	prefix[strlen(prefix) - 1] = '\0';	/* "name_version_" */
	dir = xasprintf("%s/deb-src/%s", cache, prefix);
	free(prefix);
	free(cache);
	return dir;
}

/* The deb-src lines: $LPATCH_DEB_SRC, else the Debian archive for this release. */
static char *source_lines(void)
{
	const char *env = getenv("LPATCH_DEB_SRC");
	char *rel = read_file_quiet("/etc/os-release", NULL), *code = NULL, *p, *text;

	if (env && *env)
		return xasprintf("%s\n", env);
	if (rel && (p = strstr(rel, "VERSION_CODENAME=")))
		code = xstrndup(p + 17, strcspn(p + 17, "\n\""));
	free(rel);
	if (!code || !*code) {
		free(code);
		code = xstrdup("bookworm");
	}
	text = xasprintf("deb-src http://deb.debian.org/debian %s main\n"
			 "deb-src http://deb.debian.org/debian %s-updates main\n"
			 "deb-src http://deb.debian.org/debian-security %s-security main\n",
			 code, code, code);
	free(code);
	return text;
}

/* mkdir -p dir/sub */
static int mkdir_sub(const char *dir, const char *sub)
{
	char *p = path_join(dir, sub);
	int r = mkdir_p(p);

	free(p);
	return r;
}

/* cp -a from/. to */
static int copy_tree(const char *from, const char *to)
{
	char *dot = path_join(from, ".");
	const char *argv[] = { "cp", "-a", dot, to, NULL };
	int st = mkdir_p(to) ? -1 : run(argv, &(struct run_opts){ .no_stdin = true });

	if (st)
		lp_err("cannot copy %s to %s", from, to);
	free(dot);
	return st ? -1 : 0;
}

struct apt_private {
	char *dir, *opts[7];
};

static void apt_private_free(struct apt_private *a)
{
	for (size_t i = 0; i < 7; i++)
		free(a->opts[i]);
	free(a->dir);
}

/* A private apt configuration under the cache that only knows the deb-src lines. */
static int apt_private_init(struct apt_private *a, const char *cache)
{
	char *lines = source_lines(), *list, *old;
	int r = 0;

	memset(a, 0, sizeof(*a));
	a->dir = path_join(cache, "deb-src/apt");
	list = path_join(a->dir, "sources.list");
	old = read_file_quiet(list, NULL);
	if (mkdir_p(a->dir) || mkdir_sub(a->dir, "parts") || mkdir_sub(a->dir, "lists/partial") ||
	    mkdir_sub(a->dir, "cache/archives/partial"))
		r = -1;
	/* new lines: the lists fetched for the old ones do not count */
	if (!r && (!old || strcmp(old, lines))) {
		char *lists = path_join(a->dir, "lists");
		rm_rf(lists);
		r = mkdir_sub(a->dir, "lists/partial") || write_file(list, lines, strlen(lines));
		free(lists);
	}
	a->opts[0] = xasprintf("-oDir::Etc::SourceList=%s", list);
	a->opts[1] = xasprintf("-oDir::Etc::SourceParts=%s/parts", a->dir);
	a->opts[2] = xasprintf("-oDir::State::Lists=%s/lists", a->dir);
	a->opts[3] = xasprintf("-oDir::Cache=%s/cache", a->dir);
	a->opts[4] = xstrdup("-oAPT::Sandbox::User=root");
	a->opts[5] = xstrdup("-oDPkg::Lock::Timeout=900");
	free(list);
	free(old);
	free(lines);
	return r;
}

static bool apt_private_has_lists(const struct apt_private *a)
{
	char *path = path_join(a->dir, "lists");
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d)))
		found = strstr(e->d_name, "_Sources") != NULL;
	if (d)
		closedir(d);
	free(path);
	return found;
}

static int apt_private_run(const struct apt_private *a, const char *cwd, const char *log,
			   const char *doing, const char *cmd, const char *arg)
{
	const char *argv[] = { "apt-get", a->opts[0], a->opts[1], a->opts[2], a->opts[3],
			       a->opts[4], a->opts[5], "-q", cmd, arg, NULL };

	return tool_run(argv, cwd, log, doing);
}

/* The one directory apt-get source unpacked into dir; caller frees. */
static char *unpacked_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	while (d && (e = readdir(d))) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = path_join(dir, e->d_name);
		if (path_is_dir(p) && !found)
			found = p;
		else
			free(p);
	}
	if (d)
		closedir(d);
	return found;
}

static int fetch_source(const char *entry, const char *src, const char *version,
			const char *tree, const char *log)
{
	char *cache = lp_cache_dir(), *tmp = path_join(entry, "fetch"), *spec, *got = NULL;
	struct apt_private a;
	int r = -1;

	if (!have_program("dpkg-source")) {
		lp_err("dpkg-source is not installed: apt-get source needs it to unpack %s", src);
		lp_hint("apt-get install dpkg-dev");
		goto out;
	}
	if (apt_private_init(&a, cache))
		goto out_apt;
	if (!apt_private_has_lists(&a)) {
		lp_progress("fetching the source package lists (apt-get update, private lists in %s)",
			    a.dir);
		if (apt_private_run(&a, NULL, log, "fetching the source package lists", "update",
				    NULL))
			goto out_apt;
	}
	rm_rf(tmp);
	if (mkdir_p(tmp))
		goto out_apt;
	spec = xasprintf("%s=%s", src, version);
	lp_progress("fetching the source of %s %s (apt-get source)", src, version);
	{
		const char *argv[] = { "apt-get", a.opts[0], a.opts[1], a.opts[2], a.opts[3],
				       a.opts[4], "-q", "source", spec, NULL };
		long mark = tool_log_mark(log);
		int st = run(argv, &(struct run_opts){ .cwd = tmp, .log = log, .no_stdin = true });

		if (st) {
			/* the lists may predate the version: fetch them once more */
			lp_progress("updating the source package lists and trying again");
			rm_rf(tmp);
			if (mkdir_p(tmp) ||
			    apt_private_run(&a, NULL, log, "fetching the source package lists",
					    "update", NULL))
				goto out_spec;
			mark = tool_log_mark(log);
			st = run(argv, &(struct run_opts){ .cwd = tmp, .log = log, .no_stdin = true });
		}
		if (st) {
			tool_show_errors(log, mark, 10);
			lp_err("apt-get source %s failed: the source of the installed version is not "
			       "in the archives of %s/sources.list (log: %s)", spec, a.dir, log);
			lp_hint("point LPATCH_DEB_SRC at a deb-src line that has it, e.g. "
				"`deb-src http://snapshot.debian.org/archive/debian/TIMESTAMP/ "
				"bookworm main`");
			goto out_spec;
		}
	}
	got = unpacked_dir(tmp);
	if (!got) {
		lp_err("apt-get source %s unpacked nothing into %s", spec, tmp);
		goto out_spec;
	}
	rm_rf(tree);
	if (rename(got, tree)) {
		lp_perr("cannot move %s to %s", got, tree);
		goto out_spec;
	}
	rm_rf(tmp);
	r = 0;
out_spec:
	free(spec);
out_apt:
	apt_private_free(&a);
out:
	free(got);
	free(tmp);
	free(cache);
	return r;
}

/* Touch a completion stamp. */
static int stamp(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	int r = write_file(p, "", 0);

	free(p);
	return r;
}

static bool stamped(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	bool yes = path_exists(p);

	free(p);
	return yes;
}

char *deb_source_get(const char *src, const char *version)
{
	char *entry = entry_dir(src, version), *tree = path_join(entry, "source");
	char *lockp = path_join(entry, "lock"), *log = path_join(entry, "fetch.log");
	int lk = -1;

	if (mkdir_p(entry) || (lk = lock_path(lockp, "the source cache entry")) < 0)
		goto fail;
	if (!stamped(entry, "source.done")) {
		if (fetch_source(entry, src, version, tree, log) || stamp(entry, "source.done"))
			goto fail;
	} else {
		lp_progress("source of %s %s: cached in %s", src, version, tree);
	}
	unlock_path(lk);
	free(entry);
	free(lockp);
	free(log);
	return tree;
fail:
	if (lk >= 0)
		unlock_path(lk);
	free(entry);
	free(tree);
	free(lockp);
	free(log);
	return NULL;
}

int deb_build_deps(const char *tree)
{
	const char *check[] = { "sh", "-c", "dpkg-checkbuilddeps " DEB_BUILD_PROFILES " 2>&1",
				NULL };
	int st = 0;
	char *out = run_capture(check, &(struct run_opts){ .cwd = tree, .no_stdin = true }, &st);
	char *unmet = out ? strstr(out, "nmet build dependencies: ") : NULL;
	char *abs = NULL;
	int ret = LP_OK;

	if (!out)
		return LP_FAIL;
	if (!st)
		goto out;
	if (!unmet) {
		lp_err("dpkg-checkbuilddeps failed in %s: %s", tree, out);
		ret = LP_FAIL;
		goto out;
	}
	unmet += strlen("nmet build dependencies: ");
	unmet[strcspn(unmet, "\n")] = '\0';
	abs = path_absolute(tree);
	if (geteuid() != 0) {
		lp_err("the build dependencies of %s are not installed: %s", tree, unmet);
		lp_hint("as root: apt-get build-dep " DEB_BUILD_PROFILES " %s", abs);
		ret = LP_REFUSED;
		goto out;
	}
	lp_progress("installing the build dependencies: %s", unmet);
	{
		const char *argv[] = { "apt-get", "-y", "-q", "-oDPkg::Lock::Timeout=900",
				       "build-dep", DEB_BUILD_PROFILES, abs, NULL };
		char *dir = path_dirname(tree), *log = path_join(dir, "build-dep.log");

		if (tool_run(argv, NULL, log, "installing the build dependencies (apt-get build-dep)"))
			ret = LP_FAIL;
		free(dir);
		free(log);
	}
out:
	free(abs);
	free(out);
	return ret;
}

char *deb_reference_build(const char *src, const char *version, const char *tree)
{
	char *entry = entry_dir(src, version), *lockp = path_join(entry, "lock");
	char *refdir = path_join(entry, "reference"), *ref = path_join(refdir, "source");
	char *log = path_join(entry, "reference.log");
	const char *env[] = { "DEB_BUILD_OPTIONS=" DEB_BUILD_OPTIONS_REFERENCE, NULL };
	const char *argv[] = { "sh", "-c", DEB_BUILD_COMMAND, NULL };
	int lk = -1, st;
	long mark;

	if ((lk = lock_path(lockp, "the source cache entry")) < 0)
		goto fail;
	if (stamped(entry, "reference.done")) {
		lp_progress("reference build of %s %s: cached in %s", src, version, ref);
		goto done;
	}
	rm_rf(refdir);
	if (mkdir_p(refdir) || copy_tree(tree, ref))
		goto fail;
	lp_progress("building %s %s as Debian does, for its symbols (%s, DEB_BUILD_OPTIONS=%s)",
		    src, version, DEB_BUILD_COMMAND, DEB_BUILD_OPTIONS_REFERENCE);
	mark = tool_log_mark(log);
	st = run(argv, &(struct run_opts){ .cwd = ref, .env = env, .log = log, .no_stdin = true });
	if (st) {
		tool_show_errors(log, mark, 20);
		lp_err("the reference build of %s %s failed (exit %d) in %s; log: %s", src, version,
		       st, ref, log);
		goto fail;
	}
	if (stamp(entry, "reference.done"))
		goto fail;
done:
	unlock_path(lk);
	free(entry);
	free(lockp);
	free(refdir);
	free(log);
	return ref;
fail:
	if (lk >= 0)
		unlock_path(lk);
	free(entry);
	free(lockp);
	free(refdir);
	free(ref);
	free(log);
	return NULL;
}
