/* One livepatch's metadata: target, replace, CVEs, description, diff hash, functions. */
#include "host/info.h"

#include "host/inventory.h"
#include "host/modinfo.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

int host_info(const char *what, const char *root, struct patch_info *pi, const char **state)
{
	struct inventory inv;
	char *name;
	int ret = LP_EXIT_REFUSED;

	memset(pi, 0, sizeof(*pi));
	pi->replace = -1;
	*state = NULL;
	if (path_exists(what) || str_ends(what, ".ko"))
		return ko_info_read(what, pi) ? LP_EXIT_REFUSED : LP_EXIT_OK;
	name = patch_module_name(what);
	inventory_read(&inv, root);
	for (size_t i = 0; i < inv.n; i++)
		if (!strcmp(inv.patches[i].info.name, name)) {
			/* the inventory gives its patch_info away */
			*pi = inv.patches[i].info;
			memset(&inv.patches[i].info, 0, sizeof(*pi));
			*state = host_patch_state(&inv.patches[i]);
			ret = LP_EXIT_OK;
			break;
		}
	if (ret) {
		lp_err("no file %s, and no patch %s loaded or installed for %s", what, name, inv.release);
		lp_hint("`lpatch list` shows the patches of this host");
	}
	inventory_free(&inv);
	free(name);
	return ret;
}
