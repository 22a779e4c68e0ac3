/* lpatch vm: prepare the guest, boot it, and turn what came back into an exit code. */
#include "vm/vm.h"

#include "target/target.h"
#include "util/cache.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"
#include "vm/accel.h"
#include "vm/busybox.h"
#include "vm/console.h"
#include "vm/efi.h"
#include "vm/init.h"
#include "vm/initramfs.h"
#include "vm/modimage.h"
#include "vm/qemu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every kernel message on the console (WARNINGs are level 4: `quiet` would
 * hide them); a panic reboots at once, and -no-reboot turns that into exit. */
#define KERNEL_CMDLINE "console=ttyS0 loglevel=7 panic=-1 8250.nr_uarts=4 rdinit=/init"

#define TAIL_LINES 20

struct run_files {
	char *dir, *initrd, *console, *status, *qemu_log;
};

static void files_init(struct run_files *f, const char *dir)
{
	f->dir = xstrdup(dir);
	f->initrd = path_join(dir, "initrd.cpio");
	f->console = path_join(dir, "console.log");
	f->status = path_join(dir, "status");
	f->qemu_log = path_join(dir, "qemu.log");
}

static void files_free(struct run_files *f)
{
	if (f->dir)
		rm_rf(f->dir);
	free(f->dir);
	free(f->initrd);
	free(f->console);
	free(f->status);
	free(f->qemu_log);
}

