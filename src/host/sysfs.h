/* The running kernel's view of livepatches: /sys/kernel/livepatch and /sys/module. */
#ifndef LPATCH_HOST_SYSFS_H
#define LPATCH_HOST_SYSFS_H

#include "host/patchinfo.h"

#include <stdbool.h>
#include <stddef.h>

#define KLP_SYSFS "/sys/kernel/livepatch"

struct klp_live {
	bool module;		/* the module is loaded (/sys/module/NAME/initstate) */
	bool registered;	/* the patch is in /sys/kernel/livepatch (not yet removed) */
	bool enabled;
	bool transition;
	int replace;		/* from sysfs where the kernel shows it; else -1 */
};

/* Does this kernel have the livepatch core (CONFIG_LIVEPATCH)? */
bool klp_supported(void);
/* The state of patch name (module name, underscores). */
void klp_state(const char *name, struct klp_live *st);
/*
 * Names of every livepatch known to the kernel, sorted: the patches in
 * /sys/kernel/livepatch and the loaded modules tainted K (a livepatch module
 * whose patch was replaced or disabled stays loaded until removed).
 */
char **klp_names(size_t *n);
/* A loaded module whose taint flags include K (livepatch). */
bool module_tainted_livepatch(const char *name);
/* The functions of a registered patch, from /sys/kernel/livepatch/NAME/OBJECT/FUNC,POS. */
void klp_sysfs_funcs(const char *name, struct patch_info *pi);
/* Metadata a loaded lpatch module exposes as /sys/module/NAME/parameters/lpatch_*;
 * false when it has none. */
bool klp_module_params(const char *name, struct patch_info *pi);

/* The first line of a sysfs or proc file, without its newline; NULL if unreadable. */
char *sysfs_line(const char *path);
/* Write value to a sysfs file; 0, or -1 with errno set. */
int sysfs_write(const char *path, const char *value);
void free_names(char **names, size_t n);

#endif
