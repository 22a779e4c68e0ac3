/* lpatch revert: take a patch out of a running process. */
#include "cli/cli.h"

#include "user/ops.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
	printf("usage: lpatch revert --pid PID [--timeout MS] [--json] [NAME]\n\n"
	       "Revert the patch called NAME (default: the newest) in process PID. Its\n"
	       "functions go back to the next newest patch of them, or to the original code,\n"
	       "with the same consistency check as apply: no thread may be executing the\n"
	       "patch's code or have it on its stack. Its memory is then unmapped.\n\n"
	       "options:\n"
	       "  --pid PID       the process\n"
	       "  --timeout MS    give up after MS milliseconds of blocked attempts (default 2000)\n"
	       "  --json          print one JSON object\n\n"
	       "Exit: 0 reverted, 1 failed (blocked past the timeout), 2 bad usage or no such patch.\n");
}

int cmd_revert(int argc, char **argv)
{
	struct user_opts o = { .timeout_ms = 2000 };
	struct user_result r;
	const char *name = NULL;
	bool as_json = false;
	unsigned pid = 0, ms;
	int rc;

	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;

		if (cli_is_help(argv[i])) {
			usage();
			return 0;
		} else if ((v = cli_option(argc, argv, &i, "--pid", &missing))) {
			if (!cli_parse_uint(v, 1, INT_MAX, &pid))
				return cli_usage_error("revert", "--pid needs a process id, not '%s'", v);
		} else if ((v = cli_option(argc, argv, &i, "--timeout", &missing))) {
			if (!cli_parse_uint(v, 1, INT_MAX, &ms))
				return cli_usage_error("revert", "--timeout needs milliseconds, not '%s'", v);
			o.timeout_ms = (int)ms;
		} else if (missing) {
			return cli_usage_error("revert", "%s needs a value", argv[i]);
		} else if (!strcmp(argv[i], "--json")) {
			as_json = true;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("revert", "unknown option %s", argv[i]);
		} else if (!name) {
			name = argv[i];
		} else {
			return cli_usage_error("revert", "one patch name at a time");
		}
	}
	if (!pid)
		return cli_usage_error("revert", "--pid PID is required");
	rc = user_revert((pid_t)pid, name, &o, &r);
	if (as_json) {
		struct strbuf sb = { 0 };
		struct json j;

		json_init(&j, &sb, JSON_COMPACT);
		json_obj_begin(&j);
		json_kuint(&j, "pid", pid);
		json_kstr(&j, "patch", r.name);
		json_kbool(&j, "reverted", rc == LP_EXIT_OK);
		json_kint(&j, "exit", rc);
		json_kint(&j, "rounds", r.rounds);
		json_key(&j, "pause_us");
		json_fixed(&j, r.pause_ns / 1e3, 1);
		json_key(&j, "max_pause_us");
		json_fixed(&j, r.max_pause_ns / 1e3, 1);
		json_obj_end(&j);
		json_print(&j);
	} else if (rc == LP_EXIT_OK) {
		printf("reverted %s in process %u: threads held %.3f ms (%d round%s)\n", r.name, pid,
		       r.pause_ns / 1e6, r.rounds, r.rounds == 1 ? "" : "s");
	}
	return rc;
}
