/* The kernel's taint flags (/proc/sys/kernel/tainted), decoded. */
#ifndef LPATCH_HOST_TAINT_H
#define LPATCH_HOST_TAINT_H

#include <stdbool.h>

struct taint_flag {
	unsigned bit;
	char letter;		/* as in oops reports and /sys/module/NAME/taint */
	const char *name;
};

/* Every flag the kernel knows, ending with a NULL name. */
const struct taint_flag *taint_flags(void);
/* /proc/sys/kernel/tainted, or 0 when unreadable (*ok false). */
unsigned long taint_read(bool *ok);

#endif
