/*
 * The livepatch module: the differ's objects, plus a generated C file that
 * declares the klp_patch / klp_object / klp_func structures, linked by
 * kbuild against the target's headers, then converted (klp_convert.c).
 */
#include "klp/module.h"

#include "diff/author.h"
#include "klp/relocs.h"
#include "util/tool.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* Name of the global alias the generated C file uses for a new function. */
static char *alias(size_t part, size_t item)
{
	return xasprintf(KLP_ALIAS_NEW "%zu_%zu", part, item);
}

static bool same_obj(const struct klp_part *a, const struct klp_part *b);
static bool first_of_object(const struct klp_part *parts, size_t i);

/* Which callbacks each part declares (lpatch.h), by diff_callback_kind. */
typedef bool part_callbacks[DIFF_CB_KINDS];

/* Name of the global alias the generated C file uses for a callback. */
static char *cb_alias(size_t part, enum diff_callback_kind k)
{
	return xasprintf(KLP_ALIAS_CB "%zu_%s", part, diff_callback_field(k));
}

/* Give each callback the part declares a global alias too. */
static int alias_callbacks(struct klp_part *p, size_t idx, part_callbacks cbs)
{
	for (int k = 0; k < DIFF_CB_KINDS; k++) {
		bool err = false;
		struct symbol *f = diff_callback(p->diff->out, k, p->source, &err);
		char *a;

		if (err)
			return -1;
		if (!f)
			continue;
		a = cb_alias(idx, k);
		elf_add_symbol(p->diff->out, a, STT_FUNC, STB_GLOBAL, f->sec, 0, f->s.st_value,
			       f->s.st_size);
		free(a);
		cbs[k] = true;
	}
	return 0;
}

/* At most one callback of a kind per klp_object, whichever file declares it. */
static int check_callbacks(const struct klp_part *parts, size_t n, const part_callbacks *cbs)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			for (int k = 0; k < DIFF_CB_KINDS; k++)
				if (cbs[i][k] && cbs[j][k] && same_obj(&parts[i], &parts[j])) {
					lp_err("%s and %s both declare a %s callback for %s: a "
					       "livepatch object has one of each kind", parts[i].source,
					       parts[j].source, diff_callback_field(k), parts[i].objname);
					lp_hint("call one function from the other and declare one callback");
					return -1;
				}
	return 0;
}

static bool is_module(const struct klp_part *p)
{
	return strcmp(p->objname, "vmlinux") != 0;
}

/* The author's callback of kind k for the object whose first part is
 * first (at most one: check_callbacks), or NULL. */
static char *user_callback(const struct klp_part *parts, size_t n, size_t first,
			   const part_callbacks *cbs, enum diff_callback_kind k)
{
	for (size_t j = first; j < n; j++)
		if (cbs[j][k] && same_obj(&parts[first], &parts[j]))
			return cb_alias(j, k);
	return NULL;
}

/* The generated wrapper of a module object's callback of kind k. */
static char *wrapper_name(size_t first, enum diff_callback_kind k)
{
	return xasprintf("lpatch_%s_%zu", diff_callback_field(k), first);
}

/* What the klp_object's callback of kind k is, or NULL. A module object's
 * post-unpatch clears its livepatch relocations (klp_relocs.c), after the
 * author's own when there is one; its pre-patch does when the author's
 * refuses (callback_wrappers). */
static char *object_callback(const struct klp_part *parts, size_t n, size_t first,
			     const part_callbacks *cbs, enum diff_callback_kind k)
{
	char *user = user_callback(parts, n, first, cbs, k);
	bool wrapped = k == DIFF_CB_PRE_PATCH || k == DIFF_CB_POST_UNPATCH;

	if (!is_module(&parts[first]) || !wrapped)
		return user;
	if (user) {
		free(user);
		return wrapper_name(first, k);
	}
	return k == DIFF_CB_POST_UNPATCH ? xstrdup("lpatch_clear_relocs") : NULL;
}

/* .callbacks = { ... } of the klp_object whose first part is first */
static void callbacks_init(struct strbuf *sb, const struct klp_part *parts, size_t n, size_t first,
			   const part_callbacks *cbs)
{
	bool any = false;

	for (int k = 0; k < DIFF_CB_KINDS; k++) {
		char *a = object_callback(parts, n, first, cbs, k);

		if (!a)
			continue;
		sb_addf(sb, "%s.%s = %s", any ? ", " : ", .callbacks = { ", diff_callback_field(k), a);
		free(a);
		any = true;
	}
	if (any)
		sb_add(sb, " }");
}

/* A module object's wrappers: around the author's post-unpatch callback,
 * to clear the relocations after it; and around the author's pre-patch
 * callback, to clear them when it refuses the coming module: 6.1 has
 * already written the object's relocations then and never runs
 * post-unpatch, so the next load of that module would fail ("existing
 * value is nonzero") instead of asking the callback again. */
