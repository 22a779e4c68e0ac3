/* lpatch status: the livepatch state of this host, for people and for scanners. */
#include "cli/cli.h"
#include "cli/host_args.h"

#include "host/status.h"

#include <stdio.h>

static void usage(void)
{
	printf("usage: lpatch status [--json] [--root DIR]\n\n"
	       "Show the running kernel's release, each livepatch's state (loaded and\n"
	       "installed ones), whether a transition runs, the CVEs each patch fixes, the\n"
	       "CVEs fixed now (by enabled patches whose transition finished), and the\n"
	       "kernel's taint flags decoded (K: a livepatch was loaded).\n\n"
	       "options:\n"
	       "  --json       one JSON object, format \"lpatch-status/1\" (docs/host.md):\n"
	       "               {format, kernel{release, version, livepatch, lpatch_disable},\n"
	       "                taint{value, flags[{bit, letter, name}], letters, livepatch},\n"
	       "                store, patches[{name, state, loaded, enabled, transition,\n"
	       "                installed, file, vermagic, target, description, patch_sha256,\n"
	       "                replace, cves[], objects[{name, functions[{name, sympos}]}]}],\n"
	       "                cves_fixed[]}\n"
	       "  --root DIR   the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0, or 2 on bad usage.\n");
}

int cmd_status(int argc, char **argv)
{
	struct host_args a;
	int r = host_args_parse("status", argc, argv, HA_ROOT | HA_JSON, usage, &a);

	if (r >= 0)
		return r;
	if (a.operand)
		return cli_usage_error("status", "unexpected argument %s", a.operand);
	/* a store that is not there is a mistyped path, not an empty store */
	if ((r = cli_check_dir("status", "--root", a.o.root)) >= 0)
		return r;
	return host_status(a.o.root, a.json);
}
