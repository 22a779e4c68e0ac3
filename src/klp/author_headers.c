/* Finding the patch-author headers lpatch ships (include/ in the source
 * tree, $(DATADIR)/include = PREFIX/share/lpatch/include once installed). */
#include "klp/author_headers.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static bool has_header(const char *dir)
{
	char *h = path_join(dir, "lpatch.h");
	bool ok = path_exists(h);

	free(h);
	/* the directory goes into KCFLAGS, which make splits at blanks */
	return ok && !strpbrk(dir, " \t\n");
}

static char *find_dir(void)
{
	static const char *const beside_binary[] = { "include", "../share/lpatch/include" };
	const char *env = getenv("LPATCH_INCLUDE");
	char *exe;

	if (env && *env) {
		if (has_header(env))
			return xstrdup(env);
		lp_warn("LPATCH_INCLUDE=%s has no lpatch.h (or contains blanks); ignoring it", env);
	}
	exe = path_self_exe();
	if (exe) {
		char *bindir = path_dirname(exe);

		free(exe);
		for (size_t i = 0; i < sizeof(beside_binary) / sizeof(beside_binary[0]); i++) {
			char *dir = path_join(bindir, beside_binary[i]);
			char *real = realpath(dir, NULL);
			free(dir);
			if (real && has_header(real)) {
				free(bindir);
				return real;
			}
			free(real);
		}
		free(bindir);
	}
	lp_warn("lpatch's patch-author headers (lpatch.h, kpatch-macros.h) were not found next to "
		"the lpatch binary nor in ../share/lpatch/include; patches that include them will "
		"not compile");
	lp_hint("set LPATCH_INCLUDE to the directory holding lpatch.h");
	return NULL;
}

const char *author_headers_dir(void)
{
	/* a build compiles twice: look (and warn) once */
	static bool looked;
	static char *dir;

	if (!looked) {
		dir = find_dir();
		looked = true;
	}
	return dir;
}
