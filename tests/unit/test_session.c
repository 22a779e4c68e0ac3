/* ptrace sessions: attaching fails cleanly (an error, nothing left
 * allocated) for a process that does not exist, one that cannot be traced
 * (a zombie) and one that is already gone; checked under valgrind. */
#include "unit.h"

#include "user/session.h"
#include "util/fs.h"
#include "util/run.h"
#include "util/str.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Child mode: every failing attach, then one that works, detached. */
static int attach_paths(void)
{
	struct lp_session s;
	int fails = 0;
	pid_t pid;

	/* no such process: the highest pid is never handed out */
	fails += sess_attach(&s, 4194304) != -1;
	/* a zombie cannot be traced */
	pid = fork();
	if (pid == 0)
		_exit(0);
	for (int i = 0; i < 200; i++) {
		char path[64], *st;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		st = read_file_quiet(path, NULL);
		bool zombie = st && strstr(st, ") Z ");
		free(st);
		if (zombie)
			break;
		usleep(10000);
	}
	fails += sess_attach(&s, pid) != -1;
	waitpid(pid, NULL, 0);
	/* reaped: gone */
	fails += sess_attach(&s, pid) != -1;
	/* a live one attaches and detaches */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (sess_attach(&s, pid))
		fails++;
	else
		sess_detach(&s);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return fails;
}

static char *self;

static void attach_failures_free_all(void)
{
	const char *argv[] = { "valgrind", "-q", "--leak-check=full",
			       "--errors-for-leak-kinds=definite", "--error-exitcode=99", self,
			       "attach", NULL };
	int st;

	if (!have_program("valgrind")) {
		printf("SKIP: no valgrind: checking the results only\n");
		CHECK(attach_paths() == 0);
		return;
	}
	st = run(argv, NULL);
	if (st == 99)
		fprintf(stderr, "  valgrind found memory a failed attach left allocated\n");
	else if (st)
		fprintf(stderr, "  %d attaches did not fail (or work) as they should\n", st);
	CHECK(st == 0);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "attach"))
		return attach_paths();
	self = path_self_exe();
	RUN(attach_failures_free_all);
	free(self);
	return unit_done();
}
