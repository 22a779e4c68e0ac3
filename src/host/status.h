/* lpatch status and lpatch list: the livepatches of this host, for people and for scanners. */
#ifndef LPATCH_HOST_STATUS_H
#define LPATCH_HOST_STATUS_H

#include <stdbool.h>

/* Print the status (text, or the JSON of docs/host.md); returns an exit code. */
int host_status(const char *root, bool json);
/* Print loaded and installed patches and the table object/function/patch. */
int host_list(const char *root);

#endif
