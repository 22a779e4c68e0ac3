/*
 * Compiler wrappers: `exec lpatch __cc-wrap REAL-COMPILER "$@"`, which runs
 * REAL-COMPILER "$@" -ffunction-sections -fdata-sections; a call that compiles
 * and links in one step is split so that each source leaves an object.
 */
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
#include <unistd.h>

#define SECTION_FLAGS "-ffunction-sections -fdata-sections"
/* With $LPATCH_CC_LOG set (a directory), each call is recorded in the file named by the
 * wrapper's pid, as records "lpatch-cc\0CWD\0" then "aARG\0" per argument: one file per
 * process, so parallel calls never interleave (ccwrap_links reads them). */
#define CCWRAP_LOG_LINE							\
	"[ -z \"$" CCWRAP_LOG_ENV "\" ] || { printf 'lpatch-cc\\0%%s\\0' \"$PWD\"; "	\
	"printf 'a%%s\\0' \"$@\"; } >>\"$" CCWRAP_LOG_ENV "/$$\"\n"

#define SELF_COPY "lpatch-cc-wrap"

static int wrap(const char *dir, const char *name, const char *real)
{
	char *path = path_join(dir, name), *self = path_join(dir, SELF_COPY);
	char *text = xasprintf("#!/bin/sh\n"
			       "# written by lpatch build --user: %s with one section per function\n"
			       CCWRAP_LOG_LINE
			       "exec '%s' " CCWRAP_COMMAND " '%s' \"$@\"\n", real, self, real);
	int r = write_file(path, text, strlen(text));

	if (!r && chmod(path, 0755)) {
		lp_perr("cannot make %s executable", path);
		r = -1;
	}
	free(text);
	free(path);
	free(self);
	return r;
}

char **ccwrap_write(const char *dir)
{
	/* with the GNU triplet: what Debian's packages call (CC=$(DEB_HOST_GNU_TYPE)-gcc) */
	static const char *const compilers[] = { "cc", "gcc", "c++", "g++", "clang", "clang++",
						 "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++" };
	const char *cc = getenv("CC"), *cxx = getenv("CXX");
	char **env = xcalloc(4, sizeof(char *));
	char *real, *self = path_self_exe(), *copy = path_join(dir, SELF_COPY);
	int n = 0;

	/* the wrappers run lpatch's own copy: an lpatch replaced during the build does no harm */
	if (!self || copy_file(self, copy) || chmod(copy, 0755)) {
		lp_err("cannot copy lpatch (%s) to %s for the compiler wrappers", self ? self : "?",
		       copy);
		free(self);
		free(copy);
		free(env);
		return NULL;
	}
	free(self);
	free(copy);

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

/* Options whose value is the next argument when given alone (gcc and clang). */
static bool takes_value(const char *a)
{
	static const char *const opts[] = {
		"-o", "-x", "-I", "-D", "-U", "-L", "-l", "-include", "-imacros", "-isystem",
		"-idirafter", "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-iquote",
		"-isysroot", "-imultilib", "-MF", "-MT", "-MQ", "-Xlinker", "-Xassembler",
		"-Xpreprocessor", "-Xclang", "-T", "-u", "-e", "-z", "-aux-info", "-dumpbase",
		"-dumpbase-ext", "-dumpdir", "-B", "--param", "-A", "-target", "-arch",
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(a, opts[i]))
			return true;
	return false;
}

/* Options that end a one-step build: only compile, preprocess, or ask. */
static bool not_linking(const char *a)
{
	static const char *const opts[] = { "-c", "-S", "-E", "-M", "-MM", "-fsyntax-only",
					    "-x", "-", "-###", "--version", "-dumpversion",
					    "-dumpmachine", "-dumpspecs", "-flto" };

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(a, opts[i]))
			return true;
	return a[0] == '@' || !strncmp(a, "-print-", 7) || !strncmp(a, "-flto=", 6);
}

static bool is_source(const char *a)
{
	static const char *const ext[] = { ".c", ".cc", ".cp", ".cxx", ".cpp", ".CPP", ".c++",
					   ".C" };
	const char *dot = strrchr(path_basename(a), '.');

	for (size_t i = 0; dot && i < sizeof(ext) / sizeof(ext[0]); i++)
		if (!strcmp(dot, ext[i]))
			return true;
	return false;
}

