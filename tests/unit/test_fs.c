/* Whole-file writes and atomic outputs: no descriptor leaks on errors, and a
 * committed file is on disk (fsync of the file, rename, fsync of its
 * directory, in that order) before lpatch says it is there. */
#include "unit.h"

#include "kernel/journal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp, *self;

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory listing itself */
}

/* A short fwrite (ENOSPC on /dev/full) is an error, and the FILE is closed. */
static void write_full_no_leak(void)
{
	size_t len = 1 << 20;	/* more than stdio buffers: fwrite itself comes up short */
	char *data = xcalloc(len, 1);
	int before = open_fds();

	if (access("/dev/full", W_OK)) {
		printf("SKIP: no writable /dev/full\n");
		free(data);
		return;
	}
	for (int i = 0; i < 3; i++)
		CHECK(write_file("/dev/full", data, len) == -1);
	CHECK(open_fds() == before);
	/* a small write fails at fclose: also an error, also no leak */
	CHECK(write_file("/dev/full", "x", 1) == -1);
	CHECK(open_fds() == before);
	free(data);
}

/* Child mode: commit one atomic output and install one copy into dir. */
static int commit_into(const char *dir)
{
	struct atomic_out out;
	char *path = path_join(dir, "out.txt"), *copy = path_join(dir, "copy.txt");
	int r = atomic_begin(&out, path) || write_file(out.tmp, "hello\n", 6) ||
		atomic_commit(&out) || atomic_install(path, copy, 0600);

	free(path);
	free(copy);
	return r ? 1 : 0;
}

/* Child mode: journal one file of a tree under dir, and put it back. */
static int journal_into(const char *dir)
{
	char *src = path_join(dir, "src"), *state = path_join(dir, "state");
	char *file = path_join(src, "fs/proc/cmdline.c");
	char *files[] = { "fs/proc/cmdline.c", NULL };
	struct tree_journal j = {0};
	int r;

	r = mkdir_p(state) || mkdir_p(src);
	if (!r) {
		char *d = path_dirname(file);
		r = mkdir_p(d) || write_file(file, "int x;\n", 7);
		free(d);
	}
	r = r || journal_open(&j, state, src) || journal_begin(&j, files, 1, NULL, 0) ||
	    journal_end(&j);
	journal_close(&j);
	free(src);
	free(state);
	free(file);
	return r ? 1 : 0;
}

/* Index of the first line at or after from holding all of a, b (b may be NULL). */
static int find_line(char **lines, int n, int from, const char *a, const char *b)
{
	for (int i = from; i < n; i++)
		if (strstr(lines[i], a) && (!b || strstr(lines[i], b)))
			return i;
	return -1;
}

/* Under strace: for each output, fsync of the temporary file's descriptor,
 * then the rename, then an fsync of the directory's descriptor. */
