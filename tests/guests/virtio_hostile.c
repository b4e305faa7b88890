// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests: hand a virtio device one request that breaks the
 * rules, then check what the launcher promised: that device reports
 * NEEDS_RESET, the other device still works, and so does the broken one
 * once we reset it.  The launcher is started with --rng and --block.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>

#include "guest.h"
#include "virtio.h"

#define NEEDS_RESET_TIMEOUT	5	/* seconds */
#define HOSTILE_BUF_LEN		64

enum target { BLK, RNG };

enum kind {
	LOOP,
	OUTSIDE_RAM,
	INDIRECT_UNNEGOTIATED,
	NESTED_INDIRECT,
	AVAIL_JUMP,
	READ_AFTER_WRITE,
	SHORT_REQUEST,
};

/* Names inline, not pointers: no absolute addresses in the image. */
static const struct {
	char name[24];
	enum kind kind;
	enum target target;
} kinds[] = {
	{ "loop", LOOP, RNG },
	{ "outside-ram", OUTSIDE_RAM, BLK },
	{ "indirect-unnegotiated", INDIRECT_UNNEGOTIATED, BLK },
	{ "nested-indirect", NESTED_INDIRECT, RNG },
	{ "avail-jump", AVAIL_JUMP, RNG },
	{ "read-after-write", READ_AFTER_WRITE, BLK },
	{ "short-request", SHORT_REQUEST, BLK },
};

#define NR_KINDS (sizeof(kinds) / sizeof(kinds[0]))

int hostile_kind(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < NR_KINDS; i++)
		if (len == str_len(kinds[i].name) &&
		    starts_with(name, len, kinds[i].name))
			return i;
	return -1;
}

static struct virtio_blk_outhdr hdr;
static u8 status, buf[HOSTILE_BUF_LEN];
static struct vring_desc table[2][3] __attribute__((aligned(16)));

static struct vring_desc desc(u64 addr, u32 len, u16 flags, u16 next)
{
	return (struct vring_desc){ addr, len, flags, next };
}

/* A well-formed read of sector 0 into `len` bytes at `addr`. */
static void blk_read_chain(struct vring_desc *t, u64 addr, u32 len)
{
	hdr.type = VIRTIO_BLK_T_IN;
	hdr.sector = 0;
	t[0] = desc(phys_addr(&hdr), sizeof(hdr), VRING_DESC_F_NEXT, 1);
	t[1] = desc(addr, len, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	t[2] = desc(phys_addr(&status), 1, VRING_DESC_F_WRITE, 0);
}

/*
 * Write the bad request into descriptor 0 on, publish it and kick.
 * Only the avail jump publishes nothing valid: its index leaps ahead.
 */
static void submit_hostile(struct vq *q, enum kind kind, u64 ram_top)
{
	struct vring_desc *d = q->desc;

	switch (kind) {
	case LOOP:
		d[0] = desc(phys_addr(buf), 16,
			    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
		d[1] = desc(phys_addr(buf + 16), 16,
			    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
		break;
	case OUTSIDE_RAM:	/* straddles the end of RAM */
		blk_read_chain(d, ram_top - HOSTILE_BUF_LEN / 2,
			       HOSTILE_BUF_LEN);
		break;
	case INDIRECT_UNNEGOTIATED:	/* a fine table, a missing feature */
		blk_read_chain(table[0], phys_addr(buf), HOSTILE_BUF_LEN);
		d[0] = desc(phys_addr(table[0]), sizeof(table[0]),
			    VRING_DESC_F_INDIRECT, 0);
		break;
	case NESTED_INDIRECT:
		table[1][0] = desc(phys_addr(buf), HOSTILE_BUF_LEN,
				   VRING_DESC_F_WRITE, 0);
		table[0][0] = desc(phys_addr(table[1]), sizeof(table[1][0]),
				   VRING_DESC_F_INDIRECT, 0);
		d[0] = desc(phys_addr(table[0]), sizeof(table[0][0]),
			    VRING_DESC_F_INDIRECT, 0);
		break;
	case AVAIL_JUMP:
		*(volatile u16 *)&q->avail.idx = q->avail_idx + q->size + 1;
		vq_kick(q);
		return;
	case READ_AFTER_WRITE:	/* a write whose status comes first */
		hdr.type = VIRTIO_BLK_T_OUT;
		hdr.sector = 1;
		d[0] = desc(phys_addr(&hdr), sizeof(hdr), VRING_DESC_F_NEXT, 1);
		d[1] = desc(phys_addr(&status), 1,
			    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
		d[2] = desc(phys_addr(buf), HOSTILE_BUF_LEN, 0, 0);
		break;
	case SHORT_REQUEST:	/* half a header, then the status */
		d[0] = desc(phys_addr(&hdr), sizeof(hdr) / 2,
			    VRING_DESC_F_NEXT, 1);
		d[1] = desc(phys_addr(&status), 1, VRING_DESC_F_WRITE, 0);
		break;
	}
	vq_publish(q, 0);
	vq_kick(q);
}

static void bring_up(struct vdev *d, enum target t, u64 extra_features)
{
	if (t == BLK)
		blk_bring_up(d, extra_features);
	else
		rng_bring_up(d, extra_features);
}

static void check_works(struct vdev *d, enum target t)
{
	if (t == BLK)
		blk_check_sector0(d);
	else
		rng_check(d);
}

void action_virtio_hostile(int k, const struct virtio_opts *o)
{
	static struct vdev broken, other;
	enum target t = kinds[k].target, good = t == BLK ? RNG : BLK;
	u64 extra = kinds[k].kind == NESTED_INDIRECT ?
			    1ULL << VIRTIO_RING_F_INDIRECT_DESC : 0;

	bring_up(&broken, t, extra);
	if (extra && !(broken.features & extra))
		fail(CHECK_VIRTIO_FEATURES, "%s does not offer VIRTIO_RING_F_INDIRECT_DESC",
		     broken.name);
	submit_hostile(&broken.vq[0], kinds[k].kind, o->ram_top);
	if (!vdev_wait_status(&broken, VIRTIO_CONFIG_S_NEEDS_RESET,
			      NEEDS_RESET_TIMEOUT))
		fail(CHECK_VIRTIO_NO_RESET, "%s: no NEEDS_RESET %u s after a %s request (status 0x%x)",
		     broken.name, NEEDS_RESET_TIMEOUT, kinds[k].name,
		     vdev_status(&broken));
	print("PASS: %s reports NEEDS_RESET (%s)\n", broken.name,
	      kinds[k].name);

	bring_up(&other, good, 0);
	check_works(&other, good);
	print("PASS: %s still works\n", other.name);

	bring_up(&broken, t, 0);	/* begins with a reset */
	check_works(&broken, t);
	print("PASS: %s works again after a reset\n", broken.name);
	print("PASS: virtio-hostile:%s\n", kinds[k].name);
	guest_exit(GUEST_EXIT_OK);
}
