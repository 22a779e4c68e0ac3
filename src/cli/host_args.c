/* Parsing the host commands' options, one way for all of them. */
#include "cli/host_args.h"

#include "cli/cli.h"
#include "util/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "--name VALUE" or "--name=VALUE"; NULL if argv[*i] is not this option. */
static const char *value_of(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) || (argv[*i][n] && argv[*i][n] != '='))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

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
		if ((allowed & HA_TIMEOUT) && (v = value_of(argc, argv, &i, "--timeout", &missing))) {
			char *end;
			unsigned long t;

			errno = 0;
			t = strtoul(v, &end, 10);
			if (errno || end == v || *end || v[0] == '-' || t < 1 || t > 86400)
				return cli_usage_error(cmd, "--timeout %s: not a number of seconds from 1 to 86400", v);
			a->o.timeout_s = (unsigned)t;
		} else if ((allowed & HA_ROOT) && (v = value_of(argc, argv, &i, "--root", &missing))) {
			a->o.root = v;
		} else if ((allowed & HA_RELEASE) && (v = value_of(argc, argv, &i, "--release", &missing))) {
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
