/* lpatch quarantine: patches that crashed the machine (src/host/quarantine.h). */
#include "cli.h"

#include "cli/prometheus.h"
#include "host/quarantine.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>

static void help(void)
{
	printf("usage: lpatch quarantine [--root DIR]\n"
	       "       lpatch quarantine --lift PATCH [--root DIR]\n"
	       "       lpatch quarantine --settle | --clean-shutdown [--root DIR]\n\n"
	       "lpatch records every load. When the machine goes down within %u seconds\n"
	       "($LPATCH_QUARANTINE_WINDOW) of a load without a clean shutdown, the next boot's\n"
	       "`lpatch load --all` quarantines the patch: it is not loaded again at boot, and\n"
	       "`lpatch load` refuses it, until the operator lifts the quarantine (or the\n"
	       "patch is uninstalled from the last release that held it).\n"
	       "Without options: list the quarantined patches and why.\n\n"
	       "options:\n"
	       "  --lift PATCH      lift the quarantine of PATCH (it loads at the next boot, or\n"
	       "                    now with `lpatch load --all`)\n"
	       "  --settle          the loads of this boot older than the window are safe (run by\n"
	       "                    a systemd timer after each load)\n"
	       "  --clean-shutdown  every load of this boot is safe (lpatch.service runs it when\n"
	       "                    the system shuts down)\n"
	       "  --root DIR        the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0, 1 failure, 2 bad usage or PATCH not quarantined.\n", QUARANTINE_DEFAULT_WINDOW);
}

int cmd_quarantine(int argc, char **argv)
{
	const char *root = NULL, *lift = NULL;
	bool settle = false, shutdown = false;
	const struct cli_opt opts[] = {
		{ "--lift", .str = &lift },
		{ "--settle", .flag = &settle },
		{ "--clean-shutdown", .flag = &shutdown },
		{ "--root", .str = &root },
		{ NULL },
	};
	const struct cli_cmd cmd = { "quarantine", help, opts, .max_args = 0 };
	int ret = cli_parse(&cmd, argc, argv, NULL);
	size_t n;
	char **names;

	if (ret != CLI_GO_ON)
		return ret;
	if ((lift != NULL) + settle + shutdown > 1)
		return cli_usage_error("quarantine", "one of --lift, --settle, --clean-shutdown at a time");
	if ((ret = cli_check_dir("quarantine", "--root", root)) != CLI_GO_ON)
		return ret;
	if (lift) {
		ret = quarantine_lift(root, lift);
		if (!ret) {
			printf("lifted the quarantine of %s\n", lift);
			prom_refresh(root);
		}
		return ret;
	}
	if (settle || shutdown) {
		n = quarantine_settle(root, shutdown);
		lp_progress("%zu load%s settled", n, n == 1 ? "" : "s");
		if (settle)
			prom_refresh(root);
		return LP_EXIT_OK;
	}
	names = quarantine_list(root, &n);
	if (!n)
		printf("no patch is quarantined\n");
	for (size_t i = 0; i < n; i++) {
		char *why = NULL;

		quarantine_is(root, names[i], &why);
		printf("%s: %s\n", names[i], why ? why : "");
		free(why);
		free(names[i]);
	}
	free(names);
	return LP_EXIT_OK;
}
