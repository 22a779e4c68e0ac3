#include "vm/program.h"

#include "elf/elf.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* Where ld.so looks without an ld.so.cache (the guest has none). */
static const char *const lib_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
	"/lib", "/usr/lib", NULL,
};

struct closure {
	char **paths;		/* host paths already added */
	size_t n, cap;
};

static bool seen(const struct closure *cl, const char *path)
{
	for (size_t i = 0; i < cl->n; i++)
		if (!strcmp(cl->paths[i], path))
			return true;
	return false;
}

static char *find_lib(const char *name)
{
	if (strchr(name, '/'))
		return path_exists(name) ? xstrdup(name) : NULL;
	for (const char *const *d = lib_dirs; *d; d++) {
		char *p = path_join(*d, name);
		if (path_exists(p))
			return p;
		free(p);
	}
	return NULL;
}

bool program_is_static(const char *path)
{
	struct elf_file *ef = elf_open(path, ELF_OPEN_LAZY);
	char *interp;

	if (!ef)
		return false;
	interp = elf_interp(ef);
	elf_close(ef);
	free(interp);
	return !interp;
}

/* Add the file at host (its guest path: the same) and, recursively, its DT_NEEDED. */
static int add_with_libs(struct cpio_out *c, struct closure *cl, const char *host,
			 const char *guest_name, const char *needed_by)
{
	struct elf_file *ef;
	char **needed;
	int ret = 0;

	if (seen(cl, host))
		return 0;
	*ARRAY_PUSH(cl->paths, cl->n, cl->cap) = xstrdup(host);
	ef = elf_open(host, ELF_OPEN_LAZY);
	if (!ef)
		return -1;
	if (cpio_file(c, guest_name, 0755, host)) {
		elf_close(ef);
		return -1;
	}
	needed = elf_needed(ef);
	for (char **n = needed; *n; n++) {
		char *lib = find_lib(*n);
		if (!lib) {
			lp_err("cannot find %s, needed by %s, in the standard library directories",
			       *n, needed_by ? needed_by : host);
			lp_hint("lpatch vm copies %s into the VM with the libraries it links", host);
			ret = -1;
		} else if (!ret) {
			ret = add_with_libs(c, cl, lib, lib + 1, host);
		}
		free(lib);
		free(*n);
	}
	free(needed);
	elf_close(ef);
	return ret;
}

int program_add(struct cpio_out *c, const char *exe, const char *guest_name)
{
	struct closure cl = {0};
	struct elf_file *ef = elf_open(exe, ELF_OPEN_LAZY);
	char *interp;
	int ret;

	if (!ef)
		return -1;
	interp = elf_interp(ef);
	elf_close(ef);
	ret = add_with_libs(c, &cl, exe, guest_name, NULL);
	/* the loader goes where the executable asks for it, as a real file:
	 * on the host that path is usually a symlink into /lib */
	if (!ret && interp) {
		if (!path_exists(interp)) {
			lp_err("cannot find %s, the dynamic loader of %s", interp, exe);
			ret = -1;
		} else {
			ret = cpio_file(c, interp + (interp[0] == '/'), 0755, interp);
		}
	}
	for (size_t i = 0; i < cl.n; i++)
		free(cl.paths[i]);
	free(cl.paths);
	free(interp);
	return ret;
}
