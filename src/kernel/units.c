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

/*
 * Kbuild's rules for one object: lines "obj-$(CONFIG_SATA_AHCI) += ahci.o
 * libahci.o", "libata-$(CONFIG_SATA_PMP) += libata-pmp.o", "libata-y :=
 * ...", "obj-m += x.o". An object is built when some line names it under a
 * set option (or y, m, objs) and, for a part of a composite object
 * (libata-...), that object is built too. Only a sure answer counts: a
 * name written through other variables, or not found at all, is UNKNOWN,
 * and so is a Makefile this reading does not follow. Conditions around a
 * line (ifdef, ifeq) only ever take objects away: ignoring them never makes
 * a built object look unbuilt. Those that test one option for being set
 * ("ifdef CONFIG_X", "ifneq ($(CONFIG_X),)", "ifeq ($(CONFIG_X),y)", as
 * mlx5's "ifneq ($(CONFIG_MLX5_TC_CT),)" around en/tc_ct.o) are read: the
 * lines inside hold only with that option set; others, and else branches,
 * are ignored.
 */
enum rule { RULE_UNKNOWN, RULE_BUILT, RULE_OFF };

/* One assignment line of a Makefile, "NAME-COND op WORDS", read once. */
struct mk_rule {
	char *name;	/* "obj", "libata"; NULL: a form this reading does not follow */
	char *opt;	/* COND's "CONFIG_SATA_PMP", or NULL (y, m or objs) */
	char *words;	/* what it assigns */
	char *cond;	/* an option a surrounding ifdef/ifeq needs, unset in the
			 * config, or NULL */
};

/* A directory of the tree, as the walk up from a file meets it. */
struct units_dir {
	char *dir;		/* relative to the tree: "drivers/ata" */
	bool owns;		/* it has a Makefile or Kbuild file: it builds its files */
	bool read;		/* rules holds that file's assignments */
	struct mk_rule *rules;
	size_t nrules, rulecap;
};

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

/* line (changed in place) as a rule; false when it assigns nothing */
static bool parse_rule(char *line, struct mk_rule *r)
{
	char *lhs = line + strspn(line, " \t"), *op = strchr(lhs, '='), *cond;

	memset(r, 0, sizeof(*r));
	if (!op || *lhs == '#')
		return false;
	r->words = xstrdup(op + 1);
	if (op > lhs && strchr("+:?", op[-1]))
		op--;
	while (op > lhs && (op[-1] == ' ' || op[-1] == '\t'))
		op--;
	*op = '\0';
	if (strpbrk(lhs, " \t"))
		return true;
	if ((cond = strstr(lhs, "-$(CONFIG_"))) {
		char *opt = cond + 3;

		*cond = '\0';
		if (!str_ends(opt, ")") || strpbrk(opt, "$("))
			return true;
		opt[strlen(opt) - 1] = '\0';
		r->name = xstrdup(lhs);
		r->opt = xstrdup(opt);
		return true;
	}
	if (!(cond = strrchr(lhs, '-')) || cond == lhs || strchr(lhs, '$'))
		return true;
	*cond++ = '\0';
	if (!strcmp(cond, "y") || !strcmp(cond, "m") || !strcmp(cond, "objs"))
		r->name = xstrdup(lhs);
	return true;
}

/* The option a conditional line tests for being set ("ifdef CONFIG_X",
 * "ifneq ($(CONFIG_X),)", "ifeq ($(CONFIG_X),y)"), or NULL. */
static char *cond_option(const char *line)
{
	const char *p = NULL, *end;
	char *tail;

	if (str_starts(line, "ifdef ")) {
		p = line + 6 + strspn(line + 6, " \t");
		end = p + strcspn(p, " \t#");
		tail = (char *)end + strspn(end, " \t");
		if (!str_starts(p, "CONFIG_") || (*tail && *tail != '#'))
			return NULL;
		return xstrndup(p, (size_t)(end - p));
	}
	if (str_starts(line, "ifneq ($(CONFIG_"))
		p = line + 9;	/* past "ifneq ($(" */
	else if (str_starts(line, "ifeq ($(CONFIG_"))
		p = line + 8;	/* past "ifeq ($(" */
	if (!p || !(end = strchr(p, ')')))
		return NULL;
	/* what it is compared with: "" for ifneq, "y" for ifeq */
	tail = (char *)end + 1;
	if (!strncmp(line, "ifneq", 5) ? strncmp(tail, ",)", 2) : strncmp(tail, ",y)", 3))
		return NULL;
	return xstrndup(p, (size_t)(end - p));
}

