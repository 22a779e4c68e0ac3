/*
 * The kernel-fixture harness itself: a test that stops early (a fixture
 * that does not compile, a SKIP after the build) leaves no build directory
 * behind in $TMPDIR.
 */
#include "kfixture.h"
#include "unit.h"

#include <glob.h>
#include <sys/wait.h>

static char *base;	/* our own temporary directory, one $TMPDIR in it per case */

/* The lpatch-kfixture.* directories left in $TMPDIR dir. */
static size_t build_dirs(const char *dir)
{
	char *pattern = xasprintf("%s/%s/lpatch-kfixture.*", base, dir);
	glob_t g;
	size_t n = glob(pattern, 0, NULL, &g) == 0 ? g.gl_pathc : 0;

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "    left behind: %s\n", g.gl_pathv[i]);
	globfree(&g);
	free(pattern);
	return n;
}

/* Run fn in a child whose $TMPDIR is base/dir (fresh fixture state, and
 * kfix_skip may exit); fn's value is the exit code. Returns the child's
 * wait status, -1 when it did not run. */
static int in_child(int (*fn)(void), const char *dir)
{
	char *tmp = path_join(base, dir);
	pid_t pid;
	int st = -1;

	if (mkdir_p(tmp)) {
		free(tmp);
		return -1;
	}
	fflush(stdout);		/* or the child prints our PASS lines again */
	pid = fork();
	if (pid == 0) {
		int code;

		setenv("TMPDIR", tmp, 1);
		code = fn();
		fflush(stdout);
		_exit(code);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		st = -1;
	free(tmp);
	return st;
}

/* Child: exit 0 when the build fails, as it must. */
static int build_broken(void)
{
	kfix_add("kf_broken", "int kf_broken(void) { return ; }\nthis is not C;\n", NULL);
	return kfix_build() == -1 ? 0 : 2;
}

/* Child: exit 77 from kfix_skip after a good build. */
static int skip_after_build(void)
{
	kfix_add("kf_fine", "int kf_fine(int x) { return x + 1; }\n", NULL);
	if (kfix_build())
		return 2;
	kfix_skip("a test that finds, after the build, it cannot run");
	return 2;
}

static int broken_status;

static void failed_build_removes_dir(void)
{
	CHECK(WIFEXITED(broken_status) && WEXITSTATUS(broken_status) == 0);
	CHECK(build_dirs("broken") == 0);
}

static void skip_after_build_removes_dir(void)
{
	int st = in_child(skip_after_build, "skip");

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 77);
	CHECK(build_dirs("skip") == 0);
}

int main(void)
{
	base = make_temp_dir("kfixture-test");
	if (!base)
		return 1;
	unsetenv("LPATCH_KFIXTURE_DIR");	/* a kept directory is never removed */
	/* without the target's headers the child printed SKIP: skip all */
	broken_status = in_child(build_broken, "broken");
	if (WIFEXITED(broken_status) && WEXITSTATUS(broken_status) == 77) {
		rm_rf(base);
		return 77;
	}
	RUN(failed_build_removes_dir);
	RUN(skip_after_build_removes_dir);
	rm_rf(base);
	free(base);
	return unit_done();
}
