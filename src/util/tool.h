/* Running the tools that fetch and prepare kernels, with their output in a log. */
#ifndef LPATCH_UTIL_TOOL_H
#define LPATCH_UTIL_TOOL_H

/*
 * Run argv in cwd (NULL: here) with stdout and stderr appended to log.
 * On failure print the end of the log and an error saying what failed
 * (`doing` describes the step, e.g. "extracting linux-source-6.1").
 * 0, or -1.
 */
int tool_run(const char *const *argv, const char *cwd, const char *log, const char *doing);
/* tool_run inside a build root (run_opts.root and .binds; NULL root: the host). */
int tool_run_in(const char *const *argv, const char *cwd, const char *log, const char *doing,
		const char *root, const char *const *binds);

/* Print the last lines of a log file to stderr, indented. */
void tool_show_log(const char *log, int lines);

/*
 * Print what a compiler said went wrong: the first lines of log from byte
 * offset on (what one run added) holding "error:" (or "ERROR:"), each with a
 * line before and a few after, at most lines in all; the end of the log
 * when none does.
 */
void tool_show_errors(const char *log, long offset, int lines);
/* The size of log now (0 when it does not exist yet): where a run starts adding. */
long tool_log_mark(const char *log);

/*
 * Keep a copy of log, which lives in a work directory removed on exit, as
 * $LPATCH_CACHE/logs/<date>-<what>-<pid>.log (the newest TOOL_KEPT_LOGS
 * are kept). The copy's path (caller frees), or NULL with a warning.
 */
#define TOOL_KEPT_LOGS 20
char *tool_keep_log(const char *log, const char *what);

/*
 * After a failed step whose output was appended to log from byte from on:
 * print the compiler's errors, keep the log, and return the path to name
 * in the error message: the kept copy, or log itself when it could not be
 * copied. Caller frees.
 */
char *tool_failed_log(const char *log, long from, const char *what);

#endif
