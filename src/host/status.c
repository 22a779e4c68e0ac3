/* lpatch status: kernel release, each patch's state and CVEs, taint. */
#include "host/status.h"

#include "host/ops.h"
#include "host/taint.h"
#include "util/fs.h"
#include "util/str.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

bool host_patch_in_force(const struct host_patch *p)
{
	return p->live.registered && p->live.enabled && !p->live.transition;
}

void host_status_read(struct host_status *st, const char *root)
{
	struct utsname u;
	bool named = !uname(&u);

	memset(st, 0, sizeof(*st));
	st->release = xstrdup(named ? u.release : "unknown");
	st->version = xstrdup(named ? u.version : "unknown");
	st->livepatch = klp_supported();
	st->lpatch_disable = host_disabled_by_cmdline();
	st->taint = taint_read();
	inventory_read(&st->inv, root);
	st->fixed.replace = -1;
	for (size_t i = 0; i < st->inv.n; i++)
		if (host_patch_in_force(&st->inv.patches[i]))
			for (size_t k = 0; k < st->inv.patches[i].info.ncves; k++)
				patch_info_add_cve(&st->fixed, st->inv.patches[i].info.cves[k]);
	patch_info_sort(&st->fixed);
	st->update_ok = -1;
	{
		char *path = path_join(st->inv.root, HOST_UPDATE_CHECK), *s = read_file_quiet(path, NULL);
		long long t;
		int rc;

		if (s && sscanf(s, "%lld %d", &t, &rc) == 2) {
			st->update_time = t;
			st->update_ok = rc == 0;
		}
		free(s);
		free(path);
	}
}

void host_status_free(struct host_status *st)
{
	free(st->release);
	free(st->version);
	inventory_free(&st->inv);
	patch_info_free(&st->fixed);
	memset(st, 0, sizeof(*st));
}
