/* lpatch's cache directory. */
#include "util/cache.h"

#include "util/fs.h"
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
