/* ptrace bookkeeping for all the threads of one process. */
#include "user/session.h"

#include "user/mem.h"
#include "util/log.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct lp_thread *sess_adopt(struct lp_session *s, pid_t tid);

/*
 * Scheduling while the threads are held (docs/performance.md, "pause under
 * load"). On a loaded machine a thread told to stop (PTRACE_INTERRUPT) stops
 * only when the scheduler next runs it: behind every other runnable task of
 * its CPU, several milliseconds, while the threads already stopped wait. And
 * lpatch itself, preempted between the stop and the resume, holds them all.
 * So, where permitted (CAP_SYS_NICE or RLIMIT_RTPRIO):
 *   - lpatch runs SCHED_FIFO from sess_stop_all to the end of the pause;
 *   - each running thread is made SCHED_FIFO (priority 1, below lpatch) just
 *     before it is interrupted, so that it runs at once into its stop, and is
 *     given back its own policy and nice value as soon as its stop is seen
 *     (sess_note_status), not once every thread has stopped;
 *   - a blocked thread let run out of a checked function to its trampoline
 *     while the others are held (consistency.c, run_out) is boosted the same
 *     way for that first phase only (at most ROUND_WAIT_NS of its own code).
 * Kill-safety: a thread is boosted only while it runs to a stop, never while
 * lpatch holds it, so a kill of lpatch leaves at most the threads on their
 * way to a stop boosted (when every held thread stayed boosted until the last
 * one had stopped, a kill in that window left busy threads SCHED_FIFO; when
 * they fill every CPU, nothing else, the watchdog included, runs until the
 * kernel throttles them, about 1 s: docs/performance.md, user/22). A watchdog
 * process (forked at attach, not our child) is told which threads are
 * boosted; should lpatch die before giving a thread back its policy, the
 * watchdog does it when its pipe closes, once it is scheduled. Only if both
 * are killed in that moment does a thread keep SCHED_FIFO (a busy one would then
 * take a CPU, up to the kernel's real-time throttling). SCHED_DEADLINE with a
 * small budget would bound that, but was refused (EBUSY) or throttled the
 * thread mid-stop on the machine of docs/performance.md.
 */
#define SELF_PRIO 2
#define THREAD_FIFO_PRIO 1

/* sched_setattr(2)'s argument (glibc has no wrapper): a fair policy and its nice value at once */
struct lp_sched_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static int set_attr(pid_t tid, uint32_t policy, int nice)
{
	struct lp_sched_attr a = { sizeof(a), policy, 0, 0, 0, 0, 0, 0 };

	a.nice = nice;
	return (int)syscall(SYS_sched_setattr, tid, &a, 0);
}

struct boost_rec {
	pid_t tid;
	int policy, nice;	/* its own, to give back */
};

static int watchdog_fd = -1;
static bool self_boosted;
static int self_policy, self_nice;

static bool may_boost(void)
{
	struct rlimit rl;
	static int known = -1;

	if (known < 0)
		known = !getenv("LPATCH_NO_BOOST") &&
			(geteuid() == 0 || (!getrlimit(RLIMIT_RTPRIO, &rl) && rl.rlim_cur >= SELF_PRIO));
	return known;
}

static void give_back(pid_t tid, int policy, int nice)
{
	struct sched_param sp = { 0 };

	if (policy == SCHED_OTHER || policy == SCHED_BATCH) {
		set_attr(tid, (uint32_t)policy, nice);
		return;
	}
	sched_setscheduler(tid, policy, &sp);
	setpriority(PRIO_PROCESS, (id_t)tid, nice);
}

