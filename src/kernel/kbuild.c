/* Compiling single objects of a prepared kernel tree through kbuild. */
#include "kernel/kbuild.h"
#include "klp/author_headers.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"
#include "util/tool.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int make_objects(const struct kernel_target *t, char **objs, size_t n, const char *log,
			bool keep_going)
{
	const char *argv[n + 9];
	char *rel = xasprintf("KERNELRELEASE=%s", t->release);
	char *cc = xasprintf("CC=%s", t->cc ? t->cc : "gcc");
	char *jobs = xasprintf("-j%ld", sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1);
	/* patched sources may #include "lpatch.h" or "kpatch-macros.h" */
	const char *hdrs = author_headers_dir();
	char *kcflags = xasprintf("KCFLAGS=-ffunction-sections -fdata-sections%s%s",
				  hdrs ? " -I" : "", hdrs ? hdrs : "");
	size_t k = 0;
	long mark;
	int st;

	argv[k++] = "make";
	argv[k++] = jobs;
	argv[k++] = rel;
	argv[k++] = cc;
	argv[k++] = kcflags;
	if (keep_going)
		argv[k++] = "-k";
	for (size_t i = 0; i < n; i++)
		argv[k++] = objs[i];
	argv[k] = NULL;
	mark = tool_log_mark(log);	/* an earlier pass's errors are not this one's */
	{
		struct run_opts o = { .cwd = t->src, .log = log, .no_stdin = true };

		target_run_opts(t, hdrs, &o);
		st = run(argv, &o);
	}
	free(rel);
	free(cc);
	free(jobs);
	free(kcflags);
	if (st && !keep_going) {
		/* the log is in the build's work directory, removed on exit: keep a copy */
		char *kept = tool_failed_log(log, mark, "kbuild-objects");
		lp_err("kbuild failed to compile %s%s (make exited %d); the whole log: %s", objs[0],
		       n > 1 ? " and others" : "", st, kept);
		free(kept);
		return -1;
	}
	return st ? -1 : 0;
}

int kbuild_objects(const struct kernel_target *t, char **objs, size_t n, const char *log,
		   bool keep_going)
{
	/* make without targets would build the whole kernel, in the shared tree */
	if (!n) {
		lp_err("internal error: kbuild_objects was given no object to make");
		return -1;
	}
	return make_objects(t, objs, n, log, keep_going);
}

char *kbuild_object_module(const struct kernel_target *t, const char *obj)
{
	char *dir = path_dirname(obj);
	char *cmd = xasprintf("%s/%s/.%s.cmd", t->src, dir, path_basename(obj));
	char *text = read_file_quiet(cmd, NULL), *mod = NULL;
	const char *m;

	if (text && strstr(text, "-DMODULE") && (m = strstr(text, "-DKBUILD_MODNAME='\""))) {
		m += strlen("-DKBUILD_MODNAME='\"");
		mod = xstrndup(m, strcspn(m, "\"'"));
	}
	free(text);
	free(cmd);
	free(dir);
	return mod;
}
