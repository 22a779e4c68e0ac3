/*
 * The target's modules in the guest. Unpacking ~90 MB of modules from the
 * initramfs costs ~0.6 s of every boot under TCG (and as much RAM), so the
 * tree goes into an ext4 image, built once per target, that the guest
 * mounts read-only at /lib/modules/<release> from a virtio disk. The few
 * modules that reach the disk (virtio_pci, virtio_blk and what they depend
 * on) ride in the initramfs.
 */
#ifndef LPATCH_VM_MODIMAGE_H
#define LPATCH_VM_MODIMAGE_H

#include "target/target.h"

#include <stddef.h>

/* Path of the target's modules image in its cache directory, built if
 * missing or older than modules.dep. NULL with an error. */
char *modimage_get(const struct kernel_target *t);

/*
 * The .ko files (paths relative to the modules tree) to insmod, in order,
 * before the guest can see the modules disk; built-in drivers are skipped.
 * NULL-terminated list (possibly empty), or NULL with an error.
 */
char **modimage_disk_modules(const struct kernel_target *t);

#endif
