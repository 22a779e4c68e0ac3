/* lpatch build --user: a process patch from a program's or library's source diff. */
#include "cli.h"

#include "user/build.h"
#include "user/patchfile.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void help(void)
{
	printf("usage: lpatch build --user --src DIR --binary FILE [--make CMD] [options] PATCH...\n\n"
	       "Build a process patch (.lpatch) for one exact executable or shared library from\n"
	       "source diffs. DIR is built twice in a scratch copy (original, then with the diffs\n"
	       "applied, never with fuzz) with CMD, through a compiler wrapper that puts each\n"
	       "function and variable in its own section; the objects that changed are compared\n"
	       "like the kernel path does. Every function of the original build must match\n"
	       "FILE's bytes (relocation sites masked), so that the patch fits what runs.\n"
	       "Apply the result with `lpatch apply`.\n\n"
	       "options:\n"
	       "  --src DIR          the program's source tree (not modified)\n"
	       "  --binary FILE      the ELF that runs (executable, PIE or not, or shared library),\n"
	       "                     with its symbol table (not stripped)\n"
	       "  --make CMD         build command, run by sh in the tree (default: make)\n"
	       "  -o, --output FILE  the patch to write (default NAME.lpatch); written only on success\n"
	       "  --name NAME        patch name (default: the first diff's file name)\n"
	       "  --no-verify        do not check the original build against FILE\n"
	       "  --keep-work        keep the scratch directory, for debugging\n"
	       "  --json             on success, print what was written as one JSON object:\n"
	       "                     output, name, object, build_id, functions (name, address\n"
	       "                     and size in FILE), references (symbols of the process the\n"
	       "                     new code uses, bound when the patch is applied)\n\n"
	       "environment:\n"
	       "  CC, CXX            the compilers (default cc and c++ from PATH); the build runs\n"
	       "                     with CC, CXX and PATH pointing at wrappers that call them\n"
	       "                     with -ffunction-sections -fdata-sections added\n\n"
	       "Progress lines and errors go to stderr.\n\n"
	       "Exit: 0 patch written, 1 failure, 2 bad usage, refused change or FILE not built\n"
	       "from this source, 3 no functional change.\n");
}

/* the stem of the first patch, with what a patch name may not hold made '-' */
static char *default_name(const char *patch)
{
	char *stem = build_patch_stem(patch);

	for (char *c = stem; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
			*c = '-';
	if (strlen(stem) > PATCH_NAME_MAX)
		stem[PATCH_NAME_MAX] = '\0';
	return stem;
}

/* What the written patch holds, read back from the file itself. */
static int print_json(const char *path)
{
	struct user_patch pf;
	struct strbuf sb = { 0 };
	struct json j;

	if (patch_open(path, &pf))
		return LP_EXIT_FAIL;
	json_init(&j, &sb, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "output", path);
	json_kstr(&j, "name", pf.name);
	json_kstr(&j, "object", pf.object);
	json_kstr(&j, "build_id", pf.build_id);
	json_karr_begin(&j, "functions");
	for (size_t i = 0; i < pf.nfuncs; i++) {
		json_obj_begin(&j);
		json_kstr(&j, "name", pf.funcs[i].name);
		json_key(&j, "address");
		json_strf(&j, "%#" PRIx64, pf.funcs[i].addr);
		json_kuint(&j, "size", pf.funcs[i].size);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_karr_begin(&j, "references");
	for (size_t i = 1; i < pf.ef->nsym; i++) {
		const struct symbol *sym = pf.ef->sym[i];

		if (sym->sec || sym->s.st_shndx != SHN_UNDEF || !sym->name || !*sym->name)
			continue;
		json_str(&j, sym->name);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_print(&j);
	patch_close(&pf);
	return LP_EXIT_OK;
}

int cmd_build_user(int argc, char **argv)
{
	struct user_build b = {0};
	char *dname = NULL, *dout = NULL;
	bool user, no_verify = false, as_json = false;
	const struct cli_opt opts[] = {
		{ "--user", .flag = &user },	/* what brought us here (build.c) */
		{ "--src", .str = &b.src },
		{ "--binary", .str = &b.binary },
		{ "--make", .str = &b.make },
		{ "--output", 'o', .str = &b.out },
		{ "--name", .str = &b.name },
		{ "--no-verify", .flag = &no_verify },
		{ "--keep-work", .flag = &b.keep_work },
		{ "--json", .flag = &as_json },
		{ NULL },
	};
	const struct cli_cmd cmd = { "build", help, opts, .arg = "PATCH", .min_args = 1, .max_args = -1 };
	int npatches, ret = cli_parse(&cmd, argc, argv, &npatches);

	if (ret != CLI_GO_ON)
		return ret;
	ret = LP_EXIT_REFUSED;
	b.verify = !no_verify;
	b.quiet = as_json;
	if (!b.src || !b.binary)
		return cli_usage_error("build", "--user needs --src DIR and --binary FILE");
	if (!path_is_dir(b.src))
		return cli_usage_error("build", "--src %s is not a directory", b.src);
	if (!b.name)
		b.name = dname = default_name(argv[1]);
	if (!patch_name_valid(b.name)) {
		ret = cli_usage_error("build", "'%s' is not a valid patch name (at most %d characters, "
				      "no '/' or spaces)", b.name, PATCH_NAME_MAX);
		goto out;
	}
	if (!b.out)
		b.out = dout = xasprintf("%s.lpatch", b.name);
	if (build_patches_readable(argv + 1, npatches))
		goto out;
	b.patches = argv + 1;
	b.npatches = (size_t)npatches;
	if (!b.verify)
		lp_warn("--no-verify: the original build is not checked against %s", b.binary);
	ret = user_build(&b);
	if (ret == LP_EXIT_OK && as_json)
		ret = print_json(b.out);
out:
	free(dname);
	free(dout);
	return ret;
}
