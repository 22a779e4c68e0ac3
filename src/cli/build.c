/* lpatch build: a livepatch module from a kernel source diff. */
#include "cli.h"

#include "kernel/build.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODULE_NAME_MAX 55	/* MODULE_NAME_LEN - 1 */

static long cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? n : 1;
}

static void help(void)
{
	printf("usage: lpatch build --target debian:RELEASE [options] PATCH...\n"
	       "       lpatch build --target SPEC [--target SPEC...] [-o DIR] [-j N] [--json] PATCH...\n"
	       "       lpatch build --src DIR --config FILE --vmlinux FILE [--symvers FILE] [options] PATCH...\n\n"
	       "Build a livepatch module from kernel source diffs for one exact kernel.\n"
	       "(Patches for running programs and libraries: lpatch build --user --help.)\n"
	       "Only the objects the diffs touch are compiled (original and patched), in a\n"
	       "prepared copy of the target's source kept in lpatch's cache.\n\n"
	       "target:\n"
	       "  --target SPEC      debian:cloud, debian:amd64 (today's release of Debian's\n"
	       "                     linux-image-cloud-amd64 / linux-image-amd64), or\n"
	       "                     debian:RELEASE, e.g. debian:6.1.0-56-cloud-amd64\n"
	       "                     Several: given more than once, or debian:cloud@all /\n"
	       "                     debian:amd64@all (every release of the flavour's series\n"
	       "                     whose -dbg package apt has; debian13:cloud@all for\n"
	       "                     Debian 13's; `lpatch target SPEC@all` lists them): see\n"
	       "                     \"several targets\"\n"
	       "  --src DIR          any kernel: its prepared source tree (olddefconfig,\n"
	       "  --config FILE        modules_prepare done), its config, and its vmlinux\n"
	       "  --vmlinux FILE       with symbols\n"
	       "  --symvers FILE     Module.symvers (default DIR/Module.symvers)\n\n"
	       "options:\n"
	       "  -o, --output FILE  the module to write (default NAME.ko); written only on success\n"
	       "  --name NAME        module name (default livepatch-<first patch's file name>)\n"
	       "  --no-replace       stack on earlier patches instead of replacing them\n"
	       "  --cve ID           record a CVE the patch fixes (repeatable)\n"
	       "  --description TEXT record a description\n"
	       "  --no-verify        do not check that the original objects compiled here are,\n"
	       "                     instruction for instruction, the functions the target runs\n"
	       "  --skip-init        leave changes to __init code out and carry the rest (each\n"
	       "                     init function left out is named; see docs/patch-authoring.md)\n"
	       "  --keep-work        keep the work directory, for debugging\n"
	       "  --sign-key KEY     sign the module as kbuild does (the target's scripts/sign-file\n"
	       "  --sign-cert CERT     and CONFIG_MODULE_SIG_HASH): KEY is the private key (PEM),\n"
	       "                     CERT its X.509 certificate (PEM or DER). Under Secure Boot the\n"
	       "                     kernel loads it only when CERT is trusted, e.g. enrolled as a\n"
	       "                     Machine Owner Key (mokutil --import; docs/host.md)\n\n"
	       "several targets (more than one --target, a SPEC@all, --json or -j):\n"
	       "  -o, --output DIR   one module per release, DIR/RELEASE/NAME.ko, and each\n"
	       "                     release's log, DIR/RELEASE/build.log (default DIR: NAME)\n"
	       "  -j, --jobs N       build N releases at once (default: the number of CPUs)\n"
	       "  --json             print the matrix as one JSON object\n"
	       "  Printed: each release, its version, its result (built, already fixed: the\n"
	       "  diff does not apply and its reverse does, no change, refused, failed) and a\n"
	       "  one-line reason. Exit: 0 no release failed or was refused and one at least\n"
	       "  was built, 1 a release failed, 2 bad usage or a release was refused (none\n"
	       "  failed), 3 none was built (each no change or already fixed).\n\n"
	       "Exit: 0 module written, 1 failure, 2 bad usage or the change is refused,\n"
	       "3 no functional change.\n");
}

char *build_patch_stem(const char *patch)
{
	char *stem = xstrdup(path_basename(patch)), *dot;

	while ((dot = strrchr(stem, '.')) && dot != stem &&
	       (!strcmp(dot, ".patch") || !strcmp(dot, ".diff") || !strcmp(dot, ".txt")))
		*dot = '\0';
	return stem;
}

int build_patches_readable(char **patches, int n)
{
	for (int i = 0; i < n; i++)
		if (!path_exists(patches[i])) {
			lp_perr("cannot read patch %s", patches[i]);
			return -1;
		}
	return 0;
}