static void commit_fsyncs(void)
{
	char *dir = path_join(tmp, "commit"), *log = path_join(tmp, "strace.log");
	const char *argv[] = { "strace", "-f", "-o", log, "-e",
			       "trace=openat,fsync,fdatasync,rename,renameat,renameat2",
			       self, "commit", dir, NULL };
	char *quoted_dir = xasprintf("\"%s\", ", dir);
	char *text, **lines = NULL, *save = NULL;
	int n = 0, st;

	if (!have_program("strace")) {
		printf("SKIP: no strace\n");
		goto out;
	}
	mkdir_p(dir);
	st = run(argv, &(struct run_opts){ .quiet = true });
	CHECK(st == 0);
	text = read_file(log, NULL);
	CHECK(text != NULL);
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		lines = realloc(lines, (size_t)(n + 1) * sizeof(*lines));
		lines[n++] = l;
	}
	for (int k = 0; k < 2; k++) {
		const char *name = k ? "copy.txt" : "out.txt";
		char *tmpname = xasprintf("/.%s.tmp.", name), *fsync_fd, *dir_fsync;
		int open_tmp, open_dir, rename_at, sync_file, sync_dir, fd = -1, dfd = -1;
		const char *eq;

		/* the last open of the temporary file (mkstemp's, then the writer's) */
		open_tmp = -1;
		for (int i = 0; i < n; i++) {
			if (strstr(lines[i], "rename") && strstr(lines[i], tmpname))
				break;
			if (strstr(lines[i], "openat(") && strstr(lines[i], tmpname))
				open_tmp = i;
		}
		rename_at = find_line(lines, n, 0, "rename", tmpname);
		CHECK(rename_at >= 0);
		CHECK(open_tmp >= 0);
		if (open_tmp < 0 || rename_at < 0) {
			free(tmpname);
			continue;
		}
		/* the fsync of the file: some open of it was fsynced before the rename */
		sync_file = -1;
		for (int i = 0; i < rename_at; i++) {
			if (strstr(lines[i], "openat(") && strstr(lines[i], tmpname) &&
			    (eq = strrchr(lines[i], '=')))
				fd = atoi(eq + 1);
			if (fd >= 0 && (strstr(lines[i], "fsync(") || strstr(lines[i], "fdatasync("))) {
				fsync_fd = xasprintf("sync(%d)", fd);
				if (strstr(lines[i], fsync_fd))
					sync_file = i;
				free(fsync_fd);
			}
		}
		CHECK(sync_file >= 0 && sync_file < rename_at);
		/* the directory opened and fsynced after the rename */
		open_dir = find_line(lines, n, rename_at, "openat(", quoted_dir);
		CHECK(open_dir > rename_at);
		sync_dir = -1;
		if (open_dir > 0 && (eq = strrchr(lines[open_dir], '=')))
			dfd = atoi(eq + 1);
		if (dfd >= 0) {
			dir_fsync = xasprintf("fsync(%d)", dfd);
			sync_dir = find_line(lines, n, open_dir, dir_fsync, NULL);
			free(dir_fsync);
		}
		CHECK(sync_dir > rename_at);
		if (sync_file < 0 || sync_dir < 0)
			fprintf(stderr, "  %s: fsync of the file at line %d, rename at %d, "
				"directory fsync at %d; strace log:\n", name, sync_file, rename_at,
				sync_dir);
		free(tmpname);
	}
	if (unit_case_failed)
		for (int i = 0; i < n; i++)
			fprintf(stderr, "  | %s\n", lines[i]);
	free(lines);
	free(text);
	{
		char *p = path_join(dir, "copy.txt");
		char *s = read_file(p, NULL);
		CHECK_STR(s, "hello\n");
		free(s);
		free(p);
	}
out:
	free(quoted_dir);
	free(dir);
	free(log);
}

/* Under strace: the journal's saved copy of a file is on disk (fsynced) before
 * the manifest that lists it is renamed into place. */
static void journal_fsyncs(void)
{
	char *dir = path_join(tmp, "journal"), *log = path_join(tmp, "strace-journal.log");
	const char *argv[] = { "strace", "-f", "-o", log, "-e", "trace=openat,fsync,fdatasync,rename",
			       self, "journal", dir, NULL };
	char *text, *save = NULL, *saved_fd = NULL;
	int i = 0, synced = -1, renamed = -1;

	if (!have_program("strace")) {
		printf("SKIP: no strace\n");
		goto out;
	}
	mkdir_p(dir);
	CHECK(run(argv, &(struct run_opts){ .quiet = true }) == 0);
	text = read_file(log, NULL);
	CHECK(text != NULL);
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save), i++) {
		const char *eq = strrchr(l, '=');

		/* the copy: journal/files/fs/proc/cmdline.c, opened for writing */
		if (strstr(l, "openat(") && strstr(l, "/journal/files/fs/proc/cmdline.c\"") && eq &&
		    atoi(eq + 1) >= 0) {
			free(saved_fd);
			saved_fd = xasprintf("sync(%d)", atoi(eq + 1));
		} else if (saved_fd && strstr(l, saved_fd) && synced < 0) {
			synced = i;
		} else if (strstr(l, "rename(") && strstr(l, "/.manifest.tmp.") && renamed < 0) {
			renamed = i;
		}
	}
	CHECK(renamed >= 0);
	CHECK(synced >= 0 && synced < renamed);
	if (unit_case_failed)
		fprintf(stderr, "  copy fsynced at line %d, manifest renamed at line %d\n", synced,
			renamed);
	free(text);
	free(saved_fd);
out:
	free(dir);
	free(log);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "commit"))
		return commit_into(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "journal"))
		return journal_into(argv[2]);
	self = path_self_exe();
	tmp = make_temp_dir("test-fs");
	if (!tmp || !self)
		return 1;
	RUN(write_full_no_leak);
	RUN(commit_fsyncs);
	RUN(journal_fsyncs);
	rm_rf(tmp);
	free(tmp);
	free(self);
	return unit_done();
}
