#include "vm/modimage.h"

#include "target/kconfig.h"
#include "util/cache.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMAGE_NAME "modules-v1.ext4"	/* bump when the image's layout changes */

/* What the guest needs to reach the modules disk, and the option that builds
 * each in: the cloud flavour builds ext4 in, the generic one has it as a
 * module, like virtio_blk in both. */
static const struct disk_driver {
	const char *module;
	const char *option;	/* CONFIG_<option> */
} disk_drivers[] = {
	{ "virtio_pci", "VIRTIO_PCI" },
	{ "virtio_blk", "VIRTIO_BLK" },
	{ "ext4", "EXT4_FS" },
	/* the image's metadata checksums: ext4 asks the crypto API for crc32c at mount */
	{ "crc32c_generic", "CRYPTO_CRC32C" },
};

static unsigned long long tree_bytes, tree_entries;

static int count_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	tree_entries++;
	tree_bytes += ((unsigned long long)st->st_size + 4095) / 4096 * 4096;
	return 0;
}

static const char *mke2fs_program(void)
{
	static const char *const where[] = { "mke2fs", "/sbin/mke2fs", "/usr/sbin/mke2fs", NULL };

	for (const char *const *p = where; *p; p++)
		if (have_program(*p))
			return *p;
	return NULL;
}

static int build_image(const struct kernel_target *t, const char *path)
{
	struct atomic_out out;
	const char *mke2fs = mke2fs_program();
	char *size, *inodes, *log;
	int st;

	if (!mke2fs) {
		lp_err("cannot build the modules image of %s: mke2fs is not installed", t->release);
		lp_hint("install e2fsprogs (`apt-get install e2fsprogs`, or scripts/deps.sh)");
		return -1;
	}
	tree_bytes = tree_entries = 0;
	if (nftw(t->modules, count_one, 32, FTW_PHYS)) {
		lp_perr("cannot walk the modules tree %s", t->modules);
		return -1;
	}
	lp_progress("building the modules image of %s (%llu MB, once per target)", t->release,
		    tree_bytes >> 20);
	if (atomic_begin(&out, path))
		return -1;
	/* room for every file rounded to a block, its inode, and ext4's own metadata */
	size = xasprintf("%lluk", (tree_bytes + tree_entries * 512) / 1024 * 11 / 10 + 16384);
	inodes = xasprintf("%llu", tree_entries + 1024);
	log = xasprintf("%s.log", out.tmp);
	{
		const char *argv[] = { mke2fs, "-q", "-F", "-t", "ext4", "-O", "^has_journal",
				       "-m", "0", "-N", inodes, "-L", "lpatch-modules",
				       "-E", "root_owner=0:0", "-d", t->modules, out.tmp, size, NULL };
		st = run(argv, &(struct run_opts){ .log = log, .no_stdin = true });
	}
	if (st != 0) {
		char *why = read_file_quiet(log, NULL);
		lp_err("cannot build the modules image %s: mke2fs %s%s", path,
		       st < 0 ? "could not run" : "failed", why && *why ? ":" : "");
		if (why && *why)
			fprintf(stderr, "%s", why);
		free(why);
		atomic_abort(&out);
	} else if (atomic_commit(&out)) {
		st = -1;
	}
	unlink(log);
	free(log);
	free(size);
	free(inodes);
	return st ? -1 : 0;
}

static bool fresh(const char *image, const char *dep)
{
	struct stat si, sd;

	return stat(image, &si) == 0 && stat(dep, &sd) == 0 && si.st_mtime >= sd.st_mtime;
}

char *modimage_get(const struct kernel_target *t)
{
	char *dir, *path, *dep, *lock, *what;
	int fd, ret = 0;

	if (t->dir) {
		dir = path_join(t->dir, "vm");
	} else {
		char *cache = lp_cache_dir();
		dir = xasprintf("%s/vm/%s", cache, t->release);
		free(cache);
	}
	path = path_join(dir, IMAGE_NAME);
	dep = path_join(t->modules, "modules.dep");
	if (!path_exists(dep)) {
		lp_err("the modules tree %s of %s has no modules.dep", t->modules, t->release);
		lp_hint("run `depmod -b <root> %s` on it, or let lpatch fetch the target again", t->release);
		ret = -1;
	} else if (!fresh(path, dep)) {
		if (mkdir_p(dir)) {
			ret = -1;
		} else {
			lock = path_join(dir, ".modules.lock");
			what = xasprintf("the modules image of %s", t->release);
			fd = lock_path(lock, what);
			if (fd < 0)
				ret = -1;
			else if (!fresh(path, dep))	/* another lpatch may have built it meanwhile */
				ret = build_image(t, path);
			unlock_path(fd);
			free(lock);
			free(what);
		}
	}
	free(dep);
	free(dir);
	if (ret) {
		free(path);
		return NULL;
	}
	return path;
}

