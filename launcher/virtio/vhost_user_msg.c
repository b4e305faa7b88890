// SPDX-License-Identifier: GPL-2.0
/*
 * Building the vhost-user messages the launcher sends and checking the
 * replies it reads (see vhost_user_msg.h).  Nothing here does I/O.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "vhost_user_msg.h"

static const char *const names[] = {
	[VU_GET_FEATURES] = "GET_FEATURES",
	[VU_SET_FEATURES] = "SET_FEATURES",
	[VU_SET_OWNER] = "SET_OWNER",
	[VU_RESET_OWNER] = "RESET_OWNER",
	[VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VU_SET_VRING_NUM] = "SET_VRING_NUM",
	[VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VU_SET_VRING_BASE] = "SET_VRING_BASE",
	[VU_GET_VRING_BASE] = "GET_VRING_BASE",
	[VU_SET_VRING_KICK] = "SET_VRING_KICK",
	[VU_SET_VRING_CALL] = "SET_VRING_CALL",
	[VU_SET_VRING_ERR] = "SET_VRING_ERR",
	[VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
};

#define N_NAMES (sizeof(names) / sizeof(names[0]))

const char *vu_request_name(uint32_t request, char buf[VU_NAME_LEN])
{
	if (request < N_NAMES && names[request])
		snprintf(buf, VU_NAME_LEN, "%s", names[request]);
	else
		snprintf(buf, VU_NAME_LEN, "request %u", request);
	return buf;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* The header, for a payload of `size` bytes the caller then writes. */
static uint8_t *start(struct vu_msg *m, uint32_t request, uint32_t size)
{
	put32(m->bytes, request);
	put32(m->bytes + 4, VU_VERSION);
	put32(m->bytes + 8, size);
	m->len = VU_HDR_SIZE + size;
	m->nfds = 0;
	return m->bytes + VU_HDR_SIZE;
}

void vu_build_plain(struct vu_msg *m, uint32_t request)
{
	start(m, request, 0);
}

void vu_build_u64(struct vu_msg *m, uint32_t request, uint64_t value)
{
	put64(start(m, request, 8), value);
}

void vu_build_vring_state(struct vu_msg *m, uint32_t request, uint32_t index,
			  uint32_t num)
{
	uint8_t *p = start(m, request, 8);

	put32(p, index);
	put32(p + 4, num);
}

void vu_build_vring_addr(struct vu_msg *m, uint32_t index, uint64_t desc,
			 uint64_t used, uint64_t avail)
{
	uint8_t *p = start(m, VU_SET_VRING_ADDR, 40);

	put32(p, index);
	put32(p + 4, 0); /* flags: no dirty logging */
	put64(p + 8, desc);
	put64(p + 16, used);
	put64(p + 24, avail);
	put64(p + 32, 0); /* log address, unused */
}

int vu_build_vring_fd(struct vu_msg *m, uint32_t request, uint32_t index,
		      int fd, struct lg_error *err)
{
	char name[VU_NAME_LEN];

	if (request != VU_SET_VRING_KICK && request != VU_SET_VRING_CALL &&
	    request != VU_SET_VRING_ERR)
		return lg_fail(err, "vhost-user: %s does not carry a vring fd",
			       vu_request_name(request, name));
	if (index > VU_VRING_IDX_MASK)
		return lg_fail(err, "vhost-user: queue %u: at most %u queues",
			       index, VU_VRING_IDX_MASK + 1);
	vu_build_u64(m, request, index | (fd < 0 ? VU_VRING_NOFD : 0));
	if (fd >= 0)
		m->fds[m->nfds++] = fd;
	return 0;
}

/*
 * Regions must not overlap in guest space: a back-end translating a
 * guest address would otherwise pick either mapping.
 */
static int check_regions(const struct vu_region *r, unsigned int n,
			 struct lg_error *err)
{
	unsigned int i, j;

	if (n == 0 || n > VU_MAX_REGIONS)
		return lg_fail(err, "vhost-user: %u memory regions (1 to %u)",
			       n, VU_MAX_REGIONS);
	for (i = 0; i < n; i++) {
		if (r[i].fd < 0 || r[i].size == 0 ||
		    r[i].guest_addr + r[i].size < r[i].guest_addr)
			return lg_fail(err,
				       "vhost-user: memory region %u: bad fd, "
				       "size or address",
				       i);
		for (j = 0; j < i; j++)
			if (r[i].guest_addr < r[j].guest_addr + r[j].size &&
			    r[j].guest_addr < r[i].guest_addr + r[i].size)
				return lg_fail(err,
					       "vhost-user: memory regions %u "
					       "and %u overlap",
					       j, i);
	}
	return 0;
}

