/* lpatch list: loaded and installed livepatches and the functions they replace. */
#include "cli/host_args.h"

#include "host/inventory.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>

void list_help(void)
{
	printf("usage: lpatch list [--root DIR]\n\n"
	       "List the livepatches of this host, loaded and installed for the running\n"
	       "release: name, state (enabled, patching, unpatching, disabled, inactive =\n"
	       "module loaded but its patch replaced, installed = not loaded), whether it is\n"
	       "installed, description. Then a table of the functions the kernel redirects\n"
	       "now: object (vmlinux or a module), function (NAME,POS when the name is not\n"
	       "unique), patch. `lpatch status --json` is the format for scripts.\n\n"
	       "options:\n"
	       "  --root DIR   the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0, or 2 on bad usage.\n");
}

static void print_patches(const struct inventory *inv)
{
	printf("%-32s %-10s %-9s %s\n", "PATCH", "STATE", "INSTALLED", "DESCRIPTION");
	for (size_t i = 0; i < inv->n; i++) {
		const struct host_patch *p = &inv->patches[i];

		printf("%-32s %-10s %-9s %s\n", p->info.name, host_patch_state(p),
		       p->installed ? "yes" : "no", p->info.description ? p->info.description : "-");
	}
}

/* The functions of the registered patches: what the kernel redirects now. */
static void print_functions(const struct inventory *inv)
{
	bool any = false;

	for (size_t i = 0; i < inv->n; i++) {
		const struct host_patch *p = &inv->patches[i];

		if (!p->live.registered)
			continue;
		for (size_t k = 0; k < p->info.nfuncs; k++) {
			const struct patch_func *f = &p->info.funcs[k];
			char *fn = f->sympos > 1 ? xasprintf("%s,%ld", f->name, f->sympos) : xstrdup(f->name);

			if (!any)
				printf("\n%-20s %-40s %s\n", "OBJECT", "FUNCTION", "PATCH");
			any = true;
			printf("%-20s %-40s %s\n", f->object, fn, p->info.name);
			free(fn);
		}
	}
	if (!any)
		printf("\nno function is patched\n");
}

static int show(const char *root)
{
	struct inventory inv;

	inventory_read(&inv, root);
	printf("kernel %s; installed patches in %s/%s\n\n", inv.release, inv.root, inv.release);
	if (inv.n)
		print_patches(&inv);
	else
		printf("no patch loaded or installed\n");
	print_functions(&inv);
	inventory_free(&inv);
	return LP_EXIT_OK;
}

int list_run(const struct host_args *a)
{
	int r;

	/* a store that is not there is a mistyped path, not an empty store */
	if ((r = cli_check_dir("list", "--root", a->o.root)) != CLI_GO_ON)
		return r;
	return show(a->o.root);
}
