/* Whether a module is a livepatch for a given kernel release, before anything is done with it. */
#include "host/ops.h"

#include "host/modinfo.h"
#include "host/sysfs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

int host_check_module(const char *ko, const char *release, struct patch_info *pi)
{
	if (ko_info_read(ko, pi))
		return LP_EXIT_REFUSED;
	return host_check_info(ko, release, pi);
}

int host_check_info(const char *ko, const char *release, const struct patch_info *pi)
{
	char *rel;
	int ret = LP_EXIT_REFUSED;

	if (!pi->livepatch) {
		lp_err("%s: module %s is not a livepatch (its .modinfo has no livepatch=Y)", ko, pi->name);
		lp_hint("build livepatch modules with `lpatch build`; load other modules with insmod");
		return LP_EXIT_REFUSED;
	}
	rel = vermagic_release(pi->vermagic);
	if (!rel || strcmp(rel, release)) {
		lp_err("%s: built for kernel %s, but the kernel here is %s (vermagic \"%s\")", ko,
		       rel ? rel : "(no vermagic)", release, pi->vermagic ? pi->vermagic : "");
		lp_hint("build it for %s (for a Debian kernel: `lpatch build --target debian:%s`)",
			release, release);
	} else if (pi->target && strcmp(pi->target, release)) {
		lp_err("%s: lpatch_target is %s, but the kernel here is %s", ko, pi->target, release);
	} else {
		ret = 0;
	}
	free(rel);
	return ret;
}

bool host_disabled_by_cmdline(void)
{
	char *cmd = sysfs_line("/proc/cmdline");
	bool off = false;

	for (char *save = NULL, *w = cmd ? strtok_r(cmd, " \t", &save) : NULL; w;
	     w = strtok_r(NULL, " \t", &save))
		if (!strcmp(w, "lpatch.disable=1") || !strcmp(w, "lpatch.disable=y") ||
		    !strcmp(w, "lpatch.disable"))
			off = true;
	free(cmd);
	return off;
}
