/* Messages to the user: errors, warnings, progress lines. */
#ifndef LPATCH_UTIL_LOG_H
#define LPATCH_UTIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Exit codes shared by every command (documented in docs/exit-codes.md). */
enum lp_exit {
	LP_EXIT_OK = 0,
	LP_EXIT_FAIL = 1,	/* the operation failed: tool, I/O, environment */
	LP_EXIT_REFUSED = 2,	/* bad usage, bad input, or a change lpatch refuses */
	LP_EXIT_NOCHANGE = 3,	/* the patch has no functional change */
	LP_EXIT_STALLED = 4,	/* load, unload: the livepatch transition did not finish in
				 * time (load backed the patch out, unload left it loaded) */
};

/*
 * What a function returns when "failed" is not enough: the caller must tell
 * a refusal (bad input, an unknown kernel, a change lpatch will not make:
 * exit 2) from a failure of the operation (a tool, I/O: exit 1). Functions
 * that only succeed or fail keep returning plain 0 / -1, which are LP_OK and
 * LP_FAIL. The error is printed where it is found, before the return.
 */
enum lp_status {
	LP_OK = 0,
	LP_FAIL = -1,		/* the operation failed (error printed) */
	LP_REFUSED = -2,	/* the input is refused (error printed) */
};

/* The exit code for a status: LP_EXIT_OK, LP_EXIT_REFUSED, or fail_code for
 * LP_FAIL and anything else (LP_EXIT_FAIL for most commands). */
int lp_exit_code(int status, int fail_code);

extern int lp_verbose;		/* -v raises it; progress lines need >= 0 */
extern bool lp_quiet;		/* --quiet silences progress lines */

void lp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lp_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lp_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lp_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lp_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like lp_err, with ": strerror(errno)" appended. */
void lp_perr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first error this process said (its first line, at most 511 bytes), or
 * NULL: the one-line reason a caller reports for a whole operation. */
const char *lp_first_error(void);

/* Seconds on the monotonic clock, from an arbitrary origin: for deadlines
 * and durations, which a change of the wall clock must not move. */
double lp_now(void);
/* Seconds since the first call, for progress lines with timings. */
double lp_elapsed(void);

#endif
