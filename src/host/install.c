/* lpatch install / uninstall: keep a patch for a release under the store, atomically. */
#include "host/ops.h"

#include "host/patchinfo.h"
#include "host/quarantine.h"
#include "host/store.h"
#include "host/sysfs.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void host_store_change_free(struct host_store_change *c)
{
	free(c->name);
	free(c->release);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

int host_install(const char *ko, const struct host_opts *o, struct host_store_change *done)
{
	char *root = store_root(o->root);
	char *release = o->release ? xstrdup(o->release) : host_release();
	char *dir = store_dir(root, release), *file = NULL, *dest = NULL;
	struct patch_info pi;
	int ret;

	memset(done, 0, sizeof(*done));
	if ((ret = host_check_module(ko, release, &pi)) || (ret = host_check_depends(ko, &pi, release)))
		goto out;
	ret = LP_EXIT_FAIL;
	file = xasprintf("%s.ko", pi.name);
	dest = path_join(dir, file);
	if (mkdir_p(dir) || atomic_install(ko, dest, 0644))
		goto out;
	done->name = xstrdup(pi.name);
	done->release = xstrdup(release);
	done->path = dest;
	dest = NULL;
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

int host_uninstall(const char *name, const struct host_opts *o, struct host_store_change *done)
{
	char *root = store_root(o->root);
	char *release = o->release ? xstrdup(o->release) : host_release();
	char *path = store_find(root, release, name), *mod = patch_module_name(name);
	char *running = host_release();
	struct klp_live st;
	int ret = LP_EXIT_OK;

	memset(done, 0, sizeof(*done));
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
		klp_state(mod, &st);
		done->still_loaded = st.module && !strcmp(running, release);
		/* a quarantine is of an installed patch: gone with its last release */
		if (!store_holds(root, mod))
			quarantine_drop(o->root, mod);
		done->name = mod;
		done->release = release;
		done->path = path;
		mod = release = path = NULL;
	}
	free(running);
	free(mod);
	free(path);
	free(release);
	free(root);
	return ret;
}
