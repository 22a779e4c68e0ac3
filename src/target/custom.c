/* A custom target: any kernel given by its prepared tree, config and vmlinux. */
#include "target/target.h"

#include "target/kconfig.h"
#include "target/tree.h"
#include "util/cache.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A cache directory of its own for each tree (FNV-1a of its path). */
static char *custom_dir(const char *src, const char *release)
{
	char *cache = lp_cache_dir(), *dir;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *c = src; *c; c++)
		h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
	dir = xasprintf("%s/targets/custom/%s-%08llx", cache, release,
			(unsigned long long)(h & 0xffffffffULL));
	free(cache);
	return dir;
}

static char *existing(const char *dir, const char *name)
{
	char *p = path_join(dir, name);

	if (path_exists(p))
		return p;
	free(p);
	return NULL;
}

static int check_config(const char *config, const char *src)
{
	char *dot_config = path_join(src, ".config"), *report = NULL;
	int diff = config_diff(config, dot_config, &report);

	if (diff > 0) {
		lp_err("the tree %s is configured differently from %s:\n%s", src, config, report);
		lp_hint("copy %s to %s and run `make -C %s olddefconfig modules_prepare`", config,
			dot_config, src);
	}
	free(report);
	free(dot_config);
	return diff == 0 ? 0 : -1;
}

static int check_vmlinux(const char *vmlinux, const char *src, const char *uts)
{
	char *rel;
	int ret = 0;

	if (!path_exists(vmlinux)) {
		lp_perr("cannot use vmlinux %s", vmlinux);
		lp_hint("give the target's vmlinux (with its symbol table) with --vmlinux");
		return -1;
	}
	if (!(rel = vmlinux_release(vmlinux)))
		return -1;
	if (strcmp(rel, uts)) {
		lp_err("%s is release %s, but the tree %s builds %s "
		       "(include/generated/utsrelease.h)", vmlinux, rel, src, uts);
		lp_hint("give the vmlinux built from this tree, or prepare the tree with "
			"KERNELRELEASE=%s", rel);
		ret = -1;
	}
	free(rel);
	return ret;
}

int target_custom(const char *src, const char *config, const char *vmlinux,
		  const char *symvers, struct kernel_target *t)
{
	char *abs = path_absolute(src), *uts = NULL;
	char *cfg = config ? path_absolute(config) : path_join(abs, ".config");
	char *vml = vmlinux ? path_absolute(vmlinux) : path_join(abs, "vmlinux");
	int ret = LP_REFUSED;

	memset(t, 0, sizeof(*t));
	if (tree_check_prepared(abs))
		goto out;
	uts = tree_utsrelease(abs);
	if (!path_exists(cfg)) {
		lp_perr("cannot use config %s", cfg);
		goto out;
	}
	if (check_config(cfg, abs) || check_vmlinux(vml, abs, uts))
		goto out;
	t->spec = xstrdup(src);
	t->release = uts;
	uts = NULL;
	t->dir = custom_dir(abs, t->release);
	t->config = cfg;
	t->vmlinux = vml;
	cfg = vml = NULL;
	t->system_map = existing(abs, "System.map");
	t->vmlinuz = existing(abs, "arch/x86/boot/bzImage");
	t->symvers = symvers ? path_absolute(symvers) : existing(abs, "Module.symvers");
	if (symvers && !path_exists(t->symvers)) {
		lp_perr("cannot use Module.symvers %s", t->symvers);
		target_free(t);
		goto out;
	}
	if (!t->symvers)
		lp_warn("no Module.symvers in %s (give --symvers): modules built against it "
			"cannot check the kernel's exports", abs);
	t->headers = xstrdup(abs);
	t->src = xstrdup(abs);
	t->cc = config_cc(t->config);
	ret = 0;
out:
	free(uts);
	free(cfg);
	free(vml);
	free(abs);
	return ret;
}
