/* What the target builds: the source files of vmlinux, and where its modules come from. */
#ifndef LPATCH_KERNEL_UNITS_H
#define LPATCH_KERNEL_UNITS_H

#include "target/target.h"
#include "util/strset.h"

#include <stdbool.h>

struct kernel_units {
	struct strset vmlinux;	/* "fs/proc/cmdline.c": compile units of vmlinux (its DWARF) */
	struct strset moddirs;	/* "fs/xfs": directories the target's modules were built in */
	char *src;		/* the tree, to find which Makefile a file belongs to; may be NULL */
	struct strset config;	/* "CONFIG_SATA_AHCI": the options the tree's .config sets */
	/* the directories met walking up from files, each Makefile's rules read
	 * once (units.c; empty at first: a zeroed struct is ready) */
	struct units_dir **dirs;
	size_t ndirs, dircap;
};

/* Read both from the target's -dbg vmlinux and modules.dep. 0, or -1 with an error. */
int units_read(const struct kernel_target *t, struct kernel_units *u);
/* Is path (a .c of the tree) in vmlinux? Could it be in a module (a module
 * was built in the directory whose Makefile builds it: its own, or the
 * nearest one above with a Makefile or Kbuild file, as fs/xfs for
 * fs/xfs/libxfs/; without the tree, its directory or any above)? */
bool units_in_vmlinux(const struct kernel_units *u, const char *path);
bool units_maybe_module(struct kernel_units *u, const char *path);
/* When kbuild's rule in the Makefile that builds path (a .c of the tree)
 * surely leaves it out in this config, why ("drivers/ata/Makefile makes ahci.o
 * only with CONFIG_SATA_AHCI, which its .config does not set"); else NULL
 * (built, or not sure). Caller frees. units_maybe_module says no to such a file.
 * Both keep what they read of the tree's Makefiles in u, for the next file. */
char *units_rule_off(struct kernel_units *u, const char *path);
void units_free(struct kernel_units *u);

#endif