/* What only the link step takes; dropped from the compile steps. */
static int link_only(const char *a)
{
	static const char *const alone[] = { "-shared", "-static", "-static-libgcc",
					     "-static-libstdc++", "-rdynamic", "-pie", "-no-pie",
					     "-static-pie", "-s", "-nostdlib", "-nostartfiles",
					     "-nodefaultlibs" };
	static const char *const valued[] = { "-Xlinker", "-T", "-u", "-e", "-z", "-l", "-L" };

	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
		if (!strcmp(a, valued[i]))
			return 2;
	for (size_t i = 0; i < sizeof(alone) / sizeof(alone[0]); i++)
		if (!strcmp(a, alone[i]))
			return 1;
	return (!strncmp(a, "-l", 2) || !strncmp(a, "-L", 2) || !strncmp(a, "-Wl,", 4)) ? 1 : 0;
}

static const char *const section_flags[] = { "-ffunction-sections", "-fdata-sections" };

static char **argv_new(size_t cap)
{
	return xcalloc(cap, sizeof(char *));
}

/* exec argv with the section flags added; returns only on failure */
static int exec_with_flags(char **argv, size_t n)
{
	argv[n++] = (char *)section_flags[0];
	argv[n++] = (char *)section_flags[1];
	argv[n] = NULL;
	execv(argv[0], argv);
	lp_perr("cannot run %s", argv[0]);
	return 127;
}

/*
 * `cc [options] -o OUT a.c b.c [objects] [libraries]`: each source compiled to
 * DIR/OUT-STEM.o beside OUT (automake's naming), then the link of those
 * objects, so the build leaves objects for lpatch to compare and the program
 * is the same.
 */
static int split(const char *real, int argc, char **argv, const char *out)
{
	char *dir = path_dirname(out);
	const char *base = path_basename(out);
	char **objs = argv_new((size_t)argc + 1), **cc = argv_new((size_t)argc + 8);
	int st = 0;

	for (int s = 0; s < argc && !st; s++) {
		size_t n = 0;
		char *stem;

		if (argv[s][0] == '-' || !is_source(argv[s]) || (s > 0 && takes_value(argv[s - 1])))
			continue;
		stem = xstrdup(path_basename(argv[s]));
		*strrchr(stem, '.') = '\0';
		objs[s] = xasprintf("%s/%s-%s.o", dir, base, stem);
		free(stem);
		cc[n++] = (char *)real;
		for (int i = 0; i < argc; i++) {
			const char *a = argv[i];
			int skip = link_only(a);

			if (skip) {
				i += skip - 1;
				continue;
			}
			if (!strcmp(a, "-o")) {
				i++;
				continue;
			}
			if (!strncmp(a, "-o", 2))
				continue;
			if (takes_value(a) && i + 1 < argc) {
				cc[n++] = argv[i++];
				cc[n++] = argv[i];
				continue;
			}
			if (a[0] != '-')	/* sources and link inputs: this step compiles one */
				continue;
			cc[n++] = argv[i];
		}
		cc[n++] = "-c";
		cc[n++] = argv[s];
		cc[n++] = "-o";
		cc[n++] = objs[s];
		cc[n++] = (char *)section_flags[0];
		cc[n++] = (char *)section_flags[1];
		cc[n] = NULL;
		st = run((const char *const *)cc, &(struct run_opts){ 0 });
		if (st < 0)
			st = 127;
	}
	if (!st) {
		size_t n = 0;

		cc[n++] = (char *)real;
		for (int i = 0; i < argc; i++)
			cc[n++] = objs[i] ? objs[i] : argv[i];
		st = exec_with_flags(cc, n);
	}
	for (int i = 0; i < argc; i++)
		free(objs[i]);
	free(objs);
	free(cc);
	free(dir);
	return st;
}

int ccwrap_run(int argc, char **argv)
{
	const char *real, *out = "a.out";
	int nsrc = 0;
	char **all;

	if (argc < 2) {
		lp_err("%s: the compiler to run is missing", CCWRAP_COMMAND);
		return LP_EXIT_REFUSED;
	}
	real = argv[1];
	argc -= 2;
	argv += 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (not_linking(a)) {
			nsrc = 0;
			break;
		}
		if (!strcmp(a, "-o") && i + 1 < argc)
			out = argv[i + 1];
		else if (!strncmp(a, "-o", 2) && a[2])
			out = a + 2;
		if (takes_value(a)) {
			i++;
			continue;
		}
		nsrc += a[0] != '-' && is_source(a);
	}
	if (nsrc && path_basename(out)[0])
		return split(real, argc, argv, out);
	all = argv_new((size_t)argc + 4);
	all[0] = (char *)real;
	memcpy(all + 1, argv, (size_t)argc * sizeof(char *));
	return exec_with_flags(all, (size_t)argc + 1);
}
