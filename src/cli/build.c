/* lpatch build: a livepatch module from a kernel source diff. */
#include "cli.h"

#include "kernel/build.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODULE_NAME_MAX 55	/* MODULE_NAME_LEN - 1 */

static void help(void)
{
	printf("usage: lpatch build --target debian:RELEASE [options] PATCH...\n"
	       "       lpatch build --src DIR --config FILE --vmlinux FILE [--symvers FILE] [options] PATCH...\n\n"
	       "Build a livepatch module from kernel source diffs for one exact kernel.\n"
	       "(Patches for running programs and libraries: lpatch build --user --help.)\n"
	       "Only the objects the diffs touch are compiled (original and patched), in a\n"
	       "prepared copy of the target's source kept in lpatch's cache.\n\n"
	       "target:\n"
	       "  --target SPEC      debian:cloud, debian:amd64 (today's release of Debian's\n"
	       "                     linux-image-cloud-amd64 / linux-image-amd64), or\n"
	       "                     debian:RELEASE, e.g. debian:6.1.0-56-cloud-amd64\n"
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
	       "  --keep-work        keep the work directory, for debugging\n\n"
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
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "src", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "vmlinux", required_argument, NULL, 'x' },
		{ "symvers", required_argument, NULL, 'y' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "no-replace", no_argument, NULL, 'R' },
		{ "cve", required_argument, NULL, 'C' },
		{ "description", required_argument, NULL, 'd' },
		{ "keep-work", no_argument, NULL, 'k' },
		{ "no-verify", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL, *src = NULL, *config = NULL, *vmlinux = NULL, *symvers = NULL;
	const char *out = NULL, *name = NULL;
	const char **cves;
	size_t ncves = 0;
	struct kernel_target t = {0};
	struct kernel_build b = { .meta.replace = true };
	char *dname = NULL, *dout = NULL;
	int c, ret;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--user"))
			return cmd_build_user(argc, argv);	/* process patches: src/cli/build_user.c */
	cves = xcalloc((size_t)argc + 1, sizeof(char *));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': spec = optarg; break;
		case 's': src = optarg; break;
		case 'c': config = optarg; break;
		case 'x': vmlinux = optarg; break;
		case 'y': symvers = optarg; break;
		case 'o': out = optarg; break;
		case 'n': name = optarg; break;
		case 'R': b.meta.replace = false; break;
		case 'C': cves[ncves++] = optarg; break;
		case 'd': b.meta.description = optarg; break;
		case 'k': b.keep_work = true; break;
		case 'V': b.no_verify = true; break;
		case 'h': help(); free(cves); return LP_EXIT_OK;
		default: free(cves); return cli_usage_error("build", "unknown option");
		}
	}
	ret = LP_EXIT_REFUSED;
	if (optind >= argc) {
		ret = cli_usage_error("build", "no PATCH given");
		goto out;
	}
	if (!spec == !src) {
		ret = cli_usage_error("build", "give either --target SPEC or --src DIR --config FILE --vmlinux FILE");
		goto out;
	}
	if (src && (!config || !vmlinux)) {
		ret = cli_usage_error("build", "--src needs --config and --vmlinux");
		goto out;
	}
	if (!name)
		name = dname = default_name(argv[optind]);
	if (!valid_name(name)) {
		ret = cli_usage_error("build", "'%s' is not a valid module name (letters, digits, '_' "
				      "and '-', at most %d characters)", name, MODULE_NAME_MAX);
		goto out;
	}
	if (!out)
		out = dout = xasprintf("%s.ko", name);
	if (build_patches_readable(argv + optind, argc - optind))
		goto out;
	c = spec ? target_open(spec, TARGET_BOOT | TARGET_HEADERS | TARGET_SYMBOLS | TARGET_SOURCE, &t)
		 : target_custom(src, config, vmlinux, symvers, &t);
	if (c) {
		/* -2: the target itself is refused (bad spec, unknown release, mismatch) */
		ret = c == -2 ? LP_EXIT_REFUSED : LP_EXIT_FAIL;
		goto out;
	}
	b.target = &t;
	b.patches = argv + optind;
	b.npatches = (size_t)(argc - optind);
	b.out = out;
	b.meta.name = name;
	b.meta.cves = cves;
	ret = kernel_build(&b);
out:
	target_free(&t);
	free(cves);
	free(dname);
	free(dout);
	return ret;
}
