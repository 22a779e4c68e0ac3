/* lpatch apply: patch running processes with a .lpatch file. */
#include "cli/cli.h"

#include "user/ops.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	printf("usage: lpatch apply --pid PID [--timeout MS] [--json] FILE\n"
	       "       lpatch apply --all [--timeout MS] [--json] FILE\n\n"
	       "Apply a process patch (made by `lpatch build --user`) to a running process, or\n"
	       "with --all to every process that maps the patch's target object with the\n"
	       "patch's build-id. The threads are stopped only while the jumps are written;\n"
	       "no function is redirected while any thread executes it or has it on its stack:\n"
	       "such threads run on until they leave it, within the timeout.\n\n"
	       "options:\n"
	       "  --pid PID       the process to patch\n"
	       "  --all           every process mapping the target object with that build-id\n"
	       "  --timeout MS    give up after MS milliseconds of blocked attempts (default 2000);\n"
	       "                  the process is then left exactly as it was\n"
	       "  --json          print one JSON array, an object per process\n\n"
	       "Exit: 0 applied, 1 failed (blocked past the timeout, process gone),\n"
	       "2 bad usage or refused (wrong build-id, already applied, bad patch file).\n");
}

static void report(struct json *json, pid_t pid, int rc, const struct user_result *r)
{
	if (json) {
		json_obj_begin(json);
		json_kint(json, "pid", pid);
		json_kstr(json, "patch", r->name);
		json_kbool(json, "applied", rc == LP_EXIT_OK);
		json_kint(json, "exit", rc);
		json_key(json, "base");
		json_strf(json, "%#llx", (unsigned long long)r->base);
		json_kint(json, "rounds", r->rounds);
		json_key(json, "pause_us");
		json_fixed(json, r->pause_ns / 1e3, 1);
		json_key(json, "max_pause_us");
		json_fixed(json, r->max_pause_ns / 1e3, 1);
		json_key(json, "load_pause_us");
		json_fixed(json, r->load_pause_ns / 1e3, 1);
		json_obj_end(json);
	} else if (rc == LP_EXIT_OK) {
		printf("applied %s to process %d: threads held %.3f ms (worst round %.3f ms, %d round%s)\n",
		       r->name, (int)pid, r->pause_ns / 1e6, r->max_pause_ns / 1e6, r->rounds,
		       r->rounds == 1 ? "" : "s");
	}
}

static int apply_all(struct user_patch *pf, const struct user_opts *o, struct json *json)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int rc = LP_EXIT_OK, matched = 0, unreadable = 0, one_unreadable = 0;

	if (!d) {
		lp_perr("cannot list /proc");
		return LP_EXIT_FAIL;
	}
	while ((de = readdir(d))) {
		struct user_result r;
		pid_t pid;
		int one;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (pid == getpid())
			continue;
		errno = 0;
		if ((one = user_process_matches(pid, pf)) < 0 && (errno == EACCES || errno == EPERM)) {
			/* another user's process: whether it maps the object is unknown */
			if (!unreadable++)
				one_unreadable = (int)pid;
			continue;
		}
		if (one != 1)
			continue;
		matched++;
		one = user_apply(pid, pf, o, &r);
		report(json, pid, one, &r);
		if (one != LP_EXIT_OK && rc == LP_EXIT_OK)
			rc = one;
	}
	closedir(d);
	if (!matched && unreadable) {
		lp_err("no process whose maps this user may read maps %s with build-id %s; "
		       "the maps of %d other process%s (process %d first) cannot be read: %s",
		       pf->object, pf->build_id, unreadable, unreadable == 1 ? "" : "es",
		       one_unreadable, strerror(EACCES));
		lp_hint("run as root, or as the user owning the processes to patch");
		return LP_EXIT_FAIL;
	}
	if (!matched) {
		lp_err("no process maps %s with build-id %s", pf->object, pf->build_id);
		return LP_EXIT_FAIL;
	}
	if (unreadable)
		lp_warn("the maps of %d process%s (process %d first) cannot be read by this user: "
			"they were not checked", unreadable, unreadable == 1 ? "" : "es", one_unreadable);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	struct user_opts o = { .timeout_ms = 2000 };
	struct strbuf out = { 0 };
	struct json json;
	struct user_patch pf;
	const char *file;
	bool all = false, as_json = false;
	unsigned pid = 0, ms = (unsigned)o.timeout_ms;
	const struct cli_opt opts[] = {
		{ "--pid", .num = &pid, .min = 1, .max = INT_MAX, .what = "a process id" },
		{ "--timeout", .num = &ms, .min = 1, .max = INT_MAX, .what = "milliseconds" },
		{ "--all", .flag = &all },
		{ "--json", .flag = &as_json },
		{ NULL },
	};
	const struct cli_cmd cmd = { "apply", usage, opts, .arg = "patch file", .min_args = 1,
				     .max_args = 1 };
	int rc = cli_parse(&cmd, argc, argv, NULL);

	if (rc != CLI_GO_ON)
		return rc;
	file = argv[1];
	o.timeout_ms = (int)ms;
	if (!all == !pid)
		return cli_usage_error("apply", "give either --pid PID or --all");
	if (patch_open(file, &pf))
		return LP_EXIT_REFUSED;
	json_init(&json, &out, JSON_COMPACT);
	if (as_json)
		json_arr_begin(&json);
	if (all) {
		rc = apply_all(&pf, &o, as_json ? &json : NULL);
	} else {
		struct user_result r;
		rc = user_apply((pid_t)pid, &pf, &o, &r);
		report(as_json ? &json : NULL, (pid_t)pid, rc, &r);
	}
	if (as_json) {
		json_arr_end(&json);
		json_print(&json);
	}
	patch_close(&pf);
	return rc;
}
