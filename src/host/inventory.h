/* Every livepatch on this host: loaded ones (sysfs) and installed ones (the store). */
#ifndef LPATCH_HOST_INVENTORY_H
#define LPATCH_HOST_INVENTORY_H

#include "host/patchinfo.h"
#include "host/sysfs.h"

struct host_patch {
	struct klp_live live;
	char *installed;	/* its file in the store for the running release, or NULL */
	bool from_params;	/* metadata read from the loaded module's parameters */
	char *quarantined;	/* why it is quarantined (host/quarantine.h), or NULL */
	struct patch_info info;	/* metadata (parameters, else the installed .ko) and functions
				   (sysfs when registered, else the .ko) */
};

struct inventory {
	char *release;
	char *root;
	struct host_patch *patches;	/* sorted by name */
	size_t n, cap;
};

void inventory_read(struct inventory *inv, const char *root_opt);
void inventory_free(struct inventory *inv);
/* "enabled", "patching", "unpatching", "disabled", "inactive" (the module is
 * loaded but its patch was replaced or disabled and has left sysfs),
 * or "installed" (not loaded). */
const char *host_patch_state(const struct host_patch *p);

#endif
