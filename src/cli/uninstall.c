/* lpatch uninstall: stop loading a livepatch at boot.
 * Its options, and the host_* call it makes: the table in cli/host_args.c. */
#include "cli/host_args.h"

#include "util/log.h"

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

static int uninstall(const char *name, const struct host_opts *o)
{
	struct host_store_change done;
	int ret = host_uninstall(name, o, &done);

	if (!ret) {
		printf("uninstalled %s for %s\n", done.name, done.release);
		/* the hint after the line it qualifies */
		fflush(stdout);
		if (done.still_loaded)
			lp_hint("%s is still loaded; `lpatch unload %s` takes it out now", done.name,
				done.name);
	}
	host_store_change_free(&done);
	return ret;
}

int uninstall_run(const struct host_args *a)
{
	return uninstall(a->operand, &a->o);
}
