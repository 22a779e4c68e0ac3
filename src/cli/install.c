/* lpatch install: keep a livepatch to be loaded at every boot of its kernel.
 * Its options, and the host_* call it makes: the table in cli/host_args.c. */
#include "cli/host_args.h"

#include "host/store.h"
#include "host/ustore.h"
#include "user/patchfile.h"
#include "util/fs.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>

void install_help(void)
{
	printf("usage: lpatch install [--root DIR] [--release REL] FILE.ko\n"
	       "       lpatch install --user [--root DIR] FILE.lpatch\n\n"
	       "Copy a livepatch module (atomically) to ROOT/RELEASE/NAME.ko, where\n"
	       "`lpatch load --all` (lpatch.service, at boot) loads it. RELEASE is the running\n"
	       "kernel's unless --release names another (to prepare a kernel not yet booted).\n"
	       "The module must be a livepatch for exactly that release (vermagic and\n"
	       "lpatch_target); otherwise it is refused. Installing does not load it: run\n"
	       "`lpatch load FILE.ko` for that. A module of the same name is replaced.\n\n"
	       "With --user, install a process patch (made by `lpatch build --user`) as\n"
	       "ROOT/user/NAME.lpatch: from then on every dynamically linked process that maps\n"
	       "its target object (by build-id) is patched as it starts, before its main runs,\n"
	       "through a start-up hook named in /etc/ld.so.preload (docs/user-install.md).\n"
	       "Processes running now are not touched: `lpatch apply --all FILE` patches them.\n"
	       "`lpatch ps` lists the processes that map the object but could not be patched.\n\n"
	       "options:\n"
	       "  --root DIR      the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n"
	       "  --release REL   install for kernel REL\n"
	       "  --user          FILE is a process patch\n\n"
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

static int install_user(const char *file, const struct host_opts *o)
{
	struct user_patch pf;
	char *root = store_root(o->root), *exe = path_self_exe(), *hook = NULL, *dest = NULL;
	int ret = LP_EXIT_FAIL;

	if (patch_open(file, &pf)) {
		free(root);
		free(exe);
		return LP_EXIT_REFUSED;
	}
	if (!exe)
		lp_perr("cannot tell where this lpatch is (/proc/self/exe), for the start-up hook to run it");
	else if ((hook = ustore_find_hook())) {
		char *run = ustore_find_hook_apply(exe);

		ret = ustore_install(root, file, &(struct ustore_entry){ pf.name, pf.build_id, pf.object },
				     run, hook, &dest);
		free(run);
	}
	if (!ret) {
		printf("installed process patch %s for %s (build-id %s): %s\n", pf.name, pf.object,
		       pf.build_id, dest);
		fflush(stdout);
		lp_hint("processes that start from now on are patched; `lpatch apply --all %s` "
			"patches the running ones", file);
	}
	patch_close(&pf);
	free(dest);
	free(hook);
	free(exe);
	free(root);
	return ret;
}

int install_run(const struct host_args *a)
{
	if (a->user)
		return install_user(a->operand, &a->o);
	return install(a->operand, &a->o);
}
