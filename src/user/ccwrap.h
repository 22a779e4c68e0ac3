/*
 * The compiler wrapper of `lpatch build --user`: the project's own compiler,
 * called exactly as its build calls it, with one section per function and
 * variable added (-ffunction-sections -fdata-sections), which changes where
 * code is placed but not the code itself.
 */
#ifndef LPATCH_USER_CCWRAP_H
#define LPATCH_USER_CCWRAP_H

/*
 * Write wrappers for the C and C++ compilers found on PATH (and $CC) into
 * dir. Returns the NAME=VALUE entries (PATH with dir first, CC, CXX) the
 * build must run with, NULL-terminated (free with ccwrap_env_free); NULL
 * with an error printed.
 */
char **ccwrap_write(const char *dir);
void ccwrap_env_free(char **env);

/* With this variable naming a directory in the build's environment, the
 * wrappers record each call there (its directory and arguments). */
#define CCWRAP_LOG_ENV "LPATCH_CC_LOG"

struct objlist;
/*
 * From the calls recorded in logdir: the object files (*.o, *.lo, relative to
 * tree) given to the calls that wrote a file named output (-o, any
 * directory), that is, what the link of output took. 0 when such a call was
 * found (out filled), 1 when none was (out empty), -1 on error (printed).
 */
int ccwrap_link_inputs(const char *logdir, const char *tree, const char *output,
		       struct objlist *out);

/*
 * The wrapper itself: `lpatch __cc-wrap REAL-COMPILER ARGS...` (hidden; the
 * scripts ccwrap_write writes call it). Runs REAL-COMPILER ARGS with the
 * section flags added. A call that compiles and links in one step (`cc -o
 * prog a.c b.c`, no -c) compiles each source to OUTDIR/PROG-STEM.o first and
 * then links those objects, so that every source leaves an object to compare.
 * Returns the compiler's exit status when it does not exec it.
 */
#define CCWRAP_COMMAND "__cc-wrap"
int ccwrap_run(int argc, char **argv);

#endif
