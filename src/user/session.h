/*
 * A ptrace session on every thread of one process: seize (without stopping),
 * stop them all (re-scanning /proc/PID/task until no new thread appears),
 * resume, detach. Registers are saved at each stop and written back only
 * when changed. A signal that arrives while a thread is held is kept and
 * delivered when the thread resumes, with its original siginfo.
 */
#ifndef LPATCH_USER_SESSION_H
#define LPATCH_USER_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

enum thread_state { T_RUNNING, T_STOPPED, T_GONE };

struct lp_thread {
	pid_t tid;
	enum thread_state state;
	bool in_sigstop;	/* the current stop is a signal-delivery-stop */
	bool syscall_stop;	/* the current stop is a syscall-enter or -exit stop */
	bool group_stop;	/* the current stop is a group-stop (PTRACE_EVENT_STOP, SIGSTOP...) */
	bool trace_syscalls;	/* resume with PTRACE_SYSCALL (stop at its system calls) */
	int sig;		/* to deliver at the next resume; 0 none */
	siginfo_t si;
	int deferred[8];	/* more signals, re-sent with tgkill after detach */
	int ndeferred;
	bool have_regs, regs_dirty;
	struct user_regs_struct regs;
	uint64_t stop_ns;	/* when it stopped; 0 while running */
	bool boosted;		/* SCHED_FIFO for now (session.c); then given back: */
	bool reboost;		/* boosted until its last stop: sess_poll boosts it again */
	bool boost_known;	/* its own policy read (once per session) */
	int boost_policy, boost_nice;	/* its own; policy -1: never boosted */
};

struct early_event {
	pid_t tid;
	int status;
};

struct lp_session {
	pid_t pid;
	struct lp_thread *t;
	size_t n, cap;
	struct early_event *early;	/* stops of clones seen before they were adopted */
	size_t nearly, earlycap;
	/*
	 * Pauses: a thread's pause runs from the moment it stopped to its
	 * resume. A round of holding the process runs from sess_stop_all to
	 * sess_end_pause (sess_resume_all, detach, or letting it run with some
	 * threads kept). last_pause_ns is the longest thread pause of the last
	 * round, max_pause_ns of any round, max_thread_pause_ns the longest
	 * pause of any thread, in a round or not (one thread held alone).
	 */
	uint64_t pause_start_ns, round_max_ns, last_pause_ns, max_pause_ns, max_thread_pause_ns;
};

uint64_t now_ns(void);

/* Seize every thread; errors are printed (no such process, no permission). */
int sess_attach(struct lp_session *s, pid_t pid);
/* Stop one thread (PTRACE_INTERRUPT and wait). 0, or -1 if it exited. */
int sess_stop(struct lp_session *s, struct lp_thread *t);
/*
 * Make running-or-about-to-run thread t SCHED_FIFO, to be scheduled at once
 * (where permitted; a watchdog gives it back should lpatch die), until
 * it stops (its stop is seen: never left boosted while lpatch holds it, so a
 * kill of lpatch leaves no thread boosted but one on its way to a stop), or
 * sess_unboost_all gives every boosted thread back its policy and nice value.
 * sess_stop_all does both around its stop.
 */
void sess_boost(struct lp_thread *t);
void sess_unboost_all(struct lp_session *s);
/* Stop every thread, including threads created meanwhile. -1 if the process is gone. */
int sess_stop_all(struct lp_session *s);
/* Registers of a stopped thread (read once per stop). */
struct user_regs_struct *sess_regs(struct lp_thread *t);
/* Resume one stopped thread, writing back changed registers. */
int sess_resume(struct lp_session *s, struct lp_thread *t);
void sess_resume_all(struct lp_session *s);
/* The process runs again, though some threads may stay stopped: the round of holding it ends. */
void sess_end_pause(struct lp_session *s);
/*
 * Until until_ns, keep running threads running: every stop of one is
 * recorded (a signal kept for delivery at the resume), then shown to hold
 * (when given), which may keep the thread stopped; otherwise a job-control
 * stop is honoured (PTRACE_LISTEN) and any other stop resumes at once.
 * Returns a thread hold kept, or one that exited; NULL at until_ns.
 * Checks for events every nap_ns while none come.
 */
typedef bool (*sess_hold_fn)(struct lp_session *s, struct lp_thread *t, void *ctx);
struct lp_thread *sess_poll(struct lp_session *s, uint64_t until_ns, long nap_ns,
			    sess_hold_fn hold, void *ctx);
/* sess_poll holding nothing. */
void sess_pump(struct lp_session *s, uint64_t until_ns);
/* Detach every stopped thread but keep (which stays held): ends the all-threads pause. */
void sess_release_except(struct lp_session *s, struct lp_thread *keep);
/* Stop what still runs, write back registers, deliver kept signals, detach. */
void sess_detach(struct lp_session *s);

/*
 * Record a stop of t reported by waitpid: a signal-delivery-stop keeps the
 * signal for later delivery unless ours (SIGTRAP from our own stepping).
 * Returns the stop signal, or -1 when t exited.
 */
int sess_note_status(struct lp_thread *t, int status, bool ours_trap);
/* Wait for the next event of t (recording other threads' events meanwhile); -1 if none can come. */
int sess_wait_for(struct lp_session *s, struct lp_thread *t, int *status);
struct lp_thread *sess_find(struct lp_session *s, pid_t tid);
/* Live threads, stopped or not. */
size_t sess_live(const struct lp_session *s);
/* The size of a thread's name with its NUL (TASK_COMM_LEN is 16; room to spare). */
#define THREAD_COMM_SIZE 64
/* /proc/PID/task/TID/comm of a thread, for messages, into buf ("?" when it
 * cannot be read). Returns buf. */
const char *thread_comm(pid_t pid, pid_t tid, char buf[THREAD_COMM_SIZE]);

#endif
