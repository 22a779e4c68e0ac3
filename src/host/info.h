/* lpatch info: one patch's metadata, from a .ko or from a loaded or installed patch. */
#ifndef LPATCH_HOST_INFO_H
#define LPATCH_HOST_INFO_H

#include "host/patchinfo.h"

/*
 * what: a .ko file (*state NULL), or a patch name: a loaded patch (its
 * lpatch_* parameters and sysfs, completed from the installed .ko) or one
 * installed in root for the running release (*state from host_patch_state).
 * Fills *pi (free it with patch_info_free, whatever the result); returns 0, or
 * LP_EXIT_REFUSED with the reason printed.
 */
int host_info(const char *what, const char *root, struct patch_info *pi, const char **state);

#endif
