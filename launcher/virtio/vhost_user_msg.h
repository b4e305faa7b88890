/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VHOST_USER_MSG_H
#define LGUEST_VHOST_USER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../error.h"

/*
 * vhost-user messages, the launcher (front-end) side, as pure functions.
 * A back-end such as virtiofsd is another process that may be buggy,
 * compromised or simply gone, so what the launcher reads from it is
 * untrusted input exactly like guest memory: every reply goes through
 * vu_reply_header() and vu_parse_reply() before any field is used.  The
 * socket I/O lives elsewhere; these functions only see bytes and counts.
 *
 * A message is a 12-byte header (request, flags, payload size, all
 * little-endian u32) followed by the payload; file descriptors travel
 * beside it as SCM_RIGHTS ancillary data, at most VU_MAX_FDS of them.
 */

#define VU_HDR_SIZE 12
#define VU_MAX_FDS 8 /* VHOST_MEMORY_BASELINE_NREGIONS */
#define VU_MAX_REGIONS VU_MAX_FDS
#define VU_REGION_SIZE 32
#define VU_MEM_TABLE_SIZE (8 + VU_MAX_REGIONS * VU_REGION_SIZE)
#define VU_MAX_PAYLOAD VU_MEM_TABLE_SIZE /* the largest we ever send */
#define VU_MAX_MSG (VU_HDR_SIZE + VU_MAX_PAYLOAD)

/* Header flags. */
#define VU_VERSION 0x1
#define VU_VERSION_MASK 0x3
#define VU_FLAG_REPLY 0x4
#define VU_FLAG_NEED_REPLY 0x8

/* Virtio feature bit 30: the back-end speaks GET/SET_PROTOCOL_FEATURES. */
#define VU_F_PROTOCOL_FEATURES 30

/* Protocol feature bits the launcher may use. */
#define VU_PROTOCOL_F_MQ 0
#define VU_PROTOCOL_F_REPLY_ACK 3

/* SET_VRING_KICK/CALL/ERR payload: queue index, and "no fd sent". */
#define VU_VRING_IDX_MASK 0xff
#define VU_VRING_NOFD 0x100

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
};

#define VU_NAME_LEN 24
/* "GET_FEATURES", or "request 99" for one this file does not know,
 * written into buf. */
const char *vu_request_name(uint32_t request, char buf[VU_NAME_LEN]);

/* A message to send: its bytes and the descriptors that go with them. */
struct vu_msg {
	uint8_t bytes[VU_MAX_MSG];
	size_t len;
	int fds[VU_MAX_FDS];
	unsigned int nfds;
};

/* One region of guest RAM as the back-end is to map it from fd. */
struct vu_region {
	uint64_t guest_addr, size, user_addr, mmap_offset;
	int fd;
};

/* Messages with no payload (SET_OWNER, GET_FEATURES, ...). */
void vu_build_plain(struct vu_msg *m, uint32_t request);
/* A u64 payload (SET_FEATURES, SET_PROTOCOL_FEATURES). */
void vu_build_u64(struct vu_msg *m, uint32_t request, uint64_t value);
/* A vring state: index and number (SET_VRING_NUM/BASE, GET_VRING_BASE,
 * SET_VRING_ENABLE). */
void vu_build_vring_state(struct vu_msg *m, uint32_t request, uint32_t index,
			  uint32_t num);
/* SET_VRING_ADDR: the three areas as addresses in the launcher's space. */
void vu_build_vring_addr(struct vu_msg *m, uint32_t index, uint64_t desc,
			 uint64_t used, uint64_t avail);
/* SET_VRING_KICK/CALL/ERR: queue index with fd, or no fd when fd < 0. */
int vu_build_vring_fd(struct vu_msg *m, uint32_t request, uint32_t index,
		      int fd, struct lg_error *err);
/* SET_MEM_TABLE: 1 to VU_MAX_REGIONS regions, each with its fd. */
int vu_build_mem_table(struct vu_msg *m, const struct vu_region *r,
		       unsigned int n, struct lg_error *err);
/* Ask for a REPLY_ACK (protocol feature REPLY_ACK negotiated). */
void vu_set_need_reply(struct vu_msg *m);

/* A reply's header, once checked: how many payload bytes follow. */
struct vu_hdr {
	uint32_t request, flags, size;
};

/* A reply, checked and decoded. */
struct vu_reply {
	uint32_t request;
	union {
		uint64_t u64; /* GET_*FEATURES, GET_QUEUE_NUM, an ack */
		struct {
			uint32_t index, num;
		} state; /* GET_VRING_BASE */
	};
};

/*
 * The first VU_HDR_SIZE bytes of a reply to `expected` (a request sent
 * with need_reply set expects an ack): checks version, flags, request
 * and that the size is the one this reply must have, so the caller
 * reads exactly hdr->size payload bytes and no more.
 */
int vu_reply_header(const uint8_t *buf, size_t len, uint32_t expected, bool ack,
		    struct vu_hdr *hdr, struct lg_error *err);

/*
 * The whole reply (header and payload, len bytes) to `expected`, which
 * came with nfds descriptors (fds_truncated: the kernel dropped some).
 * No reply the launcher asks for carries descriptors, so any is an
 * error; the caller closes them all whatever this returns.  An ack with
 * a non-zero status is the back-end refusing the request: an error too.
 */
int vu_parse_reply(const uint8_t *buf, size_t len, unsigned int nfds,
		   bool fds_truncated, uint32_t expected, bool ack,
		   struct vu_reply *reply, struct lg_error *err);

#endif
