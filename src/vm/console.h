/* The guest kernel's console log: finding the problems the kernel reported. */
#ifndef LPATCH_VM_CONSOLE_H
#define LPATCH_VM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct console_report {
	char *first;		/* the first problem line (its message), NULL when clean */
	bool panic;		/* the kernel panicked */
	char *excerpt;		/* the lines around each problem, for the user */
	size_t nproblems;	/* problem reports (a WARNING with its trace counts once) */
};

/*
 * Scan a console log (serial output: "\r\n" line ends, "[ time] " prefixes)
 * for panics, oopses, BUGs, WARNINGs, call traces and the like.
 */
void console_scan(const char *log, struct console_report *r);
void console_report_free(struct console_report *r);

#endif
