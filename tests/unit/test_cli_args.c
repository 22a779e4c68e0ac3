/* The one option parser every command uses (src/cli/args.c): values, errors, help, "--", arguments. */
#include "cli/cli.h"
#include "util/log.h"
#include "unit.h"

#include <limits.h>
#include <unistd.h>

/* cli_parse of the command "test" followed by these words (a NULL-terminated argv, like main's) */
#define PARSE(c, nargs, ...) parse((c), (char *[]){ "test", __VA_ARGS__, NULL }, (nargs))

static int helped;
static void help(void)
{
	helped++;
}

static char err[4096];	/* what the last parse() said on stderr */

/* cli_parse with stderr caught in err. */
static int parse(const struct cli_cmd *c, char **argv, int *nargs)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), argc = 0, r;
	size_t len;

	while (argv[argc])
		argc++;
	fflush(stderr);
	dup2(fileno(tmp), 2);
	r = cli_parse(c, argc, argv, nargs);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	len = fread(err, 1, sizeof(err) - 1, tmp);
	err[len] = '\0';
	fclose(tmp);
	return r;
}

/* r is a usage error, and all that was said is msg and the pointer to --help */
#define CHECK_REFUSED(r, msg)                                                      \
	do {                                                                       \
		CHECK((r) == LP_EXIT_REFUSED);                                     \
		CHECK_STR(err, "lpatch test: " msg "\n(see `lpatch test --help`)\n"); \
	} while (0)

/* The options of a made-up command: one of each kind. */
struct opts {
	const char *name;
	unsigned pid;
	bool json;
	struct cli_list cves;
	struct cli_opt table[6];
};

static struct opts o;	/* each case's options and command, as setup() leaves them */
static struct cli_cmd c;

/* o empty, c the command "test" with o's options and min to max FILE arguments */
static void setup(int min_args, int max_args)
{
	memset(&o, 0, sizeof(o));
	o.table[0] = (struct cli_opt){ "--name", 'o', .str = &o.name };
	o.table[1] = (struct cli_opt){ "--pid", .num = &o.pid, .min = 1, .max = INT_MAX,
				       .what = "a process id" };
	o.table[2] = (struct cli_opt){ "--json", .flag = &o.json };
	o.table[3] = (struct cli_opt){ "--cve", .list = &o.cves };
	o.table[4] = (struct cli_opt){ "--name-prefix", .str = &o.name };
	c = (struct cli_cmd){ "test", help, o.table, .arg = "FILE", .min_args = min_args,
			      .max_args = max_args };
}

static void value_after_equals_or_next(void)
{
	int n = -1;

	setup(0, -1);
	CHECK(PARSE(&c, &n, "--name=a", "--pid", "12", "--json") == CLI_GO_ON);
	CHECK_STR(o.name, "a");
	CHECK(o.pid == 12);
	CHECK(o.json);
	CHECK(n == 0);
	CHECK(!*err);

	setup(0, -1);
	CHECK(PARSE(&c, &n, "--name", "b=c", "--pid=7") == CLI_GO_ON);
	CHECK_STR(o.name, "b=c");
	CHECK(o.pid == 7);
	CHECK(!o.json);
}

static void short_option(void)
{
	int n;

	setup(0, -1);
	CHECK(PARSE(&c, &n, "-o", "x.ko") == CLI_GO_ON);
	CHECK_STR(o.name, "x.ko");
	setup(0, -1);
	CHECK(PARSE(&c, &n, "-oy.ko") == CLI_GO_ON);
	CHECK_STR(o.name, "y.ko");
	CHECK_REFUSED(PARSE(&c, &n, "-o"), "-o needs a value");
}

/* a name that starts another ("--name" in "--name-prefix") is not that other */
static void names_match_whole(void)
{
	int n;

	setup(0, -1);
	CHECK(PARSE(&c, &n, "--name-prefix", "p") == CLI_GO_ON);
	CHECK_STR(o.name, "p");
	CHECK_REFUSED(PARSE(&c, &n, "--nam"), "unknown option --nam");
	CHECK_REFUSED(PARSE(&c, &n, "--names=x"), "unknown option --names=x");
}

static void missing_value(void)
{
	setup(0, -1);
	CHECK_REFUSED(PARSE(&c, NULL, "--pid"), "--pid needs a value");
	CHECK_REFUSED(PARSE(&c, NULL, "file", "--name"), "--name needs a value");
	CHECK_REFUSED(PARSE(&c, NULL, "--name="), "--name needs a value");
	CHECK_REFUSED(PARSE(&c, NULL, "--name", ""), "--name needs a value");
	/* the next word is the value, whatever it looks like */
	CHECK(PARSE(&c, NULL, "--name", "--json") == CLI_GO_ON);
	CHECK_STR(o.name, "--json");
	CHECK(!o.json);
}

static void flag_takes_no_value(void)
{
	setup(0, -1);
	CHECK_REFUSED(PARSE(&c, NULL, "--json=yes"), "--json takes no value");
	CHECK(!o.json);
}

static void unknown_option(void)
{
	setup(0, -1);
	CHECK_REFUSED(PARSE(&c, NULL, "a", "--bogus"), "unknown option --bogus");
	CHECK_REFUSED(PARSE(&c, NULL, "-x"), "unknown option -x");
	/* a command without arguments: whatever is not an option is an unknown argument */
	setup(0, 0);
	CHECK_REFUSED(PARSE(&c, NULL, "--bogus"), "unknown argument --bogus");
	CHECK_REFUSED(PARSE(&c, NULL, "file"), "unknown argument file");
}

