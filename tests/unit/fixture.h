/* Compiling small C fixtures at test time. */
#ifndef LPATCH_TESTS_FIXTURE_H
#define LPATCH_TESTS_FIXTURE_H

#include "util/fs.h"
#include "util/run.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static char *fixture_dir;

static inline const char *fixture_tmp(void)
{
	if (!fixture_dir)
		fixture_dir = make_temp_dir("unit");
	return fixture_dir;
}

/* Write text to root/rel, making its directories. */
static inline void fixture_put(const char *root, const char *rel, const char *text)
{
	char *p = path_join(root, rel), *d = path_dirname(p);

	mkdir_p(d);
	write_file(p, text, strlen(text));
	free(d);
	free(p);
}

/* Compile C source text to an object named name.o (flags: extra cc flags,
 * space separated). Returns the object's path, or NULL. */
static inline char *fixture_cc(const char *name, const char *src, const char *flags)
{
	char *c = xasprintf("%s/%s.c", fixture_tmp(), name);
	char *o = xasprintf("%s/%s.o", fixture_tmp(), name);
	const char *argv[64] = { "cc", "-c", "-O2", "-ffunction-sections", "-fdata-sections",
				 "-fno-asynchronous-unwind-tables", "-fno-pic", "-mcmodel=kernel" };
	int n = 8, st;
	char *copy = xstrdup(flags ? flags : ""), *save = NULL;

	for (char *t = strtok_r(copy, " ", &save); t && n < 60; t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n++] = "-o";
	argv[n++] = o;
	argv[n++] = c;
	argv[n] = NULL;
	write_file(c, src, strlen(src));
	st = run(argv, &(struct run_opts){ .no_stdin = true });
	free(copy);
	free(c);
	if (st) {
		free(o);
		return NULL;
	}
	return o;
}

static inline void fixture_cleanup(void)
{
	if (fixture_dir)
		rm_rf(fixture_dir);
}

#endif
