/* lpatch build --user: a process patch from a program's or library's source diff. */
#include "cli.h"

#include "deb/deb.h"
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
	printf("usage: lpatch build --user --src DIR --binary FILE [--make CMD] [options] PATCH...\n"
	       "       lpatch build --user --deb PACKAGE [--binary FILE] [options] PATCH...\n\n"
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
	       "                     with its symbol table (not stripped; with --deb, the\n"
	       "                     package's file as installed, stripped)\n"
	       "  --make CMD         build command, run by sh in the tree (default: make)\n"
	       "  --deb PACKAGE      instead of --src: the installed Debian package (zlib1g) whose\n"
	       "                     installed, stripped FILE runs (--binary: one of the ELF files\n"
	       "                     it installed; needed when it installed several). Its source\n"
	       "                     at the installed version is fetched (apt-get source, private\n"
	       "                     apt lists in the cache; deb-src lines from LPATCH_DEB_SRC,\n"
	       "                     else the Debian archive), its build dependencies installed\n"
	       "                     (as root, apt-get build-dep; else refused, naming them),\n"
	       "                     and it is built with " DEB_BUILD_COMMAND ":\n"
	       "                     once as Debian does, cached, whose code must be FILE's byte\n"
	       "                     for byte and which gives FILE's symbols, then twice through\n"
	       "                     the wrapper; the diffs apply to the unpacked source (-p1)\n"
	       "                     and only the objects linked into FILE are compared\n"
	       "                     (--no-verify does not skip the check of the code)\n"
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
	       "  LPATCH_DEB_SRC     with --deb: the deb-src line(s) apt fetches sources from\n"
	       "  LPATCH_CACHE       with --deb: where sources and the reference build are kept\n"
	       "                     (default ~/.cache/lpatch; deb-src/ there)\n\n"
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

struct deb_job {
	struct deb_installed pkg;
	char *tree, *ref, *rebuilt, *installed;
};

static void deb_job_free(struct deb_job *j)
{
	deb_installed_free(&j->pkg);
	free(j->tree);
	free(j->ref);
	free(j->rebuilt);
	free(j->installed);
}

/* The installed file to patch: binary (one of the package's files) or its only ELF file. */
static int deb_pick_file(const char *pkg, const char *binary, struct deb_job *j)
{
	char **files = deb_installed_elf_files(pkg), *want = NULL;
	size_t n = 0;
	int ret = LP_EXIT_REFUSED;

	if (!files)
		return LP_EXIT_FAIL;
	while (files[n])
		n++;
	if (binary && !(want = realpath(binary, NULL))) {
		lp_perr("--binary %s", binary);
		goto out;
	}
	for (size_t i = 0; i < n && !j->installed; i++) {
		char *real = realpath(files[i], NULL);

		if (want ? real && !strcmp(real, want) : n == 1)
			j->installed = xstrdup(files[i]);
		free(real);
	}
	if (!j->installed) {
		if (binary)
			lp_err("%s is not a file of package %s", binary, pkg);
		else
			lp_err("package %s installed %s ELF file%s: say which one runs with --binary",
			       pkg, n ? "several" : "no", n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			lp_hint("%s", files[i]);
		goto out;
	}
	ret = LP_EXIT_OK;
out:
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(want);
	return ret;
}

/* Source, build dependencies and the reference build of the package; fills b for user_build. */
static int deb_setup(const char *pkg, struct user_build *b, struct deb_job *j)
{
	static const char *const env[] = { "DEB_BUILD_OPTIONS=" DEB_BUILD_OPTIONS_PATCH, NULL };
	int ret;

	if ((ret = deb_installed_get(pkg, &j->pkg)))
		return lp_exit_code(ret, LP_EXIT_FAIL);
	if ((ret = deb_pick_file(pkg, b->binary, j)))
		return ret;
	lp_progress("%s %s (%s) installs %s; source %s %s", j->pkg.package, j->pkg.version,
		    j->pkg.arch, j->installed, j->pkg.source, j->pkg.source_version);
	if (!(j->tree = deb_source_get(j->pkg.source, j->pkg.source_version)))
		return LP_EXIT_FAIL;
	if ((ret = deb_build_deps(j->tree)))
		return lp_exit_code(ret, LP_EXIT_FAIL);
	if (!(j->ref = deb_reference_build(j->pkg.source, j->pkg.source_version, j->tree)))
		return LP_EXIT_FAIL;
	j->rebuilt = xasprintf("%s/debian/%s%s", j->ref, j->pkg.package, j->installed);
	if (!path_exists(j->rebuilt)) {
		lp_err("the reference build of %s has no %s: the package's rules do not stage %s "
		       "in debian/%s/", j->pkg.source, j->rebuilt, j->installed, j->pkg.package);
		return LP_EXIT_FAIL;
	}
	b->src = j->tree;
	b->binary = j->rebuilt;
	b->installed = j->installed;
	b->make = DEB_BUILD_COMMAND;
	b->env = env;
	b->link_only = true;
	return LP_EXIT_OK;
}

int cmd_build_user(int argc, char **argv)
{
	struct user_build b = {0};
	struct deb_job job = {0};
	const char *deb = NULL;
	char *dname = NULL, *dout = NULL;
	bool user, no_verify = false, as_json = false;
	const struct cli_opt opts[] = {
		{ "--user", .flag = &user },	/* what brought us here (build.c) */
		{ "--src", .str = &b.src },
		{ "--binary", .str = &b.binary },
		{ "--make", .str = &b.make },
		{ "--deb", .str = &deb },
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
	if (deb && (b.src || b.make))
		return cli_usage_error("build", "--deb builds the package's own source with its own "
				       "rules: no --src or --make");
	if (!deb && (!b.src || !b.binary))
		return cli_usage_error("build", "--user needs --src DIR and --binary FILE (or --deb "
				       "PACKAGE)");
	if (!deb && !path_is_dir(b.src))
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
	if (deb && (ret = deb_setup(deb, &b, &job)))
		goto out;
	if (!b.verify)
		lp_warn("--no-verify: the original build is not checked against %s", b.binary);
	ret = user_build(&b);
	if (ret == LP_EXIT_OK && as_json)
		ret = print_json(b.out);
out:
	deb_job_free(&job);
	free(dname);
	free(dout);
	return ret;
}
