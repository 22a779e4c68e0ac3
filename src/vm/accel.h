/*
 * KVM or TCG. On some machines /dev/kvm opens but a KVM guest hangs (seen:
 * nested virtualization that faults on MSR 0x10a), so KVM is used only
 * after a bounded probe boot of the target kernel succeeded. The verdict is
 * cached per host kernel, qemu binary and target release.
 * LPATCH_VM_ACCEL=tcg|kvm skips the probe.
 */
#ifndef LPATCH_VM_ACCEL_H
#define LPATCH_VM_ACCEL_H

#include "target/target.h"
#include "vm/qemu.h"

enum vm_accel accel_choose(const struct kernel_target *t);
const char *accel_name(enum vm_accel a);

#endif
