/*
 * Installed patches: ROOT/RELEASE/NAME.ko, ROOT being /var/lib/lpatch unless
 * --root or $LPATCH_ROOT says otherwise. `lpatch load --all` loads the
 * directory of the running kernel's release at boot.
 */
#ifndef LPATCH_HOST_STORE_H
#define LPATCH_HOST_STORE_H

#include <stdbool.h>
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
/* Whether patch name is installed for some release under root. */
bool store_holds(const char *root, const char *name);
/*
 * Remove the temporary files of atomic writes (".NAME.tmp.XXXXXX") that an
 * earlier boot left in ROOT and its directories (a power cut or a crash in the
 * middle of a write); returns how many. `load --all` runs it at boot.
 */
size_t store_clean_stale(const char *root);

#endif
