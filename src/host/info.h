/* lpatch info: one patch's metadata, from a .ko or from a loaded or installed patch. */
#ifndef LPATCH_HOST_INFO_H
#define LPATCH_HOST_INFO_H

#include <stdbool.h>

/* what: a .ko file, or a patch name (loaded: its lpatch_* parameters and sysfs,
 * completed from the installed .ko). Prints text or JSON; returns an exit code. */
int host_info(const char *what, const char *root, bool json);

#endif