int vu_build_mem_table(struct vu_msg *m, const struct vu_region *r,
		       unsigned int n, struct lg_error *err)
{
	uint8_t *p;
	unsigned int i;

	if (check_regions(r, n, err))
		return -1;
	p = start(m, VU_SET_MEM_TABLE, 8 + n * VU_REGION_SIZE);
	put32(p, n);
	put32(p + 4, 0);
	for (i = 0; i < n; i++) {
		uint8_t *q = p + 8 + i * VU_REGION_SIZE;

		put64(q, r[i].guest_addr);
		put64(q + 8, r[i].size);
		put64(q + 16, r[i].user_addr);
		put64(q + 24, r[i].mmap_offset);
		m->fds[m->nfds++] = r[i].fd;
	}
	return 0;
}

void vu_set_need_reply(struct vu_msg *m)
{
	put32(m->bytes + 4, get32(m->bytes + 4) | VU_FLAG_NEED_REPLY);
}

/* The payload size the reply to `request` must have; 0 if none has. */
static uint32_t reply_size(uint32_t request, bool ack)
{
	if (ack)
		return 8;
	switch (request) {
	case VU_GET_FEATURES:
	case VU_GET_PROTOCOL_FEATURES:
	case VU_GET_QUEUE_NUM:
	case VU_GET_VRING_BASE:
		return 8;
	default:
		return 0;
	}
}

int vu_reply_header(const uint8_t *buf, size_t len, uint32_t expected, bool ack,
		    struct vu_hdr *hdr, struct lg_error *err)
{
	uint32_t want = reply_size(expected, ack);
	char name[VU_NAME_LEN], got[VU_NAME_LEN];

	if (!want)
		return lg_fail(err, "vhost-user: %s has no reply",
			       vu_request_name(expected, name));
	if (len < VU_HDR_SIZE)
		return lg_fail(err,
			       "vhost-user: reply to %s cut short: %zu of %u "
			       "header bytes",
			       vu_request_name(expected, name), len,
			       VU_HDR_SIZE);
	hdr->request = get32(buf);
	hdr->flags = get32(buf + 4);
	hdr->size = get32(buf + 8);
	vu_request_name(expected, name);
	if (hdr->request != expected)
		return lg_fail(err, "vhost-user: %s reply to %s",
			       vu_request_name(hdr->request, got), name);
	if ((hdr->flags & VU_VERSION_MASK) != VU_VERSION)
		return lg_fail(err,
			       "vhost-user: reply to %s: version %u, not %u",
			       name, hdr->flags & VU_VERSION_MASK, VU_VERSION);
	if (hdr->flags != (VU_VERSION | VU_FLAG_REPLY))
		return lg_fail(
			err,
			"vhost-user: reply to %s: flags %#x (reply bit %s)",
			name, hdr->flags,
			hdr->flags & VU_FLAG_REPLY ? "set" : "missing");
	if (hdr->size != want)
		return lg_fail(
			err,
			"vhost-user: reply to %s: %u payload bytes, not %u",
			name, hdr->size, want);
	return 0;
}

int vu_parse_reply(const uint8_t *buf, size_t len, unsigned int nfds,
		   bool fds_truncated, uint32_t expected, bool ack,
		   struct vu_reply *reply, struct lg_error *err)
{
	const uint8_t *p = buf + VU_HDR_SIZE;
	struct vu_hdr hdr;
	char name[VU_NAME_LEN];

	if (vu_reply_header(buf, len, expected, ack, &hdr, err))
		return -1;
	vu_request_name(expected, name);
	if (len != VU_HDR_SIZE + (size_t)hdr.size)
		return lg_fail(err,
			       "vhost-user: reply to %s: %zu payload bytes "
			       "where the header says %u",
			       name, len - VU_HDR_SIZE, hdr.size);
	if (fds_truncated || nfds)
		return lg_fail(err,
			       "vhost-user: reply to %s came with %s%u file "
			       "descriptors",
			       name, fds_truncated ? "more than " : "", nfds);
	reply->request = hdr.request;
	if (!ack && expected == VU_GET_VRING_BASE) {
		reply->state.index = get32(p);
		reply->state.num = get32(p + 4);
		return 0;
	}
	reply->u64 = get64(p);
	if (ack && reply->u64)
		return lg_fail(err,
			       "vhost-user: back-end refused %s (status %llu)",
			       name, (unsigned long long)reply->u64);
	return 0;
}
