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
#include <stdio.h>
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

/* The options the tree's .config sets (=y, =m or a value): "CONFIG_SATA_AHCI". */
static void read_config(const char *src, struct strset *out)
{
	char *path = src ? path_join(src, ".config") : NULL;
	char *text = path ? read_file_quiet(path, NULL) : NULL;

	for (char *l = text; l && *l;) {
		size_t n = strcspn(l, "\n");
		char *eq = memchr(l, '=', n);

		if (str_starts(l, "CONFIG_") && eq) {
			*eq = '\0';
			strset_add(out, l);
		}
		l += n;
		l += *l == '\n';
	}
	free(text);
	free(path);
}

int units_read(const struct kernel_target *t, struct kernel_units *u)
{
	memset(u, 0, sizeof(*u));
	u->src = t->src ? xstrdup(t->src) : NULL;
	read_module_dirs(t->modules, &u->moddirs);
	read_config(u->src, &u->config);
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

/*
 * Kbuild's rules for one object: lines "obj-$(CONFIG_SATA_AHCI) += ahci.o
 * libahci.o", "libata-$(CONFIG_SATA_PMP) += libata-pmp.o", "libata-y :=
 * ...", "obj-m += x.o". An object is built when some line names it under a
 * set option (or y, m, objs) and, for a part of a composite object
 * (libata-...), that object is built too. Only a sure answer counts: a
 * name written through other variables, or not found at all, is UNKNOWN,
 * and so is a Makefile this reading does not follow. Conditions around a
 * line (ifdef, ifeq) only ever take objects away: ignoring them never makes
 * a built object look unbuilt.
 */
enum rule { RULE_UNKNOWN, RULE_BUILT, RULE_OFF };

/* The text of dir's Kbuild or Makefile, continuation lines joined. */
static char *makefile_text(const char *src, const char *dir)
{
	/* kbuild reads Kbuild when there is one, else Makefile */
	char *path = xasprintf("%s/%s/Kbuild", src, dir), *text = read_file_quiet(path, NULL);

	if (!text) {
		free(path);
		path = xasprintf("%s/%s/Makefile", src, dir);
		text = read_file_quiet(path, NULL);
	}
	free(path);
	for (char *c = text; c && (c = strstr(c, "\\\n"));)
		c[0] = c[1] = ' ';
	return text;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *w = list; (w = strstr(w, word)); w += n)
		if ((w == list || w[-1] == ' ' || w[-1] == '\t') &&
		    (!w[n] || w[n] == ' ' || w[n] == '\t' || w[n] == '#'))
			return true;
	return false;
}

/* One rule line "NAME-COND op WORDS" naming obj: its NAME and whether its
 * COND holds (-1: a form this reading does not follow). Writes the option
 * of an unset COND into off (size offsz) when off is still empty. */
static int rule_line(const struct kernel_units *u, char *line, const char *obj, char **name,
		     char *off, size_t offsz)
{
	char *lhs = line + strspn(line, " \t"), *op = strchr(lhs, '='), *cond;

	if (!op || *lhs == '#' || !word_in(op + 1, obj))
		return 0;
	if (op > lhs && strchr("+:?", op[-1]))
		op--;
	while (op > lhs && (op[-1] == ' ' || op[-1] == '\t'))
		op--;
	*op = '\0';
	if (strpbrk(lhs, " \t"))
		return -1;
	if ((cond = strstr(lhs, "-$(CONFIG_"))) {
		char *opt = cond + 3;

		*cond = '\0';
		if (!str_ends(opt, ")") || strpbrk(opt, "$("))
			return -1;
		opt[strlen(opt) - 1] = '\0';
		*name = lhs;
		if (strset_has(&u->config, opt))
			return 1;
		if (!*off)
			snprintf(off, offsz, "%s", opt);
		return 2;	/* named, but off */
	}
	if (!(cond = strrchr(lhs, '-')) || cond == lhs || strchr(lhs, '$'))
		return -1;
	*cond++ = '\0';
	*name = lhs;
	return !strcmp(cond, "y") || !strcmp(cond, "m") || !strcmp(cond, "objs") ? 1 : -1;
}

static enum rule object_rule(const struct kernel_units *u, const char *mk, const char *obj,
			     char *off, size_t offsz, int depth)
{
	bool named = false, unknown = depth > 4;

	for (const char *l = mk; *l && !unknown;) {
		size_t n = strcspn(l, "\n");
		char *line = xstrndup(l, n), *name = NULL;
		int st = rule_line(u, line, obj, &name, off, offsz);

		l += n;
		l += *l == '\n';
		if (st < 0)
			unknown = true;
		else if (st)
			named = true;
		if (st == 1 && (!strcmp(name, "obj") || !strcmp(name, "lib"))) {
			free(line);
			return RULE_BUILT;
		}
		if (st == 1) {	/* a part of NAME.o: built when NAME.o is */
			char *whole = xasprintf("%s.o", name);
			enum rule r = object_rule(u, mk, whole, off, offsz, depth + 1);

			free(whole);
			if (r == RULE_BUILT) {
				free(line);
				return r;
			}
			unknown |= r == RULE_UNKNOWN;
		}
		free(line);
	}
	return named && !unknown ? RULE_OFF : RULE_UNKNOWN;
}

/* The directory whose Makefile (or Kbuild file) builds path: its own, or the
 * nearest one above with one; NULL without the tree or when none has. */
static char *owning_dir(const struct kernel_units *u, const char *path)
{
	char *dir = path_dirname(path);

	while (u->src && strcmp(dir, ".") && dir[0]) {
		char *up;

		if (owns_objects(u->src, dir))
			return dir;
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	return NULL;
}

char *units_rule_off(const struct kernel_units *u, const char *path)
{
	char *dir = owning_dir(u, path), *mk = dir ? makefile_text(u->src, dir) : NULL;
	char *obj, *why = NULL, off[128] = "";

	if (!mk || !str_ends(path, ".c") || !u->config.n) {
		free(mk);
		free(dir);
		return NULL;
	}
	obj = xstrdup(path + strlen(dir) + 1);	/* relative to the Makefile's directory */
	obj[strlen(obj) - 1] = 'o';
	if (object_rule(u, mk, obj, off, sizeof(off), 0) == RULE_OFF && off[0])
		why = xasprintf("%s's Makefile makes %s only with %s, which its .config does not set",
				dir, obj, off);
	free(obj);
	free(mk);
	free(dir);
	return why;
}

bool units_maybe_module(const struct kernel_units *u, const char *path)
{
	char *dir = path_dirname(path), *off;
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
	/* a module of the directory, but kbuild's rule leaves this file out */
	if (yes && (off = units_rule_off(u, path))) {
		free(off);
		yes = false;
	}
	return yes;
}

void units_free(struct kernel_units *u)
{
	strset_free(&u->vmlinux);
	strset_free(&u->moddirs);
	strset_free(&u->config);
	free(u->src);
	u->src = NULL;
}
