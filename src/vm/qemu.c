#include "vm/qemu.h"

#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* In qemu, the guest's stdout and stderr pipes sit at these descriptors. */
#define GUEST_OUT_FD 3
#define GUEST_ERR_FD 4
#define KILL_GRACE_S 3.0

struct vec {
	char **v;
	size_t n, cap;
};

static void add(struct vec *a, const char *s)
{
	*ARRAY_PUSH(a->v, a->n, a->cap) = s ? xstrdup(s) : NULL;
}

static void addf(struct vec *a, const char *fmt, const char *s)
{
	*ARRAY_PUSH(a->v, a->n, a->cap) = xasprintf(fmt, s);
}

/* qemu's option syntax doubles a comma inside a value. */
static char *escape_commas(const char *s)
{
	struct strbuf sb = {0};

	for (; *s; s++)
		sb_add(&sb, *s == ',' ? ",," : (char[]){ *s, 0 });
	return sb_take(&sb);
}

char **qemu_argv(const struct qemu_config *q)
{
	struct vec a = {0};
	char num[32];

	add(&a, QEMU_PROGRAM);
	add(&a, "-nodefaults");
	add(&a, "-no-user-config");
	add(&a, "-display");
	add(&a, "none");
	/* a reboot (panic=-1 after a panic) ends qemu instead of booting again */
	add(&a, "-no-reboot");
	add(&a, "-accel");
	add(&a, q->accel == ACCEL_KVM ? "kvm" : "tcg");
	add(&a, "-cpu");
	add(&a, q->accel == ACCEL_KVM ? "host" : "max");
	add(&a, "-m");
	snprintf(num, sizeof(num), "%u", q->memory_mb);
	add(&a, num);
	add(&a, "-smp");
	snprintf(num, sizeof(num), "%u", q->cpus ? q->cpus : 1);
	add(&a, num);
	if (q->efi_code) {
		char *e;

		/* Secure Boot needs the firmware's variables in SMM-protected flash */
		add(&a, "-machine");
		add(&a, "q35,smm=on");
		add(&a, "-global");
		add(&a, "driver=cfi.pflash01,property=secure,value=on");
		e = escape_commas(q->efi_code);
		add(&a, "-drive");
		addf(&a, "if=pflash,format=raw,unit=0,readonly=on,file=%s", e);
		free(e);
		e = escape_commas(q->efi_vars);
		add(&a, "-drive");
		addf(&a, "if=pflash,format=raw,unit=1,file=%s", e);
		free(e);
	} else {
		add(&a, "-kernel");
		add(&a, q->kernel);
		if (q->initrd) {
			add(&a, "-initrd");
			add(&a, q->initrd);
		}
		add(&a, "-append");
		add(&a, q->append);
	}
	if (q->disk) {
		char *e = escape_commas(q->disk);
		add(&a, "-drive");
		addf(&a, "file=%s,if=virtio,format=raw,readonly=on", e);
		free(e);
	}
	if (q->esp) {
		/* after the modules disk, which the guest expects as vda */
		char *e = escape_commas(q->esp);
		add(&a, "-drive");
		addf(&a, "file=fat:%s,if=virtio,format=raw,readonly=on", e);
		free(e);
	}
	add(&a, "-serial");
	addf(&a, "file:%s", q->console);
	add(&a, "-serial");
	add(&a, q->relay ? "file:/dev/fd/3" : "null");
	add(&a, "-serial");
	add(&a, q->relay ? "file:/dev/fd/4" : "null");
	if (q->status) {
		add(&a, "-serial");
		addf(&a, "file:%s", q->status);
	}
	add(&a, NULL);
	return a.v;
}

void qemu_argv_free(char **argv)
{
	for (char **p = argv; p && *p; p++)
		free(*p);
	free(argv);
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void child(char **argv, bool relay, const int *out, const int *err, const char *log)
{
	int fd;

	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if ((fd = open("/dev/null", O_RDONLY)) >= 0)
		dup2(fd, 0);
	if ((fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (relay) {
		/* out of the way first, so that neither dup2 clobbers the other */
		int o = fcntl(out[1], F_DUPFD, 10), e = fcntl(err[1], F_DUPFD, 10);
		if (o < 0 || e < 0 || dup2(o, GUEST_OUT_FD) < 0 || dup2(e, GUEST_ERR_FD) < 0)
			_exit(126);
		close(o);
		close(e);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Copy what is readable on fd to to: 1 copied, 0 end of file, -1 nothing
 * now. A reader that went away (EPIPE) only stops the copying, not the
 * draining: qemu must never block on a full pipe. */
static int relay_some(int fd, int to, bool *broken)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? -1 : 0;
	if (n == 0)
		return 0;
	for (ssize_t done = 0; !*broken && done < n;) {
		ssize_t w = write(to, buf + done, (size_t)(n - done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*broken = true;
			break;
		}
		done += w;
	}
	return 1;
}

static void stop(pid_t pid, int *st)
{
	double until = lp_now() + KILL_GRACE_S;

	kill(pid, SIGTERM);
	while (waitpid(pid, st, WNOHANG) == 0) {
		if (lp_now() > until) {
			kill(pid, SIGKILL);
			waitpid(pid, st, 0);
			return;
		}
		usleep(20000);
	}
}

static void watch(pid_t pid, int *fds, double deadline, struct qemu_result *r, int *st)
{
	bool broken[2] = { false, false };

	for (;;) {
		struct pollfd p[2];
		nfds_t n = 0;
		double left = deadline - lp_now();
		pid_t w;

		if (stop_signal) {
			r->interrupted = true;
			stop(pid, st);
			return;
		}
		if (left <= 0) {
			r->timed_out = true;
			stop(pid, st);
			return;
		}
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				p[n++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		if (poll(p, n, left > 0.1 ? 100 : (int)(left * 1000) + 1) > 0) {
			for (nfds_t i = 0; i < n; i++) {
				int k = p[i].fd == fds[0] ? 0 : 1;
				if (p[i].revents && relay_some(fds[k], k + 1, &broken[k]) == 0) {
					close(fds[k]);
					fds[k] = -1;
				}
			}
			continue;
		}
		w = waitpid(pid, st, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			return;
	}
}

int qemu_run(char **argv, bool relay, double timeout_s, const char *log, struct qemu_result *r)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, fds[2], st = 0;
	struct sigaction sa = { .sa_handler = on_stop }, old_int, old_term, old_pipe;
	double start = lp_now();
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (relay && (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))) {
		lp_perr("cannot create a pipe for the guest's output");
		return -1;
	}
	stop_signal = 0;
	sigemptyset(&sa.sa_mask);	/* no SA_RESTART: poll wakes up */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child(argv, relay, out, err, log);
	if (relay) {
		close(out[1]);
		close(err[1]);
	}
	fds[0] = out[0];
	fds[1] = err[0];
	if (pid < 0) {
		lp_perr("cannot start %s", argv[0]);
	} else {
		watch(pid, fds, start + timeout_s, r, &st);
		/* whatever is still in the pipes after qemu is gone */
		for (int i = 0; i < 2; i++) {
			bool broken = false;
			if (fds[i] >= 0) {
				fcntl(fds[i], F_SETFL, O_NONBLOCK);
				while (relay_some(fds[i], i + 1, &broken) > 0 && !broken)
					;
			}
		}
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	r->seconds = lp_now() - start;
	return pid < 0 ? -1 : 0;
}
