/*
 * Booting the guest the way a Secure Boot machine boots: OVMF firmware with
 * Microsoft's keys enrolled and Secure Boot on, Debian's signed shim and
 * grub on an EFI system partition, the target's signed kernel, and Machine
 * Owner Keys enrolled ahead of time in the firmware's variable store.
 */
#ifndef LPATCH_VM_EFI_H
#define LPATCH_VM_EFI_H

#include "target/target.h"

#include <stddef.h>

struct efi_boot {
	char *code;	/* firmware code (read-only pflash) */
	char *vars;	/* this run's copy of the variable store */
	char *esp;	/* directory qemu shows the guest as a FAT disk */
};

/*
 * Prepare everything under dir: the ESP (shim as the removable-media boot
 * loader, grub beside it with a grub.cfg that boots the signed kernel of t
 * with initrd and cmdline) and a variable store with each of moks (PEM
 * certificates) in MokList. 0, or -1 with an error saying what is missing
 * and how to get it.
 */
int efi_boot_prepare(const struct kernel_target *t, const char *dir, const char *initrd,
		     const char *cmdline, char *const *moks, size_t nmoks, struct efi_boot *out);
void efi_boot_free(struct efi_boot *b);

#endif
