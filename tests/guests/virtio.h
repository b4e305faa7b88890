/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TEST_VIRTIO_H
#define LGUEST_TEST_VIRTIO_H

/*
 * A minimal virtio 1.x driver over modern virtio-pci for the test guests:
 * find the device on PCI bus 0, negotiate features, set up split
 * virtqueues in our own .bss, and poll the used rings.  No interrupts:
 * the guests run with them off, and MSI-X stays disabled.
 *
 * Every device misbehaviour a driver could notice is a fail() with a
 * check number of its own (see guest.h), so a launcher bug shows up as a
 * named failure rather than a hang or a wrong answer.
 */
#include <linux/virtio_ring.h>

#include "runtime.h"

#define VQ_MAX_SIZE		128	/* larger queues are shrunk */
#define VIRTIO_MAX_VQS		2
#define REQUEST_TIMEOUT		10	/* seconds a device may take */
#define VIRTIO_BLK_ID_MAX	20	/* VIRTIO_BLK_ID_BYTES */

/* The three areas of a split virtqueue, sized for VQ_MAX_SIZE. */
struct vq_avail {
	u16 flags, idx, ring[VQ_MAX_SIZE], used_event;
};

struct vq_used {
	u16 flags, idx;
	struct vring_used_elem ring[VQ_MAX_SIZE];
	u16 avail_event;
};

struct vq {
	struct vring_desc desc[VQ_MAX_SIZE] __attribute__((aligned(16)));
	struct vq_avail avail __attribute__((aligned(2)));
	struct vq_used used __attribute__((aligned(4)));
	const char *name;	/* the device's, for messages */
	unsigned long notify;	/* this queue's doorbell */
	u16 index, size;
	u16 free_head, nfree;	/* unused descriptors, linked by .next */
	u16 avail_idx;		/* the avail->idx we publish next */
	u16 last_used;		/* used entries we have consumed */
};

struct vdev {
	const char *name;
	u8 slot;
	unsigned long common, device;	/* BAR0 regions */
	unsigned long notify_base;
	u32 notify_mult, notify_len, device_len;
	u64 offered, features;	/* device features; negotiated */
	struct vq vq[VIRTIO_MAX_VQS];
};

/* One buffer of a request. */
struct vbuf {
	u64 addr;
	u32 len;
	int writable;
};

/* What the virtio actions learn from the command line and E820 map. */
struct virtio_opts {
	int have_blk_sectors;
	u64 blk_sectors;
	int blk_ro;
	unsigned int blk_id_len;
	char blk_id[VIRTIO_BLK_ID_MAX + 1];
	u64 ram_top;		/* end of the highest E820 RAM entry */
};

/* lgtest.action=net-*:<count> (virtio_net_actions.c). */
enum net_mode { NET_PING, NET_PONG, NET_PONG_HOLD, NET_BEACON };

struct net_opts {
	enum net_mode mode;
	u64 count;
};

/* A bounded wait, measured on the CMOS clock so it means seconds anywhere. */
struct deadline {
	u8 second;
	unsigned int left, spins;
};

void deadline_start(struct deadline *dl, unsigned int seconds);
int deadline_passed(struct deadline *dl);

/*
 * Find 1af4:(0x1040 + id) on bus 0, reset it and negotiate `want`
 * (which must include everything in `need`), set up its first `nvqs`
 * queues and set DRIVER_OK.
 */
void vdev_bring_up(struct vdev *d, const char *name, u16 virtio_id, u64 want,
		   u64 need, unsigned int nvqs);
u8 vdev_status(const struct vdev *d);
/* Poll the status for `bits`; 1 once they are all set, 0 after `seconds`. */
int vdev_wait_status(const struct vdev *d, u8 bits, unsigned int seconds);
/* Device configuration (1, 2, 4 or 8 bytes), consistent per generation. */
u64 vdev_config(const struct vdev *d, unsigned int off, unsigned int len);

/* Queue a chain and publish it; returns the head.  Then kick. */
u16 vq_add(struct vq *q, const struct vbuf *b, unsigned int n);
void vq_publish(struct vq *q, u16 head);
void vq_kick(const struct vq *q);
/* Take one used entry (returns its id) or -1; frees its descriptors. */
int vq_take_used(struct vq *q, u32 *len);
/* Wait for a used entry; `seconds` 0 waits for ever. */
u16 vq_wait(struct vq *q, u32 *len, unsigned int seconds);
/* One request, start to finish: returns how many bytes the device wrote. */
u32 vq_transfer(struct vq *q, const struct vbuf *b, unsigned int n);

/* The actions (virtio_actions.c, virtio_hostile.c). */
int virtio_parse_token(const char *t, size_t len, struct virtio_opts *o);
void rng_bring_up(struct vdev *d, u64 extra_features);
void rng_check(struct vdev *d);
/* One block request: header, data (one or two buffers), status. */
struct blk_req {
	const char *what;	/* for messages */
	u32 type;
	u64 sector;
	u8 *data;
	u32 len;
	int split;		/* data as two descriptors */
};

void blk_bring_up(struct vdev *d, u64 extra_features);
/* Submit one request; returns its status and what the device wrote. */
u8 blk_submit(struct vdev *d, const struct blk_req *r, u32 *written);
/* Submit and insist on status `want` (and the right length). */
void blk_expect(struct vdev *d, const struct blk_req *r, u8 want);
void action_virtio_blk_nospace(void) __attribute__((noreturn));
void action_virtio_blk_bench(u64 sectors) __attribute__((noreturn));
void blk_check_sector0(struct vdev *d);
void action_virtio_rng(void) __attribute__((noreturn));
void action_virtio_blk(const struct virtio_opts *o) __attribute__((noreturn));
void action_virtio_console(void) __attribute__((noreturn));
void action_virtio_fs(void) __attribute__((noreturn));
void action_virtio_fs_gone(void) __attribute__((noreturn));
int net_parse_action(const char *v, size_t len, struct net_opts *o);
void action_net(const struct net_opts *o) __attribute__((noreturn));
int hostile_kind(const char *name, size_t len);
void action_virtio_hostile(int kind, const struct virtio_opts *o)
	__attribute__((noreturn));

#endif
