/* The store of installed process patches, and the line that hooks them into new processes. */
#include "host/ustore.h"

#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *ustore_dir(const char *root)
{
	return path_join(root, "user");
}

char *ustore_patch_path(const char *root, const char *name)
{
	char *dir = ustore_dir(root), *file = xasprintf("%s.lpatch", name), *p = path_join(dir, file);

	free(dir);
	free(file);
	return p;
}

static void entry_free(struct ustore_entry *e)
{
	free(e->name);
	free(e->build_id);
	free(e->object);
}

void ustore_free(struct ustore *st)
{
	for (size_t i = 0; i < st->n; i++)
		entry_free(&st->e[i]);
	free(st->e);
	free(st->lpatch);
	memset(st, 0, sizeof(*st));
}

int ustore_read(const char *root, struct ustore *st)
{
	char *dir = ustore_dir(root), *path = path_join(dir, "index"), *buf, *line, *save = NULL;
	size_t len;

	memset(st, 0, sizeof(*st));
	buf = read_file_quiet(path, &len);
	if (!buf) {
		int err = errno;
		if (err != ENOENT) {
			errno = err;
			lp_perr("cannot read the index of installed process patches %s", path);
		}
		free(dir);
		free(path);
		return err == ENOENT ? 0 : -1;
	}
	if (strncmp(buf, USTORE_INDEX_MAGIC "\n", strlen(USTORE_INDEX_MAGIC) + 1)) {
		lp_err("%s is not an index of installed process patches (no '%s' line)", path,
		       USTORE_INDEX_MAGIC);
		lp_hint("remove it and install the patches again");
		free(buf);
		free(dir);
		free(path);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char a[4096], b[4096], c[4096], d[4096];
		int k = sscanf(line, "%4095s %4095s %4095s %4095s", a, b, c, d);

		if (k == 2 && !strcmp(a, "lpatch")) {
			free(st->lpatch);
			st->lpatch = xstrdup(b);
		} else if (k == 4 && !strcmp(a, "patch")) {
			*ARRAY_PUSH(st->e, st->n, st->cap) =
				(struct ustore_entry){ xstrdup(b), xstrdup(c), xstrdup(d) };
		}
	}
	free(buf);
	free(dir);
	free(path);
	return 0;
}

static int write_index(const char *dir, const struct ustore *st)
{
	char *path = path_join(dir, "index");
	struct strbuf sb = { 0 };
	struct atomic_out out;
	int rc = -1;

	sb_addf(&sb, "%s\nlpatch %s\n", USTORE_INDEX_MAGIC, st->lpatch);
	for (size_t i = 0; i < st->n; i++)
		sb_addf(&sb, "patch %s %s %s\n", st->e[i].name, st->e[i].build_id, st->e[i].object);
	if (!atomic_begin(&out, path)) {
		if (write_file(out.tmp, sb.buf, sb.len) || atomic_commit(&out))
			atomic_abort(&out);
		else
			rc = 0;
	}
	sb_free(&sb);
	free(path);
	return rc;
}

/*
 * /etc/ld.so.preload with lib added (add) or taken out: the other entries
 * are kept as they are; written atomically, removed when nothing is left.
 */
