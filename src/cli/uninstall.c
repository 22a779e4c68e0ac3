/* lpatch uninstall: stop loading a livepatch at boot.
 * Its options, and the host_* call it makes: the table in cli/host_args.c. */
#include "cli/host_args.h"

#include "host/store.h"
#include "host/ustore.h"
#include "user/maps.h"
#include "user/ops.h"
#include "user/state.h"
#include "util/log.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void uninstall_help(void)
{
	printf("usage: lpatch uninstall [--root DIR] [--release REL] NAME\n"
	       "       lpatch uninstall --user [--revert] [--root DIR] NAME\n\n"
	       "Remove installed patch NAME (its module name; - and _ are the same) from\n"
	       "ROOT/RELEASE, so that it is not loaded at the next boot. A loaded patch stays\n"
	       "loaded: `lpatch unload NAME` takes it out now.\n\n"
	       "With --user, remove installed process patch NAME: processes that start from\n"
	       "then on are no longer patched. Running processes keep it, unless --revert:\n"
	       "then it is reverted in every process that has it (as `lpatch revert`).\n\n"
	       "options:\n"
	       "  --root DIR      the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n"
	       "  --release REL   uninstall from kernel REL (default: the running one)\n"
	       "  --user          NAME is a process patch\n"
	       "  --revert        (--user) revert it in the running processes too\n\n"
	       "Exit: 0 removed, 1 failure (I/O; with --revert, a revert failed), 2 not\n"
	       "installed or bad usage.\n");
}

static int uninstall(const char *name, const struct host_opts *o)
{
	struct host_store_change done;
	int ret = host_uninstall(name, o, &done);

	if (!ret) {
		printf("uninstalled %s for %s\n", done.name, done.release);
		/* the hint after the line it qualifies */
		fflush(stdout);
		if (done.still_loaded)
			lp_hint("%s is still loaded; `lpatch unload %s` takes it out now", done.name,
				done.name);
	}
	host_store_change_free(&done);
	return ret;
}

/* Does pid have a live patch called name? */
static bool has_patch(pid_t pid, const char *name)
{
	struct proc_maps pm;
	struct applied *a;
	size_t n;
	bool found = false;

	if (maps_read(pid, &pm))
		return false;
	state_scan(&pm, &a, &n);
	for (size_t i = 0; i < n; i++)
		found |= region_live(a[i].hdr) && !strcmp(a[i].hdr->name, name);
	state_free(a, n);
	maps_free(&pm);
	return found;
}

/* Revert patch name in every process that has it. */
static int revert_everywhere(const char *name)
{
	struct user_opts o = { .timeout_ms = 2000 };
	DIR *d = opendir("/proc");
	struct dirent *de;
	int rc = LP_EXIT_OK, n = 0;

	while (d && (de = readdir(d))) {
		struct user_result r;
		pid_t pid = (pid_t)atoi(de->d_name);
		int one;

		if (!isdigit((unsigned char)de->d_name[0]) || pid == getpid() || !has_patch(pid, name))
			continue;
		one = user_revert(pid, name, &o, &r);
		if (one == LP_EXIT_OK) {
			printf("reverted %s in process %d: threads held %.3f ms\n", name, (int)pid,
			       r.pause_ns / 1e6);
			n++;
		} else if (rc == LP_EXIT_OK) {
			rc = LP_EXIT_FAIL;
		}
	}
	if (d)
		closedir(d);
	if (!n && rc == LP_EXIT_OK)
		printf("no running process had %s applied\n", name);
	return rc;
}

int uninstall_run(const struct host_args *a)
{
	if (a->user) {
		char *root = store_root(a->o.root);
		int rc = ustore_remove(root, a->operand);

		if (!rc) {
			printf("uninstalled process patch %s: processes that start from now on are not "
			       "patched\n", a->operand);
			fflush(stdout);
			if (a->revert)
				rc = revert_everywhere(a->operand);
			else
				lp_hint("running processes keep it; `lpatch uninstall --user --revert %s` "
					"or `lpatch revert` takes it out of them", a->operand);
		}
		free(root);
		return rc;
	}
	return uninstall(a->operand, &a->o);
}
