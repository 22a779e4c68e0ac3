/* External tools for the target layer: run with a log, report failures well. */
#include "util/tool.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int tool_run(const char *const *argv, const char *cwd, const char *log, const char *doing)
{
	struct run_opts o = { .cwd = cwd, .log = log, .no_stdin = true };
	int st = run(argv, &o);
	char *cmd;

	if (st == 0)
		return 0;
	cmd = argv_join(argv);
	if (st > 0) {
		tool_show_log(log, 15);
		lp_err("%s failed: `%s`%s%s %s %d (whole log: %s)", doing, cmd, cwd ? " in " : "",
		       cwd ? cwd : "", st > 128 ? "was killed by signal" : "exited with",
		       st > 128 ? st - 128 : st, log);
	} else {
		lp_err("%s failed: cannot run `%s`", doing, cmd);
	}
	free(cmd);
	return -1;
}
