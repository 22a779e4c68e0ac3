/* lpatch vm: a command on a target kernel in a throwaway qemu VM. */
#ifndef LPATCH_VM_VM_H
#define LPATCH_VM_VM_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes of lpatch vm besides the command's own status. */
#define VM_EXIT_VM_FAILED 124	/* no status came back: qemu failed, timeout, setup failed */
#define VM_EXIT_KERNEL 125	/* the kernel reported a problem (and the command exited 0,
				   or never finished because the kernel panicked) */

#define VM_DEFAULT_TIMEOUT 300
#define VM_DEFAULT_MEMORY 1024
#define VM_DEFAULT_CPUS 1

struct vm_opts {
	const char *target;	/* target spec: debian:cloud, debian:<release> */
	char **copies;		/* files put in the command's directory */
	size_t ncopies;
	unsigned timeout_s;
	unsigned memory_mb;
	unsigned cpus;
	const char *log;	/* keep the kernel console log here (NULL: don't) */
	const char *append;	/* more kernel command line, after lpatch's own (NULL: none) */
	bool secure_boot;	/* boot through UEFI Secure Boot: shim, grub, signed kernel */
	char **moks;		/* PEM certificates enrolled as Machine Owner Keys */
	size_t nmoks;
	char **argv;		/* the command, NULL-terminated */
};

/* Boot, run, report. Returns lpatch vm's exit code (see above). */
int vm_run(const struct vm_opts *o);

#endif
