/* The host commands (load, unload, list, status, install, uninstall, info): one table of their options. */
#ifndef LPATCH_CLI_HOST_ARGS_H
#define LPATCH_CLI_HOST_ARGS_H

#include "cli/cli.h"
#include "host/ops.h"

#include <stdbool.h>

struct host_args {
	struct host_opts o;	/* --timeout, --force, --root, --release */
	bool json, all;		/* --json, --all */
	bool prometheus;	/* --prometheus */
	const char *prom_file;	/* --prometheus-file FILE */
	bool user, revert;	/* --user, --revert (install, uninstall of process patches) */
	const char *operand;	/* the one FILE or NAME, or NULL */
};

/* Each host command's help (src/cli/<name>.c). */
void load_help(void);
void unload_help(void);
void list_help(void);
void status_help(void);
void install_help(void);
void uninstall_help(void);
void info_help(void);

/* What the host commands that do more than one host_* call run, the arguments parsed. */
int load_run(const struct host_args *a);
int list_run(const struct host_args *a);
int status_run(const struct host_args *a);
int info_run(const struct host_args *a);
int unload_run(const struct host_args *a);
int install_run(const struct host_args *a);
int uninstall_run(const struct host_args *a);

#endif
