/* Running other programs (make, apt-get, dpkg-deb, qemu): argv, never a shell. */
#ifndef LPATCH_UTIL_RUN_H
#define LPATCH_UTIL_RUN_H

#include <stdbool.h>

struct run_opts {
	const char *cwd;	/* run in this directory */
	const char *const *env;	/* extra NAME=VALUE entries, NULL-terminated */
	const char *log;	/* send stdout and stderr to this file (appended) */
	const char *out;	/* send stdout only to this file (truncated) */
	bool quiet;		/* discard stdout and stderr */
	bool no_stdin;		/* stdin from /dev/null */
	bool stderr_too;	/* run_capture: stderr captured with stdout */
	/* run inside this directory tree (a build root: chroot in a private
	 * mount namespace), with binds (absolute host directories) mounted
	 * at the same paths inside; the log and out files are opened first,
	 * on the host; cwd and argv[0] are the root's */
	const char *root;
	const char *const *binds;
};

/*
 * Run argv[0] (searched in PATH) and wait. Returns the exit status (0..255),
 * 128+N when killed by signal N, or -1 when it could not be started (with
 * an error printed).
 */
int run(const char *const *argv, const struct run_opts *opts);
/* run() with stdout captured into a NUL-terminated string (NULL on failure). */
char *run_capture(const char *const *argv, const struct run_opts *opts, int *status);
/*
 * The absolute path of program name: on PATH, skipping the directory
 * skip_dir (NULL: none), or name itself when it has a slash; NULL when not
 * found or not executable. Caller frees.
 */
char *find_program(const char *name, const char *skip_dir);
/* Is this program on PATH? */
bool have_program(const char *name);
/* "a b c" of argv, for messages; caller frees. */
char *argv_join(const char *const *argv);

#endif