/* The watchdog: keeps the boosted threads; gives them back when lpatch is gone. */
static void watchdog(int fd)
{
	struct boost_rec recs[256], r;
	size_t n = 0;
	ssize_t got;

	while ((got = read(fd, &r, sizeof(r))) == (ssize_t)sizeof(r) || (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		if (n < sizeof(recs) / sizeof(recs[0]))
			recs[n++] = r;
	}
	/* tests/user/45: the watchdog late, as on a machine whose CPUs the boosted threads hold */
	if (getenv("LPATCH_TEST_WATCHDOG_DELAY_MS"))
		usleep((useconds_t)atoi(getenv("LPATCH_TEST_WATCHDOG_DELAY_MS")) * 1000);
	/* lpatch is gone: a thread still boosted by it gets its own policy back */
	for (size_t i = 0; i < n; i++) {
		int pol = sched_getscheduler(recs[i].tid) & ~SCHED_RESET_ON_FORK;
		struct sched_param sp;

		if (pol == SCHED_FIFO && !sched_getparam(recs[i].tid, &sp) &&
		    sp.sched_priority == THREAD_FIFO_PRIO)
			give_back(recs[i].tid, recs[i].policy, recs[i].nice);
	}
	_exit(0);
}

/* Start the watchdog once per lpatch run (before any thread is held). */
static void watchdog_start(void)
{
	int p[2];
	pid_t c;

	if (watchdog_fd >= 0 || !may_boost() || pipe2(p, O_CLOEXEC))
		return;
	c = fork();
	if (c == 0) {
		/* a grandchild: never seen by lpatch's waitpid(-1) */
		close(p[1]);
		if (fork() == 0) {
			int null = open("/dev/null", O_RDWR | O_CLOEXEC);

			/* nothing of lpatch's kept open: the pipe as fd 3, stdio on /dev/null */
			if (null < 0 || dup2(p[0], 3) < 0)
				_exit(1);
			for (int fd = 0; fd < 3; fd++)
				dup2(null, fd);
			syscall(SYS_close_range, 4, ~0U, 0);
			signal(SIGINT, SIG_IGN);
			signal(SIGTERM, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
			setsid();
			watchdog(3);
		}
		_exit(0);
	}
	close(p[0]);
	if (c < 0) {
		close(p[1]);
		return;
	}
	while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
		;
	watchdog_fd = p[1];
}

static void boost_self(void)
{
	struct sched_param sp = { SELF_PRIO };

	if (self_boosted || !may_boost())
		return;
	self_policy = sched_getscheduler(0);
	errno = 0;
	self_nice = getpriority(PRIO_PROCESS, 0);
	if (self_policy == SCHED_OTHER || self_policy == SCHED_BATCH)
		self_boosted = !sched_setscheduler(0, SCHED_FIFO, &sp);
}

static void unboost_self(void)
{
	if (self_boosted)
		give_back(0, self_policy, self_nice);
	self_boosted = false;
}

/*
 * Boost running thread t to be scheduled at once. Its own policy and nice
 * value are read once per session (a fair class policy keeps its nice value
 * through the switch and back), and the watchdog told before the boost.
 */
void sess_boost(struct lp_thread *t)
{
	t->reboost = false;
	if (watchdog_fd < 0 || t->boosted || t->boost_policy < 0)
		return;
	if (!t->boost_known) {
		struct boost_rec r = { t->tid, sched_getscheduler(t->tid), 0 };

		errno = 0;
		r.nice = getpriority(PRIO_PROCESS, (id_t)t->tid);
		t->boost_known = true;
		t->boost_policy = -1;	/* not boosted: real-time already, SCHED_IDLE, or unknown */
		if (errno || (r.policy != SCHED_OTHER && r.policy != SCHED_BATCH) ||
		    write(watchdog_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
			return;
		/* the watchdog knows before the first boost: a kill after it gives it back too */
		t->boost_policy = r.policy;
		t->boost_nice = r.nice;
	}
	{
		/* FIFO, below lpatch; its children are born normal */
		struct sched_param sp = { THREAD_FIFO_PRIO };
		t->boosted = !sched_setscheduler(t->tid, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);
	}
}

static void unboost(struct lp_thread *t)
{
	if (t->boosted) {
		set_attr(t->tid, (uint32_t)t->boost_policy, t->boost_nice);
		t->boosted = false;
	}
}

void sess_unboost_all(struct lp_session *s)
{
	for (size_t i = 0; i < s->n; i++) {
		unboost(&s->t[i]);
		s->t[i].reboost = false;
	}
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const char *thread_comm(pid_t pid, pid_t tid, char buf[THREAD_COMM_SIZE])
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	strcpy(buf, "?");
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, THREAD_COMM_SIZE, f))
			buf[strcspn(buf, "\n")] = '\0';
		else
			strcpy(buf, "?");
		fclose(f);
	}
	return buf;
}

struct lp_thread *sess_find(struct lp_session *s, pid_t tid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].tid == tid)
			return &s->t[i];
	return NULL;
}

size_t sess_live(const struct lp_session *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->t[i].state != T_GONE;
	return n;
}

/* Who else traces pid (a debugger), for the permission message. */
static int tracer_of(pid_t pid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int tracer = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0)
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	free(line);
	fclose(f);
	return tracer;
}

