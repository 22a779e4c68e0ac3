/* lpatch load --all: every patch installed for the running kernel, at boot. */
#include "host/ops.h"

#include "host/modinfo.h"
#include "host/store.h"
#include "host/sysfs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>

/* Index of the newest installed patch that replaces all others (0 if none). */
static size_t first_to_load(char **files, size_t n)
{
	size_t first = 0;

	for (size_t i = 0; i < n; i++) {
		struct patch_info pi;

		if (!ko_info_read(files[i], &pi) && pi.replace == 1)
			first = i;
		patch_info_free(&pi);
	}
	return first;
}

int host_load_all(const struct host_opts *o)
{
	char *root = store_root(o->root), *release = host_release(), *dir = store_dir(root, release);
	size_t n, first, loaded = 0, failed = 0;
	char **files;
	int ret = LP_EXIT_OK;

	if (host_disabled_by_cmdline()) {
		printf("lpatch.disable=1 is on the kernel command line: no patch loaded\n");
		goto out_nolist;
	}
	files = store_list(root, release, &n);
	if (!n)
		printf("no patch installed for %s (in %s)\n", release, dir);
	first = first_to_load(files, n);
	for (size_t i = 0; i < n; i++) {
		struct patch_info pi;
		struct klp_live st;
		int r;

		if (i < first) {
			printf("skipping %s: replaced by %s, installed later\n", files[i], files[first]);
			continue;
		}
		if (!ko_info_read(files[i], &pi)) {
			klp_state(pi.name, &st);
			if (st.registered && st.enabled) {
				printf("%s: already loaded\n", pi.name);
				patch_info_free(&pi);
				loaded++;
				continue;
			}
		}
		patch_info_free(&pi);
		if ((r = host_load(files[i], o))) {
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
	free_names(files, n);
out_nolist:
	free(dir);
	free(release);
	free(root);
	return ret;
}
