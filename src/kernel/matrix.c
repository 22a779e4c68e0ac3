/*
 * One fix for many kernels. Each release is built by a child process of its
 * own (target_open, then kernel_build, exactly as `lpatch build` does), its
 * output in a log of its own, up to m->jobs at a time: the releases' trees
 * are separate, each under its own lock, so nothing is shared but the CPU.
 * The child tells the parent its result in one line through a pipe.
 */
#include "kernel/matrix.h"

#include "kernel/build.h"
#include "target/target.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const result_names[] = {
	[MATRIX_BUILT] = "built",
	[MATRIX_ALREADY_FIXED] = "already fixed",
	[MATRIX_NO_CHANGE] = "no change",
	[MATRIX_REFUSED] = "refused",
	[MATRIX_FAILED] = "failed",
};

const char *matrix_result_name(enum matrix_result r)
{
	return r <= MATRIX_FAILED ? result_names[r] : "?";
}

/* A spec as a file name: debian:cloud -> debian-cloud */
static char *spec_file_name(const char *spec)
{
	char *s = xstrdup(spec);

	for (char *c = s; *c; c++)
		if (*c == '/' || *c == ':' || *c == '@' || *c == ' ')
			*c = '-';
	return s;
}

/* Tabs and newlines would break the line the child sends. */
static void one_line(char *s)
{
	for (; s && *s; s++)
		if (*s == '\t' || *s == '\n')
			*s = ' ';
}

/*
 * The child: build spec, its output (progress, errors, the differ's report)
 * in its own log; send "RESULT\tRELEASE\tVERSION\tMODULE\tLOG\tREASON\n" to fd.
 */
static void child(const struct matrix *m, size_t i, int fd)
{
	const char *spec = m->specs[i];
	char *stem = spec_file_name(spec);
	char *tmplog = xasprintf("%s/%s.log", m->outdir, stem);
	char *log = NULL, *dir = NULL, *ko = NULL, *reason = NULL, *line;
	struct kernel_target t = {0};
	struct kernel_build b = {0};
	enum matrix_result res = MATRIX_FAILED;
	int out = open(tmplog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), c;

	if (out < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
		reason = xasprintf("cannot write the log %s: %s", tmplog, strerror(errno));
		free(tmplog);
		tmplog = NULL;
		goto send;
	}
	close(out);
	setvbuf(stdout, NULL, _IOLBF, 0);
	c = target_open(spec, TARGET_BOOT | TARGET_HEADERS | TARGET_SYMBOLS | TARGET_SOURCE, &t);
	if (c) {
		res = c == LP_REFUSED ? MATRIX_REFUSED : MATRIX_FAILED;
		goto send;
	}
	dir = path_join(m->outdir, t.release);
	if (mkdir_p(dir))
		goto send;
	log = path_join(dir, "build.log");
	if (rename(tmplog, log)) {
		lp_perr("cannot move the log %s to %s", tmplog, log);
		goto send;
	}
	ko = xasprintf("%s/%s.ko", dir, m->meta.name);
	/* an earlier run's module for this release is not this run's */
	if (unlink(ko) && errno != ENOENT) {
		lp_perr("cannot remove the earlier %s", ko);
		goto send;
	}
	b.target = &t;
	b.patches = m->patches;
	b.npatches = m->npatches;
	b.out = ko;
	b.meta = m->meta;
	b.no_verify = m->no_verify;
	switch (kernel_build(&b)) {
	case LP_EXIT_OK:
		res = MATRIX_BUILT;
		reason = xasprintf("wrote %s", ko);
		break;
	case LP_EXIT_NOCHANGE:
		res = MATRIX_NO_CHANGE;
		break;
	case LP_EXIT_REFUSED:
		res = b.already_fixed ? MATRIX_ALREADY_FIXED : MATRIX_REFUSED;
		break;
	default:
		res = MATRIX_FAILED;
	}
send:
	if (!reason)
		reason = xstrdup(lp_first_error() ? lp_first_error() : "no reason given (see the log)");
	one_line(reason);
	fflush(stdout);
	fflush(stderr);
	line = xasprintf("%d\t%s\t%s\t%s\t%s\t%s\n", (int)res, t.release ? t.release : "",
			 t.version ? t.version : "", res == MATRIX_BUILT ? ko : "",
			 log ? log : tmplog ? tmplog : "", reason);
	/* at most one line of a few hundred bytes: the pipe holds it */
	if (write(fd, line, strlen(line)) < 0)
		_exit(1);
	_exit(0);
}

static char *field(char **p)
{
	char *s = *p, *tab = s ? strchr(s, '\t') : NULL;

	if (!s)
		return xstrdup("");
	if (tab)
		*tab = '\0';
	*p = tab ? tab + 1 : NULL;
	return xstrdup(s);
}

