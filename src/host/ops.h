/* What the operator does on a host: load, unload, install, uninstall patches. */
#ifndef LPATCH_HOST_OPS_H
#define LPATCH_HOST_OPS_H

#include <stdbool.h>

#define HOST_DEFAULT_TIMEOUT 60	/* seconds a transition may take */

struct host_opts {
	unsigned timeout_s;	/* how long a transition may take */
	bool force;		/* past the timeout, force the transition (--force --yes-i-know) */
	const char *root;	/* --root, or NULL */
	const char *release;	/* install/uninstall for this release, or NULL: the running one */
};

/* Each returns an exit code (0, 1, 2, LP_EXIT_STALLED). */
int host_load(const char *ko, const struct host_opts *o);
int host_load_all(const struct host_opts *o);
int host_unload(const char *name, const struct host_opts *o);
int host_install(const char *ko, const struct host_opts *o);
int host_uninstall(const char *name, const struct host_opts *o);

/* Checks a module must pass to be loaded on (or installed for) release:
 * a module, livepatch=Y, vermagic and lpatch_target naming release.
 * 0, or LP_EXIT_REFUSED with the reason printed. */
struct patch_info;
int host_check_module(const char *ko, const char *release, struct patch_info *pi);
/* The same checks on the patch_info already read from ko (ko_info_read). */
int host_check_info(const char *ko, const char *release, const struct patch_info *pi);
/* host_load of a module that passed host_check_info(ko, release, pi):
 * what --all uses, having read every installed module once. */
int host_load_checked(const char *ko, const struct patch_info *pi, const char *release,
		      const struct host_opts *o);

/* delete_module(2) of a livepatch module, retrying while the kernel still holds it;
 * 0, or -1 with the reason printed. */
int host_rmmod(const char *name);

/* Is "lpatch.disable=1" on the running kernel's command line? */
bool host_disabled_by_cmdline(void);

#endif
