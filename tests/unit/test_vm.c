/* lpatch vm's pure parts: the console scanner, the status channel, the
 * /init quoting, and the newc cpio writer (read back by a small parser). */
#include "unit.h"

#include "util/fs.h"
#include "util/str.h"
#include "vm/console.h"
#include "vm/cpio.h"
#include "vm/init.h"

static const char clean_log[] =
	"[    0.000000] Linux version 6.1.0-56-cloud-amd64\r\n"
	"[    1.637957] Run /init as init process\r\n"
	"[    2.412805] loop: module loaded\r\n"
	"[    2.500000] lpatch_warn: loading out-of-tree module taints kernel.\r\n"
	"[    2.781769] reboot: Power down\r\n";

static const char warn_log[] =
	"[    3.554000] lpatch_warn: module verification failed\r\n"
	"[    3.554870] ------------[ cut here ]------------\r\n"
	"[    3.555231] WARNING: CPU: 0 PID: 99 at warn.c:8 lpatch_warn_init+0x5/0x1000 [lpatch_warn]\r\n"
	"[    3.556017] Modules linked in: lpatch_warn(OE+)\r\n"
	"[    3.558688] RIP: 0010:lpatch_warn_init+0x5/0x1000 [lpatch_warn]\r\n"
	"[    3.563477] Call Trace:\r\n"
	"[    3.564342]  <TASK>\r\n"
	"[    3.564541]  do_one_initcall+0x59/0x220\r\n"
	"[    3.572019]  </TASK>\r\n"
	"[    3.572182] ---[ end trace 0000000000000000 ]---\r\n"
	"[    3.600000] something unrelated afterwards\r\n";

static const char oops_log[] =
	"[    2.445056] BUG: kernel NULL pointer dereference, address: 0000000000000000\r\n"
	"[    2.446508] Oops: 0002 [#1] PREEMPT SMP NOPTI\r\n"
	"[    2.447643] RIP: 0010:lpatch_oops_init+0xc/0x1000 [lpatch_oops]\r\n"
	"[    2.451219] Call Trace:\r\n"
	"[    2.451787]  <TASK>\r\n"
	"[    2.456614]  </TASK>\r\n"
	"[    2.457559] CR2: 0000000000000000\r\n"
	"[    2.457920] ---[ end trace 0000000000000000 ]---\r\n"
	"[    2.461317] RIP: 0010:lpatch_oops_init+0xc/0x1000 [lpatch_oops]\r\n"
	"[    2.464399] PKRU: 55555554\r\n"
	"[    2.464567] note: insmod[99] exited with irqs disabled\r\n"
	"[    2.500000] ACPI: PM: Preparing to enter system sleep state S5\r\n";

static const char panic_log[] =
	"[    2.860302] Kernel panic - not syncing: sysrq triggered crash\r\n"
	"[    2.861493] Call Trace:\r\n"
	"[    2.862189]  <TASK>\r\n"
	"[    2.862792]  panic+0x118/0x2f4\r\n"
	"[    2.865688] RIP: 0033:0x47b7a0\r\n"
	"[    2.868066]  </TASK>\r\n"
	"[    2.868519] Kernel Offset: 0xca00000 from 0xffffffff81000000\r\n";

static void console_clean(void)
{
	struct console_report r;

	console_scan(clean_log, &r);
	CHECK(!r.first);
	CHECK(!r.excerpt);
	CHECK(r.nproblems == 0);
	CHECK(!r.panic);
	console_report_free(&r);
	console_scan(NULL, &r);
	CHECK(!r.first);
	console_report_free(&r);
}

static void console_warning(void)
{
	struct console_report r;

	console_scan(warn_log, &r);
	CHECK(r.nproblems == 1);
	CHECK(r.first && str_starts(r.first, "WARNING: CPU: 0 PID: 99 at warn.c:8"));
	CHECK(r.excerpt && strstr(r.excerpt, "[ cut here ]"));
	CHECK(r.excerpt && strstr(r.excerpt, "---[ end trace"));
	CHECK(r.excerpt && !strstr(r.excerpt, "unrelated"));
	CHECK(r.excerpt && !strstr(r.excerpt, "verification"));
	CHECK(r.excerpt && !strchr(r.excerpt, '\r'));
	CHECK(!r.panic);
	console_report_free(&r);
}

static void console_oops_with_register_dump(void)
{
	struct console_report r;

	console_scan(oops_log, &r);
	CHECK(r.nproblems == 1);
	CHECK_STR(r.first, "BUG: kernel NULL pointer dereference, address: 0000000000000000");
	CHECK(r.excerpt && strstr(r.excerpt, "Oops: 0002"));
	CHECK(r.excerpt && strstr(r.excerpt, "note: insmod"));
	CHECK(r.excerpt && !strstr(r.excerpt, "ACPI"));
	console_report_free(&r);
}

static void console_panic_without_end_marker(void)
{
	struct console_report r;

	console_scan(panic_log, &r);
	CHECK(r.panic);
	CHECK(r.nproblems == 1);
	CHECK(r.first && str_starts(r.first, "Kernel panic - not syncing"));
	CHECK(r.excerpt && strstr(r.excerpt, "Kernel Offset"));
	console_report_free(&r);
}

