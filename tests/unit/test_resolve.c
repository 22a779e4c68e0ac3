/* Unit tests of symbol resolution in a real running process (a forked child of this test). */
#include "unit.h"

#include "user/maps.h"
#include "user/resolve.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that only waits to be killed: the same objects mapped at the same addresses. */
static pid_t child_start(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void child_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Names no loaded object defines are looked up in every object's .dynstr as the
 * process has it in memory; each table is read from the process once, not once
 * per name (libc's is 32 KB). The answers stay those of a first look-up.
 */
static void dynstr_read_once_per_object(void)
{
	pid_t pid = child_start();
	struct proc_maps pm = { 0 };
	const struct proc_object *self;
	struct resolver r;
	struct resolution res;
	size_t reads;
	uint64_t bytes;
	void *want = dlsym(RTLD_DEFAULT, "strfry");

	CHECK(pid > 0);
	if (pid <= 0)
		return;
	CHECK(maps_read(pid, &pm) == 0);
	self = maps_object_at(&pm, (uint64_t)(uintptr_t)&child_start);	/* this test */
	CHECK(self != NULL);
	if (!self || resolver_init(&r, &pm, self)) {
		CHECK(!"resolver_init on the child");
		child_stop(pid);
		maps_free(&pm);
		return;
	}
	CHECK(resolve_exported(&r, "lpatch_unit_no_such_name_a", &res) == 1);
	reads = r.stats.dynstr_reads;
	bytes = r.stats.dynstr_bytes;
	CHECK(reads >= 2);		/* libc and the loader at least */
	CHECK(bytes > 1000);
	CHECK(resolve_exported(&r, "lpatch_unit_no_such_name_b", &res) == 1);
	CHECK(resolve_exported(&r, "lpatch_unit_no_such_name_a", &res) == 1);
	CHECK(r.stats.dynstr_reads == reads);
	CHECK(r.stats.dynstr_bytes == bytes);
	/* a libc function this test does not import: found in libc, at its address */
	CHECK(want != NULL);
	CHECK(resolve_exported(&r, "strfry", &res) == 0);
	CHECK(res.kind == RES_ADDR && res.is_func);
	CHECK(res.value == (uint64_t)(uintptr_t)want);
	CHECK(res.where && strstr(res.where, "/libc.so"));
	CHECK(r.stats.dynstr_reads == reads);
	resolver_free(&r);
	child_stop(pid);
	maps_free(&pm);
}

int main(void)
{
	RUN(dynstr_read_once_per_object);
	return unit_done();
}
