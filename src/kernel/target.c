/* Target kernels: the cache they live in, opening one, locking its source. */
#include "kernel/target.h"

#include "kernel/debian_steps.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/str.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *strip_slashes(char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	return path;
}

char *lp_cache_dir(void)
{
	const char *env = getenv("LPATCH_CACHE");
	const char *home;
	struct passwd *pw;

	if (env && *env)
		return strip_slashes(path_absolute(env));
	/* the XDG spec says a relative XDG_CACHE_HOME is to be ignored */
	env = getenv("XDG_CACHE_HOME");
	if (env && env[0] == '/')
		return strip_slashes(path_join(env, "lpatch"));
	home = getenv("HOME");
	if ((!home || !*home) && (pw = getpwuid(getuid())))
		home = pw->pw_dir;
	if (!home || !*home)
		home = "/tmp";
	return strip_slashes(xasprintf("%s/.cache/lpatch", strcmp(home, "/") ? home : ""));
}

int target_open(const char *spec, unsigned need, struct kernel_target *t)
{
	memset(t, 0, sizeof(*t));
	return debian_target_open(spec, need, t);
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
			    &t->modules, &t->src, &t->cc };

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}
