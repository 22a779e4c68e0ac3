/* lpatch load: insert a livepatch module and see its transition through. */
#include "cli/host_args.h"

#include "cli/print.h"
#include "host/patchinfo.h"
#include "util/log.h"

#include <stdio.h>

void load_help(void)
{
	printf("usage: lpatch load [--timeout SEC] [--force --yes-i-know] FILE.ko\n"
	       "       lpatch load --all [--root DIR] [--timeout SEC]\n\n"
	       "Load a livepatch module into the running kernel and wait until every task runs\n"
	       "the patched code. Before inserting it, the module must be an ELF relocatable\n"
	       "with .modinfo livepatch=Y whose vermagic (and lpatch_target) name the running\n"
	       "kernel's release; otherwise it is refused and nothing is loaded. The modules\n"
	       "whose exports it uses (its .modinfo depends=) are loaded first with modprobe.\n\n"
	       "While the transition runs, a progress line counts the tasks left to switch.\n"
	       "When it has not finished after --timeout seconds, the tasks still in the old\n"
	       "code are listed (pid, tid, comm, kernel stack), the transition is reversed\n"
	       "(the patch disabled), the module removed, and lpatch says why (exit %d).\n"
	       "With --force --yes-i-know it forces the transition instead (the kernel skips\n"
	       "its consistency check: use only when the listed tasks can never be in the\n"
	       "patched functions; a forced module can never be removed).\n\n"
	       "--all loads every patch installed for the running release (`lpatch install`),\n"
	       "oldest install first, from the newest replacing patch on; loaded ones are\n"
	       "skipped. `lpatch.disable=1` on the kernel command line makes it load nothing.\n"
	       "lpatch.service runs it at boot.\n\n"
	       "options:\n"
	       "  --timeout SEC       how long the transition may take (default %d)\n"
	       "  --force --yes-i-know  past the timeout, force the transition\n"
	       "  --all               load the installed patches\n"
	       "  --root DIR          the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0 loaded (or already loaded), 1 failure (the kernel refused the module,\n"
	       "I/O), 2 refused before loading (not a livepatch, another kernel, bad usage,\n"
	       "already loaded), %d the transition stalled and the patch was backed out.\n",
	       LP_EXIT_STALLED, HOST_DEFAULT_TIMEOUT, LP_EXIT_STALLED);
}

static int load_one(const char *ko, const struct host_opts *o)
{
	struct patch_info pi;
	int ret = host_load(ko, o, &pi);

	if (!ret)
		print_loaded(&pi);
	patch_info_free(&pi);
	return ret;
}

static void print_event(const struct host_load_event *ev, void *ctx)
{
	switch (ev->what) {
	case HOST_LOADED:
		print_loaded(ev->pi);
		break;
	case HOST_ALREADY_LOADED:
		printf("%s: already loaded\n", ev->pi->name);
		break;
	case HOST_SKIPPED:
		printf("skipping %s: replaced by %s, installed later\n", ev->file, ev->replaced_by);
		break;
	case HOST_LOAD_FAILED:
		break;	/* the reason is on stderr */
	case HOST_QUARANTINED:
		printf("skipping %s: quarantined (%s); `lpatch quarantine --lift %s` lifts it\n",
		       ev->pi->name, ev->why, ev->pi->name);
		break;
	}
}

static int load_all(const struct host_opts *o)
{
	struct host_load_all sum;
	int ret = host_load_all(o, print_event, NULL, &sum);

	if (sum.disabled)
		printf("lpatch.disable=1 is on the kernel command line: no patch loaded\n");
	else if (!sum.installed)
		printf("no patch installed for %s (in %s)\n", sum.release, sum.dir);
	else
		printf("%zu of %zu installed patch%s loaded for %s (%zu failed%s)\n", sum.loaded,
		       sum.tried, sum.tried == 1 ? "" : "es", sum.release, sum.failed,
		       sum.quarantined ? ", some quarantined" : "");
	host_load_all_free(&sum);
	return ret;
}

int load_run(const struct host_args *a)
{
	if (a->all && a->operand)
		return cli_usage_error("load", "--all or FILE.ko, not both");
	if (a->all)
		return load_all(&a->o);
	if (!a->operand)
		return cli_usage_error("load", "which module? e.g. `lpatch load fix.ko`");
	if (a->o.root)
		return cli_usage_error("load", "--root goes with --all");
	return load_one(a->operand, &a->o);
}
