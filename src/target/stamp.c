/* Completion stamps: a step is done exactly when its stamp file exists. */
#include "target/stamp.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *stamp_path(const char *dir, const char *step)
{
	return xasprintf("%s/.%s.done", dir, step);
}

bool stamp_done(const char *dir, const char *step)
{
	char *p = stamp_path(dir, step);
	bool done = path_exists(p);

	free(p);
	return done;
}

char *stamp_read(const char *dir, const char *step)
{
	char *p = stamp_path(dir, step);
	char *text = read_file_quiet(p, NULL);
	size_t n;

	free(p);
	if (text && (n = strlen(text)) && text[n - 1] == '\n')
		text[n - 1] = '\0';
	return text;
}

int stamp_mark(const char *dir, const char *step, const char *text)
{
	char *p = stamp_path(dir, step);
	char *body = xasprintf("%s\n", text ? text : "");
	struct atomic_out out;
	int ret = -1;

	if (!atomic_begin(&out, p)) {
		if (write_file(out.tmp, body, strlen(body)))
			atomic_abort(&out);
		else
			ret = atomic_commit(&out);
	}
	free(body);
	free(p);
	return ret;
}

int stamp_clear(const char *dir, const char *step)
{
	char *p = stamp_path(dir, step);
	int ret = 0;

	if (unlink(p) && errno != ENOENT) {
		lp_perr("cannot remove %s", p);
		ret = -1;
	}
	free(p);
	return ret;
}
