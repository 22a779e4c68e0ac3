/*
 * lpatch-hook serve: the resident service of installed process patches
 * (docs/user-install.md). The start-up hook (src/hook/preload.c) of a process
 * that maps a patched object connects to ROOT/user/hook.sock and asks for the
 * patches; a worker of this service applies them as `lpatch-hook hook-apply`
 * would, and answers. Without the service, the hook starts lpatch-hook
 * itself: the service saves a program's start and exit per patched process.
 *
 * Workers are forked ahead of time (--spares of them, each waiting in
 * accept), so neither a fork nor an exit is on a starting process's path.
 * A worker serves one request and exits, as hook-apply does: nothing of one
 * apply is left to the next, and a crash or the time limit ends one worker.
 *
 * The request is one message, "apply NAME...\n": the patches installed as
 * ROOT/user/NAME.lpatch. The caller is the peer of the connection
 * (SO_PEERCRED), which a worker pins with a pidfd at once. The answer is what
 * the apply wrote on stderr, then a NUL byte and the exit code as one byte;
 * then the connection is closed.
 *
 * A worker makes its memory ready while it waits (malloc's arena and its
 * stack touched once), so that the apply, which the process waits for, does
 * not pay for a first touch of each page.
 */
#include "cli/cli.h"

#include "host/store.h"
#include "host/ustore.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* A worker has this long from accept to its answer; the hook waits a little longer. */
#define WORKER_LIMIT_S 5
#define MAX_SPARES 16
/* What a worker touches of malloc's arena while it waits (warm_up). */
#define WARM_HEAP (8u << 20)
#define MAX_NAMES 32
/* The first descriptor systemd passes with socket activation (sd_listen_fds(3)). */
#define LISTEN_FDS_START 3

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	stopping = sig;
}

static void on_child(int sig)
{
}

static void usage(void)
{
	printf("usage: lpatch-hook serve [--root DIR] [--spares N]\n\n"
	       "Apply installed process patches (`lpatch install --user`) to processes as they\n"
	       "start, for the start-up hook, without starting a program per process. Listens\n"
	       "on ROOT/user/hook.sock, or on the socket systemd passes (lpatch-hook.socket).\n"
	       "The hook starts lpatch-hook itself when no service listens. Runs as root (it\n"
	       "traces processes of every user). Stops on SIGTERM or SIGINT.\n\n"
	       "options:\n"
	       "  --root DIR   the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n"
	       "  --spares N   workers kept waiting for a request, 1 to %d (default 2)\n",
	       MAX_SPARES);
}

/*
 * One request on conn, in a worker: check who asks and what, apply. Errors
 * go to the caller (stderr is the connection). An exit code; -1 when the
 * caller is not to be answered (it sent nothing). The names asked for are
 * left in names (*n of them), for the log.
 */
static int handle(int conn, const char *root, pid_t pid, char *req, size_t reqsize,
		  char **names, int *n)
{
	char *files[MAX_NAMES], *save = NULL;
	struct timeval tv = { 1, 0 };
	ssize_t len;
	/*
	 * Pin the caller now: while it waits for the answer its pid cannot be
	 * reused, and the pidfd tells later whether it is still that process.
	 */
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	len = recv(conn, req, reqsize - 1, 0);
	if (len <= 0 || dup2(conn, STDERR_FILENO) < 0)
		return -1;
	req[len] = '\0';
	if (pidfd < 0) {
		lp_perr("hook service: process %d", (int)pid);
		return LP_EXIT_FAIL;
	}
	if (len < 7 || req[len - 1] != '\n' || strncmp(req, "apply ", 6)) {
		lp_err("hook service: process %d sent no request this service knows "
		       "(\"apply NAME...\\n\")", (int)pid);
		return LP_EXIT_REFUSED;
	}
	/* only files of the store: ROOT/user/NAME.lpatch, NAME one path component */
	for (char *tok = strtok_r(req + 6, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (tok[0] == '.' || strchr(tok, '/') || *n == MAX_NAMES) {
			lp_err("hook service: process %d asked for '%s', which is no patch name",
			       (int)pid, tok);
			return LP_EXIT_REFUSED;
		}
		names[*n] = tok;
		files[*n] = ustore_patch_path(root, tok);
		if (access(files[*n], R_OK)) {
			lp_err("hook service: process %d asked for patch %s, which is not installed "
			       "in %s", (int)pid, tok, root);
			return LP_EXIT_REFUSED;
		}
		++*n;
	}
	if (!*n) {
		lp_err("hook service: process %d asked for no patch", (int)pid);
		return LP_EXIT_REFUSED;
	}
	/* still the same process (it cannot go away once traced) */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0)) {
		lp_err("hook service: process %d is gone", (int)pid);
		return LP_EXIT_FAIL;
	}
	return hook_apply_files(pid, files, *n);
}

