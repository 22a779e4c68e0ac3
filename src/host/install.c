/* lpatch install / uninstall: keep a patch for a release under the store, atomically. */
#include "host/ops.h"

#include "host/patchinfo.h"
#include "host/store.h"
#include "host/sysfs.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int host_install(const char *ko, const struct host_opts *o)
{
	char *root = store_root(o->root);
	char *release = o->release ? xstrdup(o->release) : host_release();
	char *dir = store_dir(root, release), *file = NULL, *dest = NULL;
	struct patch_info pi;
	int ret;

	if ((ret = host_check_module(ko, release, &pi)))
		goto out;
	ret = LP_EXIT_FAIL;
	file = xasprintf("%s.ko", pi.name);
	dest = path_join(dir, file);
	if (mkdir_p(dir) || atomic_install(ko, dest, 0644))
		goto out;
	printf("installed %s for %s: %s\n", pi.name, release, dest);
	ret = LP_EXIT_OK;
out:
	patch_info_free(&pi);
	free(dest);
	free(file);
	free(dir);
	free(release);
	free(root);
	return ret;
}

int host_uninstall(const char *name, const struct host_opts *o)
{
	char *root = store_root(o->root);
	char *release = o->release ? xstrdup(o->release) : host_release();
	char *path = store_find(root, release, name), *mod = patch_module_name(name);
	char *running = host_release();
	struct klp_live st;
	int ret = LP_EXIT_OK;

	if (!path) {
		char *dir = store_dir(root, release);
		lp_err("no patch %s is installed for %s (in %s)", mod, release, dir);
		lp_hint("`lpatch list` shows the installed patches");
		free(dir);
		ret = LP_EXIT_REFUSED;
	} else if (unlink(path)) {
		lp_perr("cannot remove %s", path);
		ret = LP_EXIT_FAIL;
	} else {
		printf("uninstalled %s for %s\n", mod, release);
		klp_state(mod, &st);
		if (st.module && !strcmp(running, release))
			lp_hint("%s is still loaded; `lpatch unload %s` takes it out now", mod, mod);
	}
	free(running);
	free(mod);
	free(path);
	free(release);
	free(root);
	return ret;
}
