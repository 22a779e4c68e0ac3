#include "vm/initramfs.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "vm/cpio.h"
#include "vm/init.h"
#include "vm/program.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const dirs[] = {
	"bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "root", "etc",
	"lib/modules", INIT_WORKDIR, NULL,
};

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n";
static const char group[] = "root:x:0:\n";

static int add_copies(struct cpio_out *c, const struct initramfs_spec *s)
{
	for (size_t i = 0; i < s->ncopies; i++) {
		const char *from = s->copies[i];
		char *name = xasprintf(INIT_WORKDIR "/%s", path_basename(from));
		struct stat st;
		int ret = -1;

		if (stat(from, &st))
			lp_perr("cannot copy %s into the VM", from);
		else
			ret = cpio_file(c, name, st.st_mode & 07777, from);
		free(name);
		if (ret)
			return -1;
	}
	return 0;
}

/* The modules that reach the modules disk, under a directory of their own. */
static char **add_disk_modules(struct cpio_out *c, const struct initramfs_spec *s)
{
	char **guest = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	for (char *const *m = s->disk_modules; m && *m && !ret; m++) {
		char *host = path_join(s->modules, *m);
		char *name = xasprintf(INIT_BOOTMOD_DIR "/%s", path_basename(*m));

		ret = cpio_file(c, name, 0644, host);
		*ARRAY_PUSH(guest, n, cap) = xasprintf("/%s", name);
		free(name);
		free(host);
	}
	*ARRAY_PUSH(guest, n, cap) = NULL;
	if (ret) {
		for (size_t i = 0; guest[i]; i++)
			free(guest[i]);
		free(guest);
		return NULL;
	}
	return guest;
}

int initramfs_write(const char *path, const struct initramfs_spec *s)
{
	struct cpio_out c;
	char *exe = path_self_exe();
	char **mods = NULL;
	char *script = NULL;
	int ret = -1;

	/* the real path is for messages; the link itself still reads as lpatch */
	if (!exe)
		exe = xstrdup("/proc/self/exe");
	if (cpio_begin(&c, path)) {
		free(exe);
		return -1;
	}
	for (const char *const *d = dirs; *d; d++)
		cpio_dir(&c, *d);
	/* the kernel opens /dev/console for init before devtmpfs is mounted */
	cpio_chardev(&c, "dev/console", 5, 1);
	cpio_data(&c, "etc/passwd", 0644, passwd, strlen(passwd));
	cpio_data(&c, "etc/group", 0644, group, strlen(group));
	if (cpio_file(&c, "bin/busybox", 0755, s->busybox))
		goto out;
	if (program_add(&c, exe, "bin/lpatch")) {
		lp_err("cannot put lpatch (%s) into the VM", exe);
		goto out;
	}
	if (!(mods = add_disk_modules(&c, s)) || add_copies(&c, s))
		goto out;
	script = init_script(&(struct init_spec){ .release = s->release, .disk_modules = mods,
						  .argv = s->argv });
	cpio_data(&c, "init", 0755, script, strlen(script));
	ret = cpio_finish(&c);
out:
	if (ret && c.f)
		cpio_discard(&c);
	for (size_t i = 0; mods && mods[i]; i++)
		free(mods[i]);
	free(mods);
	free(script);
	free(exe);
	return ret;
}