static char *empty_null(char *s)
{
	if (s && !*s) {
		free(s);
		return NULL;
	}
	return s;
}

/* What the child said (or why it said nothing) into row. */
static void reap(struct matrix_row *row, int fd, int status)
{
	struct strbuf sb = {0};
	char buf[1024], *p, *r;
	ssize_t got;

	while ((got = read(fd, buf, sizeof(buf))) > 0 || (got < 0 && errno == EINTR))
		if (got > 0)
			sb_addn(&sb, buf, (size_t)got);
	close(fd);
	if (!sb.len || !strchr(sb.buf, '\n')) {
		row->result = MATRIX_FAILED;
		if (WIFSIGNALED(status))
			row->reason = xasprintf("the build of %s was killed by signal %d (%s)",
						row->spec, WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			row->reason = xasprintf("the build of %s ended (status %d) without a result",
						row->spec, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		sb_free(&sb);
		return;
	}
	sb.buf[strcspn(sb.buf, "\n")] = '\0';
	p = sb.buf;
	r = field(&p);
	row->result = (enum matrix_result)atoi(r);
	free(r);
	row->release = empty_null(field(&p));
	row->version = empty_null(field(&p));
	row->module = empty_null(field(&p));
	row->log = empty_null(field(&p));
	row->reason = field(&p);
	if (row->result > MATRIX_FAILED)
		row->result = MATRIX_FAILED;
	sb_free(&sb);
}

int kernel_matrix(struct matrix *m)
{
	struct running {
		pid_t pid;
		int fd;
		double start;
	} *run = xcalloc(m->nspecs, sizeof(*run));
	size_t next = 0, active = 0, done = 0;
	unsigned jobs = m->jobs ? m->jobs : 1;

	if (mkdir_p(m->outdir)) {
		free(run);
		return -1;
	}
	m->rows = xcalloc(m->nspecs, sizeof(*m->rows));
	for (size_t i = 0; i < m->nspecs; i++)
		m->rows[i].spec = xstrdup(m->specs[i]);
	lp_progress("building for %zu release%s, %u at a time; modules and logs in %s", m->nspecs,
		    m->nspecs == 1 ? "" : "s", jobs, m->outdir);
	while (done < m->nspecs) {
		int status;
		pid_t pid;

		while (next < m->nspecs && active < jobs) {
			int p[2];

			if (pipe2(p, O_CLOEXEC)) {
				lp_perr("cannot make a pipe for the build of %s", m->specs[next]);
				goto fail;
			}
			fflush(stdout);
			fflush(stderr);
			run[next].start = lp_now();
			pid = fork();
			if (pid < 0) {
				lp_perr("cannot fork the build of %s", m->specs[next]);
				close(p[0]);
				close(p[1]);
				goto fail;
			}
			if (!pid) {
				close(p[0]);
				child(m, next, p[1]);
			}
			close(p[1]);
			run[next].pid = pid;
			run[next].fd = p[0];
			lp_progress("%s: building", m->specs[next]);
			next++;
			active++;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			lp_perr("waiting for the builds");
			goto fail;
		}
		for (size_t i = 0; i < next; i++) {
			struct matrix_row *row = &m->rows[i];

			if (run[i].pid != pid)
				continue;
			reap(row, run[i].fd, status);
			row->seconds = lp_now() - run[i].start;
			run[i].pid = 0;
			lp_progress("%s: %s (%.0f s)", row->release ? row->release : row->spec,
				    matrix_result_name(row->result), row->seconds);
			active--;
			done++;
		}
	}
	free(run);
	return 0;
fail:
	/* the builds already started finish (their trees are journaled); wait */
	for (size_t i = 0; i < next; i++)
		if (run[i].pid > 0) {
			waitpid(run[i].pid, NULL, 0);
			close(run[i].fd);
		}
	free(run);
	return -1;
}

int matrix_exit_code(const struct matrix *m)
{
	bool failed = false, refused = false, built = false;

	for (size_t i = 0; i < m->nspecs; i++) {
		failed |= m->rows[i].result == MATRIX_FAILED;
		refused |= m->rows[i].result == MATRIX_REFUSED;
		built |= m->rows[i].result == MATRIX_BUILT;
	}
	if (failed)
		return LP_EXIT_FAIL;
	if (refused)
		return LP_EXIT_REFUSED;
	return built ? LP_EXIT_OK : LP_EXIT_NOCHANGE;
}

void matrix_free(struct matrix *m)
{
	for (size_t i = 0; m->rows && i < m->nspecs; i++) {
		struct matrix_row *r = &m->rows[i];

		free(r->spec);
		free(r->release);
		free(r->version);
		free(r->reason);
		free(r->module);
		free(r->log);
	}
	free(m->rows);
	m->rows = NULL;
}
