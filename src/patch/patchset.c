/* Source diffs: reading, applying with patch(1), and explaining failures. */
#include "patch/patchset.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char *strip_path(const char *p)
{
	size_t n = strcspn(p, "\t\n");
	char *s = xstrndup(p, n);
	const char *slash = strchr(s, '/');
	char *out;

	/* "a/fs/proc/meminfo.c" -> "fs/proc/meminfo.c" (patch -p1) */
	out = xstrdup(slash && strcmp(s, "/dev/null") ? slash + 1 : s);
	free(s);
	return out;
}

/* "/etc/x" or "../x": patch(1) refuses these, and nothing of lpatch may
 * save or restore a file outside the tree for them. */
static bool outside_tree(const char *path)
{
	if (path[0] == '/')
		return true;
	for (const char *s = path; (s = strstr(s, "..")); s += 2)
		if ((s == path || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return true;
	return false;
}

static struct patch_file *file_for(struct patchset *ps, const char *path)
{
	struct patch_file *f;

	for (size_t i = 0; i < ps->nfiles; i++)
		if (!strcmp(ps->files[i].path, path))
			return &ps->files[i];
	f = ARRAY_PUSH(ps->files, ps->nfiles, ps->filecap);
	f->path = xstrdup(path);
	return f;
}

static int parse(struct patchset *ps, const char *name, char *text)
{
	char *save = NULL, *old = NULL;
	struct patch_file *cur = NULL;
	int files = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (str_starts(line, "--- ")) {
			free(old);
			old = strip_path(line + 4);
		} else if (str_starts(line, "+++ ") && old) {
			char *neu = strip_path(line + 4);
			bool gone = !strcmp(neu, "/dev/null");
			const char *path = gone ? old : neu;

			if (outside_tree(path)) {
				lp_err("%s names %s, a file outside the source tree", name, path);
				free(neu);
				free(old);
				return -1;
			}
			cur = file_for(ps, path);
			cur->added |= !strcmp(old, "/dev/null");
			cur->removed |= gone;
			free(neu);
			files++;
		} else if (str_starts(line, "@@ ") && cur) {
			cur->hunks++;
		}
	}
	free(old);
	if (!files) {
		lp_err("%s holds no unified diff (no '--- a/FILE' / '+++ b/FILE' lines)", name);
		return -1;
	}
	return 0;
}

int patchset_read(struct patchset *ps, char **paths, size_t n)
{
	memset(ps, 0, sizeof(*ps));
	ps->patches = xcalloc(n, sizeof(char *));
	ps->texts = xcalloc(n, sizeof(char *));
	ps->lens = xcalloc(n, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = read_file(paths[i], &len), *copy;
		int r;

		if (!text)
			return -1;
		ps->patches[ps->npatches] = path_absolute(paths[i]);
		ps->texts[ps->npatches] = text;
		ps->lens[ps->npatches++] = len;
		/* parse cuts the text into lines: give it a copy */
		copy = xstrndup(text, len);
		r = parse(ps, paths[i], copy);
		free(copy);
		if (r)
			return -1;
	}
	return 0;
}

static void free_files(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}

/* A scratch directory holding each diff's bytes as read, for patch(1) and
 * sha256sum: the files the user named may have changed since. */
static char *write_diffs(const struct patchset *ps, char ***files)
{
	char *tmp = make_temp_dir("diffs");

	*files = NULL;
	if (!tmp)
		return NULL;
	*files = xcalloc(ps->npatches + 1, sizeof(char *));
	for (size_t i = 0; i < ps->npatches; i++) {
		char *name = xasprintf("%zu.diff", i);
		(*files)[i] = path_join(tmp, name);
		free(name);
		if (write_file((*files)[i], ps->texts[i], ps->lens[i])) {
			rm_rf(tmp);
			free(tmp);
			free_files(*files, ps->npatches);
			*files = NULL;
			return NULL;
		}
	}
	return tmp;
}

char *patchset_sha256(const struct patchset *ps)
{
	/* the hash of the diffs' concatenation (of the one diff, when there is one) */
	struct strbuf sb = {0};
	char *tmp = make_temp_dir("sha"), *cat, *out = NULL;
	int st = -1;

	if (!tmp)
		return NULL;
	for (size_t i = 0; i < ps->npatches; i++)
		sb_addn(&sb, ps->texts[i], ps->lens[i]);
	cat = path_join(tmp, "all.diff");
	if (!write_file(cat, sb.buf ? sb.buf : "", sb.len)) {
		const char *argv[] = { "sha256sum", cat, NULL };
		out = run_capture(argv, NULL, &st);
		if (!out || st || strlen(out) < 64)
			lp_err("cannot compute the sha256 of the diffs: `sha256sum %s` failed (exit %d)",
			       cat, st);
	}
	sb_free(&sb);
	rm_rf(tmp);
	free(tmp);
	free(cat);
	if (out && !st && strlen(out) >= 64) {
		out[64] = '\0';
		return out;
	}
	free(out);
	return NULL;
}

/* patch(1) says "patching file X" then "Hunk #N FAILED at L." */
static void explain(const char *patch, const char *output)
{
	char *copy = xstrdup(output), *save = NULL;
	const char *file = "?";
	bool said = false;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *f = strstr(l, "patching file ");
		if (!f)
			f = strstr(l, "checking file ");
		if (f) {
			file = f + 14;
			continue;
		}
		if (strstr(l, "FAILED") || strstr(l, "can't find file") ||
		    strstr(l, "No file to patch") || strstr(l, "malformed")) {
			lp_err("%s does not apply: file %s: %s", patch, file, l);
			said = true;
		}
	}
	if (!said)
		lp_err("%s does not apply:\n%s", patch, output);
	lp_hint("make sure the diff is against this kernel's source (the same version as the target)");
	free(copy);
}

