/* The command-line front end: one file per subcommand under src/cli/. */
#ifndef LPATCH_CLI_CLI_H
#define LPATCH_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct command {
	const char *name;
	const char *summary;	/* one line, for `lpatch --help` */
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
};

extern const struct command lp_commands[];

/* Each command's entry point (src/cli/<name>.c). */
int cmd_build(int argc, char **argv);
int cmd_build_user(int argc, char **argv);	/* build --user (build_user.c) */
/* build and build --user share these (build.c). */
/* A patch file's base name without .patch, .diff or .txt, the root of the
 * default module or patch name; caller frees. */
char *build_patch_stem(const char *patch);
/* Every one of the n patches can be read: 0, or -1 with the reason printed. */
int build_patches_readable(char **patches, int n);
/* build over several targets (build_matrix.c): the matrix printed, its exit code returned. */
struct klp_meta;
int build_matrix(char **targets, size_t ntargets, char **patches, size_t npatches,
		 const char *outdir, const struct klp_meta *meta, bool no_verify,
		 unsigned jobs, bool json);
int cmd_diff(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_target(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_revert(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_package(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);
/* Run by the start-up hook of installed process patches; not listed (hook.c). */
int cmd_hook_apply(int argc, char **argv);
/* What hook-apply does once it may trace pid: apply each of the n patch
 * files to the starting process, as the hook needs it (fresh, exit after);
 * errors on stderr. An exit code (hook.c). */
int hook_apply_files(pid_t pid, char **files, int n);
/* lpatch-hook serve: the resident service that does hook-apply for the hook
 * without a program start per process (hookd.c). */
int cmd_hook_serve(int argc, char **argv);
/* load, unload, list, status, install, uninstall and info (host_args.c) */
int cmd_host(int argc, char **argv);

/*
 * Option parsing, one way for every command (args.c). A command declares its
 * options once, in a table of struct cli_opt ending with { NULL }, and its
 * arguments in a struct cli_cmd; cli_parse() reads argv with them. It knows
 * "--name VALUE", "--name=VALUE", "-o VALUE", "-oVALUE", -h and --help (the
 * command's help, exit 0), "--" (what follows is arguments only) and "-"
 * (an argument). Options and arguments may come in any order, unless
 * args_end_options. Every usage error is said by cli_usage_error().
 */
struct cli_list {
	char **v;	/* the values in order, NULL-terminated; the caller frees v */
	size_t n, cap;
};

struct cli_opt {
	const char *name;	/* "--pid"; NULL ends the table */
	char short_name;	/* 'o' for -o, or 0 */
	/* Where it goes: exactly one of these. Only a list may be given twice. */
	bool *flag;		/* set to true; the option takes no value */
	const char **str;	/* the value (not empty) */
	unsigned *num;		/* the value, a decimal number from min to max */
	struct cli_list *list;	/* every value given, in order */
	unsigned min, max;	/* num's range */
	const char *what;	/* num: what the value must be, for "--pid needs WHAT, not
				 * 'x'" (default "a number from MIN to MAX") */
};

struct cli_cmd {
	const char *name;	/* "apply": messages start "lpatch apply: " */
	void (*help)(void);	/* prints the usage to stdout, for -h and --help */
	const struct cli_opt *opts;	/* at most 64, then { NULL } */
	const char *arg;	/* what one argument is: "no ARG given", "one ARG at a time" */
	int min_args, max_args;	/* how many arguments it takes (max -1: no limit; max 0:
				 * any other word is an "unknown argument") */
	const char *missing;	/* said when fewer than min_args (default "no ARG given"),
				 * and when more than a max_args above 1 */
	bool args_end_options;	/* the first argument ends the options (vm's COMMAND) */
};

#define CLI_GO_ON (-1)

/*
 * Parse argv (argv[0] is the command's name) as c says, filling what its
 * options point at. Returns CLI_GO_ON with the arguments, in the order given,
 * moved to argv[1] .. argv[*nargs] (argv[*nargs + 1] is NULL); or the exit
 * code to return at once: 0 after the help, LP_EXIT_REFUSED after a usage
 * error (said on stderr). nargs may be NULL: argv[1] is then the first
 * argument or NULL. argv[argc] must be there (NULL), as main's is.
 */
int cli_parse(const struct cli_cmd *c, int argc, char **argv, int *nargs);
/* True when arg is -h or --help. */
bool cli_is_help(const char *arg);
/* Print "lpatch CMD: MSG" and a pointer to --help; returns LP_EXIT_REFUSED. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The directory given to option opt of cmd exists: CLI_GO_ON, or the exit
 * code after saying what is wrong (NULL dir: the option was not given). */
int cli_check_dir(const char *cmd, const char *opt, const char *dir);

#endif
