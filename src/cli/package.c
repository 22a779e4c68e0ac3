/* lpatch package: a Debian package per livepatch (src/fleet/package.h, docs/fleet.md). */
#include "cli.h"

#include "fleet/package.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>

static void help(void)
{
	printf("usage: lpatch package --version V [--package NAME] [-o DIR] FIX.ko...\n"
	       "       lpatch package --withdraw --package NAME --version V [--description WHY]\n\n"
	       "Turn the modules of one fix (one per kernel release, all built with the same\n"
	       "--name) into a Debian package, DIR/NAME_V_amd64.deb (written atomically with\n"
	       "dpkg-deb). It depends on lpatch; its description carries the CVEs, the\n"
	       "releases and the sha256 of the source diff. Installing it puts each module in\n"
	       "/var/lib/lpatch/RELEASE/ (`lpatch install`) and loads the running kernel's\n"
	       "(`lpatch load`); on a release it does not cover it says so and installs.\n"
	       "A newer version (built with a new module name, replacing) takes over from the\n"
	       "loaded one by atomic replace, then the old module is removed. Removing the\n"
	       "package unloads and uninstalls its livepatch. --withdraw makes a version with\n"
	       "no module: installing it unloads and uninstalls the fix. See docs/fleet.md.\n\n"
	       "options:\n"
	       "  --version V         the package version (each new build of the fix a higher one)\n"
	       "  --package NAME      the package name (default: the module name, '_' as '-')\n"
	       "  --maintainer TEXT   \"Name <mail>\" (default \"" FLEET_DEFAULT_MAINTAINER "\")\n"
	       "  -o, --output DIR    where the .deb goes (default .)\n"
	       "  --withdraw          the version that withdraws the fix (no module)\n"
	       "  --description WHY   with --withdraw: why, for the package description\n\n"
	       "Exit: 0 written, 1 failure (dpkg-deb, I/O), 2 refused input or bad usage.\n");
}

int cmd_package(int argc, char **argv)
{
	struct fleet_pkg_opts o = {0};
	struct fleet_pkg p;
	bool withdraw = false;
	char *deb = NULL;
	int nargs, ret;
	const struct cli_opt opts[] = {
		{ "--version", .str = &o.version },
		{ "--package", .str = &o.package },
		{ "--maintainer", .str = &o.maintainer },
		{ "--output", 'o', .str = &o.outdir },
		{ "--withdraw", .flag = &withdraw },
		{ "--description", .str = &o.description },
		{ NULL },
	};
	const struct cli_cmd cmd = { "package", help, opts, .arg = "module", .max_args = -1 };

	ret = cli_parse(&cmd, argc, argv, &nargs);
	if (ret != CLI_GO_ON)
		return ret;
	if (!o.version)
		return cli_usage_error("package", "--version V is required (1 for the first build of a fix)");
	if (withdraw && nargs)
		return cli_usage_error("package", "--withdraw makes a package with no module; drop the modules");
	if (withdraw && !o.package)
		return cli_usage_error("package", "--withdraw needs --package NAME: the package it withdraws");
	if (!withdraw && !nargs)
		return cli_usage_error("package", "no module given, e.g. `lpatch package --version 1 fix.ko`");
	if (!withdraw && o.description)
		return cli_usage_error("package", "--description goes with --withdraw (a fix's description "
				       "comes from its modules)");
	o.modules = argv + 1;
	o.nmodules = (size_t)nargs;
	o.withdraw = withdraw;
	ret = fleet_pkg_read(&o, &p);
	if (ret == LP_OK)
		ret = fleet_pkg_write(&p, o.outdir, &deb);
	else
		ret = lp_exit_code(ret, LP_EXIT_FAIL);
	if (ret == LP_EXIT_OK) {
		printf("%s\n", deb);
		if (p.withdraw)
			lp_progress("%s %s withdraws the fix", p.package, p.version);
		else
			for (size_t i = 0; i < p.nmods; i++)
				lp_progress("%s %s: %s for %s", p.package, p.version, p.module, p.mods[i].release);
	}
	free(deb);
	fleet_pkg_free(&p);
	return ret;
}
