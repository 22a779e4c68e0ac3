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

/* Print the last lines of a log file to stderr, indented. */
void tool_show_log(const char *log, int lines);

#endif
