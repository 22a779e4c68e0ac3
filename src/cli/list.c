/* lpatch list: loaded and installed livepatches and the functions they replace. */
#include "cli/cli.h"
#include "cli/host_args.h"

#include "host/status.h"

#include <stdio.h>

static void usage(void)
{
	printf("usage: lpatch list [--root DIR]\n\n"
	       "List the livepatches of this host, loaded and installed for the running\n"
	       "release: name, state (enabled, patching, unpatching, disabled, inactive =\n"
	       "module loaded but its patch replaced, installed = not loaded), whether it is\n"
	       "installed, description. Then a table of the functions the kernel redirects\n"
	       "now: object (vmlinux or a module), function (NAME,POS when the name is not\n"
	       "unique), patch. `lpatch status --json` is the format for scripts.\n\n"
	       "options:\n"
	       "  --root DIR   the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0, or 2 on bad usage.\n");
}

int cmd_list(int argc, char **argv)
{
	struct host_args a;
	int r = host_args_parse("list", argc, argv, HA_ROOT, usage, &a);

	if (r >= 0)
		return r;
	if (a.operand)
		return cli_usage_error("list", "unexpected argument %s", a.operand);
	/* a store that is not there is a mistyped path, not an empty store */
	if ((r = cli_check_dir("list", "--root", a.o.root)) >= 0)
		return r;
	return host_list(a.o.root);
}
