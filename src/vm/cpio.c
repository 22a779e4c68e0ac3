#include "vm/cpio.h"

#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
	const char *name;
	unsigned mode;
	size_t size;
	long mtime;
	unsigned rmajor, rminor;
};

static void put(struct cpio_out *c, const void *p, size_t n)
{
	if (!c->err && n && fwrite(p, 1, n, c->f) != n)
		c->err = errno ? errno : EIO;
}

/* newc pads both the header+name and the data to 4 bytes. */
static void pad(struct cpio_out *c, size_t len)
{
	static const char zeros[4];

	put(c, zeros, (4 - len % 4) % 4);
}

static void header(struct cpio_out *c, const struct entry *e)
{
	size_t namesize = strlen(e->name) + 1;
	char h[128];

	if (e->size > 0xffffffffu) {	/* newc sizes are 32-bit */
		c->err = EFBIG;
		return;
	}
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++c->ino, e->mode, 0u, 0u, S_ISDIR(e->mode) ? 2u : 1u, (unsigned)e->mtime,
		 (unsigned)e->size, 0u, 0u, e->rmajor, e->rminor, (unsigned)namesize, 0u);
	put(c, h, 110);
	put(c, e->name, namesize);
	pad(c, 110 + namesize);
}

static bool have_dir(const struct cpio_out *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->ndirs; i++)
		if (strlen(c->dirs[i]) == len && !memcmp(c->dirs[i], name, len))
			return true;
	return false;
}

/* Add every missing ancestor of name, shallowest first. */
static void parents(struct cpio_out *c, const char *name)
{
	for (const char *s = strchr(name, '/'); s; s = strchr(s + 1, '/')) {
		struct entry e = { .mode = S_IFDIR | 0755 };
		char *dir;

		if (have_dir(c, name, (size_t)(s - name)))
			continue;
		dir = xstrndup(name, (size_t)(s - name));
		e.name = dir;
		header(c, &e);
		*ARRAY_PUSH(c->dirs, c->ndirs, c->dircap) = dir;
	}
}

int cpio_begin(struct cpio_out *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->f = fopen(path, "wb");
	if (!c->f) {
		lp_perr("cannot write the initramfs %s", path);
		return -1;
	}
	c->path = xstrdup(path);
	return 0;
}

void cpio_dir(struct cpio_out *c, const char *name)
{
	struct entry e = { .name = name, .mode = S_IFDIR | 0755 };

	if (have_dir(c, name, strlen(name)))
		return;
	parents(c, name);
	header(c, &e);
	*ARRAY_PUSH(c->dirs, c->ndirs, c->dircap) = xstrdup(name);
}

void cpio_data(struct cpio_out *c, const char *name, unsigned mode, const void *data, size_t len)
{
	struct entry e = { .name = name, .mode = S_IFREG | (mode & 07777), .size = len };

	parents(c, name);
	header(c, &e);
	put(c, data, len);
	pad(c, len);
}

int cpio_file(struct cpio_out *c, const char *name, unsigned mode, const char *from)
{
	struct entry e = { .name = name, .mode = S_IFREG | (mode & 07777) };
	char buf[1 << 16];
	size_t left;
	struct stat st;
	int fd = open(from, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		lp_perr("cannot read %s", from);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		lp_err("cannot copy %s into the VM: not a regular file", from);
		close(fd);
		return -1;
	}
	e.size = (size_t)st.st_size;
	e.mtime = st.st_mtime;
	parents(c, name);
	header(c, &e);
	/* exactly the size announced, even if the file changes meanwhile */
	for (left = e.size; left;) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			lp_err("cannot read %s: %s", from, n ? strerror(errno) : "it shrank while being copied");
			close(fd);
			c->err = EIO;
			return -1;
		}
		put(c, buf, (size_t)n);
		left -= (size_t)n;
	}
	close(fd);
	pad(c, e.size);
	return 0;
}

void cpio_symlink(struct cpio_out *c, const char *name, const char *target)
{
	struct entry e = { .name = name, .mode = S_IFLNK | 0777, .size = strlen(target) };

	parents(c, name);
	header(c, &e);
	put(c, target, e.size);
	pad(c, e.size);
}

void cpio_chardev(struct cpio_out *c, const char *name, unsigned major, unsigned minor)
{
	struct entry e = { .name = name, .mode = S_IFCHR | 0600, .rmajor = major, .rminor = minor };

	parents(c, name);
	header(c, &e);
}

static void release(struct cpio_out *c)
{
	for (size_t i = 0; i < c->ndirs; i++)
		free(c->dirs[i]);
	free(c->dirs);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

int cpio_finish(struct cpio_out *c)
{
	struct entry e = { .name = "TRAILER!!!" };
	int ret = 0;

	header(c, &e);
	if (fclose(c->f) && !c->err)
		c->err = errno ? errno : EIO;
	if (c->err) {
		lp_err("cannot write the initramfs %s: %s", c->path, strerror(c->err));
		ret = -1;
	}
	release(c);
	return ret;
}

void cpio_discard(struct cpio_out *c)
{
	if (c->f)
		fclose(c->f);
	release(c);
}
