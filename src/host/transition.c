/* Following a livepatch transition through sysfs and /proc. */
#include "host/transition.h"

#include "host/sysfs.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 50
#define PROGRESS_EVERY_S 1.0

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The state tasks must reach: 1 while patching, 0 while unpatching; -1 if no transition. */
static int target_state(const char *name)
{
	struct klp_live st;

	klp_state(name, &st);
	if (!st.registered || !st.transition)
		return -1;
	return st.enabled ? 1 : 0;
}

/*
 * Call fn for every task (pid, tid) whose patch_state is neither the target
 * nor -1 (not in a transition); returns how many.
 */
static int for_each_pending(int target, void (*fn)(const char *pid, const char *tid, void *), void *arg)
{
	DIR *procs = opendir("/proc");
	struct dirent *p;
	int n = 0;

	if (!procs)
		return 0;
	while ((p = readdir(procs))) {
		char *taskdir;
		DIR *tasks;
		struct dirent *t;

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		taskdir = xasprintf("/proc/%s/task", p->d_name);
		if ((tasks = opendir(taskdir))) {
			while ((t = readdir(tasks))) {
				char *f, *v;

				if (!isdigit((unsigned char)t->d_name[0]))
					continue;
				f = xasprintf("%s/%s/patch_state", taskdir, t->d_name);
				v = sysfs_line(f);
				if (v && strcmp(v, "-1") && atoi(v) != target) {
					n++;
					if (fn)
						fn(p->d_name, t->d_name, arg);
				}
				free(v);
				free(f);
			}
			closedir(tasks);
		}
		free(taskdir);
	}
	closedir(procs);
	return n;
}

int transition_wait(const char *name, unsigned timeout_ms)
{
	double start = lp_now(), timeout = timeout_ms / 1000.0, next = start + PROGRESS_EVERY_S;
	int last = -1;

	for (;;) {
		int target = target_state(name), left;
		double t = lp_now();

		if (target < 0)
			return 0;
		if (t - start >= timeout)
			return 1;
		if (t >= next) {
			left = for_each_pending(target, NULL, NULL);
			if (left != last)
				lp_progress("%s %s: %d task%s still to switch (%.0f s of %.0f s)", name,
					    target ? "patching" : "unpatching", left, left == 1 ? "" : "s",
					    t - start, timeout);
			last = left;
			next = t + PROGRESS_EVERY_S;
		}
		sleep_ms(POLL_MS);
	}
}

int transition_wait_gone(const char *name, unsigned timeout_ms)
{
	char *dir = path_join(KLP_SYSFS, name);
	double start = lp_now(), timeout = timeout_ms / 1000.0;
	int ret = 0;

	while (path_is_dir(dir)) {
		if (lp_now() - start >= timeout) {
			ret = 1;
			break;
		}
		sleep_ms(POLL_MS);
	}
	free(dir);
	return ret;
}

static void print_task(const char *pid, const char *tid, void *arg)
{
	char *commf = xasprintf("/proc/%s/task/%s/comm", pid, tid);
	char *stackf = xasprintf("/proc/%s/task/%s/stack", pid, tid);
	char *comm = sysfs_line(commf), *stack = read_file_quiet(stackf, NULL);
	int target = *(int *)arg;

	fprintf(stderr, "  pid %s tid %s (%s): patch_state %d, needs %d; kernel stack:\n", pid, tid,
		comm ? comm : "?", !target, target);
	if (!stack || !*stack)
		fprintf(stderr, "    (unreadable: /proc/%s/task/%s/stack)\n", pid, tid);
	for (char *l = stack; l && *l;) {
		char *e = strchr(l, '\n');
		if (e)
			*e = '\0';
		fprintf(stderr, "    %s\n", l);
		l = e ? e + 1 : NULL;
	}
	free(stack);
	free(comm);
	free(stackf);
	free(commf);
}

int transition_report_stalled(const char *name)
{
	int target = target_state(name), n;

	if (target < 0)
		return 0;
	n = for_each_pending(target, NULL, NULL);
	lp_err("%s: %d task%s still running the %s code:", name, n, n == 1 ? " is" : "s are",
	       target ? "old" : "patched");
	for_each_pending(target, print_task, &target);
	return n;
}

/* Write value to /sys/kernel/livepatch/NAME/ATTR; 0, or -1 with "cannot WHAT NAME: ..." printed. */
static int klp_write(const char *name, const char *attr, const char *value, const char *what)
{
	char *f = xasprintf("%s/%s/%s", KLP_SYSFS, name, attr);
	int ret = sysfs_write(f, value);

	if (ret)
		lp_perr("cannot %s %s: writing %s to %s", what, name, value, f);
	free(f);
	return ret;
}

int transition_force(const char *name)
{
	return klp_write(name, "force", "1", "force the transition of");
}

int transition_disable(const char *name)
{
	return klp_write(name, "enabled", "0", "disable");
}