/* "kernel/drivers/block/virtio_blk.ko" -> "virtio_blk" (also for .ko.xz and dashes). */
static char *module_name(const char *path, size_t len)
{
	const char *base = path;
	char *name, *dot;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	name = xstrndup(base, len - (size_t)(base - path));
	if ((dot = strstr(name, ".ko")))
		*dot = '\0';
	for (char *s = name; *s; s++)
		if (*s == '-')
			*s = '_';
	return name;
}

static bool listed(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

/* Is a module called name in the file of module paths at path (modules.builtin)? */
static bool in_list_file(const char *path, const char *name)
{
	char *text = read_file_quiet(path, NULL);
	bool found = false;

	for (char *line = text, *next; line && *line && !found; line = next) {
		char *n;
		next = strchr(line, '\n');
		n = module_name(line, next ? (size_t)(next - line) : strlen(line));
		found = !strcmp(n, name);
		free(n);
		next = next ? next + 1 : line + strlen(line);
	}
	free(text);
	return found;
}

/* Append the modules.dep line of name, dependencies first (they are listed
 * so that loading them from the right end works). */
static int add_with_deps(char *dep_text, const char *name, char ***out, size_t *n, size_t *cap)
{
	for (char *line = dep_text; *line;) {
		char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *colon = memchr(line, ':', len);
		char *mod, *deps, *tok, *save = NULL, **dv = NULL;
		size_t dn = 0, dcap = 0;
		bool match;

		if (!colon) {
			line += len + (eol ? 1 : 0);
			continue;
		}
		mod = module_name(line, (size_t)(colon - line));
		match = !strcmp(mod, name);
		free(mod);
		if (!match) {
			line += len + (eol ? 1 : 0);
			continue;
		}
		deps = xstrndup(colon + 1, len - (size_t)(colon + 1 - line));
		for (tok = strtok_r(deps, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
			*ARRAY_PUSH(dv, dn, dcap) = tok;
		for (size_t i = dn; i-- > 0;)
			if (!listed(*out, *n, dv[i]))
				*ARRAY_PUSH(*out, *n, *cap) = xstrdup(dv[i]);
		mod = xstrndup(line, (size_t)(colon - line));
		if (!listed(*out, *n, mod))
			*ARRAY_PUSH(*out, *n, *cap) = mod;
		else
			free(mod);
		free(dv);
		free(deps);
		return 0;
	}
	return -1;
}

/* Is the driver built into t? Its config says (=y); without a config,
 * modules.builtin does. */
static bool built_in(const struct kernel_target *t, const struct disk_driver *d,
		     const char *builtin)
{
	char *v = t->config ? config_value(t->config, d->option) : NULL;
	bool yes = v ? !strcmp(v, "y") : !t->config && in_list_file(builtin, d->module);

	free(v);
	return yes;
}

char **modimage_disk_modules(const struct kernel_target *t)
{
	char *dep_path = path_join(t->modules, "modules.dep");
	char *builtin = path_join(t->modules, "modules.builtin");
	char *text = read_file(dep_path, NULL);
	char **out = NULL;
	size_t n = 0, cap = 0;
	int ret = text ? 0 : -1;

	for (size_t i = 0; i < sizeof(disk_drivers) / sizeof(disk_drivers[0]) && !ret; i++) {
		const struct disk_driver *d = &disk_drivers[i];

		if (built_in(t, d, builtin))
			continue;
		if (add_with_deps(text, d->module, &out, &n, &cap)) {
			lp_err("kernel %s has no %s module (CONFIG_%s is not y, and %s does not "
			       "list it)", t->release, d->module, d->option, dep_path);
			lp_hint("lpatch vm reaches the target's modules on an ext4 image through a "
				"virtio disk: the kernel needs those drivers, built in or as modules");
			ret = -1;
		}
	}
	free(text);
	free(builtin);
	free(dep_path);
	*ARRAY_PUSH(out, n, cap) = NULL;
	if (ret) {
		for (size_t i = 0; out[i]; i++)
			free(out[i]);
		free(out);
		return NULL;
	}
	return out;
}
