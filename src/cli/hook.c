/*
 * lpatch hook-apply PID FILE...: run by the start-up hook (src/hook/preload.c)
 * inside a process that is starting, to apply the installed patches that
 * match it before its main runs. Not for people: not in `lpatch --help`.
 * The hook has allowed the trace (Yama) once fd 3 reads end-of-file; errors
 * go to stderr, which the hook keeps, and the exit code says whether every
 * patch was applied.
 */
#include "cli/cli.h"

#include "user/ops.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

/* The stack check gives up sooner than apply's default: the process waits. */
#define HOOK_TIMEOUT_MS 1000

int hook_apply_files(pid_t pid, char **files, int n)
{
	struct user_opts o = { .timeout_ms = HOOK_TIMEOUT_MS, .fresh = true, .exit_after = true };
	int rc = LP_EXIT_OK;

	for (int i = 0; i < n; i++) {
		struct user_patch pf;
		struct user_result r;
		int one;

		if (patch_open(files[i], &pf)) {
			rc = LP_EXIT_REFUSED;
			continue;
		}
		one = user_apply(pid, &pf, &o, &r);
		if (one != LP_EXIT_OK && rc == LP_EXIT_OK)
			rc = one;
		/* not closed: o.exit_after, the exit frees it (the process is waiting) */
	}
	return rc;
}

int cmd_hook_apply(int argc, char **argv)
{
	char *end;
	long pid;
	char c;

	if (argc < 3) {
		lp_err("hook-apply: usage: lpatch hook-apply PID FILE... (run by the start-up hook)");
		return LP_EXIT_REFUSED;
	}
	errno = 0;
	pid = strtol(argv[1], &end, 10);
	if (errno || *end || pid <= 0 || pid > INT_MAX) {
		lp_err("hook-apply: '%s' is not a process id", argv[1]);
		return LP_EXIT_REFUSED;
	}
	/* wait for the go: the hook closes its end once we may trace it */
	if (fcntl(3, F_GETFD) >= 0) {
		while (read(3, &c, 1) > 0 || errno == EINTR)
			errno = 0;
		close(3);
	}
	return hook_apply_files((pid_t)pid, argv + 2, argc - 2);
}
