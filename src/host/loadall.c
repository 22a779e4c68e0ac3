/* lpatch load --all: every patch installed for the running kernel, at boot. */
#include "host/ops.h"

#include "host/modinfo.h"
#include "host/store.h"
#include "host/sysfs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>

/* An installed module, read once: a file that cannot be read says so once, not per use. */
struct installed {
	struct patch_info pi;
	int err;	/* ko_info_read's: 0, or the reason was printed */
};

/* Index of the newest installed patch that replaces all others (0 if none). */
static size_t first_to_load(const struct installed *ins, size_t n)
{
	size_t first = 0;

	for (size_t i = 0; i < n; i++)
		if (!ins[i].err && ins[i].pi.replace == 1)
			first = i;
	return first;
}

int host_load_all(const struct host_opts *o)
{
	char *root = store_root(o->root), *release = host_release(), *dir = store_dir(root, release);
	size_t n, first, loaded = 0, failed = 0;
	struct installed *ins;
	char **files;
	int ret = LP_EXIT_OK;

	if (host_disabled_by_cmdline()) {
		printf("lpatch.disable=1 is on the kernel command line: no patch loaded\n");
		goto out_nolist;
	}
	files = store_list(root, release, &n);
	if (!n)
		printf("no patch installed for %s (in %s)\n", release, dir);
	ins = xcalloc(n, sizeof(*ins));
	for (size_t i = 0; i < n; i++)
		ins[i].err = ko_info_read(files[i], &ins[i].pi);
	first = first_to_load(ins, n);
	for (size_t i = 0; i < n; i++) {
		const struct patch_info *pi = &ins[i].pi;
		struct klp_live st;
		int r;

		if (i < first) {
			printf("skipping %s: replaced by %s, installed later\n", files[i], files[first]);
			continue;
		}
		if (!ins[i].err) {
			klp_state(pi->name, &st);
			if (st.registered && st.enabled) {
				printf("%s: already loaded\n", pi->name);
				loaded++;
				continue;
			}
		}
		/* as host_load, without reading the file again */
		r = ins[i].err ? LP_EXIT_REFUSED : host_check_info(files[i], release, pi);
		if (!r)
			r = host_load_checked(files[i], pi, release, o);
		if (r) {
			failed++;
			if (ret == LP_EXIT_OK || r == LP_EXIT_FAIL)
				ret = r;
		} else {
			loaded++;
		}
	}
	if (n)
		printf("%zu of %zu installed patch%s loaded for %s (%zu failed)\n", loaded,
		       n - first, n - first == 1 ? "" : "es", release, failed);
	for (size_t i = 0; i < n; i++)
		patch_info_free(&ins[i].pi);
	free(ins);
	free_names(files, n);
out_nolist:
	free(dir);
	free(release);
	free(root);
	return ret;
}
