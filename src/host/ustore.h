/*
 * Installed process patches (`lpatch install --user`, docs/user-install.md):
 * ROOT/user/NAME.lpatch, the start-up hook ROOT/user/liblpatch-preload.so,
 * and ROOT/user/index, which the hook reads in every process that starts:
 *
 *     lpatch-user-index 1
 *     lpatch /usr/lib/lpatch/lpatch-hook   (run as PATH hook-apply PID FILE...)
 *     patch NAME BUILD-ID OBJECT          (one line per patch, oldest first)
 *
 * The hook is named in /etc/ld.so.preload while any patch is installed.
 * Every file is written atomically and durably (fsync, rename, fsync of the
 * directory); the index is the commit point of an install or uninstall.
 */
#ifndef LPATCH_HOST_USTORE_H
#define LPATCH_HOST_USTORE_H

#include <stddef.h>

#define USTORE_INDEX_MAGIC "lpatch-user-index 1"
#define USTORE_HOOK "liblpatch-preload.so"
/* What the hook runs: `lpatch-hook hook-apply PID FILE...` (src/main_hook.c). */
#define USTORE_HOOK_APPLY "lpatch-hook"
/* Where the resident service listens (`lpatch-hook serve`, src/cli/hookd.c): ROOT/user/hook.sock. */
#define USTORE_SOCKET "hook.sock"
#define LD_SO_PRELOAD "/etc/ld.so.preload"

struct ustore_entry {
	char *name;		/* the patch's name */
	char *build_id;		/* of its target object (hex) */
	char *object;		/* the target object's file name */
};

struct ustore {
	char *lpatch;		/* the lpatch the hook runs */
	struct ustore_entry *e;
	size_t n, cap;
};

/* ROOT/user; caller frees. */
char *ustore_dir(const char *root);
/* ROOT/user/NAME.lpatch; caller frees. */
char *ustore_patch_path(const char *root, const char *name);
/* The index (empty when none is installed); -1 with an error printed if unreadable. */
int ustore_read(const char *root, struct ustore *st);
void ustore_free(struct ustore *st);
/*
 * Install patch file as e->name, replacing one of that name: the file, the
 * hook library hook_lib, the index naming lpatch_exe, the line in
 * /etc/ld.so.preload. *dest: the installed file (caller frees). An exit code.
 */
int ustore_install(const char *root, const char *file, const struct ustore_entry *e,
		   const char *lpatch_exe, const char *hook_lib, char **dest);
/* Remove patch name; the preload line goes with the last one. An exit code
 * (LP_EXIT_REFUSED: not installed). */
int ustore_remove(const char *root, const char *name);
/* The hook library lpatch installs: $LPATCH_PRELOAD_LIB, else beside the
 * lpatch executable (build/ of a source tree, or PREFIX/lib/lpatch). NULL with
 * an error printed when none is found. Caller frees. */
char *ustore_find_hook(void);
/* The program the hook runs, for the index's "lpatch" line: lpatch-hook beside
 * the lpatch executable exe (as for the hook), else exe itself. Caller frees. */
char *ustore_find_hook_apply(const char *exe);

#endif