/* livepatch-<stem of the first patch>, valid as a module name */
static char *default_name(const char *patch)
{
	char *stem = build_patch_stem(patch), *name = xasprintf("livepatch-%s", stem);

	free(stem);
	for (char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
			*c = '-';
	if (strlen(name) > MODULE_NAME_MAX)
		name[MODULE_NAME_MAX] = '\0';
	return name;
}

static bool valid_name(const char *n)
{
	if (!*n || strlen(n) > MODULE_NAME_MAX)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_' && *n != '-')
			return false;
	return true;
}

int cmd_build(int argc, char **argv)
{
	const char *spec = NULL, *src = NULL, *config = NULL, *vmlinux = NULL, *symvers = NULL;
	const char *out = NULL, *name = NULL;
	struct kernel_sign sign = { 0 };
	struct cli_list cves = { 0 }, targets = { 0 };
	bool json = false;
	unsigned jobs = 0;
	struct kernel_target t = {0};
	struct kernel_build b = {0};
	bool no_replace = false;
	char *dname = NULL, *dout = NULL;
	const struct cli_opt opts[] = {
		{ "--target", .list = &targets },
		{ "--src", .str = &src },
		{ "--config", .str = &config },
		{ "--vmlinux", .str = &vmlinux },
		{ "--symvers", .str = &symvers },
		{ "--output", 'o', .str = &out },
		{ "--name", .str = &name },
		{ "--no-replace", .flag = &no_replace },
		{ "--cve", .list = &cves },
		{ "--description", .str = &b.meta.description },
		{ "--keep-work", .flag = &b.keep_work },
		{ "--no-verify", .flag = &b.no_verify },
		{ "--skip-init", .flag = &b.skip_init },
		{ "--sign-key", .str = &sign.key },
		{ "--sign-cert", .str = &sign.cert },
		{ "--jobs", 'j', .num = &jobs, .min = 1, .max = 256 },
		{ "--json", .flag = &json },
		{ NULL },
	};
	const struct cli_cmd cmd = { "build", help, opts, .arg = "PATCH", .min_args = 1, .max_args = -1 };
	int c, npatches, ret;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--user"))
			return cmd_build_user(argc, argv);	/* process patches: src/cli/build_user.c */
	ret = cli_parse(&cmd, argc, argv, &npatches);
	if (ret != CLI_GO_ON)
		goto out;
	ret = LP_EXIT_REFUSED;
	b.meta.replace = !no_replace;
	spec = targets.n ? targets.v[0] : NULL;
	if (!spec == !src) {
		ret = cli_usage_error("build", "give either --target SPEC or --src DIR --config FILE --vmlinux FILE");
		goto out;
	}
	if (src && (!config || !vmlinux)) {
		ret = cli_usage_error("build", "--src needs --config and --vmlinux");
		goto out;
	}
	if (!sign.key != !sign.cert) {
		ret = cli_usage_error("build", "--sign-key and --sign-cert go together");
		goto out;
	}
	if (!name)
		name = dname = default_name(argv[1]);
	if (!valid_name(name)) {
		ret = cli_usage_error("build", "'%s' is not a valid module name (letters, digits, '_' "
				      "and '-', at most %d characters)", name, MODULE_NAME_MAX);
		goto out;
	}
	if (targets.n > 1 || (spec && strchr(spec, '@')) || json || jobs) {
		if (src) {
			ret = cli_usage_error("build", "--src builds for one kernel: several targets are "
					      "given by --target");
			goto out;
		}
		if (build_patches_readable(argv + 1, npatches))
			goto out;
		b.meta.name = name;
		b.meta.cves = (const char *const *)cves.v;
		ret = build_matrix(targets.v, targets.n, argv + 1, (size_t)npatches,
				   out ? out : name, &b.meta, b.no_verify,
				   jobs ? jobs : (unsigned)cpu_count(), json);
		goto out;
	}
	if (!out)
		out = dout = xasprintf("%s.ko", name);
	if (build_patches_readable(argv + 1, npatches))
		goto out;
	c = spec ? target_open(spec, TARGET_BOOT | TARGET_HEADERS | TARGET_SYMBOLS | TARGET_SOURCE, &t)
		 : target_custom(src, config, vmlinux, symvers, &t);
	if (c) {
		/* LP_REFUSED: the target itself is refused (bad spec, unknown release, mismatch) */
		ret = lp_exit_code(c, LP_EXIT_FAIL);
		goto out;
	}
	if (sign.key && (c = kernel_sign_check(&t, &sign))) {
		ret = lp_exit_code(c, LP_EXIT_FAIL);
		goto out;
	}
	b.sign = sign.key ? &sign : NULL;
	b.target = &t;
	b.patches = argv + 1;
	b.npatches = (size_t)npatches;
	b.out = out;
	b.meta.name = name;
	b.meta.cves = (const char *const *)cves.v;
	ret = kernel_build(&b);
out:
	target_free(&t);
	free(cves.v);
	free(targets.v);
	free(dname);
	free(dout);
	return ret;
}
