/* Compiler wrappers: `exec REAL-COMPILER "$@" -ffunction-sections -fdata-sections`. */
#include "user/ccwrap.h"

#include "user/objects.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SECTION_FLAGS "-ffunction-sections -fdata-sections"
/* With $LPATCH_CC_LOG set (a directory), each call is recorded in the file named by the
 * wrapper's pid, as records "lpatch-cc\0CWD\0" then "aARG\0" per argument: one file per
 * process, so parallel calls never interleave (ccwrap_links reads them). */
#define CCWRAP_LOG_LINE							\
	"[ -z \"$" CCWRAP_LOG_ENV "\" ] || { printf 'lpatch-cc\\0%%s\\0' \"$PWD\"; "	\
	"printf 'a%%s\\0' \"$@\"; } >>\"$" CCWRAP_LOG_ENV "/$$\"\n"

static int wrap(const char *dir, const char *name, const char *real)
{
	char *path = path_join(dir, name);
	char *text = xasprintf("#!/bin/sh\n"
			       "# written by lpatch build --user: %s with one section per function\n"
			       CCWRAP_LOG_LINE
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
	/* with the GNU triplet: what Debian's packages call (CC=$(DEB_HOST_GNU_TYPE)-gcc) */
	static const char *const compilers[] = { "cc", "gcc", "c++", "g++", "clang", "clang++",
						 "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++" };
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

/* One recorded call: args[0] is its directory. */
static void link_call(char **args, size_t n, const char *root, const char *output,
		      struct objlist *out, bool *found)
{
	bool writes = false;

	for (size_t i = 1; i < n; i++) {
		const char *o = !strcmp(args[i], "-o") && i + 1 < n ? args[i + 1] :
				str_starts(args[i], "-o") ? args[i] + 2 : NULL;
		if (o && !strcmp(path_basename(o), output))
			writes = true;
	}
	if (!writes)
		return;
	*found = true;
	for (size_t i = 1; i < n; i++) {
		char *full, *real;
		size_t len = strlen(root);

		if ((!str_ends(args[i], ".o") && !str_ends(args[i], ".lo")) ||
		    (i > 1 && !strcmp(args[i - 1], "-o")))
			continue;
		full = args[i][0] == '/' ? xstrdup(args[i]) : path_join(args[0], args[i]);
		real = realpath(full, NULL);
		if (real && !strncmp(real, root, len) && real[len] == '/')
			*ARRAY_PUSH(out->rel, out->n, out->cap) = xstrdup(real + len + 1);
		free(real);
		free(full);
	}
}

int ccwrap_link_inputs(const char *logdir, const char *tree, const char *output,
		       struct objlist *out)
{
	DIR *d = opendir(logdir);
	struct dirent *e;
	char *root = realpath(tree, NULL);
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (!d || !root) {
		lp_perr("cannot read %s", !d ? logdir : tree);
		if (d)
			closedir(d);
		free(root);
		return -1;
	}
	while ((e = readdir(d))) {
		char *path, *text;
		size_t len, n = 0, cap = 0;
		char **args = NULL;

		if (e->d_name[0] == '.')
			continue;
		path = path_join(logdir, e->d_name);
		text = read_file(path, &len);
		free(path);
		if (!text)
			continue;
		/* records: "lpatch-cc" CWD then "a"ARG..., each NUL-terminated */
		for (size_t at = 0; at < len;) {
			char *tok = text + at;
			size_t tl = strnlen(tok, len - at);

			at += tl + 1;
			if (!strcmp(tok, "lpatch-cc") && at < len) {
				if (n)
					link_call(args, n, root, output, out, &found);
				n = 0;
				*ARRAY_PUSH(args, n, cap) = text + at;
				at += strnlen(text + at, len - at) + 1;
			} else if (tok[0] == 'a' && n) {
				*ARRAY_PUSH(args, n, cap) = tok + 1;
			}
		}
		if (n)
			link_call(args, n, root, output, out, &found);
		free(args);
		free(text);
	}
	closedir(d);
	free(root);
	return found ? 0 : 1;
}
