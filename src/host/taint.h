/* The kernel's taint flags (/proc/sys/kernel/tainted), decoded. */
#ifndef LPATCH_HOST_TAINT_H
#define LPATCH_HOST_TAINT_H

struct taint_flag {
	unsigned bit;
	char letter;		/* as in oops reports and /sys/module/NAME/taint */
	const char *name;
};

#define TAINT_LIVEPATCH 15	/* K: a livepatch module was loaded */

/* Every flag the kernel knows, ending with a NULL name. */
const struct taint_flag *taint_flags(void);
/* /proc/sys/kernel/tainted, or 0 when unreadable. */
unsigned long taint_read(void);

#endif
