/* What apt knows about Debian packages. */
#include "deb/deb.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define APT_LISTS "/var/lib/apt/lists"

/* Where apt keeps its package lists: the default, unless APT_CONFIG points
 * apt at another configuration (then apt-config says). */
static char *lists_dir(void)
{
	const char *argv[] = { "apt-config", "shell", "D", "Dir::State::lists/d", NULL };
	struct run_opts o = { .quiet = true, .no_stdin = true };
	char *out, *q, *dir = NULL;

	if (!getenv("APT_CONFIG"))
		return xstrdup(APT_LISTS);
	out = run_capture(argv, &o, NULL);
	/* D='/var/lib/apt/lists/' */
	if (out && (q = strchr(out, '\'')))
		dir = xstrndup(q + 1, strcspn(q + 1, "'"));
	free(out);
	return dir && *dir ? dir : (free(dir), xstrdup(APT_LISTS));
}

bool apt_have_lists(void)
{
	char *path = lists_dir();
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	free(path);
	while (d && !found && (e = readdir(d)))
		found = strstr(e->d_name, "_Packages") != NULL;
	if (d)
		closedir(d);
	return found;
}

long long apt_lists_stamp(void)
{
	char *path = lists_dir();
	struct stat st;
	int bad = stat(path, &st);

	free(path);
	if (bad)
		return 0;
	return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

void apt_advise_update(void)
{
	char *path = lists_dir();

	lp_err("apt has no package lists (nothing in %s), so Debian kernels cannot be found",
	       path);
	lp_hint("run `apt-get update` (as root) and try again");
	free(path);
}

/* Records of `apt-cache show`, blank-line separated: each one found for
 * names[i] goes to out[i]. */
static void parse_records(char *text, const char *const *names, size_t n, struct apt_pkg *out)
{
	struct apt_pkg rec = { .size = -1 };
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save);; l = strtok_r(NULL, "\n", &save)) {
		if (!l || str_starts(l, "Package: ")) {
			for (size_t i = 0; i < n && rec.name && rec.version; i++) {
				if (!strcmp(names[i], rec.name) && !out[i].name) {
					out[i] = rec;
					rec.name = rec.version = NULL;
				}
			}
			apt_pkg_free(&rec);
			rec.size = -1;
			if (!l)
				break;
			rec.name = xstrdup(l + 9);
		} else if (str_starts(l, "Version: ") && !rec.version) {
			rec.version = xstrdup(l + 9);
		} else if (str_starts(l, "Size: ")) {
			rec.size = strtoll(l + 6, NULL, 10);
		}
	}
}

int apt_lookup_all(const char *const *names, size_t n, const char *version, struct apt_pkg *out)
{
	const char **argv = xcalloc(n + 4, sizeof(*argv));
	char **args = xcalloc(n, sizeof(*args));
	struct run_opts o = { .quiet = true, .no_stdin = true };
	char *text;

	argv[0] = "apt-cache";
	argv[1] = "show";
	argv[2] = "--no-all-versions";
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		args[i] = version ? xasprintf("%s=%s", names[i], version) : xstrdup(names[i]);
		argv[3 + i] = args[i];
	}
	/* names apt does not know at that version are left out of the output */
	text = run_capture(argv, &o, NULL);
	if (text)
		parse_records(text, names, n, out);
	for (size_t i = 0; i < n; i++)
		free(args[i]);
	free(args);
	free(argv);
	if (!text)
		return -1;
	free(text);
	return 0;
}

int apt_lookup(const char *name, const char *version, struct apt_pkg *out)
{
	if (apt_lookup_all(&name, 1, version, out))
		return -1;
	return out->name ? 0 : 1;
}

void apt_pkg_free(struct apt_pkg *p)
{
	free(p->name);
	free(p->version);
	memset(p, 0, sizeof(*p));
}

char *apt_versions(const char *name)
{
	const char *argv[] = { "apt-cache", "madison", name, NULL };
	struct run_opts o = { .quiet = true, .no_stdin = true };
	char *text = run_capture(argv, &o, NULL), *save = NULL;
	char **list = NULL;
	size_t n = 0, cap = 0;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char pkg[256], ver[256];

		if (sscanf(l, " %255s | %255s |", pkg, ver) == 2 && !strcmp(pkg, name))
			strv_insert_sorted(&list, &n, &cap, ver, deb_version_cmp);
	}
	free(text);
	return strv_join_free(list, n);
}

char *apt_pkgnames(const char *prefix)
{
	const char *argv[] = { "apt-cache", "pkgnames", prefix, NULL };
	struct run_opts o = { .quiet = true, .no_stdin = true };

	return run_capture(argv, &o, NULL);
}
