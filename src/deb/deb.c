/* .deb files in lpatch's cache: reuse what is there, download what is not. */
#include "deb/deb.h"

#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first file matching pattern, or NULL. */
static char *glob_first(const char *pattern)
{
	glob_t g;
	char *path = NULL;

	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0)
		path = xstrdup(g.gl_pathv[0]);
	globfree(&g);
	return path;
}

char *deb_find(const char *dir, const char *pkg, const char *version)
{
	char *prefix = deb_file_prefix(pkg, version);
	char *pattern = xasprintf("%s/%s*.deb", dir, prefix);
	char *path = glob_first(pattern);

	free(pattern);
	free(prefix);
	return path;
}

bool deb_file_parse(const char *file, char **pkg, char **version)
{
	const char *u1 = strchr(file, '_'), *u2 = u1 ? strchr(u1 + 1, '_') : NULL;
	struct strbuf sb = {0};

	if (!u1 || !u2 || !str_ends(file, ".deb") || file[0] == '.')
		return false;
	*pkg = xstrndup(file, (size_t)(u1 - file));
	for (const char *c = u1 + 1; c < u2; c++) {
		if (!strncmp(c, "%3a", 3)) {
			sb_add(&sb, ":");
			c += 2;
		} else {
			sb_addn(&sb, c, 1);
		}
	}
	*version = sb_take(&sb);
	return true;
}

char *deb_find_cached(const char *debs_dir, const char *pkg, char **version)
{
	char *pattern = xasprintf("%s/%s_*.deb", debs_dir, pkg);
	char *best = NULL;
	glob_t g;

	*version = NULL;
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *name, *ver;

			if (!deb_file_parse(path_basename(g.gl_pathv[i]), &name, &ver))
				continue;
			if (strcmp(name, pkg)) {
				free(ver);
			} else if (!*version || deb_version_cmp(ver, *version) > 0) {
				free(*version);
				free(best);
				*version = ver;
				best = xstrdup(g.gl_pathv[i]);
			} else {
				free(ver);
			}
			free(name);
		}
	}
	globfree(&g);
	free(pattern);
	return best;
}

static bool complete(const char *path, long long size)
{
	struct stat st;

	return stat(path, &st) == 0 && (size < 0 || st.st_size == size);
}

static void show_log(const char *log)
{
	char *text = read_file_quiet(log, NULL);

	if (text && *text)
		fprintf(stderr, "%s%s", text, str_ends(text, "\n") ? "" : "\n");
	free(text);
}

/* apt-get download into a private directory, then a rename into debs_dir:
 * an interrupted download never leaves a partial .deb under its real name. */
static char *download(const char *debs_dir, const struct apt_pkg *p)
{
	char *arg = xasprintf("%s=%s", p->name, p->version);
	const char *argv[] = { "apt-get", "download", "-q", arg, NULL };
	char *tmpl = xasprintf("%s/.download.XXXXXX", debs_dir);
	char *log = NULL, *got = NULL, *path = NULL;
	struct run_opts o = { .no_stdin = true };
	int st;

	if (!mkdtemp(tmpl)) {
		lp_perr("cannot create a download directory in %s", debs_dir);
		goto out;
	}
	log = path_join(tmpl, "apt.log");
	o.cwd = tmpl;
	o.log = log;
	if (p->size > 0)
		lp_progress("downloading %s %s (%.*f MB)", p->name, p->version,
			    p->size < 10000000 ? 1 : 0, (double)p->size / 1e6);
	else
		lp_progress("downloading %s %s", p->name, p->version);
	st = run(argv, &o);
	got = deb_find(tmpl, p->name, p->version);
	if (st != 0 || !got) {
		show_log(log);
		lp_err("cannot download %s %s: `apt-get download %s` %s", p->name, p->version, arg,
		       st == 0 ? "left no .deb" : "failed");
		lp_hint("check the network and the apt sources; `apt-get update` refreshes the lists");
		goto out;
	}
	path = path_join(debs_dir, path_basename(got));
	if (rename(got, path)) {
		lp_perr("cannot move %s to %s", got, path);
		free(path);
		path = NULL;
	}
out:
	if (log)
		rm_rf(tmpl);
	free(got);
	free(log);
	free(tmpl);
	free(arg);
	return path;
}

char *deb_fetch(const char *debs_dir, const struct apt_pkg *p)
{
	char *path;

	if (mkdir_p(debs_dir))
		return NULL;
	path = deb_find(debs_dir, p->name, p->version);
	if (path && complete(path, p->size))
		return path;
	if (path) {
		lp_warn("%s is incomplete (not %lld bytes): downloading it again", path, p->size);
		unlink(path);
		free(path);
	}
	return download(debs_dir, p);
}

char *deb_unpacked(const char *debs_dir, const char *into, const struct apt_pkg *p, const char *deb)
{
	char *dir = xasprintf("%s/%s_%s", into, p->name, p->version), *tmp = NULL;
	char *lock_file = path_join(into, ".lock"), *fetched = NULL;
	int fd = -1;

	if (path_is_dir(dir))
		goto out;
	if (mkdir_p(into) || (fd = lock_path(lock_file, "the unpacked packages in the cache")) < 0)
		goto fail;
	if (path_is_dir(dir))	/* unpacked by another lpatch while we waited */
		goto out;
	if (!deb && !(deb = fetched = deb_fetch(debs_dir, p)))
		goto fail;
	tmp = xasprintf("%s.tmp", dir);
	rm_rf(tmp);
	{
		const char *argv[] = { "dpkg-deb", "-x", deb, tmp, NULL };

		if (run(argv, &(struct run_opts){ .no_stdin = true }) != 0) {
			lp_err("cannot unpack %s with dpkg-deb: remove it and retry", deb);
			goto fail;
		}
	}
	if (rename(tmp, dir)) {
		lp_perr("cannot rename %s to %s", tmp, dir);
		goto fail;
	}
	goto out;
fail:
	free(dir);
	dir = NULL;
out:
	if (tmp)
		rm_rf(tmp);
	if (fd >= 0)
		unlock_path(fd);
	free(tmp);
	free(fetched);
	free(lock_file);
	return dir;
}

char *deb_field(const char *deb, const char *field)
{
	const char *argv[] = { "dpkg-deb", "-f", deb, field, NULL };
	struct run_opts o = { .quiet = true, .no_stdin = true };
	int st;
	char *text = run_capture(argv, &o, &st);
	size_t n;

	if (text && st != 0) {
		free(text);
		text = NULL;
	}
	while (text && (n = strlen(text)) && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[n - 1] = '\0';
	return text;
}

char *deb_depends_on(const char *deb, const char *prefix, const char *suffix)
{
	char *deps = deb_field(deb, "Depends"), *found = NULL;

	for (const char *d = deps; d && *d && !found;) {
		size_t n;

		d += strspn(d, " ,|");
		n = strcspn(d, " ,|(");
		if (n > strlen(prefix) + strlen(suffix) && !strncmp(d, prefix, strlen(prefix)) &&
		    !strncmp(d + n - strlen(suffix), suffix, strlen(suffix)))
			found = xstrndup(d, n);
		d += n;
		d += strcspn(d, ",|");
	}
	free(deps);
	return found;
}
