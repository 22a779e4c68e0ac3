/* lpatch uninstall: stop loading a livepatch at boot.
 * Its options, and the host_* call it makes: the table in cli/host_args.c. */
#include "cli/host_args.h"

#include <stdio.h>

void uninstall_help(void)
{
	printf("usage: lpatch uninstall [--root DIR] [--release REL] NAME\n\n"
	       "Remove installed patch NAME (its module name; - and _ are the same) from\n"
	       "ROOT/RELEASE, so that it is not loaded at the next boot. A loaded patch stays\n"
	       "loaded: `lpatch unload NAME` takes it out now.\n\n"
	       "options:\n"
	       "  --root DIR      the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n"
	       "  --release REL   uninstall from kernel REL (default: the running one)\n\n"
	       "Exit: 0 removed, 1 failure (I/O), 2 not installed or bad usage.\n");
}
