#include "fs.h"

#include "log.h"
#include "str.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_join(const char *dir, const char *name)
{
	if (name[0] == '/' || !dir || !dir[0])
		return xstrdup(name);
	return xasprintf("%s%s%s", dir, str_ends(dir, "/") ? "" : "/", name);
}

bool path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

bool path_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *path_absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return xstrdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return path_join(cwd, path);
}

const char *path_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

char *path_dirname(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

char *path_self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			lp_perr("cannot create directory %s", p);
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST) {
		lp_perr("cannot create directory %s", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT) {
		lp_perr("cannot remove %s", path);
		return -1;
	}
	return 0;
}

int rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? -1 : 0;
	return nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
}

char *make_temp_dir(const char *what)
{
	const char *tmp = getenv("TMPDIR");
	char *t = xasprintf("%s/lpatch-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", what);

	if (!mkdtemp(t)) {
		lp_perr("cannot create a temporary directory %s", t);
		free(t);
		return NULL;
	}
	return t;
}

char *read_file_quiet(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	struct strbuf sb = {0};
	char buf[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_addn(&sb, buf, n);
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		sb_free(&sb);
		errno = e;
		return NULL;
	}
	fclose(f);
	if (len)
		*len = sb.len;
	return sb_take(&sb);
}

char *read_file(const char *path, size_t *len)
{
	char *s = read_file_quiet(path, len);
	if (!s)
		lp_perr("cannot read %s", path);
	return s;
}

int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wbe");

	if (!f) {
		lp_perr("cannot write %s", path);
		return -1;
	}
	/* fclose whatever fwrite did: a short write must not leak the FILE */
	if ((fwrite(data, 1, len, f) != len) | (fclose(f) != 0)) {
		lp_perr("cannot write %s", path);
		return -1;
	}
	return 0;
}

int copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = read_file(from, &len);
	int ret;

	if (!data)
		return -1;
	ret = write_file(to, data, len);
	free(data);
	return ret;
}

int copy_rel(const char *from_root, const char *to_root, const char *rel)
{
	char *from = path_join(from_root, rel), *to = path_join(to_root, rel);
	char *dir = path_dirname(to);
	int r = 1;

	if (path_exists(from))
		r = mkdir_p(dir) || copy_file(from, to) ? -1 : 0;
	free(from);
	free(to);
	free(dir);
	return r;
}

bool files_equal(const char *a, const char *b)
{
	size_t na, nb;
	char *x = read_file_quiet(a, &na), *y = read_file_quiet(b, &nb);
	bool same = x && y && na == nb && !memcmp(x, y, na);

	free(x);
	free(y);
	return same;
}

int atomic_begin(struct atomic_out *out, const char *path)
{
	char *dir = path_dirname(path);
	int fd;

	out->path = xstrdup(path);
	out->tmp = xasprintf("%s/.%s.tmp.XXXXXX", dir, path_basename(path));
	free(dir);
	fd = mkstemp(out->tmp);
	if (fd < 0) {
		lp_perr("cannot create a temporary file beside %s", path);
		free(out->tmp);
		free(out->path);
		out->tmp = out->path = NULL;
		return -1;
	}
	close(fd);
	return 0;
}

int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		lp_perr("cannot open %s to flush it to disk", path);
		return -1;
	}
	r = fsync(fd);
	/* some file systems cannot fsync a directory: nothing more to do there */
	if (r && (errno == EINVAL || errno == EROFS))
		r = 0;
	if (r)
		lp_perr("cannot flush %s to disk", path);
	close(fd);
	return r ? -1 : 0;
}

/* Give the temporary file its mode, put it on disk, rename it over the
 * final path, and put the directory entry on disk: after a crash the path
 * holds either the old file or the whole new one. */
static int commit_mode(struct atomic_out *out, unsigned mode)
{
	char *dir = path_dirname(out->path);
	int ret = -1;

	if (chmod(out->tmp, mode))
		lp_perr("cannot set the mode of %s", out->tmp);
	else if (!fsync_path(out->tmp)) {
		if (rename(out->tmp, out->path))
			lp_perr("cannot rename %s to %s", out->tmp, out->path);
		else
			ret = fsync_path(dir);
	}
	free(dir);
	if (ret && out->tmp)
		unlink(out->tmp);
	free(out->tmp);
	free(out->path);
	out->tmp = out->path = NULL;
	return ret;
}

int atomic_commit(struct atomic_out *out)
{
	return commit_mode(out, 0644);
}

void atomic_abort(struct atomic_out *out)
{
	if (!out->tmp)
		return;
	unlink(out->tmp);
	free(out->tmp);
	free(out->path);
	out->tmp = out->path = NULL;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	struct atomic_out out;

	if (atomic_begin(&out, path))
		return -1;
	if (write_file(out.tmp, data, len) || atomic_commit(&out)) {
		atomic_abort(&out);
		return -1;
	}
	return 0;
}

int atomic_install(const char *src, const char *path, unsigned mode)
{
	struct atomic_out out;

	if (atomic_begin(&out, path))
		return -1;
	if (copy_file(src, out.tmp)) {
		atomic_abort(&out);
		return -1;
	}
	return commit_mode(&out, mode);
}
