// SPDX-License-Identifier: GPL-2.0
/*
 * Two more virtio-blk actions: a disk whose host file system is full
 * (the host test punches a hole in the image and fills the file system,
 * so writing sectors 8-15 needs space the host does not have), and a
 * benchmark timing requests with the TSC, calibrated on the CMOS clock.
 */
#include <linux/virtio_blk.h>

#include "guest.h"
#include "virtio.h"

#define SECTOR		GUEST_BLK_SECTOR
#define HOLE_FIRST	8	/* sectors the host test left unallocated */
#define HOLE_SECTORS	8
#define SEQ_REQUEST	(64 * 1024)	/* bytes per sequential request */
#define RAND_REQUEST	4096
#define RAND_COUNT	256
#define CALIBRATE_S	2	/* whole CMOS seconds of TSC calibration */

static u8 bench_buf[SEQ_REQUEST] __attribute__((aligned(4096)));

/*
 * Writes into the hole fail with IOERR (the launcher warns and counts,
 * the host test checks), and the disk stays usable: sector 0 reads back
 * its fill and a flush succeeds.
 */
void action_virtio_blk_nospace(void)
{
	static struct vdev blk;
	struct blk_req flush = { "flush", VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0 };
	struct blk_req w = { "write into a full file system", VIRTIO_BLK_T_OUT,
			     0, bench_buf, SECTOR, 0 };
	unsigned int s;

	blk_bring_up(&blk, 0);
	memset(bench_buf, 0x5a, SECTOR);
	for (s = HOLE_FIRST; s < HOLE_FIRST + HOLE_SECTORS; s++) {
		w.sector = s;
		blk_expect(&blk, &w, VIRTIO_BLK_S_IOERR);
	}
	blk_check_sector0(&blk);
	blk_expect(&blk, &flush, VIRTIO_BLK_S_OK);
	puts_raw("PASS: virtio-blk on a full host file system\n");
	guest_exit(GUEST_EXIT_OK);
}

static u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static u8 cmos_second(void)
{
	outb(0, 0x70);
	return inb(0x71);
}

static u64 wait_second_edge(void)
{
	u8 s = cmos_second();

	while (cmos_second() == s)
		;
	return rdtsc();
}

/* Shift-and-subtract: the i686 build has no libgcc for 64-bit division. */
static u64 div64(u64 n, u64 d)
{
	u64 q = 0, r = 0;
	int i;

	for (i = 63; i >= 0; i--) {
		r = r << 1 | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ULL << i;
		}
	}
	return q;
}

/* TSC ticks per second, from whole CMOS seconds. */
static u64 tsc_hz(void)
{
	u64 start = wait_second_edge(), end = start;
	unsigned int i;

	for (i = 0; i < CALIBRATE_S; i++)
		end = wait_second_edge();
	return div64(end - start, CALIBRATE_S);
}

/* "what: B bytes in N requests: X.XX MiB/s, Y us per request" */
static void report(const char *what, u64 bytes, u32 requests, u64 ticks,
		   u64 hz)
{
	u64 kticks = ticks >= 1000 ? div64(ticks, 1000) : 1;
	u64 centi_mib = div64(div64((bytes >> 10) * 100 * div64(hz, 1000),
				    kticks),
			      1024);
	u64 us = div64(div64(ticks, requests) * 1000000, hz);

	print("blk-bench: %s: %u KiB in %u requests: %u.%u%u MiB/s, %u us per request\n",
	      what, (u32)(bytes >> 10), requests, (u32)div64(centi_mib, 100),
	      (u32)div64(centi_mib, 10) % 10, (u32)centi_mib % 10, (u32)us);
}

/* One request of `len` bytes at `sector`, which must succeed. */
static void bench_request(struct vdev *d, u32 type, u64 sector, u32 len)
{
	struct blk_req r = { "bench", type, sector, bench_buf, len, 0 };
	u32 written;
	u8 status = blk_submit(d, &r, &written);

	if (status != VIRTIO_BLK_S_OK)
		fail(CHECK_VIRTIO_BLK_STATUS, "virtio-blk bench request at sector 0x%llx: status %u",
		     sector, status);
}

static u64 sequential(struct vdev *d, u32 type, u64 sectors)
{
	u64 per = SEQ_REQUEST / SECTOR, s, t0 = rdtsc();

	for (s = 0; s + per <= sectors; s += per)
		bench_request(d, type, s, SEQ_REQUEST);
	return rdtsc() - t0;
}

/* A xorshift over 4 KiB blocks: the same sequence every run. */
static u64 random_reads(struct vdev *d, u64 sectors)
{
	u32 x = 2463534242U, blocks = (u32)(sectors / (RAND_REQUEST / SECTOR));
	u64 t0 = rdtsc();
	unsigned int i;

	for (i = 0; i < RAND_COUNT; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		bench_request(d, VIRTIO_BLK_T_IN,
			      (u64)(x % blocks) * (RAND_REQUEST / SECTOR),
			      RAND_REQUEST);
	}
	return rdtsc() - t0;
}

/*
 * Sequential writes and reads over the first `sectors` sectors in
 * 64 KiB requests, then 4 KiB reads at random, one request in flight.
 */
void action_virtio_blk_bench(u64 sectors)
{
	static struct vdev blk;
	struct blk_req flush = { "flush", VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0 };
	u64 hz, seq_bytes, ticks;
	u32 seq_requests;

	blk_bring_up(&blk, 0);
	if (vdev_config(&blk, 0, 8) < sectors || sectors < SEQ_REQUEST / SECTOR)
		fail(CHECK_VIRTIO_BLK_CONFIG, "virtio-blk bench: the disk has 0x%llx sectors, not 0x%llx (at least 0x80)",
		     vdev_config(&blk, 0, 8), sectors);
	hz = tsc_hz();
	print("blk-bench: TSC %u kHz (calibrated on the CMOS clock)\n",
	      (u32)div64(hz, 1000));
	seq_requests = (u32)div64(sectors, SEQ_REQUEST / SECTOR);
	seq_bytes = (u64)seq_requests * SEQ_REQUEST;
	memset(bench_buf, 0xa5, sizeof(bench_buf));
	ticks = sequential(&blk, VIRTIO_BLK_T_OUT, sectors);
	blk_expect(&blk, &flush, VIRTIO_BLK_S_OK);
	report("sequential write", seq_bytes, seq_requests, ticks, hz);
	ticks = sequential(&blk, VIRTIO_BLK_T_IN, sectors);
	report("sequential read", seq_bytes, seq_requests, ticks, hz);
	ticks = random_reads(&blk, sectors);
	report("random 4 KiB read", (u64)RAND_COUNT * RAND_REQUEST, RAND_COUNT,
	       ticks, hz);
	puts_raw("PASS: virtio-blk bench\n");
	guest_exit(GUEST_EXIT_OK);
}