static void console_two_reports(void)
{
	struct strbuf sb = {0};
	struct console_report r;

	sb_add(&sb, warn_log);
	for (int i = 0; i < 100; i++)
		sb_addf(&sb, "[    4.%06d] filler line %d\r\n", i, i);
	sb_add(&sb, oops_log);
	console_scan(sb.buf, &r);
	CHECK(r.nproblems == 2);
	CHECK(r.first && str_starts(r.first, "WARNING:"));
	CHECK(r.excerpt && strstr(r.excerpt, "  ...\n"));
	CHECK(r.excerpt && strstr(r.excerpt, "Oops: 0002"));
	CHECK(r.excerpt && !strstr(r.excerpt, "filler line 50"));
	console_report_free(&r);
	sb_free(&sb);
}

static void status_channel(void)
{
	int st = -1;
	char *why = NULL;

	CHECK(init_parse_status("status 3\r\n", &st, &why) == 0 && st == 3);
	CHECK(init_parse_status("noise\nstatus 0\n", &st, &why) == 0 && st == 0);
	CHECK(init_parse_status("status 255", &st, &why) == 0 && st == 255);
	CHECK(init_parse_status("setup: mount /proc\r\n", &st, &why) == 1);
	CHECK_STR(why, "mount /proc");
	free(why);
	CHECK(init_parse_status("", &st, &why) == -1);
	CHECK(init_parse_status(NULL, &st, &why) == -1);
	CHECK(init_parse_status("status x\n", &st, &why) == -1);
	CHECK(init_parse_status("status 256\n", &st, &why) == -1);
}

static void init_quotes_the_command(void)
{
	char *argv[] = { "sh", "-c", "echo it's $HOME; exit 3", NULL };
	char *mods[] = { "/lpatch/boot/virtio.ko", NULL };
	char *s = init_script(&(struct init_spec){ .release = "6.1.0-56-cloud-amd64",
						   .disk_modules = mods, .argv = argv });

	CHECK(str_starts(s, "#!/bin/busybox sh\n"));
	CHECK(strstr(s, "'sh' '-c' 'echo it'\\''s $HOME; exit 3' </dev/null >/dev/ttyS1 2>/dev/ttyS2\n"));
	CHECK(strstr(s, "insmod '/lpatch/boot/virtio.ko'"));
	CHECK(strstr(s, "/dev/vda /lib/modules/6.1.0-56-cloud-amd64"));
	CHECK(strstr(s, "echo \"status $?\" >/dev/ttyS3"));
	free(s);
}

/* Read back a newc archive: names, modes and contents, checking the padding. */
static int cpio_find(const char *a, size_t len, const char *want, unsigned *mode,
		     const char **data, size_t *size)
{
	size_t off = 0;

	while (off + 110 <= len) {
		char f[9] = {0};
		unsigned long v[13];
		const char *name;

		if (memcmp(a + off, "070701", 6))
			return -1;
		for (int i = 0; i < 13; i++) {
			memcpy(f, a + off + 6 + 8 * i, 8);
			v[i] = strtoul(f, NULL, 16);
		}
		name = a + off + 110;
		if (name[v[11] - 1] != '\0')
			return -1;
		off += (110 + v[11] + 3) & ~3ul;
		if (!strcmp(name, want)) {
			*mode = (unsigned)v[1];
			*data = a + off;
			*size = v[6];
			return 0;
		}
		if (!strcmp(name, "TRAILER!!!"))
			return 1;
		off += (v[6] + 3) & ~3ul;
	}
	return -1;
}

static void cpio_roundtrip(void)
{
	char *dir = make_temp_dir("unit-cpio");
	char *path = path_join(dir, "a.cpio"), *src = path_join(dir, "src.txt");
	struct cpio_out c;
	const char *data;
	size_t size, len = 0;
	unsigned mode;
	char *a;

	write_file(src, "hello\n", 6);
	CHECK(cpio_begin(&c, path) == 0);
	cpio_data(&c, "a/b/c.txt", 0644, "abc", 3);
	CHECK(cpio_file(&c, "work/src.txt", 0755, src) == 0);
	cpio_symlink(&c, "bin/sh", "busybox");
	cpio_chardev(&c, "dev/console", 5, 1);
	cpio_dir(&c, "a");	/* already there: not twice */
	CHECK(cpio_file(&c, "nope", 0644, "/nonexistent/file") == -1);
	CHECK(cpio_finish(&c) == 0);
	a = read_file(path, &len);
	CHECK(a && len % 4 == 0);
	CHECK(cpio_find(a, len, "a", &mode, &data, &size) == 0 && mode == 040755);
	CHECK(cpio_find(a, len, "a/b", &mode, &data, &size) == 0 && mode == 040755);
	CHECK(cpio_find(a, len, "a/b/c.txt", &mode, &data, &size) == 0 && size == 3 &&
	      !memcmp(data, "abc", 3) && mode == 0100644);
	CHECK(cpio_find(a, len, "work/src.txt", &mode, &data, &size) == 0 && size == 6 &&
	      !memcmp(data, "hello\n", 6) && mode == 0100755);
	CHECK(cpio_find(a, len, "bin/sh", &mode, &data, &size) == 0 && size == 7 &&
	      !memcmp(data, "busybox", 7) && (mode & 0170000) == 0120000);
	CHECK(cpio_find(a, len, "dev/console", &mode, &data, &size) == 0 &&
	      (mode & 0170000) == 0020000);
	CHECK(cpio_find(a, len, "TRAILER!!!", &mode, &data, &size) == 0);
	free(a);
	rm_rf(dir);
	free(dir);
	free(path);
	free(src);
}

int main(void)
{
	RUN(console_clean);
	RUN(console_warning);
	RUN(console_oops_with_register_dump);
	RUN(console_panic_without_end_marker);
	RUN(console_two_reports);
	RUN(status_channel);
	RUN(init_quotes_the_command);
	RUN(cpio_roundtrip);
	return unit_done();
}
