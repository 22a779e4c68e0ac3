/* Tracee memory I/O: process_vm_readv for reads, /proc/PID/mem for writes. */
#include "user/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

/* One descriptor kept open: apply writes many small pieces while the target is stopped. */
static int mem_fd = -1;
static pid_t mem_pid;

static int mem_open(pid_t pid)
{
	char path[64];

	if (mem_fd >= 0 && mem_pid == pid)
		return mem_fd;
	rmem_close();
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem_fd = open(path, O_RDWR | O_CLOEXEC);
	if (mem_fd >= 0)
		mem_pid = pid;
	return mem_fd;
}

void rmem_close(void)
{
	if (mem_fd >= 0)
		close(mem_fd);
	mem_fd = -1;
}

int rmem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	int fd;

	if (n == (ssize_t)len)
		return 0;
	/* Partial reads or a kernel without the call: fall back to the mem file. */
	fd = mem_open(pid);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)addr);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EFAULT;
	return -1;
}

int rmem_write(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	int fd = mem_open(pid);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pwrite(fd, buf, len, (off_t)addr);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EFAULT;
	return -1;
}