/* One connection, in a worker: handle it, answer, and log one line (the journal, under systemd). */
static int serve_one(int conn, const char *root)
{
	char req[4096], *names[MAX_NAMES], line[1024];
	double t0 = lp_now();
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	int n = 0, rc, k;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) || cr.pid <= 0)
		return LP_EXIT_FAIL;
	rc = handle(conn, root, cr.pid, req, sizeof(req), names, &n);
	if (rc < 0)
		return LP_EXIT_FAIL;
	{
		char end[2] = { '\0', (char)rc };	/* the answer: NUL, then the exit code */

		if (send(conn, end, sizeof(end), MSG_NOSIGNAL) != (ssize_t)sizeof(end))
			rc = rc ? rc : LP_EXIT_FAIL;
	}
	close(conn);
	close(STDERR_FILENO);
	k = snprintf(line, sizeof(line), "lpatch-hook: process %d:", (int)cr.pid);
	for (int i = 0; i < n && k < (int)sizeof(line); i++)
		k += snprintf(line + k, sizeof(line) - (size_t)k, " %s", names[i]);
	if (k < (int)sizeof(line) && rc)
		snprintf(line + k, sizeof(line) - (size_t)k, " not applied (exit %d): %s\n", rc,
			 lp_first_error() ? lp_first_error() : "no error said");
	else if (k < (int)sizeof(line))
		snprintf(line + k, sizeof(line) - (size_t)k, " applied in %.2f ms\n",
			 (lp_now() - t0) * 1e3);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	if (write(STDOUT_FILENO, line, strlen(line)) < 0)
		return rc;
	return rc;
}

/* Each loaded segment of this program: its pages mapped now (warm_up). */
static int populate(struct dl_phdr_info *info, size_t size, void *arg)
{
	long page = sysconf(_SC_PAGESIZE);

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(page - 1);
		uintptr_t hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (!(ph->p_flags & PF_W)) {
			madvise((void *)lo, hi - lo, MADV_POPULATE_READ);
			continue;
		}
		/* page by page: its first pages are made read-only after start (RELRO) */
		for (uintptr_t p = lo; p < hi; p += (uintptr_t)page)
			if (madvise((void *)p, (size_t)page, MADV_POPULATE_WRITE))
				madvise((void *)p, (size_t)page, MADV_POPULATE_READ);
	}
	return 0;
}

/*
 * Make ready, while waiting, the memory an apply will use. A forked worker
 * starts with none of this program's code mapped in its page tables (fork
 * copies only those of written memory) and shares its written pages with
 * the parent until it writes them: without this, each page the apply
 * touches first costs a page fault while the process it patches waits
 * (0.3-0.5 ms of a 2 ms apply on the machine of docs/performance.md). So:
 * every segment of the program mapped (and its data copied), malloc's arena
 * touched and kept (no trimming, no separate mappings below 64 MiB), and
 * 256 KiB of stack. Kernels before 5.14 lack MADV_POPULATE_*: only the
 * arena and stack are touched there.
 */
static void warm_up(void)
{
	volatile char stack[256 << 10];
	size_t size = WARM_HEAP;
	char *p;

	dl_iterate_phdr(populate, NULL);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	p = malloc(size);
	if (p)
		memset(p, 0, size);
	free(p);
	memset((char *)stack, 0, sizeof(stack));
}