static void seize_error(pid_t pid, pid_t tid, int err)
{
	int tracer = tracer_of(pid);
	char comm[THREAD_COMM_SIZE];

	if (err == EPERM && tracer && tracer != getpid()) {
		lp_err("process %d is already traced by process %d (%s)", (int)pid, tracer,
		       thread_comm(tracer, tracer, comm));
		lp_hint("detach the debugger (or strace) first");
	} else if (err == EPERM) {
		lp_err("not permitted to trace process %d (thread %d): %s", (int)pid, (int)tid,
		       strerror(err));
		lp_hint("run lpatch as root or as the process's owner; check kernel.yama.ptrace_scope");
	} else {
		lp_err("cannot trace process %d (thread %d): %s", (int)pid, (int)tid, strerror(err));
	}
}

/* Seize threads not yet known; with stop, interrupt them too. Returns how many were added. */
static int scan_tasks(struct lp_session *s, bool stop)
{
	char path[64];
	struct dirent *de;
	int added = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)s->pid);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT || errno == ESRCH)	/* ESRCH: exiting, not yet reaped */
			lp_err("process %d exited", (int)s->pid);
		else
			lp_perr("cannot list the threads of process %d", (int)s->pid);
		return -1;
	}
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);
		struct lp_thread *t;

		if (tid <= 0 || sess_find(s, tid))
			continue;
		/*
		 * TRACESYSGOOD: should lpatch die while a thread is in a syscall-stop,
		 * the kernel lets it go without the SIGTRAP it sends otherwise. Never
		 * EXITKILL: the process must outlive lpatch.
		 */
		if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD)) {
			if (errno == ESRCH)
				continue;	/* it exited since readdir */
			/* Cloned by a traced thread: attached to us already, its first stop pending. */
			if (errno != EPERM || tracer_of(tid) != getpid()) {
				seize_error(s->pid, tid, errno);
				closedir(d);
				return -1;
			}
		}
		t = sess_adopt(s, tid);
		added++;
		for (size_t k = 0; k < s->nearly; k++)
			if (s->early[k].tid == tid) {
				sess_note_status(t, s->early[k].status, false);
				s->early[k] = s->early[--s->nearly];
				break;
			}
		if (stop && sess_stop(s, t) < 0)
			continue;
	}
	closedir(d);
	return added;
}

int sess_attach(struct lp_session *s, pid_t pid)
{
	int added;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	if (kill(pid, 0) && errno == ESRCH) {
		lp_err("no process %d", (int)pid);
		return -1;
	}
	do {
		added = scan_tasks(s, false);
		if (added < 0) {
			sess_detach(s);
			return -1;
		}
	} while (added > 0);
	if (!sess_live(s)) {
		lp_err("process %d has no threads left to trace", (int)pid);
		sess_detach(s);
		return -1;
	}
	if (sess_live(s) > 1)
		watchdog_start();
	return 0;
}

/*
 * A thread that appeared in waitpid: cloned by a traced thread
 * (PTRACE_O_TRACECLONE). May move s->t: only where no thread pointer is held.
 */
static struct lp_thread *sess_adopt(struct lp_session *s, pid_t tid)
{
	struct lp_thread *t = ARRAY_PUSH(s->t, s->n, s->cap);

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->state = T_RUNNING;
	return t;
}

int sess_note_status(struct lp_thread *t, int status, bool ours_trap)
{
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		t->state = T_GONE;
		return -1;
	}
	/*
	 * Stopped: the boost has done its work. Given back at once, not when the
	 * last thread has stopped: should lpatch die now, the thread would run on
	 * SCHED_FIFO until the watchdog is scheduled, and a busy one then holds a
	 * CPU that long (up to the kernel's real-time throttling, about 1 s, when
	 * every CPU has one). sess_poll boosts it again if it lets it run on.
	 */
	if (t->boosted) {
		unboost(t);
		t->reboost = true;
	}
	if (t->state != T_STOPPED)
		t->stop_ns = now_ns();
	t->state = T_STOPPED;
	t->have_regs = false;
	t->regs_dirty = false;
	sig = WSTOPSIG(status);
	event = status >> 16;
	t->in_sigstop = event == 0;
	t->syscall_stop = event == 0 && sig == (SIGTRAP | 0x80);
	t->group_stop = event == PTRACE_EVENT_STOP && (sig == SIGSTOP || sig == SIGTSTP ||
						       sig == SIGTTIN || sig == SIGTTOU);
	if (t->syscall_stop) {
		t->in_sigstop = false;	/* a syscall-stop, no signal to deliver */
		return sig;
	}
	if (event || (sig == SIGTRAP && ours_trap))
		return sig;
	if (!t->sig) {
		t->sig = sig;
		if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &t->si))
			memset(&t->si, 0, sizeof(t->si));
	} else if (t->ndeferred < (int)(sizeof(t->deferred) / sizeof(t->deferred[0]))) {
		t->deferred[t->ndeferred++] = sig;
	}
	return sig;
}

