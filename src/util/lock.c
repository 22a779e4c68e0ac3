#include "lock.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

int lock_path(const char *path, const char *what)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		lp_perr("cannot open lock %s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	lp_progress("waiting for another lpatch that is using %s", what);
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			lp_perr("cannot lock %s", path);
			close(fd);
			return -1;
		}
	}
	return fd;
}

void unlock_path(int fd)
{
	if (fd >= 0)
		close(fd);
}
