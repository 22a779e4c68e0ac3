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
	       "patch's code or have it on its stack. Its memory stays mapped until the\n"
	       "process exits, as the program may still point into it (a string the new\n"
	       "code returned); a stale region whose code never ran is unmapped.\n\n"
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
	const char *name;
	bool as_json = false;
	unsigned pid = 0, ms = (unsigned)o.timeout_ms;
	const struct cli_opt opts[] = {
		{ "--pid", .num = &pid, .min = 1, .max = INT_MAX, .what = "a process id" },
		{ "--timeout", .num = &ms, .min = 1, .max = INT_MAX, .what = "milliseconds" },
		{ "--json", .flag = &as_json },
		{ NULL },
	};
	const struct cli_cmd cmd = { "revert", usage, opts, .arg = "patch name", .max_args = 1 };
	int rc = cli_parse(&cmd, argc, argv, NULL);

	if (rc != CLI_GO_ON)
		return rc;
	name = argv[1];	/* NULL when not given */
	o.timeout_ms = (int)ms;
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
