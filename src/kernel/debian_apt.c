/* What apt knows about Debian kernel packages, and fetching their .debs. */
#include "kernel/debian.h"

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

static void advise_update(void)
{
	char *path = lists_dir();

	lp_err("apt has no package lists (nothing in %s), so Debian kernels cannot be found",
	       path);
	lp_hint("run `apt-get update` (as root) and try again");
	free(path);
}

/* apt-cache is slow here (no binary cache: ~1 s a call), so the answer
 * for a meta package is remembered until the lists change. */
static char *remembered_release(const char *file, long long stamp, char **version)
{
	char *s = read_file_quiet(file, NULL), *rel = NULL;
	long long was;
	char name[256], ver[256];

	if (s && sscanf(s, "%lld %255s %255s", &was, name, ver) == 3 && was == stamp) {
		rel = xstrdup(name);
		*version = xstrdup(ver);
	}
	free(s);
	return rel;
}

static void remember_release(const char *file, long long stamp, const char *rel,
			     const char *version)
{
	struct atomic_out out;
	char *text = xasprintf("%lld %s %s\n", stamp, rel, version);
	char *dir = path_dirname(file);

	if (!mkdir_p(dir) && !atomic_begin(&out, file)) {
		if (write_file(out.tmp, text, strlen(text)) || atomic_commit(&out))
			atomic_abort(&out);
	}
	free(dir);
	free(text);
}

/* "Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)" -> release, version. */
static char *parse_meta_depends(char *text, char **version)
{
	char *save = NULL, *rel = NULL;

	for (char *l = strtok_r(text, "\n", &save); l && !rel; l = strtok_r(NULL, "\n", &save)) {
		struct debian_release r;
		char *dep = strstr(l, "linux-image-"), *name, *eq;

		if (!str_starts(l, "Depends: ") || !dep)
			continue;
		name = xstrndup(dep + strlen("linux-image-"), strcspn(dep + 12, " ,"));
		if (debian_parse_release(name, &r)) {
			rel = xstrdup(r.release);
			debian_release_free(&r);
			eq = strstr(dep, "(= ");
			if (eq && eq < dep + strcspn(dep, ","))
				*version = xstrndup(eq + 3, strcspn(eq + 3, ")"));
		}
		free(name);
	}
	return rel;
}

char *apt_meta_release(const char *cache, const char *meta, char **version)
{
	const char *argv[] = { "apt-cache", "show", "--no-all-versions", meta, NULL };
	struct run_opts o = { .quiet = true, .no_stdin = true };
	char *file = xasprintf("%s/targets/.resolved-%s", cache, meta);
	long long stamp = apt_lists_stamp();
	char *out, *rel = NULL;

	*version = NULL;
	if ((rel = remembered_release(file, stamp, version)))
		goto done;
	if (!apt_have_lists()) {
		advise_update();
		goto done;
	}
	out = run_capture(argv, &o, NULL);
	rel = out ? parse_meta_depends(out, version) : NULL;
	free(out);
	if (!rel || !*version) {
		lp_err("cannot tell which kernel %s stands for: `apt-cache show %s` names no "
		       "linux-image-<release> (= <version>)", meta, meta);
		lp_hint("check that %s exists (`apt-cache policy %s`); run `apt-get update` if the "
			"lists are old", meta, meta);
		free(rel);
		free(*version);
		rel = *version = NULL;
		goto done;
	}
	remember_release(file, stamp, rel, *version);
done:
	free(file);
	return rel;
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

/* Insert s into the list of n strings kept newest first (by cmp), unless present. */
static void insert_sorted(char ***list, size_t *n, size_t *cap, const char *s,
			  int (*cmp)(const char *, const char *))
{
	size_t i = 0;

	for (size_t j = 0; j < *n; j++)
		if (!strcmp((*list)[j], s))
			return;
	while (i < *n && cmp((*list)[i], s) > 0)
		i++;
	ARRAY_PUSH(*list, *n, *cap);
	memmove(&(*list)[i + 1], &(*list)[i], (*n - 1 - i) * sizeof(char *));
	(*list)[i] = xstrdup(s);
}

static char *join_free(char **list, size_t n)
{
	struct strbuf sb = {0};

	for (size_t i = 0; i < n; i++) {
		sb_addf(&sb, "%s%s", i ? ", " : "", list[i]);
		free(list[i]);
	}
	free(list);
	return sb_take(&sb);
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
			insert_sorted(&list, &n, &cap, ver, debian_version_cmp);
	}
	free(text);
	return join_free(list, n);
}

/* Newer ABI first; the flavour breaks ties. */
static int release_cmp(const char *a, const char *b)
{
	struct debian_release ra, rb;
	int r;

	debian_parse_release(a, &ra);
	debian_parse_release(b, &rb);
	r = debian_version_cmp(ra.abi ? ra.abi : a, rb.abi ? rb.abi : b);
	if (!r)
		r = strcmp(a, b);
	debian_release_free(&ra);
	debian_release_free(&rb);
	return r;
}

char *apt_releases(const char *flavour)
{
	const char *argv[] = { "apt-cache", "pkgnames", "linux-image-", NULL };
	struct run_opts o = { .quiet = true, .no_stdin = true };
	char *text = run_capture(argv, &o, NULL), *save = NULL;
	char **list = NULL;
	size_t n = 0, cap = 0;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *rel = xstrdup(l + strlen("linux-image-"));
		struct debian_release r;

		if (str_ends(rel, "-unsigned"))
			rel[strlen(rel) - strlen("-unsigned")] = '\0';
		if (debian_parse_release(rel, &r)) {
			if (!flavour || !strcmp(r.flavour, flavour))
				insert_sorted(&list, &n, &cap, r.release, release_cmp);
			debian_release_free(&r);
		}
		free(rel);
	}
	free(text);
	return join_free(list, n);
}
