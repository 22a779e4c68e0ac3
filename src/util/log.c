#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int lp_verbose;
bool lp_quiet;

static char first_error[512];

const char *lp_first_error(void)
{
	return first_error[0] ? first_error : NULL;
}

static void emit(const char *tag, const char *fmt, va_list ap, const char *tail)
{
	if (!first_error[0] && !strcmp(tag, "error: ")) {
		va_list copy;
		int n;

		va_copy(copy, ap);
		n = vsnprintf(first_error, sizeof(first_error), fmt, copy);
		va_end(copy);
		if (n >= 0 && tail && (size_t)n < sizeof(first_error))
			snprintf(first_error + n, sizeof(first_error) - (size_t)n, ": %s", tail);
		/* one line: what follows a newline is detail */
		first_error[strcspn(first_error, "\n")] = '\0';
	}
	fprintf(stderr, "lpatch: %s", tag);
	vfprintf(stderr, fmt, ap);
	if (tail)
		fprintf(stderr, ": %s", tail);
	fputc('\n', stderr);
}

void lp_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("error: ", fmt, ap, NULL);
	va_end(ap);
}

void lp_perr(const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	emit("error: ", fmt, ap, why);
	va_end(ap);
}

void lp_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void lp_hint(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("hint: ", fmt, ap, NULL);
	va_end(ap);
}

void lp_progress(const char *fmt, ...)
{
	va_list ap;
	if (lp_quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "lpatch: [%5.1fs] ", lp_elapsed());
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void lp_debug(const char *fmt, ...)
{
	va_list ap;
	if (lp_verbose < 1)
		return;
	va_start(ap, fmt);
	emit("debug: ", fmt, ap, NULL);
	va_end(ap);
}

int lp_exit_code(int status, int fail_code)
{
	if (status == LP_OK)
		return LP_EXIT_OK;
	return status == LP_REFUSED ? LP_EXIT_REFUSED : fail_code;
}

double lp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double lp_elapsed(void)
{
	static double start = -1;
	double now = lp_now();

	if (start < 0)
		start = now;
	return now - start;
}
