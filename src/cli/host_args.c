/* Parsing the host commands' options, one way for all of them. */
#include "cli/host_args.h"

#include "cli/cli.h"
#include "util/log.h"

#include <string.h>

int host_args_parse(const char *cmd, int argc, char **argv, unsigned allowed,
		    void (*help)(void), struct host_args *a)
{
	bool confirmed = false;

	memset(a, 0, sizeof(*a));
	a->o.timeout_s = HOST_DEFAULT_TIMEOUT;
	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;

		if (cli_is_help(argv[i])) {
			help();
			return 0;
		}
		if ((allowed & HA_TIMEOUT) && (v = cli_option(argc, argv, &i, "--timeout", &missing))) {
			if (!cli_parse_uint(v, 1, 86400, &a->o.timeout_s))
				return cli_usage_error(cmd, "--timeout %s: not a number of seconds from 1 to 86400", v);
		} else if ((allowed & HA_ROOT) && (v = cli_option(argc, argv, &i, "--root", &missing))) {
			a->o.root = v;
		} else if ((allowed & HA_RELEASE) && (v = cli_option(argc, argv, &i, "--release", &missing))) {
			a->o.release = v;
		} else if (missing) {
			return cli_usage_error(cmd, "%s needs a value", argv[i]);
		} else if ((allowed & HA_FORCE) && !strcmp(argv[i], "--force")) {
			a->o.force = true;
		} else if ((allowed & HA_FORCE) && !strcmp(argv[i], "--yes-i-know")) {
			confirmed = true;
		} else if ((allowed & HA_JSON) && !strcmp(argv[i], "--json")) {
			a->json = true;
		} else if ((allowed & HA_ALL) && !strcmp(argv[i], "--all")) {
			a->all = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error(cmd, "unknown option %s", argv[i]);
		} else if (a->operand) {
			return cli_usage_error(cmd, "one at a time (%s and %s)", a->operand, argv[i]);
		} else {
			a->operand = argv[i];
		}
	}
	if (a->o.force && !confirmed)
		return cli_usage_error(cmd, "--force skips the kernel's consistency check: tasks may "
				       "run old and new code at once, and the module can never be "
				       "removed; add --yes-i-know to confirm");
	if (confirmed && !a->o.force)
		return cli_usage_error(cmd, "--yes-i-know confirms --force; there is no --force here");
	return -1;
}
