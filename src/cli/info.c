/* lpatch info: what a livepatch module is for and what it changes. */
#include "cli/host_args.h"

#include "host/info.h"

#include <stdio.h>

void info_help(void)
{
	printf("usage: lpatch info [--json] [--root DIR] FILE.ko|NAME\n\n"
	       "Show a livepatch module's metadata: module name, vermagic, the release it was\n"
	       "built for (lpatch_target), whether it replaces earlier patches or stacks, the\n"
	       "CVEs it fixes, its description, the sha256 of the source diff it was built\n"
	       "from, and the objects and functions it patches. NAME (not a file) is a loaded\n"
	       "patch (read from /sys/module/NAME/parameters/lpatch_* and\n"
	       "/sys/kernel/livepatch/NAME) or one installed for the running kernel.\n\n"
	       "options:\n"
	       "  --json       one JSON object: {state, livepatch, name, file, vermagic, target,\n"
	       "               description, patch_sha256, replace, cves[], objects[{name,\n"
	       "               functions[{name, sympos}]}]} (null where not recorded)\n"
	       "  --root DIR   the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0, 2 not a kernel module, no such patch, or bad usage.\n");
}

int info_run(const struct host_args *a)
{
	return host_info(a->operand, a->o.root, a->json);
}
