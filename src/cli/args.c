/* Option parsing for every command: each says the same thing the same way. */
#include "cli/cli.h"

#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool cli_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lpatch %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `lpatch %s --help`)\n", cmd);
	return LP_EXIT_REFUSED;
}

/* s is a plain decimal number from min to max: stored in *out, true. */
static bool parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	/* strtoul skips blanks and takes a sign ("-1" for ULONG_MAX): digits only */
	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/*
 * The option arg names ("--name", "--name=VALUE", "-o", "-oVALUE"), or NULL;
 * *inline_value is the VALUE written into arg, or NULL.
 */
static const struct cli_opt *find_option(const struct cli_opt *opts, const char *arg,
					 const char **inline_value)
{
	*inline_value = NULL;
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		size_t n = strlen(o->name);

		if (!strncmp(arg, o->name, n) && (arg[n] == '\0' || arg[n] == '=')) {
			*inline_value = arg[n] ? arg + n + 1 : NULL;
			return o;
		}
		if (o->short_name && arg[0] == '-' && arg[1] == o->short_name &&
		    (!arg[2] || !o->flag)) {
			*inline_value = arg[2] ? arg + 2 : NULL;
			return o;
		}
	}
	return NULL;
}

/* Store value for option o (shown as shown): CLI_GO_ON, or the usage error's exit code. */
static int store(const struct cli_cmd *c, const struct cli_opt *o, const char *shown,
		 char *value)
{
	if (!*value)
		return cli_usage_error(c->name, "%s needs a value", shown);
	if (o->str) {
		*o->str = value;
	} else if (o->list) {
		/* grow_array zeroes what it adds: v[n] stays NULL */
		grow_array((void **)&o->list->v, &o->list->cap, o->list->n + 2, sizeof(char *));
		o->list->v[o->list->n++] = value;
	} else if (!parse_uint(value, o->min, o->max, o->num)) {
		if (o->what)
			return cli_usage_error(c->name, "%s needs %s, not '%s'", o->name, o->what, value);
		return cli_usage_error(c->name, "%s needs a number from %u to %u, not '%s'", o->name,
				       o->min, o->max, value);
	}
	return CLI_GO_ON;
}

/* After the options: the number of arguments is one the command takes. */
static int count_args(const struct cli_cmd *c, int n, char **args)
{
	if (n < c->min_args) {
		if (c->missing)
			return cli_usage_error(c->name, "%s", c->missing);
		return cli_usage_error(c->name, "no %s given", c->arg);
	}
	if (c->max_args < 0 || n <= c->max_args)
		return CLI_GO_ON;
	if (c->max_args == 0)
		return cli_usage_error(c->name, "unknown argument %s", args[0]);
	if (c->max_args == 1)
		return cli_usage_error(c->name, "one %s at a time (%s and %s)", c->arg, args[0], args[1]);
	return cli_usage_error(c->name, "%s", c->missing ? c->missing : "too many arguments");
}

int cli_parse(const struct cli_cmd *c, int argc, char **argv, int *nargs)
{
	uint64_t given = 0;	/* bit k: opts[k] was given (a table holds at most 64) */
	bool options = true;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *inline_value;
		const struct cli_opt *o;
		int r;

		if (!options || arg[0] != '-' || !arg[1]) {
			/* an argument: to the front, in order (slot n + 1 <= i was read) */
			argv[++n] = argv[i];
			options = options && !c->args_end_options;
			continue;
		}
		if (!strcmp(arg, "--")) {
			options = false;
			continue;
		}
		if (cli_is_help(arg)) {
			c->help();
			return LP_EXIT_OK;
		}
		o = find_option(c->opts, arg, &inline_value);
		if (!o)
			return cli_usage_error(c->name, "unknown %s %s",
					       c->max_args ? "option" : "argument", arg);
		if (!o->list && (given & (UINT64_C(1) << (o - c->opts))))
			return cli_usage_error(c->name, "%s given twice", o->name);
		given |= UINT64_C(1) << (o - c->opts);
		if (o->flag) {
			if (inline_value)
				return cli_usage_error(c->name, "%s takes no value", o->name);
			*o->flag = true;
			continue;
		}
		if (!inline_value && i + 1 >= argc)
			return cli_usage_error(c->name, "%s needs a value", arg);
		r = store(c, o, arg[1] == '-' ? o->name : arg,
			  inline_value ? argv[i] + (inline_value - arg) : argv[++i]);
		if (r != CLI_GO_ON)
			return r;
	}
	argv[n + 1] = NULL;
	if (nargs)
		*nargs = n;
	return count_args(c, n, argv + 1);
}

int cli_check_dir(const char *cmd, const char *opt, const char *dir)
{
	struct stat st;

	if (!dir)
		return CLI_GO_ON;
	if (stat(dir, &st))
		return cli_usage_error(cmd, "%s %s: %s", opt, dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_usage_error(cmd, "%s %s: not a directory", opt, dir);
	return CLI_GO_ON;
}
