/* lpatch vm: run a command on a target kernel in a throwaway qemu VM. */
#include "cli/cli.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "vm/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(void)
{
	printf("usage: lpatch vm --target SPEC [--copy FILE]... [--timeout SEC] [--memory MB]\n"
	       "                 [--cpus N] [--log FILE] [--append ARGS]\n"
	       "                 [--secure-boot [--mok CERT]...] -- COMMAND [ARG]...\n\n"
	       "Boot the target kernel in qemu with a small busybox initramfs and run COMMAND\n"
	       "as root in a directory holding the --copy files. The guest has /proc, /sys,\n"
	       "/dev and debugfs (/sys/kernel/debug) mounted, busybox and lpatch on PATH, and\n"
	       "the target's own modules under /lib/modules/RELEASE (modprobe works). COMMAND's\n"
	       "stdout and stderr become lpatch vm's, live. COMMAND is run directly (no shell):\n"
	       "use `sh -c '...'` or a --copy'd script for more than one command.\n\n"
	       "The kernel log is watched: a panic, oops, BUG, WARNING, \"Call Trace\" and the\n"
	       "like are reported with the kernel log lines around them.\n\n"
	       "options:\n"
	       "  --target SPEC   the kernel: debian:cloud, debian:amd64, debian:RELEASE\n"
	       "                  (see `lpatch target --help`)\n"
	       "  --copy FILE     put FILE (by its base name) in the command's directory;\n"
	       "                  repeatable\n"
	       "  --timeout SEC   stop the VM after SEC seconds, boot included (default %d)\n"
	       "  --memory MB     guest memory (default %d)\n"
	       "  --cpus N        guest CPUs (default %d)\n"
	       "  --log FILE      keep the whole kernel console log in FILE\n"
	       "  --append ARGS   add ARGS to the kernel command line (e.g. lpatch.disable=1)\n"
	       "  --secure-boot   boot as a Secure Boot machine does: OVMF firmware with\n"
	       "                  Microsoft's keys, Debian's signed shim and grub, the target's\n"
	       "                  signed kernel (locked down: only signed modules load)\n"
	       "  --mok CERT      enroll CERT (PEM) as a Machine Owner Key in the firmware\n"
	       "                  first, as `mokutil --import` would; repeatable; implies\n"
	       "                  --secure-boot (needs virt-fw-vars, python3-virt-firmware)\n\n"
	       "The VM uses KVM when /dev/kvm works (checked once with a short probe boot,\n"
	       "the verdict cached), else TCG (-accel tcg -cpu max); LPATCH_VM_ACCEL=tcg|kvm\n"
	       "decides without the probe. A boot with a short command takes ~3 s under TCG.\n\n"
	       "exit status:\n"
	       "  N     COMMAND's exit status (0-255); when it is not 0 and the kernel also\n"
	       "        reported a problem, the problem is reported on stderr too\n"
	       "  %d   COMMAND exited 0 but the kernel reported a problem, or the kernel\n"
	       "        panicked before COMMAND finished\n"
	       "  %d   the VM failed: qemu failed, --timeout ran out, the guest's setup failed,\n"
	       "        or no exit status came back\n"
	       "  1     nothing booted: the kernel cache is not writable, or the target or the\n"
	       "        guest's files could not be prepared (the error says which)\n"
	       "  2     bad usage, an unreadable --copy file or an unknown target (before\n"
	       "        anything ran)\n",
	       VM_DEFAULT_TIMEOUT, VM_DEFAULT_MEMORY, VM_DEFAULT_CPUS, VM_EXIT_KERNEL,
	       VM_EXIT_VM_FAILED);
}

/* Every --copy is a regular file this user can read, and no two share a base name. */
static int check_copies(char **copies, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (stat(copies[i], &st))
			return cli_usage_error("vm", "--copy %s: %s", copies[i], strerror(errno));
		if (!S_ISREG(st.st_mode))
			return cli_usage_error("vm", "--copy %s: not a regular file", copies[i]);
		if (access(copies[i], R_OK))
			return cli_usage_error("vm", "--copy %s: %s", copies[i], strerror(errno));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(path_basename(copies[i]), path_basename(copies[j])))
				return cli_usage_error("vm", "--copy %s and %s: both would be %s in the VM",
						       copies[j], copies[i], path_basename(copies[i]));
	}
	return 0;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_opts o = { .timeout_s = VM_DEFAULT_TIMEOUT, .memory_mb = VM_DEFAULT_MEMORY,
			     .cpus = VM_DEFAULT_CPUS };
	struct cli_list copies = { 0 }, moks = { 0 };
	const struct cli_opt opts[] = {
		{ "--target", .str = &o.target },
		{ "--copy", .list = &copies },
		{ "--timeout", .num = &o.timeout_s, .min = 1, .max = 86400 },
		{ "--memory", .num = &o.memory_mb, .min = 128, .max = 65536 },
		{ "--cpus", .num = &o.cpus, .min = 1, .max = 64 },
		{ "--log", .str = &o.log },
		{ "--append", .str = &o.append },
		{ "--secure-boot", .flag = &o.secure_boot },
		{ "--mok", .list = &moks },
		{ NULL },
	};
	/* the command's own options are its own: the first word of it ends lpatch's */
	const struct cli_cmd cmd = { "vm", usage, opts, .arg = "command", .min_args = 1, .max_args = -1,
				     .missing = "no command to run (give it after --)",
				     .args_end_options = true };
	int ret = cli_parse(&cmd, argc, argv, NULL);

	if (ret == CLI_GO_ON && !o.target)
		ret = cli_usage_error("vm", "--target is required (e.g. --target debian:cloud)");
	if (ret == CLI_GO_ON) {
		o.argv = argv + 1;
		o.copies = copies.v;
		o.ncopies = copies.n;
		o.moks = moks.v;
		o.nmoks = moks.n;
		o.secure_boot |= moks.n > 0;
		ret = check_copies(o.copies, o.ncopies);
		for (size_t i = 0; !ret && i < moks.n; i++)
			if (access(moks.v[i], R_OK))
				ret = cli_usage_error("vm", "--mok %s: %s", moks.v[i], strerror(errno));
		if (!ret)
			ret = vm_run(&o);
	}
	free(copies.v);
	free(moks.v);
	return ret;
}