static void read_rules(const struct kernel_units *u, struct units_dir *d)
{
	char *mk = makefile_text(u->src, d->dir);
	/* the conditions in force: an option each, NULL for one not read */
	char *conds[32];
	size_t depth = 0;

	d->read = true;
	for (char *l = mk; l && *l;) {
		size_t n = strcspn(l, "\n");
		char *line = xstrndup(l, n), *t = line + strspn(line, " \t");
		struct mk_rule r;

		if (str_starts(t, "ifdef ") || str_starts(t, "ifndef ") || str_starts(t, "ifeq ") ||
		    str_starts(t, "ifneq ") || str_starts(t, "ifeq(") || str_starts(t, "ifneq(")) {
			if (depth < sizeof(conds) / sizeof(*conds))
				conds[depth] = cond_option(t);
			depth++;
		} else if (str_starts(t, "else")) {
			if (depth && depth <= sizeof(conds) / sizeof(*conds)) {
				free(conds[depth - 1]);
				conds[depth - 1] = NULL;
			}
		} else if (str_starts(t, "endif")) {
			if (depth && depth <= sizeof(conds) / sizeof(*conds))
				free(conds[depth - 1]);
			depth -= depth > 0;
		} else if (parse_rule(line, &r)) {
			for (size_t k = 0; k < depth && k < sizeof(conds) / sizeof(*conds); k++)
				if (conds[k] && !strset_has(&u->config, conds[k])) {
					r.cond = xstrdup(conds[k]);
					break;
				}
			*ARRAY_PUSH(d->rules, d->nrules, d->rulecap) = r;
		}
		free(line);
		l += n;
		l += *l == '\n';
	}
	for (size_t k = 0; k < depth && k < sizeof(conds) / sizeof(*conds); k++)
		free(conds[k]);
	free(mk);
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

/* Whether rule r, which names obj, holds: 1, 2 named but off (its option
 * written into off, size offsz, when off is still empty), -1 a form this
 * reading does not follow. */
static int rule_holds(const struct kernel_units *u, const struct mk_rule *r, char *off, size_t offsz)
{
	const char *unset;

	if (!r->name)
		return -1;
	unset = r->opt && !strset_has(&u->config, r->opt) ? r->opt : r->cond;
	if (!unset)
		return 1;
	if (!*off)
		snprintf(off, offsz, "%s", unset);
	return 2;
}

static enum rule object_rule(const struct kernel_units *u, const struct units_dir *d,
			     const char *obj, char *off, size_t offsz, int depth)
{
	bool named = false, unknown = depth > 4;

	for (size_t i = 0; i < d->nrules && !unknown; i++) {
		const struct mk_rule *r = &d->rules[i];
		int st = word_in(r->words, obj) ? rule_holds(u, r, off, offsz) : 0;

		if (st < 0)
			unknown = true;
		else if (st)
			named = true;
		if (st == 1 && (!strcmp(r->name, "obj") || !strcmp(r->name, "lib")))
			return RULE_BUILT;
		if (st == 1) {	/* a part of NAME.o: built when NAME.o is */
			char *whole = xasprintf("%s.o", r->name);
			enum rule sub = object_rule(u, d, whole, off, offsz, depth + 1);

			free(whole);
			if (sub == RULE_BUILT)
				return sub;
			unknown |= sub == RULE_UNKNOWN;
		}
	}
	return named && !unknown ? RULE_OFF : RULE_UNKNOWN;
}

/* dir's entry, made (is there a Makefile or Kbuild file?) on first use */
static struct units_dir *dir_entry(struct kernel_units *u, const char *dir)
{
	struct units_dir *d;
	char *mk, *kb;

	for (size_t i = 0; i < u->ndirs; i++)
		if (!strcmp(u->dirs[i]->dir, dir))
			return u->dirs[i];
	d = xcalloc(1, sizeof(*d));
	d->dir = xstrdup(dir);
	mk = xasprintf("%s/%s/Makefile", u->src, dir);
	kb = xasprintf("%s/%s/Kbuild", u->src, dir);
	d->owns = path_exists(mk) || path_exists(kb);
	free(mk);
	free(kb);
	*ARRAY_PUSH(u->dirs, u->ndirs, u->dircap) = d;
	return d;
}

/*
 * Up from path's directory to the one whose Makefile (or Kbuild file)
 * builds path: its own, or the nearest one above with one; NULL without the
 * tree or when none has. *module (when asked): a module was built in one of
 * the directories on the way, that one included (without the tree: in any
 * directory above path). A directory with a Makefile of its own builds its
 * files: a module above it (fs/binfmt_misc.ko for fs/ocfs2/) is not made of them.
 */
static struct units_dir *owner_dir(struct kernel_units *u, const char *path, bool *module)
{
	char *dir = path_dirname(path);
	struct units_dir *found = NULL;

	if (module)
		*module = false;
	while (!found && strcmp(dir, ".") && dir[0]) {
		struct units_dir *d = u->src ? dir_entry(u, dir) : NULL;
		char *up;

		if (module && strset_has(&u->moddirs, dir))
			*module = true;
		if (d && d->owns)
			found = d;
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	return found;
}

/* units_rule_off with the directory that builds path found (or NULL) */
static char *rule_off(struct kernel_units *u, struct units_dir *d, const char *path)
{
	char *obj, *why = NULL, off[128] = "";

	if (!d || !str_ends(path, ".c") || !u->config.n)
		return NULL;
	if (!d->read)
		read_rules(u, d);
	if (!d->nrules)
		return NULL;
	obj = xstrdup(path + strlen(d->dir) + 1);	/* relative to the Makefile's directory */
	obj[strlen(obj) - 1] = 'o';
	if (object_rule(u, d, obj, off, sizeof(off), 0) == RULE_OFF && off[0])
		why = xasprintf("%s's Makefile makes %s only with %s, which its .config does not set",
				d->dir, obj, off);
	free(obj);
	return why;
}

char *units_rule_off(struct kernel_units *u, const char *path)
{
	return rule_off(u, owner_dir(u, path, NULL), path);
}

bool units_maybe_module(struct kernel_units *u, const char *path)
{
	bool yes;
	struct units_dir *d = owner_dir(u, path, &yes);
	char *off;

	/* a module of the directory, but kbuild's rule leaves this file out */
	if (yes && (off = rule_off(u, d, path))) {
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
	for (size_t i = 0; i < u->ndirs; i++) {
		struct units_dir *d = u->dirs[i];

		for (size_t j = 0; j < d->nrules; j++) {
			free(d->rules[j].name);
			free(d->rules[j].opt);
			free(d->rules[j].words);
			free(d->rules[j].cond);
		}
		free(d->rules);
		free(d->dir);
		free(d);
	}
	free(u->dirs);
	u->dirs = NULL;
	u->ndirs = u->dircap = 0;
	free(u->src);
	u->src = NULL;
}
