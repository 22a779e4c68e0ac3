/* lpatch diff: compare an original and a patched object. */
#include "cli.h"

#include "diff/diff.h"
#include "util/fs.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	printf("usage: lpatch diff ORIG.o PATCHED.o --parent ELF [--parent-name NAME] [-o OUT.o] [--json]\n"
	       "                  [--skip-init]\n\n"
	       "Compare the original and patched builds of one object (compiled with\n"
	       "-ffunction-sections -fdata-sections) and write OUT.o: the changed and new\n"
	       "functions, the data they need, and for every reference that binds to the\n"
	       "target at load time, a symbol saying how (exported name, or\n"
	       ".klp.sym.OBJ.NAME,POS for livepatch relocations).\n\n"
	       "  --parent ELF        the target whose symbols the patch binds to (vmlinux or a .ko)\n"
	       "  --parent-name NAME  vmlinux (default) or the module's name\n"
	       "  -o OUT.o            where to write the result (written only on exit 0)\n"
	       "  --json              the report as JSON on stdout\n"
	       "  --skip-init         leave changes to __init code out (named in notes), carry the rest\n\n"
	       "Exit: 0 changes found, 3 no functional change, 2 refused or bad input, 1 error.\n");
}

int cmd_diff(int argc, char **argv)
{
	const char *parent_path = NULL, *parent_name = "vmlinux", *out = NULL;
	struct diff_result res;
	struct parent *parent;
	bool json = false, skip_init = false;
	const struct cli_opt opts[] = {
		{ "--parent", .str = &parent_path },
		{ "--parent-name", .str = &parent_name },
		{ "--output", 'o', .str = &out },
		{ "--json", .flag = &json },
		{ "--skip-init", .flag = &skip_init },
		{ NULL },
	};
	const struct cli_cmd cmd = { "diff", help, opts, .min_args = 2, .max_args = 2,
				     .missing = "expected ORIG.o and PATCHED.o" };
	int ret = cli_parse(&cmd, argc, argv, NULL);

	if (ret != CLI_GO_ON)
		return ret;
	if (!parent_path)
		return cli_usage_error("diff", "--parent ELF is required");
	parent = parent_open(parent_path, parent_name);
	if (!parent)
		return LP_EXIT_REFUSED;
	ret = diff_objects(argv[1], argv[2], &(struct diff_opts){ .parent = parent,
							       .skip_init = skip_init }, &res);
	if (ret == LP_EXIT_FAIL) {
		/* unreadable input: bad input, not a tool failure */
		ret = LP_EXIT_REFUSED;
	} else if (json) {
		char *s = diff_report_json(&res, argv[2]);
		fputs(s, stdout);
		free(s);
	} else {
		diff_report_text(&res, argv[2]);
		if (ret == LP_EXIT_NOCHANGE)
			printf("%s: no functional change\n", argv[2]);
	}
	if (ret == LP_EXIT_OK && out && elf_write(res.out, out))
		ret = LP_EXIT_FAIL;
	diff_result_free(&res);
	parent_close(parent);
	return ret;
}
