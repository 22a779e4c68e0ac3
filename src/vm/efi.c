/*
 * Secure Boot guests. Nothing here is installed on the host: OVMF comes from
 * Debian's ovmf package (/usr/share/OVMF), Debian's signed shim and grub
 * are fetched as .debs into lpatch's cache and unpacked there once, the
 * signed kernel comes from the target provider, and MOKs are written into
 * a copy of the variable store by virt-fw-vars (python3-virt-firmware).
 * shim verifies grub (Microsoft's key in the firmware), grub asks shim to
 * verify the kernel (Debian's key in shim), and the kernel, booted with
 * Secure Boot on, locks itself down and loads only modules signed by a key
 * of its keyrings, MOKs included.
 */
#include "vm/efi.h"

#include "deb/deb.h"
#include "util/cache.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OVMF_DIR "/usr/share/OVMF"
#define OVMF_CODE "OVMF_CODE_4M.secboot.fd"
#define OVMF_VARS "OVMF_VARS_4M.ms.fd"	/* Microsoft's keys enrolled, Secure Boot on */
#define VIRT_FW_VARS "virt-fw-vars"
/* The owner GUID of the MokList entries lpatch adds (any GUID will do). */
#define MOK_OWNER "605dab50-e046-4300-abb6-3dd810dd8b23"

struct efi_file {
	const char *pkg;	/* the Debian package */
	const char *member;	/* its file */
	const char *esp_path;	/* where it goes on the ESP */
};

static const struct efi_file efi_files[] = {
	{ "shim-signed", "usr/lib/shim/shimx64.efi.signed", "EFI/BOOT/BOOTX64.EFI" },
	{ "shim-helpers-amd64-signed", "usr/lib/shim/mmx64.efi.signed", "EFI/BOOT/mmx64.efi" },
	{ "grub-efi-amd64-signed", "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed",
	  "EFI/BOOT/grubx64.efi" },
};

#define NFILES (sizeof(efi_files) / sizeof(*efi_files))

/*
 * The packages of efi_files unpacked once into <cache>/efi/<pkg>_<version>:
 * their directories in roots[]. apt is asked once for all of them; offline
 * (or a package apt no longer knows), the newest .deb already fetched is used.
 */
static int unpack_all(char *roots[NFILES])
{
	char *cache = lp_cache_dir(), *debs = path_join(cache, "debs"), *into = path_join(cache, "efi");
	const char *names[NFILES];
	struct apt_pkg p[NFILES];
	int apt = -1, ret = 0;

	for (size_t i = 0; i < NFILES; i++)
		names[i] = efi_files[i].pkg;
	apt = apt_lookup_all(names, NFILES, NULL, p);
	for (size_t i = 0; i < NFILES; i++) {
		char *deb = NULL, *ver = NULL;

		roots[i] = NULL;
		if (apt || !p[i].name) {
			/* offline: the newest one already fetched */
			if (!(deb = deb_find_cached(debs, names[i], &ver))) {
				if (!apt)
					lp_err("apt knows no package %s, which a Secure Boot guest needs", names[i]);
				lp_hint("run `apt-get update` (Debian's main archive has %s)", names[i]);
				ret = -1;
				continue;
			}
			apt_pkg_free(&p[i]);
			p[i].name = xstrdup(names[i]);
			p[i].version = ver;
		}
		if (!(roots[i] = deb_unpacked(debs, into, &p[i], deb)))
			ret = -1;
		free(deb);
	}
	for (size_t i = 0; i < NFILES; i++)
		apt_pkg_free(&p[i]);
	free(into);
	free(debs);
	free(cache);
	return ret;
}

static int place(const char *from, const char *esp, const char *rel)
{
	char *to = path_join(esp, rel), *dir = path_dirname(to);
	int ret = mkdir_p(dir) || copy_file(from, to) ? -1 : 0;

	free(dir);
	free(to);
	return ret;
}

static int write_grub_cfg(const char *esp, const char *cmdline)
{
	char *cfg = xasprintf("set timeout=0\n"
			      "linux /vmlinuz %s\n"
			      "initrd /initrd.img\n"
			      "boot\n", cmdline);
	/* Debian's signed grub reads its prefix's grub.cfg (EFI/debian), else the
	 * one beside it */
	const char *where[] = { "EFI/debian/grub.cfg", "EFI/BOOT/grub.cfg" };
	int ret = 0;

	for (size_t i = 0; i < 2 && !ret; i++) {
		char *path = path_join(esp, where[i]), *dir = path_dirname(path);

		ret = mkdir_p(dir) || write_file(path, cfg, strlen(cfg)) ? -1 : 0;
		free(dir);
		free(path);
	}
	free(cfg);
	return ret;
}

