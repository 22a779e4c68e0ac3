/* Advisory locks on cache entries, so concurrent lpatch runs do not collide. */
#ifndef LPATCH_UTIL_LOCK_H
#define LPATCH_UTIL_LOCK_H

/* Take an exclusive lock on path (created if needed), waiting with a
 * progress line when another lpatch holds it. Returns an fd, or -1. */
int lock_path(const char *path, const char *what);
void unlock_path(int fd);

#endif
