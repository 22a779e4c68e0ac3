/* lpatch unload: disable a livepatch, wait for its transition, remove its module. */
#include "cli/cli.h"
#include "cli/host_args.h"

#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>

static void usage(void)
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

int cmd_unload(int argc, char **argv)
{
	struct host_args a;
	int r = host_args_parse("unload", argc, argv, HA_TIMEOUT | HA_FORCE, usage, &a);

	if (r >= 0)
		return r;
	if (!a.operand)
		return cli_usage_error("unload", "which patch? e.g. `lpatch unload livepatch_fix` "
				       "(`lpatch list` shows them)");
	return unload(a.operand, &a.o);
}
