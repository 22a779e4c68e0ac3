/*
 * Which source files the target really builds. A kernel tree holds far more
 * .c files than one config compiles; the -dbg vmlinux names each compile
 * unit it was linked from (DW_AT_name, relative to the tree), and
 * modules.dep tells where the modules were built.
 */
#include "kernel/units.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_vmlinux_units(const char *vmlinux, struct strset *out)
{
	int fd = open(vmlinux, O_RDONLY | O_CLOEXEC);
	Dwarf *dw = fd >= 0 ? dwarf_begin(fd, DWARF_C_READ) : NULL;
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (!dw) {
		lp_err("%s: cannot read its debug information (%s)", vmlinux,
		       fd < 0 ? "cannot open it" : dwarf_errmsg(-1));
		lp_hint("the vmlinux of linux-image-<release>-dbg has it");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		const char *name;

		if (dwarf_offdie(dw, off + hsize, &cu) && (name = dwarf_diename(&cu)) &&
		    str_ends(name, ".c"))
			strset_add(out, name);
		off = next;
	}
	dwarf_end(dw);
	close(fd);
	if (!out->n) {
		lp_err("%s names no C compile units: is it the target's vmlinux with debug "
		       "information?", vmlinux);
		return -1;
	}
	return 0;
}

static void read_module_dirs(const char *modules, struct strset *out)
{
	char *dep = modules ? path_join(modules, "modules.dep") : NULL;
	char *text = dep ? read_file_quiet(dep, NULL) : NULL;

	for (const char *l = text; l && *l;) {
		size_t n = strcspn(l, ":\n");
		char *path = xstrndup(l, n), *dir = path_dirname(path);

		/* kernel/fs/xfs/xfs.ko -> fs/xfs */
		strset_add(out, str_starts(dir, "kernel/") ? dir + 7 : dir);
		free(dir);
		free(path);
		l += strcspn(l, "\n");
		l += *l == '\n';
	}
	free(text);
	free(dep);
}

int units_read(const struct kernel_target *t, struct kernel_units *u)
{
	memset(u, 0, sizeof(*u));
	u->src = t->src ? xstrdup(t->src) : NULL;
	read_module_dirs(t->modules, &u->moddirs);
	if (read_vmlinux_units(t->vmlinux, &u->vmlinux)) {
		units_free(u);	/* the caller frees nothing on an error */
		return -1;
	}
	return 0;
}

bool units_in_vmlinux(const struct kernel_units *u, const char *path)
{
	return strset_has(&u->vmlinux, path);
}

static bool owns_objects(const char *src, const char *dir)
{
	char *mk = xasprintf("%s/%s/Makefile", src, dir), *kb = xasprintf("%s/%s/Kbuild", src, dir);
	bool yes = path_exists(mk) || path_exists(kb);

	free(mk);
	free(kb);
	return yes;
}

bool units_maybe_module(const struct kernel_units *u, const char *path)
{
	char *dir = path_dirname(path);
	bool yes = false;

	while (!yes && strcmp(dir, ".") && dir[0]) {
		char *up;

		yes = strset_has(&u->moddirs, dir);
		/* a directory with a Makefile of its own builds its files: a module
		 * above it (fs/binfmt_misc.ko for fs/ocfs2/) is not made of them */
		if (!yes && u->src && owns_objects(u->src, dir))
			break;
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	return yes;
}

void units_free(struct kernel_units *u)
{
	strset_free(&u->vmlinux);
	strset_free(&u->moddirs);
	free(u->src);
	u->src = NULL;
}
