// SPDX-License-Identifier: GPL-2.0
/*
 * What the seccomp sandbox costs a virtio-blk queue thread per system
 * call.  A block request is a preadv or pwritev (plus a poll and an
 * eventfd write for the interrupt), so we time a 4 KiB preadv from a
 * file in the page cache, and a cheap call (getpid) where the filter's
 * share is largest, first unconfined, then with the filter a queue
 * thread runs under: the virtio-blk role's alone (queue threads are
 * started unconfined before the guest runs, so nothing stacks under
 * it).  A filter cannot be removed, so the unconfined figures come
 * first.
 *
 * The nested-host bench (bench/run-blk.sh) shows the same comparison end
 * to end, but its run-to-run spread there is far larger than this cost.
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

#define CALLS	200000
#define ROUNDS	7

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int disk_fd;

static void call_preadv(void)
{
	static char buf[4096];
	struct iovec iov = { buf, sizeof(buf) };

	if (preadv(disk_fd, &iov, 1, 0) != sizeof(buf))
		abort();
}

static void call_getpid(void)
{
	syscall(SYS_getpid);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One thread per mode, since filters are per thread: the confined one
 * takes the filters once, then both run their rounds alternately, so a
 * machine busy with other work slows both alike.
 */
struct worker {
	pthread_t thread;
	sem_t go, done;
	bool confine;
	void (*fn)(void);	/* this round's call; NULL: stop */
	double ns;		/* this round's mean per call */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct lg_error err;

	if (w->confine && sandbox_enter(SANDBOX_VIRTIO_BLK, &err)) {
		fprintf(stderr, "sandbox_bench: %s\n", err.msg);
		exit(1);
	}
	for (;;) {
		double start;
		int i;

		sem_post(&w->done);
		sem_wait(&w->go);
		if (!w->fn)
			return NULL;
		start = now_ns();
		for (i = 0; i < CALLS; i++)
			w->fn();
		w->ns = (now_ns() - start) / CALLS;
	}
}

static double run_round(struct worker *w, void (*fn)(void))
{
	w->fn = fn;
	sem_post(&w->go);
	sem_wait(&w->done);
	return w->ns;
}

static double median(double *t)
{
	qsort(t, ROUNDS, sizeof(t[0]), by_value);
	return t[ROUNDS / 2];
}

static void open_disk(void)
{
	char path[] = "/tmp/lguest-sandbox-bench.XXXXXX";
	static char block[4096];

	disk_fd = mkstemp(path);
	if (disk_fd < 0 || write(disk_fd, block, sizeof(block)) != sizeof(block)) {
		perror(path);
		exit(1);
	}
	unlink(path);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} calls[] = { { "preadv 4 KiB", call_preadv }, { "getpid", call_getpid } };
	struct sandbox_config cfg = { 0 };
	struct worker w[2] = { { .confine = false }, { .confine = true } };
	double t[2][ROUNDS];
	unsigned int c, m, r;

	open_disk();
	/* stdio's first output fstat()s stdout, which no queue thread may. */
	printf("seccomp cost on a virtio-blk queue thread (its role's filter),\n"
	       "median of %d alternating rounds of %d calls each:\n",
	       ROUNDS, CALLS);
	printf("  %-16s %10s %10s %10s\n", "call", "off ns", "on ns", "cost ns");
	fflush(stdout);
	sandbox_init(&cfg);
	for (m = 0; m < 2; m++) {
		sem_init(&w[m].go, 0, 0);
		sem_init(&w[m].done, 0, 0);
		if (pthread_create(&w[m].thread, NULL, worker_main, &w[m]))
			return 1;
		sem_wait(&w[m].done);
	}
	for (c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
		for (r = 0; r < ROUNDS; r++)
			for (m = 0; m < 2; m++)
				t[m][r] = run_round(&w[m], calls[c].fn);
		printf("  %-16s %10.0f %10.0f %10.0f\n", calls[c].name,
		       median(t[0]), median(t[1]), median(t[1]) - median(t[0]));
	}
	for (m = 0; m < 2; m++) {
		w[m].fn = NULL;
		sem_post(&w[m].go);
		pthread_join(w[m].thread, NULL);
	}
	return 0;
}
