#include "run.h"

#include "fs.h"
#include "log.h"
#include "str.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

/* Make fd the child's descriptor to (dup2 clears close-on-exec on the copy;
 * the original, opened close-on-exec, goes at exec). */
static void move_fd(int fd, int to)
{
	if (fd == to) {
		fcntl(fd, F_SETFD, 0);
		return;
	}
	dup2(fd, to);
}

/*
 * In the forked child: only 0, 1 and 2 reach the program. Every descriptor
 * run.c opens is close-on-exec, so neither the pipe's write end nor a log's
 * descriptor is inherited by the tool, or by a daemon it leaves behind
 * (which would keep run_capture's pipe open).
 */
/* In the child: enter o->root with o->binds mounted in, in a mount
 * namespace of its own (the mounts go with the process). */
static void enter_root(const struct run_opts *o)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		fprintf(stderr, "lpatch: error: cannot make a mount namespace to enter the build "
			"root %s: %s (lpatch must run as root for it)\n", o->root, strerror(errno));
		_exit(127);
	}
	for (const char *const *b = o->binds; b && *b; b++) {
		char *in = xasprintf("%s%s", o->root, *b);

		if (mkdir_p(in) || mount(*b, in, NULL, MS_BIND | MS_REC, NULL)) {
			fprintf(stderr, "lpatch: error: cannot bind %s into the build root at %s: "
				"%s\n", *b, in, strerror(errno));
			_exit(127);
		}
		free(in);
	}
	if (chroot(o->root) || chdir("/")) {
		fprintf(stderr, "lpatch: error: cannot enter the build root %s: %s\n", o->root,
			strerror(errno));
		_exit(127);
	}
}

static void child(const char *const *argv, const struct run_opts *o, int outfd)
{
	if (o && o->cwd && !o->root && chdir(o->cwd)) {
		fprintf(stderr, "lpatch: error: cannot enter %s: %s\n", o->cwd, strerror(errno));
		_exit(127);
	}
	if (o && o->env)
		for (const char *const *e = o->env; *e; e++)
			putenv((char *)*e);
	if (o && o->no_stdin) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			move_fd(fd, 0);
	}
	if (outfd >= 0) {
		move_fd(outfd, 1);
		if (o && o->stderr_too)
			dup2(1, 2);
	}
	if (o && (o->log || o->quiet)) {
		int fd = o->quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC)
				  : open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			if (outfd < 0)
				move_fd(fd, 1);
			move_fd(fd, 2);
		}
	}
	if (o && o->root) {
		enter_root(o);
		if (o->cwd && chdir(o->cwd)) {
			fprintf(stderr, "lpatch: error: cannot enter %s in the build root %s: %s\n",
				o->cwd, o->root, strerror(errno));
			_exit(127);
		}
	}
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "lpatch: error: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int wait_child(pid_t pid, const char *name)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			lp_perr("waiting for %s", name);
			return -1;
		}
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int run(const char *const *argv, const struct run_opts *opts)
{
	int outfd = -1;
	pid_t pid;
	int ret;

	if (opts && opts->out) {
		outfd = open(opts->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (outfd < 0) {
			lp_perr("cannot write %s", opts->out);
			return -1;
		}
	}
	if (lp_verbose > 0) {
		char *cmd = argv_join(argv);
		lp_debug("run: %s%s%s", cmd, opts && opts->cwd ? " in " : "",
			 opts && opts->cwd ? opts->cwd : "");
		free(cmd);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		lp_perr("cannot start %s", argv[0]);
		if (outfd >= 0)
			close(outfd);
		return -1;
	}
	if (pid == 0)
		child(argv, opts, outfd);
	if (outfd >= 0)
		close(outfd);
	ret = wait_child(pid, argv[0]);
	if (ret == 127 && !have_program(argv[0]))
		return -1;
	return ret;
}

char *run_capture(const char *const *argv, const struct run_opts *opts, int *status)
{
	struct strbuf sb = {0};
	int fds[2];
	char buf[8192];
	ssize_t n;
	pid_t pid;
	int st;

	if (pipe2(fds, O_CLOEXEC)) {
		lp_perr("pipe");
		return NULL;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		lp_perr("cannot start %s", argv[0]);
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		close(fds[0]);
		child(argv, opts, fds[1]);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		sb_addn(&sb, buf, (size_t)n);
	}
	close(fds[0]);
	st = wait_child(pid, argv[0]);
	if (status)
		*status = st;
	return sb_take(&sb);
}

char *find_program(const char *name, const char *skip_dir)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) ? NULL : path_absolute(name);
	copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = path_join(d, name);
		if ((!skip_dir || strcmp(d, skip_dir)) && !access(p, X_OK))
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

bool have_program(const char *name)
{
	char *p = find_program(name, NULL);
	bool found = p != NULL;

	free(p);
	return found;
}

char *argv_join(const char *const *argv)
{
	struct strbuf sb = {0};

	for (; *argv; argv++) {
		if (sb.len)
			sb_add(&sb, " ");
		sb_add(&sb, *argv);
	}
	return sb_take(&sb);
}