/* A spare worker: wait for one connection, tell the parent, serve it, exit. */
static void worker(int lfd, int note, const char *root, pid_t parent)
{
	/* a spare outlives no parent, even one killed with SIGKILL */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(LP_EXIT_FAIL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	warm_up();
	for (;;) {
		int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		pid_t me = getpid();

		if (conn < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(LP_EXIT_FAIL);
		}
		close(lfd);
		/*
		 * Busy: finish this apply even when the service stops (systemd's
		 * SIGTERM to the whole unit); the time limit still holds. SIGALRM's
		 * default ends it, and the process comes back whole.
		 */
		prctl(PR_SET_PDEATHSIG, 0);
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		alarm(WORKER_LIMIT_S);
		if (write(note, &me, sizeof(me)) < 0) {
			/* the parent is gone: serve this one anyway */
		}
		close(note);
		_exit(serve_one(conn, root));
	}
}

/*
 * The listening socket: the one systemd passes (LISTEN_PID, LISTEN_FDS), else
 * ROOT/user/hook.sock made here (*made: its path, to remove at the end).
 */
static int listen_socket(const char *dir, char **made)
{
	const char *lpid = getenv("LISTEN_PID"), *lfds = getenv("LISTEN_FDS");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path, *tmp;
	int fd;

	*made = NULL;
	if (lpid && lfds && atol(lpid) == (long)getpid() && atoi(lfds) >= 1) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		fcntl(LISTEN_FDS_START, F_SETFD, FD_CLOEXEC);
		return LISTEN_FDS_START;
	}
	path = xasprintf("%s/%s", dir, USTORE_SOCKET);
	tmp = xasprintf("%s/.%s.%d", dir, USTORE_SOCKET, (int)getpid());
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(tmp) >= sizeof(sa.sun_path)) {
		lp_err("hook service: socket path %s is longer than a socket address allows "
		       "(%zu bytes); use a shorter --root", path, sizeof(sa.sun_path) - 1);
		goto fail;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		lp_perr("hook service: cannot make %s", dir);
		goto fail;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		lp_perr("hook service: socket");
		goto fail;
	}
	/* bound under a temporary name and renamed: the path is never half made */
	memcpy(sa.sun_path, tmp, strlen(tmp) + 1);
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(tmp, 0666) || listen(fd, 128) ||
	    rename(tmp, path)) {
		lp_perr("hook service: cannot listen on %s", path);
		unlink(tmp);
		close(fd);
		goto fail;
	}
	free(tmp);
	*made = path;
	return fd;
fail:
	free(path);
	free(tmp);
	return -1;
}

int cmd_hook_serve(int argc, char **argv)
{
	const char *root_opt = NULL;
	unsigned spares = 2;
	const struct cli_opt opts[] = {
		{ "--root", 0, .str = &root_opt },
		{ "--spares", 0, .num = &spares, .min = 1, .max = MAX_SPARES },
		{ NULL },
	};
	const struct cli_cmd cmd = { .name = "serve", .help = usage, .opts = opts };
	struct sigaction sa = { .sa_handler = on_stop };
	pid_t spare[MAX_SPARES];
	unsigned nspare = 0, nbusy = 0;
	pid_t me = getpid();
	int r = cli_parse(&cmd, argc, argv, NULL), lfd, note[2];
	char *root, *dir, *made;

	if (r != CLI_GO_ON)
		return r;
	root = store_root(root_opt);
	dir = ustore_dir(root);
	lfd = listen_socket(dir, &made);
	if (lfd < 0)
		return LP_EXIT_FAIL;
	if (pipe2(note, O_CLOEXEC)) {
		lp_perr("hook service: pipe");
		return LP_EXIT_FAIL;
	}
	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: poll returns */
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;	/* poll returns when a worker ends */
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("lpatch-hook: serving the patches installed in %s on %s (%u spare workers)\n", dir,
	       made ? made : "the socket systemd passed", spares);
	fflush(stdout);
	while (!stopping) {
		struct pollfd p = { note[0], POLLIN, 0 };
		pid_t got;
		int status;

		/*
		 * A spare replaces a busy worker once that one is done, not while it
		 * works: the fork would take the CPU the apply needs. Only when none
		 * is left waiting is one forked at once.
		 */
		while (nspare < spares && (!nbusy || !nspare)) {
			pid_t c = fork();

			if (c == 0) {
				close(note[0]);
				worker(lfd, note[1], root, me);
			}
			if (c < 0) {
				lp_perr("hook service: fork");
				break;
			}
			spare[nspare++] = c;
		}
		if (poll(&p, 1, 1000) > 0 && read(note[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
			for (unsigned i = 0; i < nspare; i++)
				if (spare[i] == got) {	/* busy now */
					spare[i] = spare[--nspare];
					nbusy++;
					break;
				}
		while ((got = waitpid(-1, &status, WNOHANG)) > 0) {
			bool was_spare = false;

			for (unsigned i = 0; i < nspare && !was_spare; i++)
				if (spare[i] == got) {
					spare[i] = spare[--nspare];
					was_spare = true;
				}
			if (!was_spare) {
				if (nbusy)
					nbusy--;
				continue;
			}
			if (stopping || (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM))
				continue;
			/* died waiting: say so, and slow down */
			lp_warn("hook service: worker %d ended before any request (status %#x)",
				(int)got, (unsigned)status);
			usleep(100000);
		}
	}
	for (unsigned i = 0; i < nspare; i++)
		kill(spare[i], SIGTERM);
	if (made)
		unlink(made);
	printf("lpatch-hook: stopped (signal %d)\n", (int)stopping);
	free(made);
	free(dir);
	free(root);
	return LP_EXIT_OK;
}