static bool is_pem(const char *path)
{
	char buf[11] = {0};
	FILE *f = fopen(path, "r");
	bool pem = f && fread(buf, 1, 10, f) == 10 && !strcmp(buf, "-----BEGIN");

	if (f)
		fclose(f);
	return pem;
}

/* The firmware's variable store with the MOKs in MokList. */
static int make_vars(const char *dir, char *const *moks, size_t nmoks, char **out)
{
	char *tmpl = path_join(OVMF_DIR, OVMF_VARS), *vars = path_join(dir, "efivars.fd");
	char *log = path_join(dir, "virt-fw-vars.log");
	const char **argv = NULL;
	size_t n = 0;
	int ret = -1;

	if (!nmoks) {
		ret = copy_file(tmpl, vars);
		goto out;
	}
	if (!have_program(VIRT_FW_VARS)) {
		lp_err("cannot enroll a Machine Owner Key: %s is not installed", VIRT_FW_VARS);
		lp_hint("install python3-virt-firmware (Debian 13, architecture all; it installs on "
			"Debian 12 too): scripts/deps.sh --test does it");
		goto out;
	}
	argv = xcalloc(6 + 3 * nmoks, sizeof(*argv));
	argv[n++] = VIRT_FW_VARS;
	argv[n++] = "--input";
	argv[n++] = tmpl;
	argv[n++] = "--output";
	argv[n++] = vars;
	for (size_t i = 0; i < nmoks; i++) {
		if (!is_pem(moks[i])) {
			lp_err("MOK certificate %s is not in PEM form", moks[i]);
			lp_hint("convert it: `openssl x509 -inform DER -in %s -out CERT.pem`", moks[i]);
			goto out;
		}
		argv[n++] = "--add-mok";
		argv[n++] = MOK_OWNER;
		argv[n++] = moks[i];
	}
	argv[n] = NULL;
	ret = tool_run(argv, NULL, log, "enrolling the Machine Owner Keys with virt-fw-vars");
out:
	if (!ret)
		*out = vars;
	else
		free(vars);
	free(argv);
	free(log);
	free(tmpl);
	return ret;
}

int efi_boot_prepare(const struct kernel_target *t, const char *dir, const char *initrd,
		     const char *cmdline, char *const *moks, size_t nmoks, struct efi_boot *out)
{
	char *kernel = NULL, *roots[NFILES] = {0};
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->code = path_join(OVMF_DIR, OVMF_CODE);
	if (!path_exists(out->code)) {
		lp_err("cannot boot with Secure Boot: %s is missing", out->code);
		lp_hint("install Debian's OVMF firmware: `apt-get install ovmf`");
		goto out;
	}
	out->esp = path_join(dir, "esp");
	if (mkdir_p(out->esp))
		goto out;
	if (unpack_all(roots))
		goto out;
	for (size_t i = 0; i < NFILES; i++) {
		const struct efi_file *e = &efi_files[i];
		char *from = path_join(roots[i], e->member);
		int r = place(from, out->esp, e->esp_path);

		if (r)
			lp_err("%s has no %s", e->pkg, e->member);
		free(from);
		if (r)
			goto out;
	}
	if (!(kernel = target_signed_image(t)) || place(kernel, out->esp, "vmlinuz") ||
	    place(initrd, out->esp, "initrd.img") || write_grub_cfg(out->esp, cmdline) ||
	    make_vars(dir, moks, nmoks, &out->vars))
		goto out;
	lp_progress("Secure Boot guest: shim, grub and the signed kernel of %s; %zu MOK%s enrolled",
		    t->release, nmoks, nmoks == 1 ? "" : "s");
	ret = 0;
out:
	if (ret)
		efi_boot_free(out);
	for (size_t i = 0; i < NFILES; i++)
		free(roots[i]);
	free(kernel);
	return ret;
}

void efi_boot_free(struct efi_boot *b)
{
	free(b->code);
	free(b->vars);
	free(b->esp);
	memset(b, 0, sizeof(*b));
}
