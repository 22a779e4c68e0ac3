/* External tools for the target layer: run with a log, report failures well. */
#include "util/tool.h"

#include "util/cache.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void tool_show_log(const char *log, int lines)
{
	char *text = read_file_quiet(log, NULL);
	const char *start;
	int seen = 0;

	if (!text || !*text) {
		free(text);
		return;
	}
	start = text + strlen(text);
	while (start > text) {
		start--;
		if (*start == '\n' && start[1] && ++seen > lines) {
			start++;
			break;
		}
	}
	for (const char *l = start; *l;) {
		size_t n = strcspn(l, "\n");
		fprintf(stderr, "  | %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	free(text);
}

static bool is_error_line(const char *l, size_t n)
{
	char *line = xstrndup(l, n);
	bool yes = strstr(line, "error:") || strstr(line, "ERROR:");

	free(line);
	return yes;
}

long tool_log_mark(const char *log)
{
	struct stat st;

	return stat(log, &st) ? 0 : (long)st.st_size;
}

void tool_show_errors(const char *log, long offset, int lines)
{
	enum { BEFORE = 1, AFTER = 3, MAX_ERRORS = 3 };
	size_t len;
	char *text = read_file_quiet(log, &len);
	const char **start = NULL;
	size_t n = 0, cap = 0, shown_to = 0;
	int errors = 0, printed = 0;
	const char *l = text && offset >= 0 && (size_t)offset <= len ? text + offset : NULL;

	for (; l && *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0))
		*ARRAY_PUSH(start, n, cap) = l;
	for (size_t i = 0; i < n && errors < MAX_ERRORS && printed < lines; i++) {
		size_t from, to;

		if (!is_error_line(start[i], strcspn(start[i], "\n")))
			continue;
		errors++;
		from = i > BEFORE ? i - BEFORE : 0;
		if (from < shown_to)
			from = shown_to;
		else if (printed)
			fprintf(stderr, "  | ...\n");
		to = i + AFTER + 1 < n ? i + AFTER + 1 : n;
		for (size_t k = from; k < to && printed < lines; k++, printed++)
			fprintf(stderr, "  | %.*s\n", (int)strcspn(start[k], "\n"), start[k]);
		shown_to = to;
		i = to - 1;
	}
	free(start);
	free(text);
	if (!errors)
		tool_show_log(log, lines);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Drop the oldest kept logs beyond TOOL_KEPT_LOGS (names sort by date). */
static void prune_logs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (str_ends(de->d_name, ".log"))
			*ARRAY_PUSH(names, n, cap) = xstrdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i + TOOL_KEPT_LOGS < n) {
			char *p = path_join(dir, names[i]);
			unlink(p);
			free(p);
		}
		free(names[i]);
	}
	free(names);
}

char *tool_keep_log(const char *log, const char *what)
{
	char *cache = lp_cache_dir(), *dir = path_join(cache, "logs"), *kept = NULL;
	char date[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(date, sizeof(date), "%Y%m%d-%H%M%S", gmtime_r(&now, &tm));
	if (!mkdir_p(dir)) {
		kept = xasprintf("%s/%s-%s-%d.log", dir, date, what, (int)getpid());
		if (copy_file(log, kept)) {
			free(kept);
			kept = NULL;
		} else {
			prune_logs(dir);
		}
	}
	if (!kept)
		lp_warn("could not keep a copy of %s in %s; it is removed with the work directory",
			log, dir);
	free(dir);
	free(cache);
	return kept;
}

char *tool_failed_log(const char *log, long from, const char *what)
{
	char *kept;

	tool_show_errors(log, from, 25);
	kept = tool_keep_log(log, what);
	return kept ? kept : xstrdup(log);
}

int tool_run(const char *const *argv, const char *cwd, const char *log, const char *doing)
{
	return tool_run_in(argv, cwd, log, doing, NULL, NULL);
}

int tool_run_in(const char *const *argv, const char *cwd, const char *log, const char *doing,
		const char *root, const char *const *binds)
{
	struct run_opts o = { .cwd = cwd, .log = log, .no_stdin = true, .root = root,
			      .binds = binds };
	int st = run(argv, &o);
	char *cmd;

	if (st == 0)
		return 0;
	cmd = argv_join(argv);
	if (st > 0) {
		tool_show_log(log, 15);
		lp_err("%s failed: `%s`%s%s%s%s %s %d (whole log: %s)", doing, cmd,
		       cwd ? " in " : "", cwd ? cwd : "", root ? " in the build root " : "",
		       root ? root : "", st > 128 ? "was killed by signal" : "exited with",
		       st > 128 ? st - 128 : st, log);
	} else {
		lp_err("%s failed: cannot run `%s`", doing, cmd);
	}
	free(cmd);
	return -1;
}
