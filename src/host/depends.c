/*
 * The modules a livepatch module uses exports of (its .modinfo depends=,
 * written by modpost): finit_module(2) does not load them, so `lpatch load`
 * does, as modprobe would, before inserting the patch; `lpatch install`
 * checks that the release has them.
 */
#include "host/ops.h"

#include "host/patchinfo.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The last non-empty line of out, trimmed, or NULL; caller frees. */
static char *last_line(const char *out)
{
	const char *end = out + strlen(out), *start;

	while (end > out && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (end == out)
		return NULL;
	for (start = end; start > out && start[-1] != '\n'; start--)
		;
	return xstrndup(start, (size_t)(end - start));
}

static char *modprobe_path(void)
{
	static const char *const fixed[] = { "/sbin/modprobe", "/usr/sbin/modprobe" };
	char *p = find_program("modprobe", NULL);

	for (size_t i = 0; !p && i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!access(fixed[i], X_OK))
			p = xstrdup(fixed[i]);
	return p;
}

static bool module_loaded(const char *dep)
{
	char *name = patch_module_name(dep), *dir = path_join("/sys/module", name);
	bool loaded = path_is_dir(dir);

	free(dir);
	free(name);
	return loaded;
}

int host_load_depends(const char *ko, const struct patch_info *pi)
{
	char *modprobe = NULL;
	int ret = 0;

	for (size_t i = 0; i < pi->ndepends && !ret; i++) {
		const char *dep = pi->depends[i];
		const char *argv[] = { NULL, "--", dep, NULL };
		char *out, *why;
		int st = -1;

		if (module_loaded(dep))
			continue;
		if (!modprobe && !(modprobe = modprobe_path())) {
			lp_err("livepatch %s needs module %s (it uses its exports), which is not "
			       "loaded: modprobe is not installed to load it", pi->name, dep);
			lp_hint("install kmod, or load %s by hand, then load %s again", dep, ko);
			ret = LP_EXIT_FAIL;
			break;
		}
		lp_progress("%s: loading module %s (it uses its exports)", pi->name, dep);
		argv[0] = modprobe;
		out = run_capture(argv, &(struct run_opts){ .no_stdin = true, .stderr_too = true }, &st);
		if (st == 0) {
			/* a module built in has no directory there when it has no parameters */
			if (!module_loaded(dep))
				lp_warn("modprobe %s exited 0, but /sys/module has no %s (built in, or "
					"an `install` rule in modprobe.d?): inserting %s all the same",
					dep, dep, pi->name);
			free(out);
			continue;
		}
		if (!out || !(why = last_line(out)))
			why = xasprintf("exit status %d", st);
		lp_err("livepatch %s needs module %s (it uses its exports): modprobe %s failed: %s",
		       pi->name, dep, dep, why);
		lp_hint("make module %s loadable for this kernel (`modinfo %s` finds it), then "
			"load %s again", dep, dep, ko);
		free(why);
		free(out);
		ret = LP_EXIT_FAIL;
	}
	free(modprobe);
	return ret;
}

/* Is there a "NAME.ko" (compressed or not) among modules.dep's left-hand paths? */
static bool in_modules_dep(const char *text, const char *dep)
{
	char *want = patch_module_name(dep);
	bool found = false;

	for (const char *line = text; *line && !found;) {
		size_t len = strcspn(line, "\n"), pathlen = strcspn(line, ":\n");
		const char *slash = memrchr(line, '/', pathlen);
		const char *base = slash ? slash + 1 : line;
		const char *ko = memmem(base, (size_t)(line + pathlen - base), ".ko", 3);

		if (ko) {
			char *name = xstrndup(base, (size_t)(ko - base)), *norm = patch_module_name(name);

			found = !strcmp(norm, want);
			free(norm);
			free(name);
		}
		line += len + (line[len] == '\n');
	}
	free(want);
	return found;
}

int host_check_depends(const char *ko, const struct patch_info *pi, const char *release)
{
	char *dep_file = xasprintf("/lib/modules/%s/modules.dep", release);
	char *text = pi->ndepends ? read_file_quiet(dep_file, NULL) : NULL;
	int ret = 0;

	/* no modules.dep (a release not installed here): nothing to check against */
	for (size_t i = 0; text && i < pi->ndepends; i++) {
		if (in_modules_dep(text, pi->depends[i]))
			continue;
		lp_err("%s: livepatch %s needs module %s (it uses its exports), which %s does not "
		       "have (%s does not list it)", ko, pi->name, pi->depends[i], release, dep_file);
		lp_hint("build the patch for a kernel that has module %s, or install the package "
			"that provides it", pi->depends[i]);
		ret = LP_EXIT_REFUSED;
	}
	free(text);
	free(dep_file);
	return ret;
}
