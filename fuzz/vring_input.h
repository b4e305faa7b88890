/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_FUZZ_VRING_INPUT_H
#define LGUEST_FUZZ_VRING_INPUT_H

#include <stdint.h>

/*
 * The vring target's input, shared by the target (fuzz/vring.c) and its
 * seed generator (fuzz/seeds_vring.c): a fixed header, then an image of
 * guest memory from guest-physical 0 (zeros past its end).  By default
 * the rings sit at 0 laid out as Linux's vring_init() does with 64-byte
 * alignment, so almost every input reaches the descriptor walker; the
 * avail->idx in the image is how far the guest publishes, one batch of
 * requests per kick, starting from the header's start_idx.
 */
enum vring_fuzz_mode {
	VF_RING,		/* the library alone, as a device would use it */
	VF_BLK,
	VF_CONSOLE_RX,
	VF_CONSOLE_TX,
	VF_NET_RX,
	VF_NET_TX,
	VF_RNG,
	VF_FUSE_ERROR,		/* virtio-fs answered with -EIO, back-end gone */
	VF_MODES
};

#define VF_INDIRECT	0x01	/* negotiate VIRTIO_RING_F_INDIRECT_DESC */
#define VF_EVENT_IDX	0x02	/* negotiate VIRTIO_RING_F_EVENT_IDX */
#define VF_GEOMETRY	0x04	/* rings where desc/avail/used say */
#define VF_JUMP		0x08	/* publish everything with one kick */
#define VF_READ_ONLY	0x10	/* virtio-blk: a read-only disk */
/*
 * The host's side misbehaving, as files and terminals do.  VF_HOST_FAILS:
 * every read, write and sync of the disk and the console fails (EBADF).
 * VF_HOST_SHORT: the disk file is half the size the device was told
 * (reads past its end find nothing, writes there fail), the console has
 * no input waiting and its output is blocked until the queue is stopped,
 * the net backend has no packet waiting.  Both: VF_HOST_FAILS.
 */
#define VF_HOST_FAILS	0x20
#define VF_HOST_SHORT	0x40

#define VF_MEM_SIZE	0x10000	/* guest RAM: 64 KiB */
#define VF_RING_ALIGN	64	/* what Linux's virtio_pci uses */
#define VF_MAX_LOG2	10	/* queue sizes 1..1024 */
#define VF_SCRIPT_LEN	12

/*
 * script[] is the host's behaviour, read cyclically: for VF_RNG the bytes
 * each getrandom() call returns (x16; 0 fails, 0xff is EINTR); for
 * VF_NET_RX the packet lengths (x4; 0 means no more packets, 0xff a
 * receive error); for VF_NET_TX bit 0 of script[0] makes sends fail; for
 * VF_CONSOLE_RX whether the input hook accepts each buffer (0xff ends
 * input); for VF_RING how the device completes what it took (see vring.c).
 */
struct vring_fuzz_header {
	uint8_t mode;		/* enum vring_fuzz_mode, modulo VF_MODES */
	uint8_t size_log2;	/* queue size 1 << (size_log2 % 11) */
	uint8_t flags;		/* VF_* */
	uint8_t batch;		/* requests published per kick (0: 1) */
	uint16_t start_idx;	/* the queue's indices after earlier traffic */
	uint16_t raw_size;	/* with VF_GEOMETRY: the queue size */
	uint32_t desc, avail, used;	/* with VF_GEOMETRY: ring addresses */
	uint8_t script[VF_SCRIPT_LEN];
} __attribute__((packed));

#endif
