/*
 * Benchmark target: N threads call work() in a tight loop. Every 200 ms the
 * main thread prints the calls made and the mean cost of one call in ns
 * (wall time x threads / calls), so the cost a patch adds per call shows.
 * usage: busy NTHREADS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long calls[64 * 8];	/* one cache line per thread */

__attribute__((noipa)) int work(int x)
{
	int v = 0;

	for (int k = 0; k < x; k++)
		v += k & 1;
	return v + 1;
}

static void *worker(void *arg)
{
	long i = (long)arg;

	for (;;) {
		work(4);
		calls[i * 8]++;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	unsigned long last = 0;
	double t0 = now();

	if (n < 1 || n > 64)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long i = 0; i < n; i++) {
		pthread_t t;
		pthread_create(&t, NULL, worker, (void *)i);
	}
	for (;;) {
		unsigned long total = 0;
		double t1;

		usleep(200000);
		for (int i = 0; i < n; i++)
			total += calls[i * 8];
		t1 = now();
		/* CPU time is bounded by the cores: ns per call per running thread. */
		printf("calls=%lu ns_per_call=%.2f\n", total - last,
		       (t1 - t0) * 1e9 * (n < 2 ? n : 2) / (double)(total - last));
		last = total;
		t0 = t1;
	}
}
