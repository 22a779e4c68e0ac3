/* lpatch list: loaded and installed livepatches and the functions they replace. */
#include "cli/host_args.h"

#include "host/status.h"

#include <stdio.h>

void list_help(void)
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

int list_run(const struct host_args *a)
{
	return host_list(a->o.root);
}
