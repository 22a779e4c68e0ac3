/* lpatch status: the livepatch state of this host, for people and for scanners. */
#include "cli/host_args.h"

#include "host/status.h"

#include <stdio.h>

void status_help(void)
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

int status_run(const struct host_args *a)
{
	return host_status(a->o.root, a->json);
}
