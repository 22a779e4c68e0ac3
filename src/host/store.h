/*
 * Installed patches: ROOT/RELEASE/NAME.ko, ROOT being /var/lib/lpatch unless
 * --root or $LPATCH_ROOT says otherwise. `lpatch load --all` loads the
 * directory of the running kernel's release at boot.
 */
#ifndef LPATCH_HOST_STORE_H
#define LPATCH_HOST_STORE_H

#include <stddef.h>

#define STORE_DEFAULT_ROOT "/var/lib/lpatch"

/* opt (--root), else $LPATCH_ROOT, else /var/lib/lpatch; caller frees. */
char *store_root(const char *opt);
/* The running kernel's release (uname -r); caller frees. */
char *host_release(void);
/* ROOT/RELEASE; caller frees. */
char *store_dir(const char *root, const char *release);
/*
 * The installed modules of release, oldest install first (so that a later
 * patch replaces or stacks on an earlier one as when they were loaded by
 * hand). Paths; caller frees each and the array.
 */
char **store_list(const char *root, const char *release, size_t *n);
/* The installed file of patch name (module name, either spelling), or NULL. */
char *store_find(const char *root, const char *release, const char *name);

#endif
