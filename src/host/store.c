/* Where installed patches live, and in which order they are loaded. */
#include "host/store.h"

#include "host/patchinfo.h"
#include "util/fs.h"
#include "util/str.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

char *store_root(const char *opt)
{
	const char *env = getenv("LPATCH_ROOT");

	if (opt && *opt)
		return xstrdup(opt);
	return xstrdup(env && *env ? env : STORE_DEFAULT_ROOT);
}

char *host_release(void)
{
	struct utsname u;

	return xstrdup(uname(&u) ? "unknown" : u.release);
}

char *store_dir(const char *root, const char *release)
{
	return path_join(root, release);
}

struct entry {
	char *path;
	struct timespec mtime;
};

static int by_install_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

char **store_list(const char *root, const char *release, size_t *n)
{
	char *dir = store_dir(root, release), **out;
	struct entry *ents = NULL;
	size_t cap = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	*n = 0;
	while (d && (e = readdir(d))) {
		struct stat st;
		char *p;

		if (e->d_name[0] == '.' || !str_ends(e->d_name, ".ko"))
			continue;
		p = path_join(dir, e->d_name);
		if (stat(p, &st) || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		*ARRAY_PUSH(ents, *n, cap) = (struct entry){ p, st.st_mtim };
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(ents, *n, sizeof(*ents), by_install_time);
	out = xcalloc(*n + 1, sizeof(*out));
	for (size_t i = 0; i < *n; i++)
		out[i] = ents[i].path;
	free(ents);
	free(dir);
	return out;
}

char *store_find(const char *root, const char *release, const char *name)
{
	char *want = patch_module_name(name), *file = xasprintf("%s.ko", want);
	char *dir = store_dir(root, release), *p = path_join(dir, file);

	free(want);
	free(file);
	free(dir);
	if (path_exists(p))
		return p;
	free(p);
	return NULL;
}

bool store_holds(const char *root, const char *name)
{
	DIR *d = opendir(root);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = store_find(root, e->d_name, name);
		found = p != NULL;
		free(p);
	}
	if (d)
		closedir(d);
	return found;
}

/* The temporary files of atomic writes (util/fs.h: ".NAME.tmp.XXXXXX") in dir older than since. */
static size_t clean_dir(const char *dir, time_t since, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d))) {
		char *p;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = path_join(dir, e->d_name);
		if (lstat(p, &st)) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode) && depth > 0)
			n += clean_dir(p, since, depth - 1);
		else if (S_ISREG(st.st_mode) && e->d_name[0] == '.' && strstr(e->d_name, ".tmp.") &&
			 st.st_mtime < since && !unlink(p))
			n++;
		free(p);
	}
	if (d)
		closedir(d);
	return n;
}

size_t store_clean_stale(const char *root)
{
	struct timespec real, up;

	if (clock_gettime(CLOCK_REALTIME, &real) || clock_gettime(CLOCK_BOOTTIME, &up))
		return 0;
	/* written before this boot: their writer is gone (a crash, a power cut) */
	return clean_dir(root, real.tv_sec - up.tv_sec, 1);
}
