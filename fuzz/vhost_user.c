// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target "vhost_user": a vhost-user back-end's replies, as the
 * launcher reads them (launcher/virtio/vhost_user_msg.c).  The input is
 *
 *	byte 0	 what the launcher waits for: bits 0-2 pick from waits[]
 *		 (a GET_* reply or the ack of a SET_*); bit 7 instead
 *		 builds a SET_MEM_TABLE and a SET_VRING_KICK from the input
 *	byte 1	 the descriptors that came with it: bits 0-4 a count
 *		 (past VU_MAX_FDS on purpose), bit 7 "control data cut"
 *	the rest the bytes the back-end sent, as a socket stream
 *
 * Reading follows the launcher's two steps: the 12 header bytes are
 * checked first, and only the payload size they allow is then read, so
 * the header check alone must bound the read; then the whole reply is
 * parsed from an exactly sized copy, so ASan sees any read past it.
 * Build mode takes regions (guest address, size, user address, offset,
 * fd) from the input and checks the message against what was asked.
 */
#include <string.h>

#include "fuzz.h"
#include "virtio/vhost_user_msg.h"

static const struct {
	uint32_t request;
	bool ack;
} waits[] = {
	{VU_GET_FEATURES, false},    {VU_GET_PROTOCOL_FEATURES, false},
	{VU_GET_QUEUE_NUM, false},   {VU_GET_VRING_BASE, false},
	{VU_SET_MEM_TABLE, true},    {VU_SET_VRING_ADDR, true},
	{VU_SET_VRING_ENABLE, true}, {VU_SET_OWNER, false},
};

#define BUILD_MODE 0x80
#define FDS_CUT 0x80
#define FDS_MASK 0x1f

static void check_error(int rc, const struct lg_error *err)
{
	fuzz_invariant(rc == -1, "returned %d", rc);
	fuzz_invariant(memchr(err->msg, 0, sizeof(err->msg)) && err->msg[0],
		       "no error message");
}

static uint32_t le32_at(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fuzz_reply(uint8_t sel, uint8_t fds, const uint8_t *data,
		       size_t size)
{
	uint32_t expected = waits[sel % 8].request;
	bool ack = waits[sel % 8].ack;
	unsigned int nfds = fds & FDS_MASK;
	bool cut = fds & FDS_CUT;
	struct lg_error err = {""};
	struct vu_reply reply;
	struct vu_hdr hdr;
	uint8_t *copy;
	size_t len;
	int rc;

	rc = vu_reply_header(data, size < VU_HDR_SIZE ? size : VU_HDR_SIZE,
			     expected, ack, &hdr, &err);
	if (rc) {
		check_error(rc, &err);
		return;
	}
	fuzz_invariant(hdr.request == expected && hdr.size <= VU_MAX_PAYLOAD,
		       "header let through request %u size %u", hdr.request,
		       hdr.size);
	len = VU_HDR_SIZE + hdr.size;
	if (len > size)
		len = size; /* the back-end hung up mid-payload */
	copy = malloc(len);
	if (!copy)
		abort();
	memcpy(copy, data, len);
	rc = vu_parse_reply(copy, len, nfds, cut, expected, ack, &reply, &err);
	free(copy);
	if (rc) {
		check_error(rc, &err);
		return;
	}
	fuzz_invariant(rc == 0 && reply.request == expected, "request %u",
		       reply.request);
	fuzz_invariant(len == VU_HDR_SIZE + 8 && !nfds && !cut,
		       "accepted %zu bytes with %u fds%s", len, nfds,
		       cut ? " (cut)" : "");
	fuzz_invariant(!ack || reply.u64 == 0, "accepted a failing ack");
}

static void fuzz_build(uint8_t sel, struct fuzz_input *in)
{
	struct vu_region r[VU_MAX_REGIONS + 2];
	unsigned int n = sel % (VU_MAX_REGIONS + 3), i;
	struct lg_error err = {""};
	struct vu_msg m;
	int fd, rc;

	for (i = 0; i < n; i++) {
		r[i].guest_addr = fuzz_take(in, 8);
		r[i].size = fuzz_take(in, 8);
		r[i].user_addr = fuzz_take(in, 8);
		r[i].mmap_offset = fuzz_take(in, 8);
		r[i].fd = (int)(int8_t)fuzz_take(in, 1);
	}
	rc = vu_build_mem_table(&m, r, n, &err);
	if (rc) {
		check_error(rc, &err);
	} else {
		fuzz_invariant(n >= 1 && n <= VU_MAX_REGIONS && m.nfds == n,
			       "%u regions, %u fds", n, m.nfds);
		fuzz_invariant(m.len == VU_HDR_SIZE + 8 + n * VU_REGION_SIZE &&
				       le32_at(m.bytes + 8) ==
					       m.len - VU_HDR_SIZE,
			       "length %zu", m.len);
		for (i = 0; i < n; i++)
			fuzz_invariant(m.fds[i] == r[i].fd && r[i].fd >= 0,
				       "fd %u", i);
	}
	fd = (int)(int8_t)fuzz_take(in, 1);
	i = fuzz_take(in, 2);
	rc = vu_build_vring_fd(&m, VU_SET_VRING_KICK, i, fd, &err);
	if (rc) {
		check_error(rc, &err);
		fuzz_invariant(i > VU_VRING_IDX_MASK, "queue %u refused", i);
		return;
	}
	fuzz_invariant(m.len == VU_HDR_SIZE + 8 && m.nfds == (fd >= 0),
		       "kick: length %zu, %u fds", m.len, m.nfds);
	fuzz_invariant((le32_at(m.bytes + VU_HDR_SIZE) & VU_VRING_IDX_MASK) ==
			       i,
		       "kick for queue %u", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size, 0};
	uint8_t sel = fuzz_take(&in, 1), fds = fuzz_take(&in, 1);
	const uint8_t *rest;
	size_t len;

	if (sel & BUILD_MODE) {
		fuzz_build(fds, &in);
		return 0;
	}
	rest = fuzz_rest(&in, &len);
	fuzz_reply(sel, fds, rest, len);
	return 0;
}
