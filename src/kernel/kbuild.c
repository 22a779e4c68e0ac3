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

/* The flags lpatch adds to kbuild's: KCFLAGS's value. Caller frees. */
static char *extra_cflags(void)
{
	/* patched sources may #include "lpatch.h" or "kpatch-macros.h" */
	const char *hdrs = author_headers_dir();

	return xasprintf("-ffunction-sections -fdata-sections%s%s", hdrs ? " -I" : "",
			 hdrs ? hdrs : "");
}

/*
 * line (a recorded compile command) with lpatch's flags as this lpatch adds
 * them: the author headers' directory differs between installations, the
 * rest is the same. NULL when line has not lpatch's flags at all.
 */
static char *with_our_flags(const char *line, const char *cflags)
{
	static const char base[] = " -ffunction-sections -fdata-sections";
	const char *at = strstr(line, base), *end;

	if (!at)
		return NULL;
	end = at + strlen(base);
	/* the author headers of the lpatch that recorded it: -I/some/where (absolute;
	 * a file's own ccflags that follow are relative to the tree: -I./drivers/...) */
	if (str_starts(end, " -I/"))
		end += strcspn(end + 1, " ") + 1;
	if (*end != ' ')
		return NULL;
	return xasprintf("%.*s %s%s", (int)(at - line), line, cflags, end);
}

/*
 * The command kbuild last compiled obj with, as its .cmd file records it
 * (still escaped for make), when it is the one this build would run: the
 * target's compiler, lpatch's flags (the author headers' directory made
 * this lpatch's), obj's own source. NULL otherwise (never compiled here, or
 * without lpatch's flags).
 */
/* Where kbuild records how it made obj: DIR/.NAME.o.cmd in the tree. */
static char *cmd_file(const struct kernel_target *t, const char *obj)
{
	char *dir = path_dirname(obj);
	char *path = xasprintf("%s/%s/.%s.cmd", t->src, dir, path_basename(obj));

	free(dir);
	return path;
}

static char *recorded_command(const struct kernel_target *t, const char *obj,
			      const char *cflags)
{
	char *cmdfile = cmd_file(t, obj);
	/* "cmd_OBJ := ..." up to 6.1; "savedcmd_OBJ := ..." from 6.2 (6.12: Debian 13) */
	char *text = read_file_quiet(cmdfile, NULL), *head = xasprintf("cmd_%s := ", obj);
	char *saved = xasprintf("savedcmd_%s := ", obj);
	char *src = xstrdup(obj), *tail, *cmd = NULL;
	char *cc = xasprintf("%s ", t->cc ? t->cc : "gcc");

	src[strlen(src) - 1] = 'c';
	tail = xasprintf(" -c -o %s %s ", obj, src);
	if (text && (str_starts(text, head) || str_starts(text, saved))) {
		char *line = text + strlen(str_starts(text, head) ? head : saved);

		line[strcspn(line, "\n")] = '\0';
		cmd = with_our_flags(line, cflags);
		if (cmd && !(str_starts(cmd, cc) && strstr(cmd, tail))) {
			free(cmd);
			cmd = NULL;
		}
	}
	free(cc);
	free(tail);
	free(src);
	free(head);
	free(saved);
	free(text);
	free(cmdfile);
	return cmd;
}

/*
 * Compile objects by replaying the commands kbuild recorded for them, from a
 * makefile of our own: no top-level kbuild checks (syncconfig, prepare,
 * objtool's and modpost's makes), which cost seconds per run while the
 * compile itself takes one. The tree is prepared once and never changes but
 * for the files a build patches, so the recorded command (compiler, flags,
 * objtool) is the one kbuild would run again. REPLAY_NO_RECORD when some
 * object has no usable record (the caller runs kbuild, which records it),
 * else make's status (-1 when it could not run).
 */
#define REPLAY_NO_RECORD (-2)

/* Variables kbuild reads from the environment that change the code it makes:
 * a record made with one of them set is not the target's build, and one made
 * without it is not what kbuild would run now. */
static const char *const kbuild_env[] = {
	"KCPPFLAGS", "KAFLAGS", "KCFLAGS", "CFLAGS_KERNEL", "CFLAGS_MODULE", "AFLAGS_KERNEL",
	"AFLAGS_MODULE", "LDFLAGS_MODULE", "KBUILD_CFLAGS", "LLVM", "CROSS_COMPILE",
};

