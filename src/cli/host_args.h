/* The options shared by the host commands (load, unload, list, status, install, uninstall, info). */
#ifndef LPATCH_CLI_HOST_ARGS_H
#define LPATCH_CLI_HOST_ARGS_H

#include "host/ops.h"

#include <stdbool.h>

enum host_arg {
	HA_TIMEOUT = 1 << 0,	/* --timeout SEC */
	HA_FORCE = 1 << 1,	/* --force, --yes-i-know */
	HA_ROOT = 1 << 2,	/* --root DIR */
	HA_RELEASE = 1 << 3,	/* --release REL */
	HA_JSON = 1 << 4,	/* --json */
	HA_ALL = 1 << 5,	/* --all */
};

struct host_args {
	struct host_opts o;
	bool json, all;
	const char *operand;	/* the one FILE or NAME, or NULL */
};

/*
 * Parse argv for command cmd, accepting the options in allowed and at most
 * one operand. Returns -1 to go on, or the exit code to return at once (0
 * after --help, printed by help()).
 */
int host_args_parse(const char *cmd, int argc, char **argv, unsigned allowed,
		    void (*help)(void), struct host_args *a);

#endif