int sess_wait_for(struct lp_session *s, struct lp_thread *t, int *status)
{
	/*
	 * Never waitpid() for one thread: the group leader's exit is reported
	 * only after its other threads are reaped, so a process killed meanwhile
	 * would block that wait forever. Other threads' events are recorded.
	 */
	for (;;) {
		struct lp_thread *x;
		int st;
		pid_t r = waitpid(-1, &st, __WALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			t->state = T_GONE;
			return -1;
		}
		if (r == t->tid) {
			*status = st;
			return 0;
		}
		x = sess_find(s, r);
		if (x) {
			sess_note_status(x, st, false);
		} else {
			/* A new clone: adopted at the next scan (callers hold pointers into s->t). */
			struct early_event *e = ARRAY_PUSH(s->early, s->nearly, s->earlycap);
			e->tid = r;
			e->status = st;
		}
	}
}

static int wait_thread(struct lp_session *s, struct lp_thread *t)
{
	int status;

	if (sess_wait_for(s, t, &status))
		return -1;
	return sess_note_status(t, status, false) < 0 ? -1 : 0;
}

int sess_stop(struct lp_session *s, struct lp_thread *t)
{
	if (t->state == T_GONE)
		return -1;
	if (t->state == T_STOPPED)
		return 0;
	if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0)) {
		t->state = T_GONE;
		return -1;
	}
	return wait_thread(s, t);
}

int sess_stop_all(struct lp_session *s)
{
	uint64_t start = now_ns();
	int added;

	if (!s->pause_start_ns) {
		s->pause_start_ns = start;
		s->round_max_ns = 0;
	}
	boost_self();
	/* Interrupt everything first so the threads stop in parallel. */
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].state == T_RUNNING) {
			sess_boost(&s->t[i]);
			if (ptrace(PTRACE_INTERRUPT, s->t[i].tid, 0, 0))
				s->t[i].state = T_GONE;
		}
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].state == T_RUNNING)
			wait_thread(s, &s->t[i]);
	sess_unboost_all(s);
	lp_debug("stop_all: interrupted and waited in %.3f ms", (now_ns() - start) / 1e6);
	/* A thread may have cloned before it stopped: stop newcomers until none appear. */
	do {
		added = scan_tasks(s, true);
		if (added < 0)
			return -1;
	} while (added > 0);
	if (!sess_live(s)) {
		lp_err("process %d exited", (int)s->pid);
		return -1;
	}
	return 0;
}

struct user_regs_struct *sess_regs(struct lp_thread *t)
{
	if (t->state != T_STOPPED)
		return NULL;
	if (!t->have_regs) {
		if (ptrace(PTRACE_GETREGS, t->tid, 0, &t->regs))
			return NULL;
		t->have_regs = true;
	}
	return &t->regs;
}

static void note_pause(struct lp_session *s, struct lp_thread *t, uint64_t now)
{
	if (t->stop_ns && now - t->stop_ns > s->max_thread_pause_ns)
		s->max_thread_pause_ns = now - t->stop_ns;
	if (t->stop_ns && now - t->stop_ns > s->round_max_ns)
		s->round_max_ns = now - t->stop_ns;
	t->stop_ns = 0;
}

/* Registers and the kept signal, as the thread leaves its stop. */
static int leave_stop(struct lp_thread *t, int *sig)
{
	*sig = 0;
	if (t->regs_dirty && ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs))
		return -1;
	t->regs_dirty = false;
	t->have_regs = false;
	if (t->sig && t->in_sigstop) {
		ptrace(PTRACE_SETSIGINFO, t->tid, 0, &t->si);
		*sig = t->sig;
		t->sig = 0;
	}
	return 0;
}

