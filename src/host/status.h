/* lpatch status: the livepatches of this host, as data for the CLI to print. */
#ifndef LPATCH_HOST_STATUS_H
#define LPATCH_HOST_STATUS_H

#include "host/inventory.h"

#include <stdbool.h>

struct host_status {
	char *release, *version;	/* of the running kernel (uname) */
	bool livepatch;			/* the kernel has the livepatch core */
	bool lpatch_disable;		/* lpatch.disable=1 on its command line */
	unsigned long taint;		/* /proc/sys/kernel/tainted (host/taint.h decodes it) */
	struct inventory inv;		/* every patch, loaded or installed in the store */
	struct patch_info fixed;	/* its cves: fixed now, by the patches in force (sorted) */
	long long update_time;		/* the last update check (lpatch-update), Unix time, or 0 */
	int update_ok;			/* it succeeded: 1, failed: 0, never ran: -1 */
};

#define HOST_UPDATE_CHECK "update-check"	/* under the store: "TIME STATUS" of lpatch-update */

/* What `lpatch status` shows, read now; root is the store (--root), or NULL. */
void host_status_read(struct host_status *st, const char *root);
void host_status_free(struct host_status *st);
/* A patch whose fixes are in force: registered, enabled, transition finished. */
bool host_patch_in_force(const struct host_patch *p);

#endif
