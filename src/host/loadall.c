/* lpatch load --all: every patch installed for the running kernel, at boot. */
#include "host/ops.h"

#include "host/modinfo.h"
#include "host/quarantine.h"
#include "host/store.h"
#include "host/sysfs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

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

static void emit(void (*report)(const struct host_load_event *, void *), void *ctx,
		 struct host_load_event ev)
{
	if (report)
		report(&ev, ctx);
}

int host_load_all(const struct host_opts *o, void (*report)(const struct host_load_event *ev, void *ctx),
		  void *ctx, struct host_load_all *sum)
{
	char *root = store_root(o->root);
	size_t n, first;
	struct installed *ins;
	char **files;
	int ret = LP_EXIT_OK;

	memset(sum, 0, sizeof(*sum));
	sum->release = host_release();
	sum->dir = store_dir(root, sum->release);
	if ((sum->disabled = host_disabled_by_cmdline())) {
		free(root);
		return LP_EXIT_OK;
	}
	/* loads an earlier boot did not survive: quarantined before anything loads */
	{
		size_t nq, stale = store_clean_stale(root);

		if (stale)
			lp_warn("removed %zu temporary file%s an earlier boot left in %s (a write cut short)",
				stale, stale == 1 ? "" : "s", root);
		char **q = quarantine_boot_check(o->root, &nq);

		free_names(q, nq);
	}
	files = store_list(root, sum->release, &n);
	ins = xcalloc(n, sizeof(*ins));
	for (size_t i = 0; i < n; i++)
		ins[i].err = ko_info_read(files[i], &ins[i].pi);
	first = first_to_load(ins, n);
	sum->installed = n;
	sum->tried = n - first;
	for (size_t i = 0; i < n; i++) {
		const struct patch_info *pi = ins[i].err ? NULL : &ins[i].pi;
		struct klp_live st;
		int r;

		if (i < first) {
			emit(report, ctx, (struct host_load_event){ .what = HOST_SKIPPED, .file = files[i],
								   .pi = pi, .replaced_by = files[first] });
			continue;
		}
		if (pi) {
			char *why = NULL;

			if (quarantine_is(o->root, pi->name, &why)) {
				sum->quarantined++;
				emit(report, ctx, (struct host_load_event){ .what = HOST_QUARANTINED,
									   .file = files[i], .pi = pi, .why = why });
				free(why);
				continue;
			}
			klp_state(pi->name, &st);
			if (st.registered && st.enabled) {
				sum->loaded++;
				emit(report, ctx, (struct host_load_event){ .what = HOST_ALREADY_LOADED,
									   .file = files[i], .pi = pi });
				continue;
			}
		}
		/* as host_load, without reading the file again */
		r = !pi ? LP_EXIT_REFUSED : host_check_info(files[i], sum->release, pi);
		if (!r)
			r = host_load_checked(files[i], pi, sum->release, o);
		if (r) {
			sum->failed++;
			if (ret == LP_EXIT_OK || r == LP_EXIT_FAIL)
				ret = r;
			emit(report, ctx, (struct host_load_event){ .what = HOST_LOAD_FAILED,
								   .file = files[i], .pi = pi, .exit = r });
		} else {
			sum->loaded++;
			emit(report, ctx, (struct host_load_event){ .what = HOST_LOADED, .file = files[i],
								   .pi = pi });
		}
	}
	for (size_t i = 0; i < n; i++)
		patch_info_free(&ins[i].pi);
	free(ins);
	free_names(files, n);
	free(root);
	return ret;
}

void host_load_all_free(struct host_load_all *sum)
{
	free(sum->release);
	free(sum->dir);
	memset(sum, 0, sizeof(*sum));
}
