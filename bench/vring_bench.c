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

#include "virtio/vring.h"

#define QSIZE		256
#define MEM_SIZE	(4 << 20)
#define DESC_AT		0x10000
#define AVAIL_AT	0x20000
#define USED_AT		0x30000
#define BUF_AT		0x100000
#define BUF_LEN		512

static struct vring_desc *desc;
static struct vring_avail *avail;

/* Chain i uses descriptors [i*n, i*n+n): half readable, half writable. */
static void lay_out_chains(uint8_t *mem, unsigned int n)
{
	unsigned int c, k;

	desc = (struct vring_desc *)(mem + DESC_AT);
	avail = (struct vring_avail *)(mem + AVAIL_AT);
	for (c = 0; c < QSIZE / n; c++) {
		for (k = 0; k < n; k++) {
			struct vring_desc *d = &desc[c * n + k];

			d->addr = BUF_AT + (c * n + k) * BUF_LEN;
			d->len = BUF_LEN;
			d->flags = (k + 1 < n ? VRING_DESC_F_NEXT : 0) |
				   (k >= n / 2 && n > 1 ? VRING_DESC_F_WRITE : 0);
			d->next = c * n + k + 1;
		}
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One round: publish every chain, then serve them all as a device does. */
static unsigned int round_trip(struct virtq *vq, unsigned int n,
			       uint16_t *avail_idx, struct virtq_chain *c)
{
	unsigned int chains = QSIZE / n, i, served = 0;
	struct lg_error err;

	for (i = 0; i < chains; i++)
		avail->ring[(*avail_idx + i) % QSIZE] = i * n;
	__atomic_store_n(&avail->idx, (uint16_t)(*avail_idx + chains),
			 __ATOMIC_RELEASE);
	*avail_idx += chains;
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
		struct virtq vq;

		if (only && n != only)
			continue;
		struct lg_error err;
		uint16_t avail_idx = 0;

		unsigned long chains = 0;
		double t0, t1;
		long it;

		memset(mem, 0, MEM_SIZE);
		lay_out_chains(mem, n);
		if (virtq_setup(&vq, &m, QSIZE, DESC_AT, AVAIL_AT, USED_AT,
				1ULL << VIRTIO_RING_F_EVENT_IDX, &err)) {
			fprintf(stderr, "vring_bench: %s\n", err.msg);
			return 1;
		}
		t0 = now_ns();
		for (it = 0; it < iterations; it++)
			chains += round_trip(&vq, n, &avail_idx, c);
		t1 = now_ns();
		printf("vring: %2u descriptors per chain: %7.1f ns per chain (%lu chains)\n",
		       n, (t1 - t0) / chains, chains);
	}
	free(c);
	free(mem);
	return 0;
}
