/* lpatch apply: patch running processes with a .lpatch file. */
#include "cli/cli.h"

#include "user/ops.h"
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

static void report(struct strbuf *json, pid_t pid, int rc, const struct user_result *r)
{
	if (json) {
		sb_addf(json, "%s{\"pid\":%d,\"patch\":", json->len > 1 ? "," : "", (int)pid);
		sb_add_json_str(json, r->name);
		sb_addf(json, ",\"applied\":%s,\"exit\":%d,\"base\":\"%#llx\",\"rounds\":%d,"
			"\"pause_us\":%.1f,\"max_pause_us\":%.1f,\"load_pause_us\":%.1f}",
			rc == LP_EXIT_OK ? "true" : "false", rc, (unsigned long long)r->base,
			r->rounds, r->pause_ns / 1e3, r->max_pause_ns / 1e3, r->load_pause_ns / 1e3);
	} else if (rc == LP_EXIT_OK) {
		printf("applied %s to process %d: threads held %.3f ms (worst round %.3f ms, %d round%s)\n",
		       r->name, (int)pid, r->pause_ns / 1e6, r->max_pause_ns / 1e6, r->rounds,
		       r->rounds == 1 ? "" : "s");
	}
}

static int apply_all(struct user_patch *pf, const struct user_opts *o, struct strbuf *json)
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
	struct strbuf json = { 0 };
	struct user_patch pf;
	const char *file = NULL;
	bool all = false, as_json = false;
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
				return cli_usage_error("apply", "--pid needs a process id, not '%s'", v);
		} else if ((v = cli_option(argc, argv, &i, "--timeout", &missing))) {
			if (!cli_parse_uint(v, 1, INT_MAX, &ms))
				return cli_usage_error("apply", "--timeout needs milliseconds, not '%s'", v);
			o.timeout_ms = (int)ms;
		} else if (missing) {
			return cli_usage_error("apply", "%s needs a value", argv[i]);
		} else if (!strcmp(argv[i], "--all")) {
			all = true;
		} else if (!strcmp(argv[i], "--json")) {
			as_json = true;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("apply", "unknown option %s", argv[i]);
		} else if (!file) {
			file = argv[i];
		} else {
			return cli_usage_error("apply", "one patch file at a time (%s, %s)", file, argv[i]);
		}
	}
	if (!file)
		return cli_usage_error("apply", "no patch file given");
	if (!all == !pid)
		return cli_usage_error("apply", "give either --pid PID or --all");
	if (patch_open(file, &pf))
		return LP_EXIT_REFUSED;
	if (as_json)
		sb_add(&json, "[");
	if (all) {
		rc = apply_all(&pf, &o, as_json ? &json : NULL);
	} else {
		struct user_result r;
		rc = user_apply((pid_t)pid, &pf, &o, &r);
		report(as_json ? &json : NULL, (pid_t)pid, rc, &r);
	}
	if (as_json) {
		sb_add(&json, "]");
		printf("%s\n", json.buf);
		sb_free(&json);
	}
	patch_close(&pf);
	return rc;
}