static void callback_wrappers(struct strbuf *sb, const struct klp_part *parts, size_t n,
			      const part_callbacks *cbs)
{
	bool declared = false;

	for (size_t i = 0; i < n; i++) {
		char *post, *pre, *w;

		if (!first_of_object(parts, i) || !is_module(&parts[i]))
			continue;
		if (!declared)
			sb_add(sb, "extern void lpatch_clear_relocs(struct klp_object *);\n");
		declared = true;
		if ((post = user_callback(parts, n, i, cbs, DIFF_CB_POST_UNPATCH))) {
			w = wrapper_name(i, DIFF_CB_POST_UNPATCH);
			sb_addf(sb, "static void %s(struct klp_object *obj)\n"
				    "{\n\t%s(obj);\n\tlpatch_clear_relocs(obj);\n}\n", w, post);
			free(w);
		}
		if ((pre = user_callback(parts, n, i, cbs, DIFF_CB_PRE_PATCH))) {
			w = wrapper_name(i, DIFF_CB_PRE_PATCH);
			sb_addf(sb, "static int %s(struct klp_object *obj)\n"
				    "{\n\tint ret = %s(obj);\n\n"
				    "\tif (ret)\n\t\tlpatch_clear_relocs(obj);\n\treturn ret;\n}\n",
				w, pre);
			free(w);
		}
		free(post);
		free(pre);
	}
}

/* Give each replaced function a global alias the generated file can name. */
static int write_part(struct klp_part *p, size_t idx, const char *path, part_callbacks cbs)
{
	struct elf_file *out = p->diff->out;

	if (alias_callbacks(p, idx, cbs))
		return -1;

	for (size_t k = 0; k < p->diff->nitems; k++) {
		struct diff_item *it = &p->diff->items[k];
		struct symbol *f;
		char *a;

		if (it->kind != DIFF_CHANGED)
			continue;
		f = elf_find_symbol(out, it->name);
		if (!f || !f->sec) {
			lp_err("%s: the differ's output lacks function %s", p->source, it->name);
			return -1;
		}
		a = alias(idx, k);
		elf_add_symbol(out, a, STT_FUNC, STB_GLOBAL, f->sec, 0, f->s.st_value, f->s.st_size);
		free(a);
	}
	return elf_write(out, path);
}

static bool same_obj(const struct klp_part *a, const struct klp_part *b)
{
	return !strcmp(a->objname, b->objname);
}

/* Is parts[i] the first part for its object? One klp_object per object. */
static bool first_of_object(const struct klp_part *parts, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_obj(&parts[i], &parts[j]))
			return false;
	return true;
}

/* MODULE_IMPORT_NS for every namespace the parts' exports are in, written as
 * the MODULE_INFO it stands for (whose argument every kernel takes quoted). */
static void import_namespaces(struct strbuf *sb, const struct kernel_target *t,
			      struct klp_part *parts, size_t n)
{
	char **ns;
	size_t k = klp_namespaces(t->symvers, parts, n, &ns);

	for (size_t i = 0; i < k; i++) {
		sb_addf(sb, "MODULE_INFO(import_ns, \"%s\");\n", ns[i]);
		free(ns[i]);
	}
	free(ns);
}

static char *stub_source(const struct kernel_target *t, struct klp_part *parts, size_t n,
			 const struct klp_meta *m, const part_callbacks *cbs)
{
	struct strbuf sb = {0};

	sb_add(&sb, "// Generated by lpatch: the livepatch structures of this module.\n"
		    "#include <linux/module.h>\n#include <linux/kernel.h>\n"
		    "#include <linux/livepatch.h>\n\n");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < parts[i].diff->nitems; k++)
			if (parts[i].diff->items[k].kind == DIFF_CHANGED) {
				char *a = alias(i, k);
				sb_addf(&sb, "extern void %s(void);\n", a);
				free(a);
			}
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < DIFF_CB_KINDS; k++) {
			char *a;
			if (!cbs[i][k])
				continue;
			a = cb_alias(i, k);
			sb_addf(&sb, "extern %s %s(struct klp_object *);\n",
				k == DIFF_CB_PRE_PATCH ? "int" : "void", a);
			free(a);
		}
	callback_wrappers(&sb, parts, n, cbs);
	/* one klp_object per patched object, gathering every part for it */
	for (size_t i = 0; i < n; i++) {
		if (!first_of_object(parts, i))
			continue;
		sb_addf(&sb, "\nstatic struct klp_func lpatch_funcs_%zu[] = {\n", i);
		for (size_t j = i; j < n; j++) {
			if (!same_obj(&parts[i], &parts[j]))
				continue;
			for (size_t k = 0; k < parts[j].diff->nitems; k++) {
				struct diff_item *it = &parts[j].diff->items[k];
				char *a;
				if (it->kind != DIFF_CHANGED)
					continue;
				a = alias(j, k);
				sb_add(&sb, "\t{ .old_name = ");
				klp_c_string(&sb, it->name);
				sb_addf(&sb, ", .new_func = %s, .old_sympos = %ld },\n", a, it->sympos);
				free(a);
			}
		}
		sb_add(&sb, "\t{ }\n};\n");
	}
	sb_add(&sb, "\nstatic struct klp_object lpatch_objs[] = {\n");
	for (size_t i = 0; i < n; i++) {
		if (!first_of_object(parts, i))
			continue;
		sb_add(&sb, "\t{ .name = ");
		if (strcmp(parts[i].objname, "vmlinux"))
			klp_c_string(&sb, parts[i].objname);
		else
			sb_add(&sb, "NULL");
		sb_addf(&sb, ", .funcs = lpatch_funcs_%zu", i);
		callbacks_init(&sb, parts, n, i, cbs);
		sb_add(&sb, " },\n");
	}
	sb_addf(&sb, "\t{ }\n};\n\n"
		     "static struct klp_patch lpatch_patch = {\n"
		     "\t.mod = THIS_MODULE,\n\t.objs = lpatch_objs,\n\t.replace = %s,\n};\n\n"
		     "static int __init lpatch_init(void)\n{\n\treturn klp_enable_patch(&lpatch_patch);\n}\n\n"
		     "static void __exit lpatch_exit(void)\n{\n}\n\n"
		     "module_init(lpatch_init);\nmodule_exit(lpatch_exit);\n"
		     "MODULE_LICENSE(\"GPL\");\nMODULE_INFO(livepatch, \"Y\");\n",
		m->replace ? "true" : "false");
	import_namespaces(&sb, t, parts, n);
	klp_meta_source(&sb, t, m);
	return sb_take(&sb);
}

