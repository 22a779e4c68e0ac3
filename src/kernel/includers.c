/*
 * Finding the source files a header change reaches. The tree's .c and .h
 * files are read once for their #include directives; then, round by round,
 * every file that includes a file of the last round joins the next one,
 * until no new file joins. The .c files met on the way are the candidates
 * to compile (the caller keeps those the target really builds).
 */
#include "kernel/includers.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/strset.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct src_file {
	char *path;		/* relative to the tree */
	char **inc;		/* '<' or '"' then the name, as written */
	char **near;		/* for '"' names: the path beside the includer; else NULL */
	size_t ninc, inccap, nearcap;
};

struct includers {
	const char *src, *arch;
	struct src_file *files;
	size_t n, cap;
};

static bool skipped_dir(const struct includers *ts, const char *rel)
{
	static const char *const skip[] = { "Documentation", "tools", "samples", "scripts",
					    "usr", "LICENSES", ".git" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(rel, skip[i]))
			return true;
	/* arch/<other>: not built for this target */
	return str_starts(rel, "arch/") && !strchr(rel + 5, '/') && strcmp(rel + 5, ts->arch);
}

/* The #include names of text: "<linux/fs.h" or "\"internal.h". */
static void scan_includes(struct src_file *f, const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *p = l, *end;
		char close;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '#')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "include", 7))
			continue;
		p += 7;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '<' && *p != '"')
			continue;
		close = *p == '<' ? '>' : '"';
		end = strchr(p + 1, close);
		if (!end || memchr(p, '\n', (size_t)(end - p)))
			continue;
		*ARRAY_PUSH(f->inc, f->ninc, f->inccap) = xstrndup(p, (size_t)(end - p));
	}
}

static char *normalize(const char *path);

/* Where each quoted name would be beside the includer, worked out once. */
static void resolve_near(struct src_file *f)
{
	char *here = path_dirname(f->path);
	size_t n = 0;

	for (size_t k = 0; k < f->ninc; k++) {
		char *j = NULL;
		if (f->inc[k][0] == '"') {
			char *raw = xasprintf("%s/%s", here, f->inc[k] + 1);
			j = normalize(raw);
			free(raw);
		}
		*ARRAY_PUSH(f->near, n, f->nearcap) = j;
	}
	free(here);
}

/* Without d_type (some file systems), ask stat; symlinks are not followed. */
static bool is_dir(const struct includers *ts, const struct dirent *e, const char *rel)
{
	char *full;
	struct stat st;
	bool yes;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR;
	full = path_join(ts->src, rel);
	yes = !lstat(full, &st) && S_ISDIR(st.st_mode);
	free(full);
	return yes;
}

static int walk(struct includers *ts, const char *rel)
{
	char *dir = rel[0] ? path_join(ts->src, rel) : xstrdup(ts->src);
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		lp_perr("cannot read directory %s", dir);
		free(dir);
		return -1;
	}
	while (!ret && (e = readdir(d))) {
		char *child;

		if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.' || !rel[0]))
			continue;
		child = rel[0] ? path_join(rel, e->d_name) : xstrdup(e->d_name);
		if (is_dir(ts, e, child)) {
			if (!skipped_dir(ts, child))
				ret = walk(ts, child);
		} else if ((e->d_type == DT_REG || e->d_type == DT_UNKNOWN) &&
			   (str_ends(e->d_name, ".c") || str_ends(e->d_name, ".h"))) {
			char *full = path_join(ts->src, child), *text = read_file_quiet(full, NULL);
			struct src_file *f = ARRAY_PUSH(ts->files, ts->n, ts->cap);

			memset(f, 0, sizeof(*f));
			f->path = xstrdup(child);
			scan_includes(f, text);
			resolve_near(f);
			free(text);
			free(full);
		}
		free(child);
	}
	closedir(d);
	free(dir);
	return ret;
}

/* a/b/../c/./d -> a/c/d */
static char *normalize(const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	const char *parts[256];
	size_t n = 0;
	struct strbuf sb = {0};

	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, "."))
			continue;
		if (!strcmp(t, "..")) {
			if (n)
				n--;
			continue;
		}
		if (n < 256)
			parts[n++] = t;
	}
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%s%s", i ? "/" : "", parts[i]);
	free(copy);
	return sb_take(&sb);
}

struct frontier {
	struct strset paths;	/* the files of this round */
	struct strset names;	/* the names <...> finds them by through include dirs */
	struct strset bases;	/* their base names, for the suffix match */
	char **list;
	size_t n, cap;
};

