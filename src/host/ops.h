/* What the operator does on a host: load, unload, install, uninstall patches. */
#ifndef LPATCH_HOST_OPS_H
#define LPATCH_HOST_OPS_H

#include <stdbool.h>
#include <stddef.h>

#define HOST_DEFAULT_TIMEOUT 60	/* seconds a transition may take */

struct host_opts {
	unsigned timeout_s;	/* how long a transition may take */
	bool force;		/* past the timeout, force the transition (--force --yes-i-know) */
	const char *root;	/* --root, or NULL */
	const char *release;	/* install/uninstall for this release, or NULL: the running one */
};

struct patch_info;

/* Each returns an exit code (0, 1, 2, LP_EXIT_STALLED), errors and progress on stderr
 * (util/log.h); what was done is returned for the CLI to print. */

/* Load module ko. *pi: the module's metadata as read (free it with patch_info_free
 * whatever the result; on success, the patch now enabled). */
int host_load(const char *ko, const struct host_opts *o, struct patch_info *pi);

/* What load --all did with one installed patch, reported as it happens. */
enum host_load_outcome {
	HOST_LOADED,		/* loaded now: pi is the patch */
	HOST_ALREADY_LOADED,	/* loaded and enabled before: pi */
	HOST_SKIPPED,		/* installed before the newest replacing patch, replaced_by */
	HOST_LOAD_FAILED,	/* refused or failed (the reason was printed); exit its code */
	HOST_QUARANTINED,	/* skipped: it crashed the machine (host/quarantine.h), why */
};
struct host_load_event {
	enum host_load_outcome what;
	const char *file;		/* the installed module */
	const struct patch_info *pi;	/* its metadata, or NULL when unreadable */
	const char *replaced_by;	/* HOST_SKIPPED: the file that replaces it */
	int exit;			/* HOST_LOAD_FAILED: the exit code of that load */
	const char *why;		/* HOST_QUARANTINED: the reason recorded */
};
struct host_load_all {
	bool disabled;		/* lpatch.disable=1 on the command line: nothing was tried */
	char *release, *dir;	/* the running release, and its directory in the store */
	size_t installed;	/* modules installed there */
	size_t tried;		/* from the newest replacing one on */
	size_t loaded, failed;	/* loaded (now or before), failed */
	size_t quarantined;	/* skipped as quarantined (host/quarantine.h) */
};
/* Load every patch installed for the running release; report(ev, ctx) for each
 * as it goes (may be NULL). *sum filled in every case: free with host_load_all_free. */
int host_load_all(const struct host_opts *o, void (*report)(const struct host_load_event *ev, void *ctx),
		  void *ctx, struct host_load_all *sum);
void host_load_all_free(struct host_load_all *sum);

/* Unload patch name (either spelling); on success *unloaded is its module name (caller frees). */
int host_unload(const char *name, const struct host_opts *o, char **unloaded);

/* What install and uninstall changed in the store. */
struct host_store_change {
	char *name;		/* module name */
	char *release;		/* the release it was (un)installed for */
	char *path;		/* the file written or removed */
	bool still_loaded;	/* uninstall: the patch is loaded in the running kernel */
};
/* *done filled on success; free it with host_store_change_free in every case. */
int host_install(const char *ko, const struct host_opts *o, struct host_store_change *done);
int host_uninstall(const char *name, const struct host_opts *o, struct host_store_change *done);
void host_store_change_free(struct host_store_change *c);

/* Checks a module must pass to be loaded on (or installed for) release:
 * a module, livepatch=Y, vermagic and lpatch_target naming release.
 * 0, or LP_EXIT_REFUSED with the reason printed. */
int host_check_module(const char *ko, const char *release, struct patch_info *pi);
/* The same checks on the patch_info already read from ko (ko_info_read). */
int host_check_info(const char *ko, const char *release, const struct patch_info *pi);
/* host_load of a module that passed host_check_info(ko, release, pi):
 * what --all uses, having read every installed module once. */
int host_load_checked(const char *ko, const struct patch_info *pi, const char *release,
		      const struct host_opts *o);

/* Load (modprobe) each module in pi's depends= (the modules whose exports
 * the patch uses) that is not loaded: 0, or LP_EXIT_FAIL with the reason printed. */
int host_load_depends(const char *ko, const struct patch_info *pi);
/* Does release have each module of pi's depends= (its modules.dep lists it)?
 * 0 (also when release's modules.dep is not there), or LP_EXIT_REFUSED. */
int host_check_depends(const char *ko, const struct patch_info *pi, const char *release);

/* delete_module(2) of a livepatch module, retrying while the kernel still holds it;
 * 0, or -1 with the reason printed. */
int host_rmmod(const char *name);

/* Is "lpatch.disable=1" on the running kernel's command line? */
bool host_disabled_by_cmdline(void);

#endif
