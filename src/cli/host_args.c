/* The host commands: the options and arguments each takes, in one table, and one entry point. */
#include "cli/host_args.h"

#include "cli/prometheus.h"
#include "util/log.h"

#include <string.h>

enum host_arg {
	HA_TIMEOUT = 1 << 0,	/* --timeout SEC */
	HA_FORCE = 1 << 1,	/* --force, --yes-i-know */
	HA_ROOT = 1 << 2,	/* --root DIR */
	HA_RELEASE = 1 << 3,	/* --release REL */
	HA_JSON = 1 << 4,	/* --json */
	HA_ALL = 1 << 5,	/* --all */
	HA_PROM = 1 << 6,	/* --prometheus, --prometheus-file FILE */
	HA_USER = 1 << 7,	/* --user: a process patch (install, uninstall) */
	HA_REVERT = 1 << 8,	/* --revert: uninstall --user reverts it in running processes */
};

struct host_cmd {
	struct cli_cmd cli;	/* name, help and arguments; its opts are picked by host_args */
	unsigned host_args;	/* enum host_arg: the options it takes */
	/* what it runs: op on the operand, or run */
	int (*op)(const char *operand, const struct host_opts *o);
	int (*run)(const struct host_args *a);
	bool refresh;		/* it changes what is loaded or installed: refresh the Prometheus file */
};

static const struct host_cmd host_cmds[] = {
	{ { "load", load_help, .arg = "module", .max_args = 1 },
	  HA_TIMEOUT | HA_FORCE | HA_ROOT | HA_ALL, .run = load_run, .refresh = true },
	{ { "unload", unload_help, .arg = "patch", .min_args = 1, .max_args = 1,
	    .missing = "which patch? e.g. `lpatch unload livepatch_fix` (`lpatch list` shows them)" },
	  HA_TIMEOUT | HA_FORCE, .run = unload_run, .refresh = true },
	{ { "list", list_help, .max_args = 0 }, HA_ROOT, .run = list_run },
	{ { "status", status_help, .max_args = 0 }, HA_ROOT | HA_JSON | HA_PROM, .run = status_run },
	{ { "install", install_help, .arg = "module", .min_args = 1, .max_args = 1,
	    .missing = "which module? e.g. `lpatch install fix.ko`" },
	  HA_ROOT | HA_RELEASE | HA_USER, .run = install_run, .refresh = true },
	{ { "uninstall", uninstall_help, .arg = "patch", .min_args = 1, .max_args = 1,
	    .missing = "which patch? (`lpatch list` shows them)" },
	  HA_ROOT | HA_RELEASE | HA_USER | HA_REVERT, .run = uninstall_run, .refresh = true },
	{ { "info", info_help, .arg = "module", .min_args = 1, .max_args = 1,
	    .missing = "which module? e.g. `lpatch info fix.ko`" },
	  HA_ROOT | HA_JSON, .run = info_run },
};

/* Parse argv for c into a: CLI_GO_ON, or the exit code to return at once. */
static int parse(const struct host_cmd *c, int argc, char **argv, struct host_args *a)
{
	bool confirmed = false;
	const struct {
		unsigned arg;
		struct cli_opt opt;
	} all[] = {
		{ HA_TIMEOUT, { "--timeout", .num = &a->o.timeout_s, .min = 1, .max = 86400,
				.what = "a number of seconds from 1 to 86400" } },
		{ HA_FORCE, { "--force", .flag = &a->o.force } },
		{ HA_FORCE, { "--yes-i-know", .flag = &confirmed } },
		{ HA_ROOT, { "--root", .str = &a->o.root } },
		{ HA_RELEASE, { "--release", .str = &a->o.release } },
		{ HA_JSON, { "--json", .flag = &a->json } },
		{ HA_ALL, { "--all", .flag = &a->all } },
		{ HA_PROM, { "--prometheus", .flag = &a->prometheus } },
		{ HA_PROM, { "--prometheus-file", .str = &a->prom_file } },
		{ HA_USER, { "--user", .flag = &a->user } },
		{ HA_REVERT, { "--revert", .flag = &a->revert } },
	};
	struct cli_opt opts[sizeof(all) / sizeof(all[0]) + 1] = { { NULL } };
	struct cli_cmd cmd = c->cli;
	size_t n = 0;
	int nargs, r;

	memset(a, 0, sizeof(*a));
	a->o.timeout_s = HOST_DEFAULT_TIMEOUT;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (c->host_args & all[i].arg)
			opts[n++] = all[i].opt;
	cmd.opts = opts;
	r = cli_parse(&cmd, argc, argv, &nargs);
	if (r != CLI_GO_ON)
		return r;
	a->operand = nargs ? argv[1] : NULL;
	if (a->o.force && !confirmed)
		return cli_usage_error(cmd.name, "--force skips the kernel's consistency check: tasks may "
				       "run old and new code at once, and the module can never be "
				       "removed; add --yes-i-know to confirm");
	if (a->revert && !a->user)
		return cli_usage_error(cmd.name, "--revert goes with --user (a process patch); "
				       "`lpatch unload NAME` takes a kernel livepatch out");
	if (a->user && a->o.release)
		return cli_usage_error(cmd.name, "--release is for kernel livepatches, not with --user");
	if (confirmed && !a->o.force)
		return cli_usage_error(cmd.name, "--yes-i-know confirms --force; there is no --force here");
	return CLI_GO_ON;
}

int cmd_host(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(host_cmds) / sizeof(host_cmds[0]); i++) {
		const struct host_cmd *c = &host_cmds[i];
		struct host_args a;
		int r;

		if (strcmp(c->cli.name, argv[0]))
			continue;
		r = parse(c, argc, argv, &a);
		if (r != CLI_GO_ON)
			return r;
		r = c->op ? c->op(a.operand, &a.o) : c->run(&a);
		/* node_exporter's textfile follows every change (docs/fleet.md) */
		if (c->refresh)
			prom_refresh(a.o.root);
		return r;
	}
	lp_err("%s is not a host command", argv[0]);
	return LP_EXIT_FAIL;
}