static void free_list(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

/* The last lines of a file, indented, on stderr. */
static void show_tail(const char *title, const char *text)
{
	const char *s;
	int n = 0;

	if (!text || !*text)
		return;
	s = text + strlen(text);
	while (s > text && n <= TAIL_LINES)
		if (*--s == '\n' && s[1])
			n++;
	if (*s == '\n')
		s++;
	fprintf(stderr, "lpatch: %s:\n", title);
	for (const char *l = s; *l;) {
		const char *e = strchr(l, '\n');
		int len = e ? (int)(e - l) : (int)strlen(l);
		if (len && l[len - 1] == '\r')
			len--;
		fprintf(stderr, "  %.*s\n", len, l);
		l += (e ? e - l + 1 : len);
	}
}

static int keep_log(const char *from, const char *to)
{
	if (!path_exists(from))
		return write_file(to, "", 0);
	return atomic_install(from, to, 0644);
}

/* What came back, as lpatch vm's exit code, with the messages that explain it. */
static int verdict(const struct vm_opts *o, const struct run_files *f, const struct qemu_result *r)
{
	char *console = read_file_quiet(f->console, NULL);
	char *status_text = read_file_quiet(f->status, NULL);
	char *why = NULL;
	struct console_report rep;
	int status = 0, got = init_parse_status(status_text, &status, &why), code;

	console_scan(console, &rep);
	if (rep.first) {
		if (rep.nproblems > 1)
			lp_err("the kernel reported %zu problems; the first: %s", rep.nproblems,
			       rep.first);
		else
			lp_err("the kernel reported a problem: %s", rep.first);
		fprintf(stderr, "lpatch: kernel log:\n%s", rep.excerpt);
	}
	if (r->interrupted) {
		lp_err("interrupted: the VM was stopped");
		code = 130;
	} else if (got == 0) {
		code = status ? status : rep.first ? VM_EXIT_KERNEL : 0;
		if (rep.first)
			lp_err("the command exited with status %d, but the kernel reported a problem "
			       "(above)", status);
	} else if (r->timed_out) {
		lp_err("the command did not finish within %u s: the VM was stopped", o->timeout_s);
		lp_hint("--timeout SEC allows longer; --log FILE keeps the kernel log");
		if (!rep.first)
			show_tail("the kernel log ends with", console);
		code = VM_EXIT_VM_FAILED;
	} else if (got == 1) {
		lp_err("the VM's setup failed before the command ran: %s", why);
		show_tail("the kernel log ends with", console);
		code = rep.first ? VM_EXIT_KERNEL : VM_EXIT_VM_FAILED;
	} else if (rep.panic) {
		lp_err("the kernel panicked before the command finished");
		code = VM_EXIT_KERNEL;
	} else if (r->status != 0) {
		char *qlog = read_file_quiet(f->qemu_log, NULL);
		lp_err("qemu failed (exit status %d) before the command finished", r->status);
		show_tail("qemu said", qlog);
		free(qlog);
		code = VM_EXIT_VM_FAILED;
	} else {
		lp_err("the VM stopped without reporting the command's exit status");
		if (!rep.first)
			show_tail("the kernel log ends with", console);
		code = rep.first ? VM_EXIT_KERNEL : VM_EXIT_VM_FAILED;
	}
	console_report_free(&rep);
	free(console);
	free(status_text);
	free(why);
	return code;
}

/* The kernel cache must be writable (targets are prepared and locked there):
 * checked before anything else, so the error names it. */
static int cache_usable(void)
{
	char *dir = lp_cache_dir();
	int ret = 0;

	if (mkdir_p(dir) || access(dir, W_OK | X_OK)) {
		if (!access(dir, F_OK))
			lp_perr("the kernel cache %s is not writable by this user", dir);
		else
			lp_err("the kernel cache %s cannot be created", dir);
		lp_hint("set LPATCH_CACHE (or XDG_CACHE_HOME) to a directory this user may write");
		ret = -1;
	}
	free(dir);
	return ret;
}

/* Everything the guest needs, then the boot: LP_EXIT_FAIL when the guest's
 * files could not be prepared (nothing booted), VM_EXIT_VM_FAILED when qemu
 * failed. */
static int boot(const struct vm_opts *o, const struct kernel_target *t, struct run_files *f,
		struct qemu_result *r)
{
	char *busybox = NULL, *image = NULL, **mods = NULL, **argv = NULL, *cmdline = NULL;
	struct efi_boot efi = {0};
	enum vm_accel accel;
	int ret = LP_EXIT_FAIL;

	if (!have_program(QEMU_PROGRAM)) {
		lp_err("cannot boot %s: %s is not installed", t->release, QEMU_PROGRAM);
		lp_hint("install it: `apt-get install qemu-system-x86` (or scripts/deps.sh)");
		return LP_EXIT_FAIL;
	}
	if (!(busybox = busybox_find()) || !(image = modimage_get(t)) ||
	    !(mods = modimage_disk_modules(t)))
		goto out;
	if (initramfs_write(f->initrd, &(struct initramfs_spec){
		    .busybox = busybox, .release = t->release, .modules = t->modules,
		    .disk_modules = mods, .copies = o->copies, .ncopies = o->ncopies,
		    .argv = o->argv }))
		goto out;
	accel = accel_choose(t);
	cmdline = o->append ? xasprintf("%s %s", KERNEL_CMDLINE, o->append) : xstrdup(KERNEL_CMDLINE);
	if (o->secure_boot && efi_boot_prepare(t, f->dir, f->initrd, cmdline, o->moks, o->nmoks, &efi))
		goto out;
	argv = qemu_argv(&(struct qemu_config){
		.accel = accel, .kernel = t->vmlinuz, .initrd = f->initrd, .disk = image,
		.append = cmdline, .memory_mb = o->memory_mb, .cpus = o->cpus,
		.console = f->console, .relay = true, .status = f->status,
		.efi_code = efi.code, .efi_vars = efi.vars, .esp = efi.esp });
	lp_progress("booting %s (%s%s)", t->release, accel_name(accel),
		    o->secure_boot ? ", UEFI Secure Boot" : "");
	ret = qemu_run(argv, true, o->timeout_s, f->qemu_log, r) ? VM_EXIT_VM_FAILED : 0;
out:
	efi_boot_free(&efi);
	qemu_argv_free(argv);
	free(cmdline);
	free_list(mods);
	free(image);
	free(busybox);
	return ret;
}

int vm_run(const struct vm_opts *o)
{
	struct kernel_target t;
	struct run_files f = {0};
	struct qemu_result r;
	char *dir;
	int ret, code;

	/* until qemu runs, a failure is lpatch's (1), not the VM's (124) */
	if (cache_usable())
		return LP_EXIT_FAIL;
	ret = target_open(o->target, TARGET_BOOT, &t);
	if (ret)
		return lp_exit_code(ret, LP_EXIT_FAIL);
	if (!t.vmlinuz || !t.modules || !path_exists(t.vmlinuz)) {
		lp_err("target %s has no bootable kernel image or modules tree", o->target);
		target_free(&t);
		return LP_EXIT_FAIL;
	}
	if (!(dir = make_temp_dir("vm"))) {
		target_free(&t);
		return LP_EXIT_FAIL;
	}
	files_init(&f, dir);
	free(dir);
	if (!(code = boot(o, &t, &f, &r))) {
		code = verdict(o, &f, &r);
		if (o->log && keep_log(f.console, o->log))
			lp_warn("could not keep the kernel log in %s", o->log);
		if (lp_verbose > 0)
			lp_progress("done in %.1f s (the VM ran %.1f s): exit status %d", lp_elapsed(),
				    r.seconds, code);
	}
	files_free(&f);
	target_free(&t);
	return code;
}
