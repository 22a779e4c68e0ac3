/*
 * lpatch-hook: what the start-up hook (src/hook/preload.c) runs in a process
 * that is starting, `lpatch-hook hook-apply PID FILE...`, the same as
 * `lpatch hook-apply`. A program of its own so that a patched start pays
 * for loading only the libraries an apply needs (libelf, libunwind), not
 * the ones of the build and download paths (docs/user-install.md). Also
 * `lpatch-hook serve`, the resident service that does the same for the hook
 * without a program start per process (src/cli/hookd.c).
 */
#include "cli/cli.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "hook-apply"))
		return cmd_hook_apply(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return cmd_hook_serve(argc - 1, argv + 1);
	if (argc >= 2 && cli_is_help(argv[1])) {
		printf("usage: lpatch-hook serve [--root DIR] [--spares N]   (see serve --help)\n"
		       "       lpatch-hook hook-apply PID FILE...            (run by the start-up hook)\n");
		return LP_EXIT_OK;
	}
	fprintf(stderr, "lpatch-hook: usage: lpatch-hook serve [--root DIR] [--spares N], or\n"
			"       lpatch-hook hook-apply PID FILE... (run by the start-up hook of "
			"`lpatch install --user`)\n");
	return LP_EXIT_REFUSED;
}