int patchset_apply(const struct patchset *ps, const char *dir)
{
	char **files, *tmp = write_diffs(ps, &files);
	int ret = 0;

	if (!tmp)
		return -1;
	for (int dry = 1; dry >= 0 && !ret; dry--) {
		for (size_t i = 0; i < ps->npatches; i++) {
			const char *argv[] = { "patch", "-p1", "--forward", "--batch", "--fuzz=0", "--no-backup-if-mismatch",
					       "-r", "-", "-d", dir, "-i", files[i],
					       dry ? "--dry-run" : NULL, NULL };
			int st;
			char *out = run_capture(argv, NULL, &st);
			if (st) {
				explain(ps->patches[i], out ? out : "");
				free(out);
				ret = -1;
				break;
			}
			free(out);
			/* a dry run of diff k cannot see diffs before it applied: check them one at a time */
			if (dry && ps->npatches > 1)
				break;
		}
	}
	rm_rf(tmp);
	free(tmp);
	free_files(files, ps->npatches);
	return ret;
}

int patchset_applies(const struct patchset *ps, const char *dir, bool reverse, bool say_why)
{
	char **files, *tmp = write_diffs(ps, &files);
	int ret = 1;

	if (!tmp)
		return -1;
	for (size_t k = 0; k < ps->npatches && ret == 1; k++) {
		/* the reverse of a series is undone last diff first */
		size_t i = reverse ? ps->npatches - 1 - k : k;
		/* --forward: a diff that looks reversed is not applied backwards (--batch would) */
		const char *argv[] = { "patch", "-p1", "--forward", "--batch", "--fuzz=0",
				       "--no-backup-if-mismatch", "-r", "-", "--dry-run", "-d", dir,
				       "-i", files[i], reverse ? "-R" : NULL, NULL };
		int st;
		char *out = run_capture(argv, NULL, &st);

		if (!out || st < 0 || st > 1) {
			lp_err("patch --dry-run%s of %s in %s failed (exit %d)", reverse ? " -R" : "",
			       ps->patches[i], dir, st);
			ret = -1;
		} else if (st) {
			if (say_why)
				explain(ps->patches[i], out);
			ret = 0;
		}
		free(out);
		/* a dry run of diff k cannot see the diffs before it applied: check the
		 * first only (each alone, when reverse: they touch different files) */
		if (!reverse && ps->npatches > 1)
			break;
	}
	rm_rf(tmp);
	free(tmp);
	free_files(files, ps->npatches);
	return ret;
}

void patchset_free(struct patchset *ps)
{
	for (size_t i = 0; i < ps->npatches; i++) {
		free(ps->patches[i]);
		free(ps->texts[i]);
	}
	for (size_t i = 0; i < ps->nfiles; i++)
		free(ps->files[i].path);
	free(ps->patches);
	free(ps->texts);
	free(ps->lens);
	free(ps->files);
	memset(ps, 0, sizeof(*ps));
}
