/* Running qemu: its command line, and a bounded run that relays the guest's output. */
#ifndef LPATCH_VM_QEMU_H
#define LPATCH_VM_QEMU_H

#include <stdbool.h>

#define QEMU_PROGRAM "qemu-system-x86_64"

enum vm_accel { ACCEL_TCG, ACCEL_KVM };

struct qemu_config {
	enum vm_accel accel;
	const char *kernel, *initrd;
	const char *disk;		/* read-only virtio disk, or NULL */
	const char *append;		/* kernel command line */
	unsigned memory_mb, cpus;
	const char *console;		/* file for ttyS0 (kernel console) */
	bool relay;			/* ttyS1/ttyS2 to our stdout/stderr */
	const char *status;		/* file for ttyS3, or NULL */
	/* UEFI with Secure Boot instead of -kernel: the firmware's code and
	 * variable store (pflash) and a directory shown as a FAT disk (the
	 * ESP, after disk); kernel, initrd and append are then unused */
	const char *efi_code, *efi_vars, *esp;
};

/* The qemu command line; free with qemu_argv_free. */
char **qemu_argv(const struct qemu_config *q);
void qemu_argv_free(char **argv);

struct qemu_result {
	int status;		/* qemu's exit status (128+N: signal N); -1 if it never ran */
	bool timed_out;
	bool interrupted;	/* we got SIGINT/SIGTERM and stopped qemu */
	double seconds;
};

/*
 * Run qemu for at most timeout_s seconds (then it is killed). With relay,
 * the guest's ttyS1 and ttyS2 are copied live to our stdout and stderr.
 * qemu's own messages go to log. 0 when qemu ran (see r), -1 if it could
 * not be started (error printed).
 */
int qemu_run(char **argv, bool relay, double timeout_s, const char *log, struct qemu_result *r);

#endif
