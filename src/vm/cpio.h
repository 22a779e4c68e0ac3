/*
 * Writing "newc" cpio archives, the format the kernel unpacks as an
 * initramfs. Parent directories of every entry are added on the way, since
 * the kernel's unpacker does not create missing ones.
 */
#ifndef LPATCH_VM_CPIO_H
#define LPATCH_VM_CPIO_H

#include <stddef.h>
#include <stdio.h>

struct cpio_out {
	FILE *f;
	char *path;		/* for messages */
	unsigned ino;
	char **dirs;		/* directories already in the archive */
	size_t ndirs, dircap;
	int err;		/* a write failed: cpio_finish reports it */
};

/* Start an archive at path (a temporary file: the caller commits it). */
int cpio_begin(struct cpio_out *c, const char *path);
/* Entries: name is the path inside the archive, without a leading slash. */
void cpio_dir(struct cpio_out *c, const char *name);
void cpio_data(struct cpio_out *c, const char *name, unsigned mode, const void *data, size_t len);
/* A copy of the host file at from (symlinks followed); -1 with an error if unreadable. */
int cpio_file(struct cpio_out *c, const char *name, unsigned mode, const char *from);
void cpio_symlink(struct cpio_out *c, const char *name, const char *target);
void cpio_chardev(struct cpio_out *c, const char *name, unsigned major, unsigned minor);
/* Write the trailer and close; 0, or -1 with an error naming the file. */
int cpio_finish(struct cpio_out *c);
/* Close without a trailer (on an error path). */
void cpio_discard(struct cpio_out *c);

#endif
