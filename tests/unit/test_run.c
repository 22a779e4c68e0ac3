/* Running programs: a tool lpatch runs gets stdin, stdout and stderr and
 * nothing else of lpatch's (no pipe end, no log descriptor), so a daemon it
 * leaves behind cannot hold run_capture's pipe open. */
#include "unit.h"

#include "util/fs.h"
#include "util/run.h"
#include "util/str.h"

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *tmp;

/* The descriptors this process has open, as a set of flags (up to 1024). */
static void own_fds(bool *open_fd)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int self = d ? dirfd(d) : -1;

	memset(open_fd, 0, 1024 * sizeof(*open_fd));
	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd != self && fd < 1024)
			open_fd[fd] = true;
	}
	if (d)
		closedir(d);
}

/* Does the listing of a child's descriptors (one number a line) hold one
 * beyond 0, 1, 2 that this process did not have open before? */
static bool leaked(const char *listing, const bool *before)
{
	bool any = false;

	for (const char *l = listing; l && *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
		int fd = atoi(l);
		if (fd > 2 && (fd >= 1024 || !before[fd])) {
			fprintf(stderr, "  the child has descriptor %d open\n", fd);
			any = true;
		}
	}
	return any;
}

/* The shell lists its own descriptors (`; :` keeps dash from exec'ing ls). */
static const char *const list_fds[] = { "sh", "-c", "ls /proc/$$/fd; :", NULL };

static void capture_passes_no_fds(void)
{
	bool before[1024];
	int st = -1;
	char *out;

	own_fds(before);
	out = run_capture(list_fds, NULL, &st);
	CHECK(st == 0);
	CHECK(out && strstr(out, "1\n"));
	CHECK(!leaked(out, before));
	free(out);
}

static void capture_with_log_passes_no_fds(void)
{
	char *log = path_join(tmp, "capture.log");
	bool before[1024];
	int st = -1;
	char *out;

	own_fds(before);
	out = run_capture(list_fds, &(struct run_opts){ .log = log, .no_stdin = true }, &st);
	CHECK(st == 0);
	CHECK(out && strstr(out, "2\n"));
	CHECK(!leaked(out, before));
	free(out);
	free(log);
}

static void run_with_log_passes_no_fds(void)
{
	char *log = path_join(tmp, "run.log");
	bool before[1024];
	char *text;

	own_fds(before);
	CHECK(run(list_fds, &(struct run_opts){ .log = log }) == 0);
	text = read_file(log, NULL);
	CHECK(text && strstr(text, "2\n"));
	CHECK(!leaked(text, before));
	free(text);
	free(log);
}

static void run_with_out_passes_no_fds(void)
{
	char *out = path_join(tmp, "run.out"), *log = path_join(tmp, "run2.log");
	bool before[1024];
	char *text;

	own_fds(before);
	CHECK(run(list_fds, &(struct run_opts){ .out = out, .log = log }) == 0);
	text = read_file(out, NULL);
	CHECK(text && strstr(text, "1\n"));
	CHECK(!leaked(text, before));
	free(text);
	free(out);
	free(log);
}

/* A daemon the tool starts, its output sent to /dev/null, must not keep
 * run_capture reading until it exits. */
static void capture_returns_past_daemon(void)
{
	const char *const argv[] = { "sh", "-c", "sleep 20 >/dev/null 2>&1 </dev/null & echo $!",
				     NULL };
	struct timespec a, b;
	int st = -1;
	char *out;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	out = run_capture(argv, &(struct run_opts){ .log = "/dev/null" }, &st);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK(st == 0);
	CHECK(out && atoi(out) > 0);
	CHECK(secs < 5);
	if (secs >= 5)
		fprintf(stderr, "  run_capture took %.1f s: it waited for the daemon\n", secs);
	if (out && atoi(out) > 0)
		kill(atoi(out), SIGKILL);
	free(out);
}

int main(void)
{
	tmp = make_temp_dir("test-run");
	if (!tmp)
		return 1;
	RUN(capture_passes_no_fds);
	RUN(capture_with_log_passes_no_fds);
	RUN(run_with_log_passes_no_fds);
	RUN(run_with_out_passes_no_fds);
	RUN(capture_returns_past_daemon);
	rm_rf(tmp);
	free(tmp);
	return unit_done();
}