static int preload_edit(const char *lib, bool add)
{
	size_t len = 0;
	char *old = read_file_quiet(LD_SO_PRELOAD, &len), *line, *save = NULL;
	struct strbuf sb = { 0 };
	bool present = false, others = false;
	struct atomic_out out;
	int rc = -1;

	if (!old && errno != ENOENT) {
		lp_perr("cannot read %s", LD_SO_PRELOAD);
		return -1;
	}
	for (line = old ? strtok_r(old, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char word[4096];

		if (sscanf(line, "%4095s", word) == 1 && !strcmp(word, lib)) {
			present = true;
			if (!add)
				continue;
		}
		others |= !(sscanf(line, "%4095s", word) == 1 && !strcmp(word, lib));
		sb_addf(&sb, "%s\n", line);
	}
	if (add == present) {
		rc = 0;	/* nothing to change */
	} else if (!add && !others) {
		rc = unlink(LD_SO_PRELOAD) && errno != ENOENT ? -1 : 0;
		if (rc)
			lp_perr("cannot remove %s", LD_SO_PRELOAD);
		else
			rc = fsync_path("/etc");
	} else {
		if (add)
			sb_addf(&sb, "%s\n", lib);
		if (!atomic_begin(&out, LD_SO_PRELOAD)) {
			if (write_file(out.tmp, sb.buf ? sb.buf : "", sb.len) || atomic_commit(&out))
				atomic_abort(&out);
			else
				rc = 0;
		}
	}
	free(old);
	sb_free(&sb);
	return rc;
}

static bool word_ok(const char *what, const char *s)
{
	if (*s && !strpbrk(s, " \t\n"))
		return true;
	lp_err("cannot install a patch whose %s '%s' is empty or has white space", what, s);
	return false;
}

int ustore_install(const char *root, const char *file, const struct ustore_entry *e,
		   const char *lpatch_exe, const char *hook_lib, char **dest)
{
	char *dir = ustore_dir(root), *lock = NULL, *hook = NULL;
	char *path = ustore_patch_path(root, e->name);
	struct ustore st = { 0 };
	size_t i;
	int fd = -1, rc = LP_EXIT_FAIL;

	*dest = NULL;
	if (!word_ok("name", e->name) || !word_ok("build-id", e->build_id) ||
	    !word_ok("object", e->object) || !word_ok("lpatch path", lpatch_exe)) {
		rc = LP_EXIT_REFUSED;
		goto out;
	}
	if (mkdir_p(dir))
		goto out;
	lock = path_join(dir, ".lock");
	if ((fd = lock_path(lock, "the store of process patches")) < 0 || ustore_read(root, &st))
		goto out;
	/* the patch and the hook first, the index last: it commits the install */
	hook = path_join(dir, USTORE_HOOK);
	if (atomic_install(file, path, 0644) || atomic_install(hook_lib, hook, 0644))
		goto out;
	for (i = 0; i < st.n && strcmp(st.e[i].name, e->name); i++)
		;
	if (i == st.n)
		ARRAY_PUSH(st.e, st.n, st.cap);
	else
		entry_free(&st.e[i]);	/* replaced, at its place in the order */
	st.e[i] = (struct ustore_entry){ xstrdup(e->name), xstrdup(e->build_id), xstrdup(e->object) };
	free(st.lpatch);
	st.lpatch = xstrdup(lpatch_exe);
	if (write_index(dir, &st) || preload_edit(hook, true))
		goto out;
	*dest = path;
	path = NULL;
	rc = LP_EXIT_OK;
out:
	if (fd >= 0)
		unlock_path(fd);
	ustore_free(&st);
	free(hook);
	free(lock);
	free(path);
	free(dir);
	return rc;
}

int ustore_remove(const char *root, const char *name)
{
	char *dir = ustore_dir(root), *lock = path_join(dir, ".lock"), *hook = path_join(dir, USTORE_HOOK);
	char *path = ustore_patch_path(root, name);
	struct ustore st = { 0 };
	size_t i;
	int fd = -1, rc = LP_EXIT_FAIL;

	if (!path_is_dir(dir)) {
		lp_err("no process patch %s is installed (no store %s)", name, dir);
		lp_hint("`lpatch list` shows the installed patches");
		rc = LP_EXIT_REFUSED;
		goto out;
	}
	if ((fd = lock_path(lock, "the store of process patches")) < 0 || ustore_read(root, &st))
		goto out;
	for (i = 0; i < st.n && strcmp(st.e[i].name, name); i++)
		;
	if (i == st.n) {
		lp_err("no process patch %s is installed (in %s)", name, dir);
		lp_hint("`lpatch list` shows the installed patches");
		rc = LP_EXIT_REFUSED;
		goto out;
	}
	entry_free(&st.e[i]);
	memmove(&st.e[i], &st.e[i + 1], (st.n - i - 1) * sizeof(*st.e));
	st.n--;
	/* the index first: from then on no process starts with the patch */
	if (write_index(dir, &st) || (!st.n && preload_edit(hook, false)))
		goto out;
	if (unlink(path) && errno != ENOENT) {
		lp_perr("cannot remove %s", path);
		goto out;
	}
	if (fsync_path(dir))
		goto out;
	rc = LP_EXIT_OK;
out:
	if (fd >= 0)
		unlock_path(fd);
	ustore_free(&st);
	free(path);
	free(hook);
	free(lock);
	free(dir);
	return rc;
}

/* name in build/ or ../lib/lpatch/ beside the lpatch executable (exe), or NULL */
static char *beside_lpatch(const char *exe, const char *name)
{
	char *bindir = exe ? path_dirname(exe) : NULL, *found = NULL;
	const char *rel[] = { "build/", "../lib/lpatch/" };

	for (size_t i = 0; bindir && i < sizeof(rel) / sizeof(rel[0]) && !found; i++) {
		char *file = xasprintf("%s%s", rel[i], name), *p = path_join(bindir, file);

		free(file);
		if (path_exists(p))
			found = p;
		else
			free(p);
	}
	free(bindir);
	return found;
}

char *ustore_find_hook(void)
{
	const char *env = getenv("LPATCH_PRELOAD_LIB");
	char *exe = path_self_exe(), *found = NULL;

	if (env && *env) {
		found = path_exists(env) ? xstrdup(env) : NULL;
		if (!found)
			lp_err("LPATCH_PRELOAD_LIB names %s, which does not exist", env);
		goto out;
	}
	found = beside_lpatch(exe, USTORE_HOOK);
	if (!found) {
		lp_err("cannot find the start-up hook %s beside %s (in build/ or ../lib/lpatch/)",
		       USTORE_HOOK, exe ? exe : "lpatch");
		lp_hint("build it (make) or install it (make install), or name it in LPATCH_PRELOAD_LIB");
	}
out:
	free(exe);
	return found;
}

char *ustore_find_hook_apply(const char *exe)
{
	char *found = beside_lpatch(exe, USTORE_HOOK_APPLY);

	if (!found) {
		lp_debug("no %s beside %s: the start-up hook will run lpatch itself (slower)",
			 USTORE_HOOK_APPLY, exe);
		found = xstrdup(exe);
	}
	return found;
}
