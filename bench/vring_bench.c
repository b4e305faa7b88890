// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side cost of the virtqueue library: a driver side fills a ring
 * with chains of N descriptors (as Linux lays them out), the device side
 * pops, pushes and checks for an interrupt, and we print nanoseconds per
 * chain.  With --iterations small it also serves valgrind's callgrind,
 * whose instruction count per chain does not depend on the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock_ring.h"
#include "virtio/vring.h"

#define QSIZE		256
#define MEM_SIZE	(4 << 20)
#define RING_AT		0x10000
#define BUF_AT		0x100000
#define BUF_LEN		512

static uint16_t heads[QSIZE];

/*
 * QSIZE / n chains of n descriptors each, half readable and half
 * writable, added once in order by the mock driver (tests/lib); each
 * round offers the same chains again.
 */
static int lay_out_chains(struct mock_ring *r, const struct guest_mem *m,
			  unsigned int n)
{
	struct mock_ring_layout l = { .num = QSIZE, .ring = RING_AT,
				      .align = 4096, .stride = 1,
				      .buf = BUF_AT };
	struct mock_seg s[16];
	unsigned int c, k;
	int head;

	if (mock_ring_init(r, m, &l))
		return -1;
	for (c = 0; c < QSIZE / n; c++) {
		for (k = 0; k < n; k++)
			s[k] = mock_ring_buffer(r, BUF_LEN, k >= n / 2 && n > 1,
						NULL);
		head = mock_ring_chain(r, s, n, n, 0);
		if (head < 0 || !s[n - 1].addr)
			return -1;
		heads[c] = head;
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One round: publish every chain, then serve them all as a device does. */
static unsigned int round_trip(struct virtq *vq, unsigned int n,
			       struct mock_ring *r, struct virtq_chain *c)
{
	unsigned int chains = QSIZE / n, i, served = 0;
	struct lg_error err;

	for (i = 0; i < chains; i++)
		mock_ring_offer(r, heads[i]);
	mock_ring_publish(r);
	virtq_notify_off(vq);
	while (virtq_pop(vq, c, &err) > 0) {
		virtq_push(vq, c->head, c->in_len, &err);
		served++;
	}
	virtq_should_interrupt(vq);
	virtq_notify_on(vq);
	return served;
}

int main(int argc, char **argv)
{
	static const unsigned int lengths[] = { 1, 4, 16 };
	long iterations = 20000, only = 0;
	int a;
	uint8_t *mem = calloc(1, MEM_SIZE);
	struct virtq_chain *c = malloc(sizeof(*c));
	struct guest_mem m;
	unsigned int li;

	for (a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--iterations"))
			iterations = atol(argv[a + 1]);
		else if (!strcmp(argv[a], "--length"))
			only = atol(argv[a + 1]);
	}
	if (!mem || !c || iterations < 1) {
		fprintf(stderr, "usage: vring_bench [--iterations K] [--length 1|4|16]\n");
		return 2;
	}
	gmem_init(&m, mem, MEM_SIZE, MEM_SIZE);
	for (li = 0; li < 3; li++) {
		unsigned int n = lengths[li];
		struct mock_ring r;
		struct virtq vq;
		struct lg_error err;
		unsigned long chains = 0;
		double t0, t1;
		long it;

		if (only && n != only)
			continue;
		memset(mem, 0, MEM_SIZE);
		if (lay_out_chains(&r, &m, n)) {
			fprintf(stderr, "vring_bench: the chains do not fit\n");
			return 1;
		}
		if (virtq_setup(&vq, &m, QSIZE, RING_AT, mock_ring_avail_gpa(&r),
				mock_ring_used_gpa(&r),
				1ULL << VIRTIO_RING_F_EVENT_IDX, &err)) {
			fprintf(stderr, "vring_bench: %s\n", err.msg);
			return 1;
		}
		t0 = now_ns();
		for (it = 0; it < iterations; it++)
			chains += round_trip(&vq, n, &r, c);
		t1 = now_ns();
		printf("vring: %2u descriptors per chain: %7.1f ns per chain (%lu chains)\n",
		       n, (t1 - t0) / chains, chains);
	}
	free(c);
	free(mem);
	return 0;
}
