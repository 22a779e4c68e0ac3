/* Reading the kernel's livepatch state from sysfs. */
#include "host/sysfs.h"

#include "util/fs.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *sysfs_line(const char *path)
{
	char *s = read_file_quiet(path, NULL);

	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

int sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), saved;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool read_flag(const char *dir, const char *file)
{
	char *p = path_join(dir, file), *v = sysfs_line(p);
	bool on = v && !strcmp(v, "1");

	free(p);
	free(v);
	return on;
}

bool klp_supported(void)
{
	return path_is_dir(KLP_SYSFS);
}

void klp_state(const char *name, struct klp_live *st)
{
	char *dir = path_join(KLP_SYSFS, name), *init = xasprintf("/sys/module/%s/initstate", name);

	memset(st, 0, sizeof(*st));
	st->module = path_exists(init);
	st->registered = path_is_dir(dir);
	st->replace = -1;
	if (st->registered) {
		char *rp = path_join(dir, "replace"), *r = sysfs_line(rp);

		st->enabled = read_flag(dir, "enabled");
		st->transition = read_flag(dir, "transition");
		if (r)	/* /sys/kernel/livepatch/NAME/replace: kernels from 6.11 on */
			st->replace = !strcmp(r, "1");
		free(r);
		free(rp);
	}
	free(init);
	free(dir);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_unique(char ***names, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return;
	*ARRAY_PUSH(*names, *n, *cap) = xstrdup(name);
}

bool module_tainted_livepatch(const char *name)
{
	char *p = xasprintf("/sys/module/%s/taint", name), *t = sysfs_line(p);
	bool k = t && strchr(t, 'K');

	free(p);
	free(t);
	return k;
}

char **klp_names(size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	DIR *d;
	struct dirent *e;

	*n = 0;
	if ((d = opendir(KLP_SYSFS))) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				add_unique(&names, n, &cap, e->d_name);
		closedir(d);
	}
	if ((d = opendir("/sys/module"))) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && module_tainted_livepatch(e->d_name))
				add_unique(&names, n, &cap, e->d_name);
		closedir(d);
	}
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_name);
	return names;
}

/* One object directory: its function directories are named FUNC,POS. */
static void object_funcs(const char *objdir, const char *object, struct patch_info *pi)
{
	DIR *d = opendir(objdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *comma = strrchr(e->d_name, ',');
		char *fn;

		if (e->d_name[0] == '.' || !comma)
			continue;
		fn = xstrndup(e->d_name, (size_t)(comma - e->d_name));
		patch_info_add_func(pi, object, fn, strtol(comma + 1, NULL, 10));
		free(fn);
	}
	closedir(d);
}

void klp_sysfs_funcs(const char *name, struct patch_info *pi)
{
	char *dir = path_join(KLP_SYSFS, name);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char *sub;

			if (e->d_name[0] == '.')
				continue;
			sub = path_join(dir, e->d_name);
			if (path_is_dir(sub))	/* the objects; the rest are attributes */
				object_funcs(sub, e->d_name, pi);
			free(sub);
		}
		closedir(d);
	}
	free(dir);
	patch_info_sort(pi);
}

static void take_param(struct patch_info *pi, const char *key, char *v)
{
	if (!*v || patch_info_set(pi, key, v))	/* "" stands for not recorded */
		return;
	if (!strcmp(key, "lpatch_description") && !pi->description)
		pi->description = xstrdup(v);
	else if (!strcmp(key, "lpatch_cve") || !strcmp(key, "lpatch_cves"))
		/* one CVE, or several separated by commas, spaces or newlines */
		for (char *save = NULL, *c = strtok_r(v, ", \n", &save); c; c = strtok_r(NULL, ", \n", &save))
			patch_info_add_cve(pi, c);
}

bool klp_module_params(const char *name, struct patch_info *pi)
{
	char *dir = xasprintf("/sys/module/%s/parameters", name);
	DIR *d = opendir(dir);
	struct dirent *e;
	bool any = false;

	if (d) {
		while ((e = readdir(d))) {
			char *p, *v;

			if (!str_starts(e->d_name, "lpatch_"))
				continue;
			p = path_join(dir, e->d_name);
			if ((v = read_file_quiet(p, NULL))) {
				if (!strstr(e->d_name, "cve"))	/* a CVE list may span lines */
					v[strcspn(v, "\n")] = '\0';
				take_param(pi, e->d_name, v);
				any = true;
			}
			free(v);
			free(p);
		}
		closedir(d);
	}
	free(dir);
	patch_info_sort(pi);
	return any;
}
