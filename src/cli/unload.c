/* lpatch unload: disable a livepatch, wait for its transition, remove its module.
 * Its options, and the host_* call it makes: the table in cli/host_args.c. */
#include "cli/host_args.h"

#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>

void unload_help(void)
{
	printf("usage: lpatch unload [--timeout SEC] [--force --yes-i-know] NAME\n\n"
	       "Disable livepatch NAME (its module name; - and _ are the same), wait until\n"
	       "every task has left the patched code, and remove the module. A patch that a\n"
	       "newer one replaced has only its module left; that is removed at once.\n"
	       "When unpatching has not finished after --timeout seconds, the tasks still\n"
	       "in the patched code are listed and the patch stays loaded, disabling (the\n"
	       "kernel keeps trying; run unload again later), unless --force --yes-i-know.\n"
	       "An installed patch stays installed (`lpatch uninstall NAME`).\n\n"
	       "options:\n"
	       "  --timeout SEC         how long the transition may take (default %d)\n"
	       "  --force --yes-i-know  past the timeout, force the transition\n\n"
	       "Exit: 0 removed, 1 failure, 2 no such livepatch loaded or bad usage,\n"
	       "%d the transition stalled (the patch is still loaded).\n",
	       HOST_DEFAULT_TIMEOUT, LP_EXIT_STALLED);
}

static int unload(const char *name, const struct host_opts *o)
{
	char *done;
	int ret = host_unload(name, o, &done);

	if (!ret)
		printf("unloaded %s\n", done);
	free(done);
	return ret;
}

int unload_run(const struct host_args *a)
{
	return unload(a->operand, &a->o);
}
