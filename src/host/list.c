/* lpatch list: loaded and installed patches, and which patch replaces which function. */
#include "host/status.h"

#include "host/inventory.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>

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

int host_list(const char *root)
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
