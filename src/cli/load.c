/* lpatch load: insert a livepatch module and see its transition through. */
#include "cli/host_args.h"

#include "util/log.h"

#include <stdio.h>

void load_help(void)
{
	printf("usage: lpatch load [--timeout SEC] [--force --yes-i-know] FILE.ko\n"
	       "       lpatch load --all [--root DIR] [--timeout SEC]\n\n"
	       "Load a livepatch module into the running kernel and wait until every task runs\n"
	       "the patched code. Before inserting it, the module must be an ELF relocatable\n"
	       "with .modinfo livepatch=Y whose vermagic (and lpatch_target) name the running\n"
	       "kernel's release; otherwise it is refused and nothing is loaded.\n\n"
	       "While the transition runs, a progress line counts the tasks left to switch.\n"
	       "When it has not finished after --timeout seconds, the tasks still in the old\n"
	       "code are listed (pid, tid, comm, kernel stack), the transition is reversed\n"
	       "(the patch disabled), the module removed, and lpatch says why (exit %d).\n"
	       "With --force --yes-i-know it forces the transition instead (the kernel skips\n"
	       "its consistency check: use only when the listed tasks can never be in the\n"
	       "patched functions; a forced module can never be removed).\n\n"
	       "--all loads every patch installed for the running release (`lpatch install`),\n"
	       "oldest install first, from the newest replacing patch on; loaded ones are\n"
	       "skipped. `lpatch.disable=1` on the kernel command line makes it load nothing.\n"
	       "lpatch.service runs it at boot.\n\n"
	       "options:\n"
	       "  --timeout SEC       how long the transition may take (default %d)\n"
	       "  --force --yes-i-know  past the timeout, force the transition\n"
	       "  --all               load the installed patches\n"
	       "  --root DIR          the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0 loaded (or already loaded), 1 failure (the kernel refused the module,\n"
	       "I/O), 2 refused before loading (not a livepatch, another kernel, bad usage,\n"
	       "already loaded), %d the transition stalled and the patch was backed out.\n",
	       LP_EXIT_STALLED, HOST_DEFAULT_TIMEOUT, LP_EXIT_STALLED);
}

int load_run(const struct host_args *a)
{
	if (a->all && a->operand)
		return cli_usage_error("load", "--all or FILE.ko, not both");
	if (a->all)
		return host_load_all(&a->o);
	if (!a->operand)
		return cli_usage_error("load", "which module? e.g. `lpatch load fix.ko`");
	if (a->o.root)
		return cli_usage_error("load", "--root goes with --all");
	return host_load(a->operand, &a->o);
}
