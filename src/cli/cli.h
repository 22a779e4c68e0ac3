/* The command-line front end: one file per subcommand under src/cli/. */
#ifndef LPATCH_CLI_CLI_H
#define LPATCH_CLI_CLI_H

#include <stdbool.h>

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
int cmd_diff(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_target(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_revert(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);
int cmd_info(int argc, char **argv);

/* Shared option parsing (args.c). */
/* True when arg is -h or --help. */
bool cli_is_help(const char *arg);
/* Print "lpatch CMD: MSG" and a pointer to --help; returns LP_EXIT_REFUSED. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * "--name VALUE" or "--name=VALUE" at argv[*i]: the value, advancing *i past
 * it; NULL if argv[*i] is not this option, and then *missing is set when it
 * is, but VALUE is not there (the caller says "--name needs a value").
 */
const char *cli_option(int argc, char **argv, int *i, const char *name, bool *missing);
/* s is a plain decimal number from min to max: stored in *out, true. */
bool cli_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);
/* The directory given to option opt of cmd exists: -1 (go on), or the exit
 * code after saying what is wrong (NULL dir: the option was not given). */
int cli_check_dir(const char *cmd, const char *opt, const char *dir);

#endif