static char *kbuild_file(const char *modname, size_t nparts, bool relocs)
{
	struct strbuf sb = {0};

	sb_addf(&sb, "obj-m := %s.o\n%s-y := lpatch-stub.o%s", modname, modname,
		relocs ? " lpatch-relocs.o" : "");
	for (size_t i = 0; i < nparts; i++)
		sb_addf(&sb, " lpatch-part%zu.o", i);
	sb_add(&sb, "\n");
	return sb_take(&sb);
}

int klp_module_build(const struct kernel_target *t, struct klp_part *parts, size_t nparts,
		     const struct klp_meta *m, const char *workdir, const char *out_ko)
{
	char *dir = path_join(workdir, "module"), *log = path_join(workdir, "kbuild.log");
	char *stub = NULL, *kb = NULL, *ko = NULL, *mflag = NULL;
	part_callbacks *cbs = xcalloc(nparts, sizeof(*cbs));
	bool relocs = false;
	int ret = -1, st;

	if (mkdir_p(dir))
		goto out;
	for (size_t i = 0; i < nparts; i++) {
		char *name = xasprintf("lpatch-part%zu.o", i), *p = path_join(dir, name);
		/* kbuild's modpost reads a .cmd file for every object it links */
		char *cmd = xasprintf("%s/.%s.cmd", dir, name);
		char *text = xasprintf("cmd_%s := written by lpatch from %s\n", p, parts[i].source);
		int r = write_part(&parts[i], i, p, cbs[i]) || write_file(cmd, text, strlen(text));
		free(name);
		free(p);
		free(cmd);
		free(text);
		if (r)
			goto out;
	}
	if (check_callbacks(parts, nparts, cbs))
		goto out;
	stub = stub_source(t, parts, nparts, m, cbs);
	for (size_t i = 0; i < nparts; i++)
		relocs |= is_module(&parts[i]);
	kb = kbuild_file(m->name, nparts, relocs);
	{
		char *sp = path_join(dir, "lpatch-stub.c"), *kp = path_join(dir, "Kbuild");
		char *rp = path_join(dir, "lpatch-relocs.c");
		const char *rsrc = klp_relocs_source();
		int r = write_file(sp, stub, strlen(stub)) || write_file(kp, kb, strlen(kb)) ||
			(relocs && write_file(rp, rsrc, strlen(rsrc)));
		free(sp);
		free(kp);
		free(rp);
		if (r)
			goto out;
	}
	lp_progress("linking %s.ko with kbuild against %s", m->name, t->headers);
	mflag = xasprintf("M=%s", dir);
	{
		const char *argv[] = { "make", "-C", t->headers, mflag, "KBUILD_MODPOST_WARN=1",
				       "modules", NULL };
		struct run_opts o = { .log = log, .no_stdin = true };

		/* the headers' tools are the target suite's: in its build root */
		target_run_opts(t, dir, &o);
		st = run(argv, &o);
	}
	if (st) {
		char *kept = tool_failed_log(log, 0, "kbuild-module");
		lp_err("kbuild could not link the module (make exited %d); the whole log: %s", st,
		       kept);
		free(kept);
		goto out;
	}
	ko = xasprintf("%s/%s.ko", dir, m->name);
	ret = klp_convert(ko, out_ko);
out:
	free(dir);
	free(log);
	free(stub);
	free(kb);
	free(ko);
	free(mflag);
	free(cbs);
	return ret;
}
