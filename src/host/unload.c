/* lpatch unload: disable a patch, wait for the kernel to switch every task back, remove it. */
#include "host/ops.h"

#include "host/patchinfo.h"
#include "host/quarantine.h"
#include "host/sysfs.h"
#include "host/transition.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* delete_module(2), retrying briefly while the livepatch core still holds it. */
int host_rmmod(const char *name)
{
	for (int tries = 0;; tries++) {
		struct timespec ts = { 0, 100 * 1000000L };

		if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0)
			return 0;
		if ((errno != EBUSY && errno != EAGAIN) || tries >= 50)
			break;
		nanosleep(&ts, NULL);
	}
	lp_perr("cannot remove module %s", name);
	if (errno == EBUSY)
		lp_hint("it is still in use; a forced patch can never be removed");
	return -1;
}

static int disable(const char *name, const struct host_opts *o)
{
	struct klp_live st;

	klp_state(name, &st);
	if (st.enabled && transition_disable(name))
		return LP_EXIT_FAIL;
	if (st.enabled || st.transition)
		lp_progress("%s: transition to unpatched started", name);
	if (transition_wait(name, o->timeout_s * 1000u)) {
		transition_report_stalled(name);
		if (!o->force) {
			lp_err("%s: unpatching did not finish in %u s; the patch stays loaded and the "
			       "kernel keeps trying", name, o->timeout_s);
			lp_hint("run `lpatch unload %s` again later, or (knowing the risk) add "
				"--force --yes-i-know", name);
			return LP_EXIT_STALLED;
		}
		lp_warn("%s: forcing the transition (--force): the module will not be removable", name);
		if (transition_force(name) || transition_wait(name, o->timeout_s * 1000u))
			return LP_EXIT_FAIL;
	}
	if (transition_wait_gone(name, o->timeout_s * 1000u)) {
		lp_err("%s: disabled, but the kernel has not released it after %u s", name, o->timeout_s);
		return LP_EXIT_FAIL;
	}
	return 0;
}

int host_unload(const char *arg, const struct host_opts *o, char **unloaded)
{
	char *name = patch_module_name(arg);
	struct klp_live st;
	int ret;

	*unloaded = NULL;
	klp_state(name, &st);
	if (!st.module && !st.registered) {
		lp_err("no livepatch %s is loaded", name);
		lp_hint("`lpatch list` shows the loaded patches");
		free(name);
		return LP_EXIT_REFUSED;
	}
	/* not registered: a patch that was replaced, whose module only waits to be removed */
	if (!st.registered && !module_tainted_livepatch(name)) {
		lp_err("module %s is not a livepatch; lpatch does not remove it", name);
		free(name);
		return LP_EXIT_REFUSED;
	}
	if (st.registered && (ret = disable(name, o))) {
		free(name);
		return ret;
	}
	if (host_rmmod(name)) {
		free(name);
		return LP_EXIT_FAIL;
	}
	quarantine_forget(o->root, name);
	*unloaded = name;
	return LP_EXIT_OK;
}
