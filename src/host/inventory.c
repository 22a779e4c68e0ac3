/* Gathering what the kernel and the store say about every patch. */
#include "host/inventory.h"

#include "host/quarantine.h"

#include "host/modinfo.h"
#include "host/store.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static struct host_patch *find_or_add(struct inventory *inv, const char *name)
{
	struct host_patch *p;

	for (size_t i = 0; i < inv->n; i++)
		if (!strcmp(inv->patches[i].info.name, name))
			return &inv->patches[i];
	p = ARRAY_PUSH(inv->patches, inv->n, inv->cap);
	memset(p, 0, sizeof(*p));
	p->info.replace = -1;
	p->info.name = xstrdup(name);
	return p;
}

/* Metadata from the installed .ko for what the parameters did not say. */
static void fill_from_file(struct host_patch *p)
{
	struct patch_info f;

	if (!p->installed || ko_info_read(p->installed, &f))
		return;
	if (!p->info.file)
		p->info.file = xstrdup(f.file);
#define TAKE(x) if (!p->info.x) { p->info.x = f.x; f.x = NULL; }
	TAKE(vermagic);
	TAKE(target);
	TAKE(description);
	TAKE(patch_sha256);
#undef TAKE
	p->info.livepatch = f.livepatch;
	if (p->info.replace < 0)
		p->info.replace = f.replace;
	if (!p->info.ncves)
		for (size_t i = 0; i < f.ncves; i++)
			patch_info_add_cve(&p->info, f.cves[i]);
	if (!p->live.registered)
		for (size_t i = 0; i < f.nfuncs; i++)
			patch_info_add_func(&p->info, f.funcs[i].object, f.funcs[i].name, f.funcs[i].sympos);
	patch_info_free(&f);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct host_patch *)a)->info.name, ((const struct host_patch *)b)->info.name);
}

void inventory_read(struct inventory *inv, const char *root_opt)
{
	size_t n, nf;
	char **names = klp_names(&n), **files;

	memset(inv, 0, sizeof(*inv));
	inv->release = host_release();
	inv->root = store_root(root_opt);
	for (size_t i = 0; i < n; i++)
		find_or_add(inv, names[i]);
	files = store_list(inv->root, inv->release, &nf);
	for (size_t i = 0; i < nf; i++) {
		char *name = patch_module_name(files[i]);
		struct host_patch *p = find_or_add(inv, name);

		free(p->installed);
		p->installed = xstrdup(files[i]);
		free(name);
	}
	for (size_t i = 0; i < inv->n; i++) {
		struct host_patch *p = &inv->patches[i];

		klp_state(p->info.name, &p->live);
		if (p->live.module)
			p->from_params = klp_module_params(p->info.name, &p->info);
		if (p->live.registered)
			klp_sysfs_funcs(p->info.name, &p->info);
		if (p->info.replace < 0)
			p->info.replace = p->live.replace;
		if (p->live.module || p->live.registered)
			p->info.livepatch = true;
		fill_from_file(p);
		quarantine_is(inv->root, p->info.name, &p->quarantined);
		patch_info_sort(&p->info);
	}
	if (inv->n)
		qsort(inv->patches, inv->n, sizeof(*inv->patches), by_name);
	free_names(names, n);
	free_names(files, nf);
}

void inventory_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		free(inv->patches[i].installed);
		free(inv->patches[i].quarantined);
		patch_info_free(&inv->patches[i].info);
	}
	free(inv->patches);
	free(inv->release);
	free(inv->root);
	memset(inv, 0, sizeof(*inv));
}

const char *host_patch_state(const struct host_patch *p)
{
	if (p->live.registered && p->live.transition)
		return p->live.enabled ? "patching" : "unpatching";
	if (p->live.registered)
		return p->live.enabled ? "enabled" : "disabled";
	if (p->live.module)
		return "inactive";
	return "installed";
}
