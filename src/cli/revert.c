/* lpatch revert: take a patch out of a running process. */
#include "cli/cli.h"

#include "user/ops.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
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
	long pid = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (cli_is_help(argv[i])) {
			usage();
			return 0;
		} else if (!strcmp(argv[i], "--pid") && i + 1 < argc) {
			pid = strtol(argv[++i], &end, 10);
			if (*end || pid <= 0)
				return cli_usage_error("revert", "--pid needs a process id, not '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			o.timeout_ms = (int)strtol(argv[++i], &end, 10);
			if (*end || o.timeout_ms <= 0)
				return cli_usage_error("revert", "--timeout needs milliseconds, not '%s'", argv[i]);
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
		sb_addf(&sb, "{\"pid\":%ld,\"patch\":", pid);
		sb_add_json_str(&sb, r.name);
		sb_addf(&sb, ",\"reverted\":%s,\"exit\":%d,\"rounds\":%d,\"pause_us\":%.1f,"
			"\"max_pause_us\":%.1f}", rc == LP_EXIT_OK ? "true" : "false", rc, r.rounds,
			r.pause_ns / 1e3, r.max_pause_ns / 1e3);
		printf("%s\n", sb.buf);
		sb_free(&sb);
	} else if (rc == LP_EXIT_OK) {
		printf("reverted %s in process %ld: threads held %.3f ms (%d round%s)\n", r.name, pid,
		       r.pause_ns / 1e6, r.rounds, r.rounds == 1 ? "" : "s");
	}
	return rc;
}
