/* Reading and writing another process's memory (the tracee's). */
#ifndef LPATCH_USER_MEM_H
#define LPATCH_USER_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read len bytes at addr; 0, or -1 with errno set (nothing printed). */
int rmem_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/*
 * Write len bytes at addr through /proc/PID/mem, which also writes
 * read-only and executable pages (a private copy): code is patched without
 * ever mapping it writable. 0, or -1 with errno set.
 */
int rmem_write(pid_t pid, uint64_t addr, const void *buf, size_t len);
/* Forget the cached /proc/PID/mem descriptor (after detaching). */
void rmem_close(void);

#endif
