/* lpatch: entry point and subcommand dispatch. */
#include "cli/cli.h"
#include "user/ccwrap.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

#define LPATCH_VERSION "0.1.0"

const struct command lp_commands[] = {
	{ "build",  "build a livepatch module (or a process patch) from a source diff", cmd_build },
	{ "diff",   "compare an original and a patched object; write what changed", cmd_diff },
	{ "vm",     "run a command on a target kernel in a throwaway VM", cmd_vm },
	{ "target", "fetch and show a target kernel's artifacts", cmd_target },
	{ "cache",  "list the releases in lpatch's cache and their disk; prune them", cmd_cache },
	{ "apply",  "patch running processes with a .lpatch file", cmd_apply },
	{ "revert", "take a patch out of a running process", cmd_revert },
	{ "ps",     "list processes with patches applied", cmd_ps },
	{ "info",   "show a livepatch module's metadata and functions", cmd_host },
	{ "load",   "load a livepatch into the running kernel (or --all installed)", cmd_host },
	{ "unload", "disable a livepatch and remove its module", cmd_host },
	{ "list",   "list loaded and installed livepatches and patched functions", cmd_host },
	{ "status", "kernel release, livepatch states, CVEs fixed, taint (--json)", cmd_host },
	{ "install", "keep a livepatch to load at every boot of its kernel", cmd_host },
	{ "uninstall", "stop loading an installed livepatch at boot", cmd_host },
	{ "package", "a Debian package of a livepatch, for apt (fleets)", cmd_package },
	{ "quarantine", "patches that crashed the machine: list, lift", cmd_quarantine },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: lpatch [-v] [--quiet] COMMAND [ARGS]...\n\n"
		   "Live patching for Linux: kernel livepatch modules from source diffs,\n"
		   "and patches for running processes.\n\ncommands:\n");
	int width = 0;

	/* the summaries in one column, after the longest command's name */
	for (const struct command *c = lp_commands; c->name; c++)
		if ((int)strlen(c->name) > width)
			width = (int)strlen(c->name);
	for (const struct command *c = lp_commands; c->name; c++)
		fprintf(f, "  %-*s %s\n", width, c->name, c->summary);
	fprintf(f, "\n`lpatch COMMAND --help` describes a command; `man lpatch` has the rest.\n"
		   "Exit codes: 0 success, 1 failure, 2 bad usage or refused input,\n"
		   "3 no functional change (build, diff), 4 a livepatch transition stalled\n"
		   "(load, unload).\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	/* the compiler wrapper of build --user: before any option, never listed */
	if (argc > 1 && !strcmp(argv[1], CCWRAP_COMMAND))
		return ccwrap_run(argc - 1, argv + 1);
	lp_elapsed();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			lp_verbose++;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			lp_quiet = true;
		else if (cli_is_help(argv[i])) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("lpatch %s\n", LPATCH_VERSION);
			return 0;
		} else {
			fprintf(stderr, "lpatch: unknown option %s\n", argv[i]);
			usage(stderr);
			return LP_EXIT_REFUSED;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return LP_EXIT_REFUSED;
	}
	if (!strcmp(argv[i], "hook-apply"))	/* the start-up hook's, not listed */
		return cmd_hook_apply(argc - i, argv + i);
	for (const struct command *c = lp_commands; c->name; c++)
		if (!strcmp(c->name, argv[i]))
			return c->run(argc - i, argv + i);
	fprintf(stderr, "lpatch: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return LP_EXIT_REFUSED;
}