static const char *kbuild_env_set(void)
{
	for (size_t i = 0; i < sizeof(kbuild_env) / sizeof(*kbuild_env); i++)
		if (getenv(kbuild_env[i]) && *getenv(kbuild_env[i]))
			return kbuild_env[i];
	return NULL;
}

/* Forget what kbuild recorded for objs: made under a kbuild_env variable, it
 * must not be replayed by a later build. */
static void forget_records(const struct kernel_target *t, char **objs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *cmdfile = cmd_file(t, objs[i]);

		unlink(cmdfile);
		free(cmdfile);
	}
}
static int replay(const struct kernel_target *t, char **objs, size_t n, const char *log,
		  const char *jobs, bool keep_going)
{
	char *cflags = extra_cflags(), *dir = path_dirname(log);
	char *mk = path_join(dir, "replay.mk");
	struct strbuf sb = {0};
	const char *argv[n + 8];
	size_t k = 0;
	int st = REPLAY_NO_RECORD;

	sb_add(&sb, "# commands kbuild recorded in the tree's .cmd files, replayed by lpatch\n"
		    "pound := \\#\n.PHONY: FORCE\nFORCE:\n");
	for (size_t i = 0; i < n; i++) {
		char *cmd = recorded_command(t, objs[i], cflags);
		char *odir = path_dirname(objs[i]);

		if (!cmd) {
			lp_debug("%s: no recorded kbuild command with lpatch's flags: kbuild makes it",
				 objs[i]);
			free(odir);
			goto out;
		}
		/* the recipe is the recorded value as make would expand it; fixdep's
		 * input (.d) is left to no one: remove it */
		sb_addf(&sb, "%s: FORCE\n\t@%s\n\t@rm -f %s/.%s.d\n", objs[i], cmd, odir,
			path_basename(objs[i]));
		free(odir);
		free(cmd);
	}
	if (write_file(mk, sb.buf, sb.len)) {
		st = -1;
		goto out;
	}
	argv[k++] = "make";
	argv[k++] = "-r";
	argv[k++] = "-R";
	argv[k++] = jobs;
	argv[k++] = "-f";
	argv[k++] = mk;
	if (keep_going)
		argv[k++] = "-k";
	for (size_t i = 0; i < n; i++)
		argv[k++] = objs[i];
	argv[k] = NULL;
	lp_debug("replaying kbuild's recorded commands for %zu object%s", n, n > 1 ? "s" : "");
	{
		/* in the target's build root when it has one, as kbuild would run */
		struct run_opts o = { .cwd = t->src, .log = log, .no_stdin = true };

		target_run_opts(t, author_headers_dir(), &o);
		st = run(argv, &o);
	}
out:
	sb_free(&sb);
	free(mk);
	free(dir);
	free(cflags);
	return st;
}

static int make_objects(const struct kernel_target *t, char **objs, size_t n, const char *log,
			bool keep_going)
{
	const char *argv[n + 9];
	char *rel = xasprintf("KERNELRELEASE=%s", t->release);
	char *cc = xasprintf("CC=%s", t->cc ? t->cc : "gcc");
	char *jobs = xasprintf("-j%ld", sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1);
	char *cflags = extra_cflags(), *kcflags = xasprintf("KCFLAGS=%s", cflags);
	size_t k = 0;
	const char *skew;
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
	/* LPATCH_NO_REPLAY: always through kbuild (to compare, or to rule replay out);
	 * so too when the environment changes what kbuild makes */
	skew = kbuild_env_set();
	if (skew)
		lp_debug("%s is set: kbuild makes the objects, and its records are dropped", skew);
	st = getenv("LPATCH_NO_REPLAY") || skew ? REPLAY_NO_RECORD
						 : replay(t, objs, n, log, jobs, keep_going);
	if (st == REPLAY_NO_RECORD) {
		struct run_opts o = { .cwd = t->src, .log = log, .no_stdin = true };

		target_run_opts(t, author_headers_dir(), &o);
		st = run(argv, &o);
		if (skew)
			forget_records(t, objs, n);
	}
	free(rel);
	free(cc);
	free(jobs);
	free(cflags);
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
