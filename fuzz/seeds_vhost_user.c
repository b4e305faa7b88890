// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for the vhost_user target: the replies virtiofsd sends during
 * the handshake the launcher does (GET_FEATURES with VERSION_1 and
 * PROTOCOL_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM, an ack,
 * GET_VRING_BASE at a stop), a few broken ones to start from (a refusing
 * ack, a header claiming a huge payload, a reply with a descriptor), and
 * in build mode the memory table of a guest with RAM below and above the
 * PCI hole plus a queue's kick.  The input format is fuzz/vhost_user.c's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "seeds.h"

/* fuzz/vhost_user.c's selectors: index into its waits[] table. */
enum { W_FEATURES, W_PROTOCOL, W_QUEUE_NUM, W_VRING_BASE, W_ACK_MEM };
#define BUILD_MODE 0x80

#define REPLY_FLAGS 0x5 /* version 1, reply */
#define REQ_GET_FEATURES 1
#define REQ_SET_MEM_TABLE 5
#define REQ_GET_VRING_BASE 11
#define REQ_GET_PROTOCOL_FEATURES 15
#define REQ_GET_QUEUE_NUM 17

static void put(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = v >> (8 * i);
}

static void reply_seed(const char *dir, const char *name, uint8_t wait,
		       uint8_t fds, uint32_t request, uint32_t size,
		       uint64_t payload)
{
	uint8_t buf[2 + 12 + 8];

	buf[0] = wait;
	buf[1] = fds;
	put(buf + 2, request, 4);
	put(buf + 6, REPLY_FLAGS, 4);
	put(buf + 10, size, 4);
	put(buf + 14, payload, 8);
	seed_write(dir, name, buf, sizeof(buf));
}

static void build_seed(const char *dir)
{
	/* Two regions: RAM below 3 GiB and above 4 GiB, one memfd. */
	static const uint64_t regions[2][4] = {
		{0, 0xc0000000ULL, 0x7f0000000000ULL, 0},
		{0x100000000ULL, 0x40000000ULL, 0x7f00c0000000ULL,
		 0xc0000000ULL},
	};
	uint8_t buf[2 + 2 * 33 + 3];
	size_t at = 2;

	buf[0] = BUILD_MODE;
	buf[1] = 2;
	for (unsigned int i = 0; i < 2; i++) {
		for (unsigned int j = 0; j < 4; j++, at += 8)
			put(buf + at, regions[i][j], 8);
		buf[at++] = 5; /* the memfd's descriptor */
	}
	buf[at++] = 6; /* the kick eventfd */
	put(buf + at, 1, 2); /* queue 1: the first request queue */
	at += 2;
	seed_write(dir, "build-mem-table-two-regions-kick", buf, at);
}

void seeds_vhost_user(const char *dir)
{
	reply_seed(dir, "virtiofsd-get-features", W_FEATURES, 0,
		   REQ_GET_FEATURES, 8, 1ULL << 32 | 1ULL << 30);
	reply_seed(dir, "virtiofsd-get-protocol-features", W_PROTOCOL, 0,
		   REQ_GET_PROTOCOL_FEATURES, 8, 0x8008b);
	reply_seed(dir, "virtiofsd-get-queue-num", W_QUEUE_NUM, 0,
		   REQ_GET_QUEUE_NUM, 8, 2);
	reply_seed(dir, "virtiofsd-get-vring-base", W_VRING_BASE, 0,
		   REQ_GET_VRING_BASE, 8, 1 | 42ULL << 32);
	reply_seed(dir, "ack-set-mem-table", W_ACK_MEM, 0, REQ_SET_MEM_TABLE, 8,
		   0);
	reply_seed(dir, "ack-refusing", W_ACK_MEM, 0, REQ_SET_MEM_TABLE, 8, 1);
	reply_seed(dir, "huge-payload-size", W_FEATURES, 0, REQ_GET_FEATURES,
		   0xffffffffU, 0);
	reply_seed(dir, "reply-with-fd", W_QUEUE_NUM, 1, REQ_GET_QUEUE_NUM, 8,
		   2);
	build_seed(dir);
}
