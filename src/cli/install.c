/* lpatch install: keep a livepatch to be loaded at every boot of its kernel.
 * Its options, and the host_* call it makes: the table in cli/host_args.c. */
#include "cli/host_args.h"

#include <stdio.h>

void install_help(void)
{
	printf("usage: lpatch install [--root DIR] [--release REL] FILE.ko\n\n"
	       "Copy a livepatch module (atomically) to ROOT/RELEASE/NAME.ko, where\n"
	       "`lpatch load --all` (lpatch.service, at boot) loads it. RELEASE is the running\n"
	       "kernel's unless --release names another (to prepare a kernel not yet booted).\n"
	       "The module must be a livepatch for exactly that release (vermagic and\n"
	       "lpatch_target); otherwise it is refused. Installing does not load it: run\n"
	       "`lpatch load FILE.ko` for that. A module of the same name is replaced.\n\n"
	       "options:\n"
	       "  --root DIR      the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n"
	       "  --release REL   install for kernel REL\n\n"
	       "Exit: 0 installed, 1 failure (I/O), 2 refused (not a livepatch, another\n"
	       "release) or bad usage.\n");
}

static int install(const char *ko, const struct host_opts *o)
{
	struct host_store_change done;
	int ret = host_install(ko, o, &done);

	if (!ret)
		printf("installed %s for %s: %s\n", done.name, done.release, done.path);
	host_store_change_free(&done);
	return ret;
}

int install_run(const struct host_args *a)
{
	return install(a->operand, &a->o);
}
