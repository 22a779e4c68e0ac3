/* The kernel log, for explaining why the kernel refused a module. */
#ifndef LPATCH_HOST_KMSG_H
#define LPATCH_HOST_KMSG_H

/* Print to stderr the last max kernel log lines that mention word or
 * "livepatch" (from /dev/kmsg, without blocking). */
void kmsg_show_recent(const char *word, int max);

#endif