static void repeated_option(void)
{
	setup(0, -1);
	CHECK(PARSE(&c, NULL, "--cve", "A", "--cve=B", "--json", "--cve=C") == CLI_GO_ON);
	CHECK(o.cves.n == 3);
	CHECK_STR(o.cves.v[0], "A");
	CHECK_STR(o.cves.v[1], "B");
	CHECK_STR(o.cves.v[2], "C");
	CHECK(o.cves.v[3] == NULL);
	free(o.cves.v);

	setup(0, -1);
	CHECK_REFUSED(PARSE(&c, NULL, "--pid", "1", "--pid=2"), "--pid given twice");
	CHECK_REFUSED(PARSE(&c, NULL, "--json", "--json"), "--json given twice");
	CHECK_REFUSED(PARSE(&c, NULL, "-o", "a", "--name", "b"), "--name given twice");
}

static void help_anywhere(void)
{
	int n;

	setup(1, 1);
	helped = 0;
	CHECK(PARSE(&c, NULL, "--help") == LP_EXIT_OK);
	CHECK(PARSE(&c, NULL, "a", "b", "-h") == LP_EXIT_OK);
	CHECK(helped == 2);
	CHECK(!*err);
	/* an error before it is said first */
	CHECK_REFUSED(PARSE(&c, NULL, "--bogus", "--help"), "unknown option --bogus");
	/* a value or an argument after "--" is not a request for help */
	CHECK(PARSE(&c, &n, "--name", "--help") == LP_EXIT_REFUSED);	/* no FILE */
	CHECK(PARSE(&c, &n, "--", "--help") == CLI_GO_ON);
	CHECK(n == 1);
	CHECK(helped == 2);
}

static void double_dash(void)
{
	char *v[] = { "test", "--json", "--", "--pid", "-", "x", NULL };
	int n;

	setup(0, -1);
	CHECK(parse(&c, v, &n) == CLI_GO_ON);
	CHECK(o.json);
	CHECK(o.pid == 0);
	CHECK(n == 3);
	CHECK_STR(v[1], "--pid");
	CHECK_STR(v[2], "-");
	CHECK_STR(v[3], "x");
	CHECK(v[4] == NULL);
}

/* vm: the first argument starts the command, whose options are its own */
static void args_end_options(void)
{
	char *v[] = { "test", "--json", "sh", "-c", "--pid", "--help", NULL };
	int n;

	setup(1, -1);
	c.args_end_options = true;
	helped = 0;
	CHECK(parse(&c, v, &n) == CLI_GO_ON);
	CHECK(o.json);
	CHECK(!helped);
	CHECK(n == 4);
	CHECK_STR(v[1], "sh");
	CHECK_STR(v[4], "--help");
	CHECK(v[5] == NULL);
}

static void arguments_in_order(void)
{
	char *v[] = { "test", "a", "--pid", "3", "b", "--json", "c", "--name=n", "d", NULL };
	int n;

	setup(0, -1);
	CHECK(parse(&c, v, &n) == CLI_GO_ON);
	CHECK(n == 4);
	CHECK_STR(v[1], "a");
	CHECK_STR(v[2], "b");
	CHECK_STR(v[3], "c");
	CHECK_STR(v[4], "d");
	CHECK(v[5] == NULL);
	CHECK(o.pid == 3);
	CHECK_STR(o.name, "n");
}

static void argument_count(void)
{
	setup(1, 1);
	CHECK_REFUSED(PARSE(&c, NULL, "--json"), "no FILE given");
	CHECK_REFUSED(PARSE(&c, NULL, "a", "b"), "one FILE at a time (a and b)");
	c.missing = "which file? e.g. `lpatch test a`";
	CHECK_REFUSED(PARSE(&c, NULL, NULL), "which file? e.g. `lpatch test a`");
	setup(2, 2);
	c.missing = "expected A and B";
	CHECK_REFUSED(PARSE(&c, NULL, "a"), "expected A and B");
	CHECK_REFUSED(PARSE(&c, NULL, "a", "b", "c"), "expected A and B");
	CHECK(PARSE(&c, NULL, "a", "b") == CLI_GO_ON);
}

static void bad_numbers(void)
{
	static const char *const bad[] = { "x", "0", "-3", "+3", "12abc", "2147483648", "99999999999",
					   " 5" };
	char msg[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup(0, -1);
		snprintf(msg, sizeof(msg), "lpatch test: --pid needs a process id, not '%s'\n", bad[i]);
		CHECK(PARSE(&c, NULL, "--pid", (char *)bad[i]) == LP_EXIT_REFUSED);
		CHECK(strstr(err, msg) != NULL);
		CHECK(o.pid == 0);
	}
	setup(0, -1);
	CHECK(PARSE(&c, NULL, "--pid=2147483647") == CLI_GO_ON);
	CHECK(o.pid == 2147483647u);

	/* without a what: the range */
	{
		unsigned cpus = 0;
		struct cli_opt t[] = { { "--cpus", .num = &cpus, .min = 1, .max = 64 }, { NULL } };
		struct cli_cmd cc = { "test", help, t, .max_args = 0 };

		CHECK_REFUSED(PARSE(&cc, NULL, "--cpus=65"),
			      "--cpus needs a number from 1 to 64, not '65'");
		CHECK(PARSE(&cc, NULL, "--cpus=64") == CLI_GO_ON);
		CHECK(cpus == 64);
	}
}

int main(void)
{
	RUN(value_after_equals_or_next);
	RUN(short_option);
	RUN(names_match_whole);
	RUN(missing_value);
	RUN(flag_takes_no_value);
	RUN(unknown_option);
	RUN(repeated_option);
	RUN(help_anywhere);
	RUN(double_dash);
	RUN(args_end_options);
	RUN(arguments_in_order);
	RUN(argument_count);
	RUN(bad_numbers);
	return unit_done();
}