static void frontier_add(struct frontier *fr, const char *arch, const char *path)
{
	char *adir = xasprintf("arch/%s/include/", arch);
	char *agen = xasprintf("arch/%s/include/generated/", arch);
	char *auapi = xasprintf("arch/%s/include/uapi/", arch);
	const char *dirs[] = { "include/", "include/uapi/", adir, agen, auapi };

	strset_add(&fr->paths, path);
	strset_add(&fr->bases, path_basename(path));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (str_starts(path, dirs[i]))
			strset_add(&fr->names, path + strlen(dirs[i]));
	*ARRAY_PUSH(fr->list, fr->n, fr->cap) = xstrdup(path);
	free(adir);
	free(agen);
	free(auapi);
}

static void frontier_free(struct frontier *fr)
{
	strset_free(&fr->paths);
	strset_free(&fr->names);
	strset_free(&fr->bases);
	for (size_t i = 0; i < fr->n; i++)
		free(fr->list[i]);
	free(fr->list);
	memset(fr, 0, sizeof(*fr));
}

static bool same_subsystem(const char *a, const char *b)
{
	size_t n = 0;
	int slashes = 0;

	while (a[n] && a[n] == b[n] && slashes < 2)
		slashes += a[n++] == '/';
	return slashes == 2;
}

static bool includes_one(const struct src_file *f, size_t k, const struct frontier *fr)
{
	const char *inc = f->inc[k], *name = inc + 1;
	size_t nn = strlen(name);

	if (strset_has(&fr->names, name))
		return true;
	if (inc[0] != '"')
		return false;
	if (strset_has(&fr->paths, f->near[k]))
		return true;
	/* a quoted name found through a directory's own -I: a path ending in it,
	 * in the includer's subsystem (its first two path components) */
	if (!strset_has(&fr->bases, path_basename(name)))
		return false;
	for (size_t i = 0; i < fr->n; i++) {
		size_t ln = strlen(fr->list[i]);
		if (ln > nn && fr->list[i][ln - nn - 1] == '/' &&
		    !strcmp(fr->list[i] + ln - nn, name) && same_subsystem(f->path, fr->list[i]))
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct includers *includers_scan(const char *src, const char *arch)
{
	struct includers *ts = xcalloc(1, sizeof(*ts));

	ts->src = src;
	ts->arch = arch;
	if (walk(ts, "")) {
		includers_free(ts);
		return NULL;
	}
	return ts;
}

void includers_free(struct includers *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->n; i++) {
		for (size_t k = 0; k < ts->files[i].ninc; k++) {
			free(ts->files[i].inc[k]);
			free(ts->files[i].near[k]);
		}
		free(ts->files[i].inc);
		free(ts->files[i].near);
		free(ts->files[i].path);
	}
	free(ts->files);
	free(ts);
}

long includers_find(const struct includers *ts, char *const *files, size_t nfiles, size_t max,
		    char ***out)
{
	struct frontier fr = {0};
	struct strset seen = {0};
	char **found = NULL;
	size_t nfound = 0, cap = 0;

	for (size_t i = 0; i < nfiles; i++) {
		frontier_add(&fr, ts->arch, files[i]);
		strset_add(&seen, files[i]);
	}
	while (fr.n && nfound <= max) {
		struct frontier next = {0};

		for (size_t i = 0; i < ts->n; i++) {
			const struct src_file *f = &ts->files[i];
			bool hit = false;

			if (strset_has(&seen, f->path))
				continue;
			for (size_t k = 0; k < f->ninc && !hit; k++)
				hit = includes_one(f, k, &fr);
			if (!hit)
				continue;
			strset_add(&seen, f->path);
			frontier_add(&next, ts->arch, f->path);
			if (str_ends(f->path, ".c"))
				*ARRAY_PUSH(found, nfound, cap) = xstrdup(f->path);
		}
		frontier_free(&fr);
		fr = next;
	}
	*ARRAY_PUSH(found, nfound, cap) = NULL;
	nfound--;
	qsort(found, nfound, sizeof(char *), cmp_str);
	*out = found;
	frontier_free(&fr);
	strset_free(&seen);
	return (long)nfound;
}

long includers_search(const char *src, const char *arch, char *const *files, size_t nfiles,
		    size_t max, char ***out)
{
	struct includers *inc = includers_scan(src, arch);
	long n;

	*out = NULL;
	if (!inc)
		return -1;
	n = includers_find(inc, files, nfiles, max, out);
	includers_free(inc);
	return n;
}
