/* Taint bits and the letters the kernel prints for them (kernel/panic.c, 6.1). */
#include "host/taint.h"

#include "host/sysfs.h"

#include <stdlib.h>

static const struct taint_flag flags[] = {
	{ 0, 'P', "proprietary_module" },
	{ 1, 'F', "forced_module" },
	{ 2, 'S', "cpu_out_of_spec" },
	{ 3, 'R', "forced_rmmod" },
	{ 4, 'M', "machine_check" },
	{ 5, 'B', "bad_page" },
	{ 6, 'U', "user" },
	{ 7, 'D', "died" },
	{ 8, 'A', "overridden_acpi_table" },
	{ 9, 'W', "warn" },
	{ 10, 'C', "staging_driver" },
	{ 11, 'I', "firmware_workaround" },
	{ 12, 'O', "out_of_tree_module" },
	{ 13, 'E', "unsigned_module" },
	{ 14, 'L', "soft_lockup" },
	{ TAINT_LIVEPATCH, 'K', "livepatch" },
	{ 16, 'X', "aux" },
	{ 17, 'T', "randstruct" },
	{ 18, 'N', "test" },
	{ 0, 0, NULL },
};

const struct taint_flag *taint_flags(void)
{
	return flags;
}

unsigned long taint_read(void)
{
	char *s = sysfs_line("/proc/sys/kernel/tainted");
	unsigned long v = s ? strtoul(s, NULL, 10) : 0;

	free(s);
	return v;
}
