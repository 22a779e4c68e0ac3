/* Target kernels: the cache they live in, opening one, locking its source. */
#include "target/target.h"

#include "target/debian/provider.h"
#include "util/cache.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct target_provider *const providers[] = {
	&debian_provider,
	&debian13_provider,
};

#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

int target_open(const char *spec, unsigned need, struct kernel_target *t)
{
	const char *colon = strchr(spec, ':');
	struct strbuf forms = {0};
	int ret;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; colon && i < NPROVIDERS; i++) {
		if (strlen(providers[i]->prefix) == (size_t)(colon - spec) &&
		    !strncmp(spec, providers[i]->prefix, colon - spec)) {
			ret = providers[i]->open(spec, need, t);
			if (!ret)
				t->provider = providers[i];
			return ret;
		}
	}
	for (size_t i = 0; i < NPROVIDERS; i++)
		if (!i || strcmp(providers[i]->forms, providers[i - 1]->forms))
			sb_addf(&forms, "%s%s", i ? "; " : "", providers[i]->forms);
	lp_err("unknown target '%s'", spec);
	lp_hint("a target is %s; other kernels are given by --src, --config and --vmlinux",
		forms.buf);
	sb_free(&forms);
	return LP_REFUSED;
}

char *target_signed_image(const struct kernel_target *t)
{
	if (t->provider && t->provider->signed_image)
		return t->provider->signed_image(t);
	lp_err("lpatch knows no kernel image signed for Secure Boot for %s (a kernel given by "
	       "--src, or a distribution lpatch cannot fetch signed images of)", t->release);
	return NULL;
}

int target_expand(const char *spec, char ***specs, size_t *n, size_t *cap)
{
	const char *at = strchr(spec, '@'), *colon = strchr(spec, ':');
	char *base, **got = NULL;
	size_t ngot = 0;
	int ret = LP_REFUSED;

	if (!at) {
		grow_array((void **)specs, cap, *n + 2, sizeof(char *));
		(*specs)[(*n)++] = xstrdup(spec);
		return LP_OK;
	}
	base = xstrndup(spec, (size_t)(at - spec));
	for (size_t i = 0; colon && colon < at && i < NPROVIDERS; i++) {
		if (strlen(providers[i]->prefix) != (size_t)(colon - spec) ||
		    strncmp(spec, providers[i]->prefix, colon - spec))
			continue;
		if (!providers[i]->list)
			break;
		ret = providers[i]->list(base, at + 1, &got, &ngot);
		for (size_t k = 0; k < ngot; k++) {
			grow_array((void **)specs, cap, *n + 2, sizeof(char *));
			(*specs)[(*n)++] = got[k];
		}
		free(got);
		free(base);
		return ret;
	}
	lp_err("target '%s': no provider of release sets (@all) for '%s'", spec, base);
	lp_hint("a set is PROVIDER:FLAVOUR@all, e.g. debian:cloud@all");
	free(base);
	return ret;
}

const char *target_symbols_hint(const struct kernel_target *t)
{
	if (t && t->provider && t->provider->symbols_hint)
		return t->provider->symbols_hint;
	return "lpatch needs the vmlinux the kernel was built as, with its symbol table";
}

int target_lock_source(const struct kernel_target *t)
{
	char *path, *what;
	int fd;

	if (!t->src || !t->dir) {
		lp_err("kernel %s has no prepared source tree to build in", t->release);
		return -1;
	}
	if (mkdir_p(t->dir))
		return -1;
	path = path_join(t->dir, ".source.lock");
	what = xasprintf("the source tree %s", t->src);
	fd = lock_path(path, what);
	free(what);
	free(path);
	return fd;
}

void target_unlock_source(int fd)
{
	unlock_path(fd);
}

void target_free(struct kernel_target *t)
{
	char **fields[] = { &t->spec, &t->release, &t->version, &t->dir, &t->vmlinuz,
			    &t->config, &t->vmlinux, &t->system_map, &t->symvers, &t->headers,
			    &t->modules, &t->src, &t->cc, &t->root };

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

void target_run_opts(const struct kernel_target *t, const char *extra, struct run_opts *o)
{
	/* one set for the process: the cache and TMPDIR do not change */
	static char *binds[6];
	static const char *list[7];
	const char *tmp = getenv("TMPDIR");
	size_t n = 0;

	o->root = t ? t->root : NULL;
	o->binds = NULL;
	if (!o->root)
		return;
	for (size_t i = 0; i < 6; i++) {
		free(binds[i]);
		binds[i] = NULL;
	}
	binds[0] = lp_cache_dir();
	binds[1] = xstrdup(tmp && *tmp ? tmp : "/tmp");
	binds[2] = xstrdup("/dev");
	binds[3] = xstrdup("/proc");
	if (extra)
		binds[4] = path_absolute(extra);
	for (size_t i = 0; i < 6; i++)
		if (binds[i])
			list[n++] = binds[i];
	list[n] = NULL;
	o->binds = list;
}
