/* Kernel source trees: their release and version, whether they are prepared,
 * and preparing one like the target was built. */
#include "target/tree.h"

#include "util/tool.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *tree_utsrelease(const char *tree)
{
	char *path = path_join(tree, "include/generated/utsrelease.h");
	char *text = read_file_quiet(path, NULL), *rel = NULL, *p;

	if (text && (p = strstr(text, "UTS_RELEASE \""))) {
		p += strlen("UTS_RELEASE \"");
		rel = xstrndup(p, strcspn(p, "\""));
	}
	free(text);
	free(path);
	return rel;
}

/* The number in the Makefile line "<name> = <number>". */
static long makefile_number(const char *text, const char *name)
{
	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strlen(name);
		const char *p = l + n;

		if (strncmp(l, name, n) || (*p != ' ' && *p != '='))
			continue;
		while (*p == ' ' || *p == '=')
			p++;
		return strtol(p, NULL, 10);
	}
	return -1;
}

char *tree_makefile_version(const char *tree)
{
	char *path = path_join(tree, "Makefile");
	char *text = read_file_quiet(path, NULL), *v = NULL;
	long ver, patch, sub;

	if (text) {
		ver = makefile_number(text, "VERSION");
		patch = makefile_number(text, "PATCHLEVEL");
		sub = makefile_number(text, "SUBLEVEL");
		if (ver >= 0 && patch >= 0 && sub >= 0)
			v = xasprintf("%ld.%ld.%ld", ver, patch, sub);
	}
	free(text);
	free(path);
	return v;
}

int tree_check_prepared(const char *src)
{
	static const char *const needed[] = {
		"Makefile", ".config", "include/config/auto.conf", "include/generated/autoconf.h",
		"include/generated/utsrelease.h", "scripts/mod/modpost",
	};

	if (!path_is_dir(src)) {
		if (path_exists(src))
			lp_err("kernel source tree %s is not a directory", src);
		else
			lp_err("kernel source tree %s does not exist", src);
		return -1;
	}
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		char *p = path_join(src, needed[i]);
		bool ok = path_exists(p);

		free(p);
		if (ok)
			continue;
		if (i == 0) {
			lp_err("%s is not a kernel source tree (it has no Makefile)", src);
			return -1;
		}
		lp_err("%s is not a prepared kernel tree: %s is missing", src, needed[i]);
		if (i == 1)
			lp_hint("copy the target's config to %s/.config, then run `make -C %s "
				"olddefconfig modules_prepare`", src, src);
		else
			lp_hint("run `make -C %s olddefconfig modules_prepare` (with the compiler the "
				"target was built with, e.g. CC=gcc-12)", src);
		return -1;
	}
	return 0;
}

/* Debian's kernel Makefile includes .kernelvariables from the build
 * directory; recording CC and the release there makes every later `make`
 * in the tree build objects exactly like the target's. */
static int write_kernelvariables(const char *src, const char *release, const char *cc)
{
	char *path = path_join(src, ".kernelvariables");
	char *text = xasprintf("# Written by lpatch: build like the target kernel.\n"
			       "CC = %s\noverride KERNELRELEASE = %s\n", cc, release);
	int ret = write_file(path, text, strlen(text));

	free(text);
	free(path);
	return ret;
}

int tree_prepare(const char *src, const char *config, const char *release, const char *cc,
		 const char *log)
{
	return tree_prepare_in(src, config, release, cc, log, NULL);
}

int tree_prepare_in(const char *src, const char *config, const char *release, const char *cc,
		    const char *log, const struct run_opts *o)
{
	const char *root = o ? o->root : NULL;
	const char *const *binds = o ? o->binds : NULL;
	char *dot_config = path_join(src, ".config");
	char *cc_arg = xasprintf("CC=%s", cc);
	char *rel_arg = xasprintf("KERNELRELEASE=%s", release);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char *jobs = xasprintf("-j%ld", cpus > 0 ? cpus : 1);
	const char *olddefconfig[] = { "make", "-C", src, cc_arg, rel_arg, "olddefconfig", NULL };
	const char *prepare[] = { "make", "-C", src, jobs, cc_arg, rel_arg, "modules_prepare", NULL };
	int ret = -1;

	if (atomic_install(config, dot_config, 0644) || write_kernelvariables(src, release, cc))
		goto out;
	if (tool_run_in(olddefconfig, NULL, log, "configuring the kernel source (make olddefconfig)",
			root, binds))
		goto out;
	if (tool_run_in(prepare, NULL, log, "preparing the kernel source (make modules_prepare)",
			root, binds))
		goto out;
	ret = 0;
out:
	free(jobs);
	free(rel_arg);
	free(cc_arg);
	free(dot_config);
	return ret;
}
