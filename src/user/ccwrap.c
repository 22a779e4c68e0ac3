/* Compiler wrappers: `exec REAL-COMPILER "$@" -ffunction-sections -fdata-sections`. */
#include "user/ccwrap.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SECTION_FLAGS "-ffunction-sections -fdata-sections"

static int wrap(const char *dir, const char *name, const char *real)
{
	char *path = path_join(dir, name);
	char *text = xasprintf("#!/bin/sh\n"
			       "# written by lpatch build --user: %s with one section per function\n"
			       "exec '%s' \"$@\" " SECTION_FLAGS "\n", real, real);
	int r = write_file(path, text, strlen(text));

	if (!r && chmod(path, 0755)) {
		lp_perr("cannot make %s executable", path);
		r = -1;
	}
	free(text);
	free(path);
	return r;
}

char **ccwrap_write(const char *dir)
{
	static const char *const compilers[] = { "cc", "gcc", "c++", "g++", "clang", "clang++" };
	const char *cc = getenv("CC"), *cxx = getenv("CXX");
	char **env = xcalloc(4, sizeof(char *));
	char *real;
	int n = 0;

	for (size_t i = 0; i < sizeof(compilers) / sizeof(compilers[0]); i++) {
		if (!(real = find_program(compilers[i], dir)))
			continue;
		n += !strcmp(compilers[i], "cc");
		if (wrap(dir, compilers[i], real)) {
			free(real);
			ccwrap_env_free(env);
			return NULL;
		}
		free(real);
	}
	if (!n && !cc) {
		lp_err("no C compiler: cc is not on PATH and CC is not set");
		lp_hint("install gcc (apt-get install gcc), or set CC");
		ccwrap_env_free(env);
		return NULL;
	}
	/* $CC and $CXX may name a compiler not on PATH (gcc-12, /opt/...): wrap those too */
	for (int k = 0; k < 2; k++) {
		const char *want = k ? cxx : cc, *alias = k ? "lpatch-cxx" : "lpatch-cc";
		char *wrapper;
		if (!want || !*want)
			continue;
		if (strchr(want, ' ')) {
			lp_warn("%s='%s' has arguments; the build may bypass lpatch's wrapper",
				k ? "CXX" : "CC", want);
			continue;
		}
		if (!(real = find_program(want, dir))) {
			lp_err("%s=%s: no such program", k ? "CXX" : "CC", want);
			ccwrap_env_free(env);
			return NULL;
		}
		if (wrap(dir, alias, real)) {
			free(real);
			ccwrap_env_free(env);
			return NULL;
		}
		free(real);
		wrapper = path_join(dir, alias);
		env[1 + k] = xasprintf("%s=%s", k ? "CXX" : "CC", wrapper);
		free(wrapper);
	}
	env[0] = xasprintf("PATH=%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	/* keep the entries contiguous for run_opts.env */
	if (!env[1] && env[2]) {
		env[1] = env[2];
		env[2] = NULL;
	}
	return env;
}

void ccwrap_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}
