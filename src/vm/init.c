#include "vm/init.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* One shell word: single quotes, each ' written as '\''. */
static void add_quoted(struct strbuf *sb, const char *s)
{
	sb_add(sb, "'");
	for (; *s; s++) {
		if (*s == '\'')
			sb_add(sb, "'\\''");
		else
			sb_addn(sb, s, 1);
	}
	sb_add(sb, "'");
}

char *init_script(const struct init_spec *s)
{
	struct strbuf sb = {0};

	sb_add(&sb,
	       "#!/bin/busybox sh\n"
	       "# /init of an lpatch vm guest, generated for one run.\n"
	       "/bin/busybox --install -s /bin\n"
	       "export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb\n"
	       /* init must never exit: the kernel would panic, and that would read
		* as a kernel problem */
	       "off() { poweroff -f; while :; do sleep 60; done; }\n"
	       "fail() { echo \"setup: $*\" >/dev/ttyS3; off; }\n"
	       "mount -t proc proc /proc || fail 'mount /proc'\n"
	       "mount -t sysfs sysfs /sys || fail 'mount /sys'\n"
	       "mount -t devtmpfs devtmpfs /dev || fail 'mount /dev'\n"
	       "mount -t debugfs debugfs /sys/kernel/debug || fail 'mount debugfs'\n"
	       "mkdir -p /dev/pts && mount -t devpts devpts /dev/pts\n"
	       /* as systemd mounts them: the lockdown state and the EFI variables
		* (Secure Boot) are where lpatch looks on a host */
	       "mount -t securityfs securityfs /sys/kernel/security 2>/dev/null\n"
	       "hostname lpatch-vm\n"
	       /* raw: no \n -> \r\n, no echo of what the host sends */
	       "for t in 1 2 3; do stty -F /dev/ttyS$t raw -echo || fail \"stty ttyS$t\"; done\n");
	for (char *const *m = s->disk_modules; m && *m; m++) {
		sb_add(&sb, "insmod ");
		add_quoted(&sb, *m);
		sb_add(&sb, " || fail ");
		add_quoted(&sb, *m);
		sb_add(&sb, "\n");
	}
	sb_addf(&sb,
		"mkdir -p /lib/modules/%s && mount -t ext4 -o ro /dev/vda /lib/modules/%s || "
		"fail 'mount the modules disk /dev/vda'\n", s->release, s->release);
	/* efivarfs is a module in Debian's kernels: after the modules disk */
	sb_add(&sb, "[ -d /sys/firmware/efi/efivars ] && modprobe -q efivarfs 2>/dev/null; "
		    "[ -d /sys/firmware/efi/efivars ] && mount -t efivarfs efivarfs "
		    "/sys/firmware/efi/efivars 2>/dev/null\n");
	sb_add(&sb, "cd /" INIT_WORKDIR " || fail 'cd /" INIT_WORKDIR "'\n");
	for (char *const *a = s->argv; *a; a++) {
		add_quoted(&sb, *a);
		sb_add(&sb, " ");
	}
	sb_add(&sb, "</dev/null >/dev/ttyS1 2>/dev/ttyS2\n"
		    "echo \"status $?\" >/dev/ttyS3\n"
		    "off\n");
	return sb_take(&sb);
}

int init_parse_status(const char *text, int *status, char **why)
{
	for (const char *l = text; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char *line = xstrndup(l, len);
		char *cr = strchr(line, '\r');

		if (cr)
			*cr = '\0';
		if (str_starts(line, "status ")) {
			char *end;
			long v = strtol(line + 7, &end, 10);
			if (end != line + 7 && !*end && v >= 0 && v <= 255) {
				*status = (int)v;
				free(line);
				return 0;
			}
		} else if (str_starts(line, "setup: ")) {
			*why = xstrdup(line + 7);
			free(line);
			return 1;
		}
		free(line);
		l += len + (e ? 1 : 0);
	}
	return -1;
}
