/* Unit tests of the process-patching runtime's pure parts: placement, .lpatch meta. */
#include "unit.h"

#include "user/maps.h"
#include "user/patchfile.h"
#include "user/placement.h"
#include "user/session.h"
#include "util/str.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define GiB (1ULL << 30)

static void add_map(struct proc_maps *pm, uint64_t start, uint64_t end, const char *path)
{
	struct mapping *m = ARRAY_PUSH(pm->m, pm->n, pm->cap);

	*m = (struct mapping){ .start = start, .end = end, .prot = PROT_READ, .path = xstrdup(path) };
}

/* Every byte of [a, a+size) within rel32 reach of every byte of [lo, hi). */
static bool reach(uint64_t a, uint64_t size, uint64_t lo, uint64_t hi)
{
	int64_t up = (int64_t)(a + size) - (int64_t)lo, down = (int64_t)hi - (int64_t)a;

	return llabs(up) < 0x80000000LL && llabs(down) < 0x80000000LL;
}

static void placement_below_object(void)
{
	struct proc_maps pm = { 0 };
	uint64_t a;

	add_map(&pm, 0x555555554000, 0x555555559000, "/bin/prog");
	add_map(&pm, 0x555555559000, 0x55555557a000, "[heap]");
	add_map(&pm, 0x7ffff7c00000, 0x7ffff7e00000, "/lib/libc.so.6");
	a = place_near(&pm, 0x555555554000, 0x555555559000, 3 * 4096, 0);
	CHECK(a != 0);
	CHECK(a % 4096 == 0);
	CHECK(a + 3 * 4096 < 0x555555554000);		/* below, with a guard page */
	CHECK(reach(a, 3 * 4096, 0x555555554000, 0x555555559000));
	maps_free(&pm);
}

static void placement_non_pie_low_gap(void)
{
	struct proc_maps pm = { 0 };
	uint64_t a;

	add_map(&pm, 0x400000, 0x405000, "/bin/prog");
	add_map(&pm, 0x405000, 0x426000, "[heap]");
	add_map(&pm, 0x7ffff7c00000, 0x7ffff7e00000, "/lib/libc.so.6");
	a = place_near(&pm, 0x400000, 0x405000, 4096, 0);
	CHECK(a >= 0x10000 && a < 0x400000);
	/* Too big for the space below: above the heap, leaving it room, still in reach. */
	a = place_near(&pm, 0x400000, 0x405000, 8 << 20, 0);
	CHECK(a > 0x426000 + (64ULL << 20));
	CHECK(reach(a, 8 << 20, 0x400000, 0x405000));
	maps_free(&pm);
}

static void placement_avoids_refused_address(void)
{
	struct proc_maps pm = { 0 };
	uint64_t a, b;

	add_map(&pm, 0x7f0000000000, 0x7f0000100000, "/lib/libx.so");
	a = place_near(&pm, 0x7f0000000000, 0x7f0000100000, 4096, 0);
	b = place_near(&pm, 0x7f0000000000, 0x7f0000100000, 4096, a);
	CHECK(a && b && a != b);
	maps_free(&pm);
}

static void placement_none_in_reach(void)
{
	struct proc_maps pm = { 0 };

	/* Everything within ±2 GiB is taken (maps are sorted, like /proc/PID/maps). */
	add_map(&pm, 0x10000, 0x100000000, "");
	add_map(&pm, 0x100000000, 0x100000000 + 3 * GiB, "/bin/huge");
	add_map(&pm, 0x100000000 + 3 * GiB, 0x100000000 + 6 * GiB, "");
	CHECK(place_near(&pm, 0x100000000 + GiB, 0x100000000 + GiB + 4096, 4096, 0) == 0);
	maps_free(&pm);
}

static void patchfile_rejects_non_patch(void)
{
	char path[] = "/tmp/lpatch-unit-XXXXXX";
	int fd = mkstemp(path);
	struct user_patch pf;

	CHECK(fd >= 0);
	CHECK(write(fd, "not an elf\n", 11) == 11);
	close(fd);
	CHECK(patch_open(path, &pf) != 0);
	unlink(path);
}

static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t worker_tid;

static void *worker(void *arg)
{
	pthread_mutex_lock(&worker_lock);
	worker_tid = gettid();
	pthread_mutex_unlock(&worker_lock);
	while (*(volatile int *)arg == 0)
		usleep(1000);
	return NULL;
}

/* Two names read one after the other are both kept (no shared buffer). */
static void thread_comm_keeps_both(void)
{
	static volatile int stop;
	char a[THREAD_COMM_SIZE], b[THREAD_COMM_SIZE];
	const char *main_name, *worker_name;
	pthread_t th;

	CHECK(pthread_create(&th, NULL, worker, (void *)&stop) == 0);
	CHECK(pthread_setname_np(th, "lp-worker") == 0);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&worker_lock);
		bool ready = worker_tid != 0;
		pthread_mutex_unlock(&worker_lock);
		if (ready)
			break;
		usleep(1000);
	}
	main_name = thread_comm(getpid(), getpid(), a);
	worker_name = thread_comm(getpid(), worker_tid, b);
	CHECK(main_name == a && worker_name == b);
	CHECK_STR(main_name, "test_user");
	CHECK_STR(worker_name, "lp-worker");
	CHECK_STR(thread_comm(getpid(), 0, a), "?");
	stop = 1;
	pthread_join(th, NULL);
}

int main(void)
{
	RUN(placement_below_object);
	RUN(placement_non_pie_low_gap);
	RUN(placement_avoids_refused_address);
	RUN(placement_none_in_reach);
	RUN(patchfile_rejects_non_patch);
	RUN(thread_comm_keeps_both);
	return unit_done();
}
