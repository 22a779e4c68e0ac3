/*
 * lpatch-hook: what the start-up hook (src/hook/preload.c) runs in a process
 * that is starting, `lpatch-hook hook-apply PID FILE...`, the same as
 * `lpatch hook-apply`. A program of its own so that a patched start pays
 * for loading only the libraries an apply needs (libelf, libunwind), not
 * the ones of the build and download paths (docs/user-install.md).
 */
#include "cli/cli.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "hook-apply")) {
		fprintf(stderr, "lpatch-hook: usage: lpatch-hook hook-apply PID FILE... "
				"(run by the start-up hook of `lpatch install --user`)\n");
		return LP_EXIT_REFUSED;
	}
	return cmd_hook_apply(argc - 1, argv + 1);
}
