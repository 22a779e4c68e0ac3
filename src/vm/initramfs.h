/* The per-run initramfs: busybox, lpatch, the /init script, the --copy files. */
#ifndef LPATCH_VM_INITRAMFS_H
#define LPATCH_VM_INITRAMFS_H

#include <stddef.h>

struct initramfs_spec {
	const char *busybox;		/* static busybox on the host */
	const char *release;		/* the target's uname -r */
	const char *modules;		/* the target's modules tree on the host */
	char *const *disk_modules;	/* .ko paths relative to modules, in load order */
	char *const *copies;		/* host files put in the command's directory */
	size_t ncopies;
	char *const *argv;		/* the command */
};

/* Write the archive to path; 0, or -1 with an error naming what failed. */
int initramfs_write(const char *path, const struct initramfs_spec *s);

#endif