int sess_resume(struct lp_session *s, struct lp_thread *t)
{
	int sig;

	if (t->state != T_STOPPED)
		return t->state == T_RUNNING ? 0 : -1;
	if (t->group_stop) {
		/* the process is stopped (SIGSTOP...): it stays so until a SIGCONT */
		if (leave_stop(t, &sig) || ptrace(PTRACE_LISTEN, t->tid, 0, 0)) {
			lp_perr("cannot resume thread %d", (int)t->tid);
			return -1;
		}
		note_pause(s, t, now_ns());
		t->state = T_RUNNING;
		return 0;
	}
	if (leave_stop(t, &sig) ||
	    ptrace(t->trace_syscalls ? PTRACE_SYSCALL : PTRACE_CONT, t->tid, 0, (long)sig)) {
		lp_perr("cannot resume thread %d", (int)t->tid);
		return -1;
	}
	note_pause(s, t, now_ns());
	t->state = T_RUNNING;
	return 0;
}

void sess_end_pause(struct lp_session *s)
{
	unboost_self();
	if (s->pause_start_ns) {
		s->last_pause_ns = s->round_max_ns;
		if (s->round_max_ns > s->max_pause_ns)
			s->max_pause_ns = s->round_max_ns;
	}
	s->pause_start_ns = 0;
}

void sess_resume_all(struct lp_session *s)
{
	for (size_t i = 0; i < s->n; i++)
		sess_resume(s, &s->t[i]);
	sess_end_pause(s);
}

/* Signals we could not inject with ptrace go back with their siginfo where allowed. */
static void requeue(pid_t pid, struct lp_thread *t, int sig, const siginfo_t *si)
{
	if (si && si->si_signo == sig && si->si_code < 0 && si->si_code != SI_TKILL &&
	    !syscall(SYS_rt_tgsigqueueinfo, pid, t->tid, sig, si))
		return;
	syscall(SYS_tgkill, pid, t->tid, sig);
}

/* Detach a stopped thread: registers back, kept signals delivered. */
static void release(struct lp_session *s, struct lp_thread *t, uint64_t now)
{
	int sig = 0;

	if (leave_stop(t, &sig))
		lp_perr("cannot restore the registers of thread %d", (int)t->tid);
	if (ptrace(PTRACE_DETACH, t->tid, 0, (long)sig) && errno != ESRCH)
		lp_perr("cannot detach from thread %d", (int)t->tid);
	note_pause(s, t, now);
	t->state = T_GONE;
	if (t->sig)
		requeue(s->pid, t, t->sig, &t->si);
	for (int k = 0; k < t->ndeferred; k++)
		requeue(s->pid, t, t->deferred[k], NULL);
}

void sess_release_except(struct lp_session *s, struct lp_thread *keep)
{
	uint64_t now = now_ns();

	for (size_t i = 0; i < s->n; i++)
		if (&s->t[i] != keep && s->t[i].state == T_STOPPED)
			release(s, &s->t[i], now);
	sess_end_pause(s);
}

void sess_detach(struct lp_session *s)
{
	uint64_t now;

	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].state == T_RUNNING)
			sess_stop(s, &s->t[i]);
	now = now_ns();
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].state == T_STOPPED)
			release(s, &s->t[i], now);
	sess_end_pause(s);
	rmem_close();
	free(s->t);
	free(s->early);
	s->early = NULL;
	s->nearly = s->earlycap = 0;
	s->t = NULL;
	s->n = s->cap = 0;
}

struct lp_thread *sess_poll(struct lp_session *s, uint64_t until_ns, long nap_ns,
			    sess_hold_fn hold, void *ctx)
{
	while (now_ns() < until_ns) {
		int status;
		pid_t r = waitpid(-1, &status, __WALL | WNOHANG);
		struct lp_thread *t;

		if (r <= 0) {
			struct timespec ts = { 0, nap_ns };
			nanosleep(&ts, NULL);
			continue;
		}
		t = sess_find(s, r);
		if (!t)
			t = sess_adopt(s, r);
		if (sess_note_status(t, status, false) < 0 || (hold && hold(s, t, ctx)))
			return t;
		/* Running threads keep running: a signal goes through at once. */
		if (!t->in_sigstop && (status >> 16) == PTRACE_EVENT_STOP &&
		    WSTOPSIG(status) != SIGTRAP) {
			ptrace(PTRACE_LISTEN, t->tid, 0, 0);	/* job-control stop: honour it */
			t->state = T_RUNNING;
			continue;
		}
		t->stop_ns = 0;
		if (t->reboost)
			sess_boost(t);	/* on its way out, as before this stop */
		sess_resume(s, t);
	}
	return NULL;
}

void sess_pump(struct lp_session *s, uint64_t until_ns)
{
	while (sess_poll(s, until_ns, 200000, NULL, NULL))
		;
}
