/*
 * Crash-safe edits of the prepared tree (see journal.h).
 *
 * Layout under <target dir>/journal: files/<rel> holds the pristine copies,
 * and "manifest" (written last, atomically) lists one entry per line:
 *   f <rel>   a file saved in files/<rel>, to copy back
 *   n <rel>   a file that did not exist (the diff creates it), to remove
 *   o <rel>   a build output of the edited tree, to remove
 * Without a manifest the tree was never edited, and the journal is dropped.
 * Putting the tree back is idempotent, so dying while doing it is harmless.
 */
#include "kernel/journal.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *manifest_path(const struct tree_journal *j)
{
	return path_join(j->dir, "manifest");
}

static int remove_if_there(const char *path)
{
	if (unlink(path) && errno != ENOENT) {
		lp_perr("cannot remove %s", path);
		return -1;
	}
	return 0;
}

/* Act on one manifest line; 0, or -1 with an error printed. */
static int undo_entry(const struct tree_journal *j, char tag, const char *rel)
{
	char *live = path_join(j->src, rel), *saved;
	int r = -1;

	switch (tag) {
	case 'f':
		saved = xasprintf("%s/files/%s", j->dir, rel);
		r = copy_file(saved, live);
		free(saved);
		break;
	case 'n':
	case 'o':
		r = remove_if_there(live);
		break;
	default:
		lp_err("%s/manifest: unknown entry '%c %s'", j->dir, tag, rel);
	}
	free(live);
	return r;
}

static int undo(struct tree_journal *j)
{
	char *manifest = manifest_path(j);
	char *text = read_file(manifest, NULL);
	int ret = text ? 0 : -1;

	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strlen(line) < 3 || line[1] != ' ') {
			lp_err("%s: malformed line '%s'", manifest, line);
			ret = -1;
			continue;
		}
		if (undo_entry(j, line[0], line + 2))
			ret = -1;
	}
	if (ret)
		lp_err("could not put back the prepared tree %s from %s; remove the tree (it "
		       "is prepared again on the next build)", j->src, j->dir);
	else
		ret = remove_if_there(manifest) || rm_rf(j->dir) ? -1 : 0;
	free(text);
	free(manifest);
	return ret;
}

int journal_open(struct tree_journal *j, const char *state_dir, const char *src)
{
	char *manifest;
	int ret = 0;

	j->dir = path_join(state_dir, "journal");
	j->src = xstrdup(src);
	manifest = manifest_path(j);
	if (path_exists(manifest)) {
		lp_warn("an earlier build was interrupted with the diff applied; putting back "
			"the pristine sources in %s", src);
		ret = undo(j);
	} else if (path_exists(j->dir)) {
		ret = rm_rf(j->dir);	/* died before the tree changed */
	}
	free(manifest);
	return ret;
}

/* Put the saved copy of rel on disk, and the directories down to the
 * journal's that hold it: the manifest must never list a copy a power
 * loss could take away. */
static int sync_saved(const struct tree_journal *j, const char *rel)
{
	char *p = xasprintf("%s/files/%s", j->dir, rel);
	int r = fsync_path(p);

	while (!r && strcmp(p, j->dir)) {
		char *d = path_dirname(p);
		free(p);
		p = d;
		r = fsync_path(p);
	}
	free(p);
	return r;
}

static int save_file(struct tree_journal *j, const char *rel, FILE *list)
{
	char *files = path_join(j->dir, "files");
	int r = -1;

	if (strchr(rel, '\n'))
		lp_err("%s: a file name with a newline cannot be journaled", rel);
	else
		r = copy_rel(j->src, files, rel);
	if (r == 0 && sync_saved(j, rel))
		r = -1;
	if (r >= 0)
		fprintf(list, "%c %s\n", r ? 'n' : 'f', rel);
	free(files);
	return r < 0 ? -1 : 0;
}

int journal_begin(struct tree_journal *j, char *const *files, size_t nfiles,
		  char *const *objs, size_t nobjs)
{
	char *manifest = manifest_path(j);
	struct atomic_out out;
	FILE *list = NULL;
	char *parent;
	int ret = -1;

	/* the journal directory's own entry, too, is on disk before the manifest */
	parent = path_dirname(j->dir);
	if (mkdir_p(j->dir) || fsync_path(parent) || atomic_begin(&out, manifest))
		goto out;
	list = fopen(out.tmp, "w");
	if (!list) {
		lp_perr("cannot write %s", out.tmp);
		atomic_abort(&out);
		goto out;
	}
	ret = 0;
	for (size_t i = 0; i < nfiles && !ret; i++)
		ret = save_file(j, files[i], list);
	for (size_t i = 0; i < nobjs && !ret; i++)
		fprintf(list, "o %s\n", objs[i]);
	if (fflush(list) || fsync(fileno(list))) {
		lp_perr("cannot write %s", out.tmp);
		ret = -1;
	}
	fclose(list);
	if (ret)
		atomic_abort(&out);
	else if (atomic_commit(&out))
		ret = -1;
	if (ret)
		rm_rf(j->dir);
out:
	free(parent);
	free(manifest);
	return ret;
}

int journal_end(struct tree_journal *j)
{
	return undo(j);
}

void journal_close(struct tree_journal *j)
{
	free(j->dir);
	free(j->src);
	j->dir = j->src = NULL;
}
