// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio actions: read random bytes, exercise a disk, echo the
 * virtio console.  Each prints PASS lines as it goes and exits 0, or
 * fails with the check that went wrong (guest.h).
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "guest.h"
#include "virtio.h"

#define F(bit)		(1ULL << (bit))
#define VERSION_1	F(VIRTIO_F_VERSION_1)
#define SECTOR		GUEST_BLK_SECTOR
#define RNG_BYTES	64
#define STATUS_UNSET	0xff	/* no device status is this */
#define T_UNKNOWN	0x7f	/* a request type nobody defines */
#define CON_RX_QUEUE	0
#define CON_TX_QUEUE	1
#define CON_RX_BUFS	4
#define CON_BUF_LEN	64

/* lgtest.blksectors=N, lgtest.blkid=ID, lgtest.blkro */
int virtio_parse_token(const char *t, size_t len, struct virtio_opts *o)
{
	if (starts_with(t, len, "lgtest.blksectors=")) {
		o->have_blk_sectors = 1;
		return parse_u64(t + 18, len - 18, &o->blk_sectors);
	}
	if (starts_with(t, len, "lgtest.blkid=")) {
		if (len - 13 > VIRTIO_BLK_ID_MAX)
			return -1;
		o->blk_id_len = len - 13;
		memcpy(o->blk_id, t + 13, o->blk_id_len);
		return 0;
	}
	if (len == 12 && starts_with(t, len, "lgtest.blkro")) {
		o->blk_ro = 1;
		return 0;
	}
	return -1;
}

void rng_bring_up(struct vdev *d, u64 extra_features)
{
	vdev_bring_up(d, "virtio-rng", VIRTIO_ID_RNG, extra_features,
		      VERSION_1, 1);
}

static int all_zero(const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Two requests: each must come back full, and the two must differ. */
void rng_check(struct vdev *d)
{
	static u8 buf[2][RNG_BYTES];
	unsigned int k;

	for (k = 0; k < 2; k++) {
		struct vbuf b = { phys_addr(buf[k]), RNG_BYTES, 1 };
		u32 len;

		memset(buf[k], 0, RNG_BYTES);
		len = vq_transfer(&d->vq[0], &b, 1);
		if (len != RNG_BYTES)
			fail(CHECK_VIRTIO_RNG, "virtio-rng returned %u bytes, expected %u",
			     len, RNG_BYTES);
		if (all_zero(buf[k], RNG_BYTES))
			fail(CHECK_VIRTIO_RNG, "virtio-rng returned %u zero bytes",
			     RNG_BYTES);
	}
	if (!memcmp(buf[0], buf[1], RNG_BYTES))
		fail(CHECK_VIRTIO_RNG, "virtio-rng returned the same %u bytes twice",
		     RNG_BYTES);
	print("PASS: virtio-rng: 2 x %u random bytes (%x %x %x %x ...)\n",
	      RNG_BYTES, buf[0][0], buf[0][1], buf[0][2], buf[0][3]);
}

/* The second bring-up resets the device while its queue is live. */
void action_virtio_rng(void)
{
	static struct vdev rng;

	rng_bring_up(&rng, 0);
	rng_check(&rng);
	rng_bring_up(&rng, 0);
	rng_check(&rng);
	puts_raw("PASS: virtio-rng works after a reset\n");
	guest_exit(GUEST_EXIT_OK);
}

static int to_guest(u32 type)
{
	return type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
}

u8 blk_submit(struct vdev *d, const struct blk_req *r, u32 *written)
{
	static struct virtio_blk_outhdr hdr;
	static u8 status;
	struct vbuf b[4];
	unsigned int n = 0;
	int in = to_guest(r->type);

	hdr.type = r->type;
	hdr.ioprio = 0;
	hdr.sector = r->sector;
	status = STATUS_UNSET;
	b[n++] = (struct vbuf){ phys_addr(&hdr), sizeof(hdr), 0 };
	if (r->len && r->split) {
		b[n++] = (struct vbuf){ phys_addr(r->data), r->len / 2, in };
		b[n++] = (struct vbuf){ phys_addr(r->data + r->len / 2),
					r->len - r->len / 2, in };
	} else if (r->len) {
		b[n++] = (struct vbuf){ phys_addr(r->data), r->len, in };
	}
	b[n++] = (struct vbuf){ phys_addr(&status), 1, 1 };
	*written = vq_transfer(&d->vq[0], b, n);
	return *(volatile u8 *)&status;
}

/*
 * Submit and insist on a status.  A device that succeeds writes the
 * status byte plus, for reads, the whole buffer (GET_ID: the 20-byte
 * ID); on failure it must still have written the status.
 */
void blk_expect(struct vdev *d, const struct blk_req *r, u8 want)
{
	u32 written, full = 1;
	u8 status = blk_submit(d, r, &written);

	if (to_guest(r->type))
		full += r->type == VIRTIO_BLK_T_GET_ID ? VIRTIO_BLK_ID_MAX :
							 r->len;
	if (status != want)
		fail(CHECK_VIRTIO_BLK_STATUS, "virtio-blk %s: status %u, expected %u",
		     r->what, status, want);
	if (want == VIRTIO_BLK_S_OK ? written != full : written < 1)
		fail(CHECK_VIRTIO_BLK_STATUS, "virtio-blk %s: device wrote %u bytes, expected %u",
		     r->what, written, want == VIRTIO_BLK_S_OK ? full : 1);
	print("PASS: virtio-blk %s: status %u\n", r->what, status);
}

/* `n` sectors from `sector` must hold the fill (0) or the pattern (1). */
static void check_sectors(const char *what, const u8 *buf, u64 sector,
			  unsigned int n, int pattern)
{
	unsigned int s, i;

	for (s = 0; s < n; s++) {
		u32 at = (u32)sector + s;

		for (i = 0; i < SECTOR; i++) {
			u8 want = pattern ? guest_blk_pattern(at, i) :
					    guest_blk_fill(at, i);
			u8 got = buf[s * SECTOR + i];

			if (got != want)
				fail(CHECK_VIRTIO_BLK_DATA, "virtio-blk %s: sector 0x%llx byte %u is 0x%x, expected 0x%x",
				     what, sector + s, i, got, want);
		}
	}
}

static void make_sectors(u8 *buf, u64 sector, unsigned int n, int pattern)
{
	unsigned int s, i;

	for (s = 0; s < n; s++) {
		u32 at = (u32)sector + s;

		for (i = 0; i < SECTOR; i++)
			buf[s * SECTOR + i] = pattern ? guest_blk_pattern(at, i) :
							guest_blk_fill(at, i);
	}
}

static u8 blk_data[2 * SECTOR] __attribute__((aligned(SECTOR)));

static void blk_read_check(struct vdev *d, const char *what, u64 sector,
			   unsigned int n, int pattern)
{
	struct blk_req r = { what, VIRTIO_BLK_T_IN, sector, blk_data,
			     n * SECTOR, 0 };

	memset(blk_data, 0, sizeof(blk_data));
	blk_expect(d, &r, VIRTIO_BLK_S_OK);
	check_sectors(what, blk_data, sector, n, pattern);
}

static void blk_write(struct vdev *d, const char *what, u64 sector,
		      unsigned int n, int split, u8 want)
{
	struct blk_req r = { what, VIRTIO_BLK_T_OUT, sector, blk_data,
			     n * SECTOR, split };

	make_sectors(blk_data, sector, n, 1);
	blk_expect(d, &r, want);
}

void blk_bring_up(struct vdev *d, u64 extra_features)
{
	vdev_bring_up(d, "virtio-blk", VIRTIO_ID_BLOCK,
		      F(VIRTIO_BLK_F_RO) | extra_features,
		      VERSION_1 | F(VIRTIO_BLK_F_FLUSH), 1);
}

/* Sector 0 is never written: it holds the fill for good. */
void blk_check_sector0(struct vdev *d)
{
	blk_read_check(d, "read sector 0", 0, 1, 0);
}

static u64 blk_capacity(struct vdev *d, const struct virtio_opts *o)
{
	u64 n = vdev_config(d, 0, 8);	/* virtio_blk_config.capacity */
	int ro = !!(d->features & F(VIRTIO_BLK_F_RO));

	print("virtio-blk: capacity 0x%llx sectors%s\n", n,
	      ro ? ", read-only" : "");
	if (o->have_blk_sectors && n != o->blk_sectors)
		fail(CHECK_VIRTIO_BLK_CONFIG, "virtio-blk capacity (0x%llx sectors, expected 0x%llx)",
		     n, o->blk_sectors);
	if (n < 4)
		fail(CHECK_VIRTIO_BLK_CONFIG, "virtio-blk capacity (0x%llx sectors, need 4)",
		     n);
	if (ro != o->blk_ro)
		fail(CHECK_VIRTIO_BLK_CONFIG, "virtio-blk VIRTIO_BLK_F_RO is %u, expected %u",
		     ro, o->blk_ro);
	return n;
}

/* The ID is the token's bytes, NUL-padded to 20 when shorter. */
static void blk_check_id(struct vdev *d, const struct virtio_opts *o)
{
	static u8 id[VIRTIO_BLK_ID_MAX];
	struct blk_req r = { "get-id", VIRTIO_BLK_T_GET_ID, 0, id, sizeof(id),
			     0 };
	unsigned int i;

	memset(id, STATUS_UNSET, sizeof(id));
	blk_expect(d, &r, VIRTIO_BLK_S_OK);
	for (i = 0; i < VIRTIO_BLK_ID_MAX; i++) {
		u8 want = i < o->blk_id_len ? (u8)o->blk_id[i] : 0;

		if (id[i] != want)
			fail(CHECK_VIRTIO_BLK_ID, "virtio-blk id byte %u is 0x%x, expected 0x%x (\"%.*s\")",
			     i, id[i], want, (int)o->blk_id_len, o->blk_id);
	}
}

/*
 * Requests that reach past the end fail with IOERR and change nothing:
 * the host test checks the file afterwards, and we read the last sector
 * back here.  The huge sector makes sector * 512 overflow 64 bits.
 */
static void blk_past_end(struct vdev *d, u64 n, int ro)
{
	static const struct {
		char what[28];
		u32 type;
		u64 back;		/* sectors before the end */
		unsigned int count;
	} cases[] = {
		{ "read across the end", VIRTIO_BLK_T_IN, 1, 2 },
		{ "read at the end", VIRTIO_BLK_T_IN, 0, 1 },
		{ "write across the end", VIRTIO_BLK_T_OUT, 1, 2 },
		{ "write at the end", VIRTIO_BLK_T_OUT, 0, 1 },
	};
	struct blk_req huge = { "write at sector 2^64-1", VIRTIO_BLK_T_OUT,
				~0ULL, blk_data, SECTOR, 0 };
	unsigned int k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct blk_req r = { cases[k].what, cases[k].type,
				     n - cases[k].back, blk_data,
				     cases[k].count * SECTOR, 0 };

		memset(blk_data, 0xee, sizeof(blk_data));
		blk_expect(d, &r, VIRTIO_BLK_S_IOERR);
	}
	blk_expect(d, &huge, VIRTIO_BLK_S_IOERR);
	blk_read_check(d, "last sector unchanged", n - 1, 1, !ro);
}

/*
 * Sectors 1-2 in one request of two data buffers, and the last sector;
 * read back, flush, ID, the end of the disk, an unknown request type.
 * A read-only disk refuses the write and keeps its fill.
 */
void action_virtio_blk(const struct virtio_opts *o)
{
	static struct vdev blk;
	struct blk_req unknown = { "unknown request type", T_UNKNOWN, 0, NULL,
				   0, 0 };
	struct blk_req flush = { "flush", VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0 };
	u64 n;

	blk_bring_up(&blk, 0);
	n = blk_capacity(&blk, o);
	blk_check_sector0(&blk);
	if (o->blk_ro) {
		blk_write(&blk, "write to a read-only disk", 1, 1, 0,
			  VIRTIO_BLK_S_IOERR);
	} else {
		blk_write(&blk, "write sectors 1-2", 1, 2, 1, VIRTIO_BLK_S_OK);
		blk_write(&blk, "write the last sector", n - 1, 1, 0,
			  VIRTIO_BLK_S_OK);
	}
	blk_read_check(&blk, "read sectors 1-2", 1, 2, !o->blk_ro);
	blk_read_check(&blk, "read the last sector", n - 1, 1, !o->blk_ro);
	blk_expect(&blk, &flush, VIRTIO_BLK_S_OK);
	blk_check_id(&blk, o);
	blk_past_end(&blk, n, o->blk_ro);
	blk_expect(&blk, &unknown, VIRTIO_BLK_S_UNSUPP);
	puts_raw("PASS: virtio-blk\n");
	guest_exit(GUEST_EXIT_OK);
}

static void console_post(struct vq *rx, u8 *buf, u8 **buf_of)
{
	struct vbuf b = { phys_addr(buf), CON_BUF_LEN, 1 };
	u16 head = vq_add(rx, &b, 1);

	buf_of[head] = buf;
	vq_publish(rx, head);
	vq_kick(rx);
}

/*
 * Echo the virtio console: whatever arrives on the receive queue goes
 * back out on the transmit queue, until a line "quit".  Input may come
 * before our buffers do; the device must hold it until they are posted.
 */
void action_virtio_console(void)
{
	static struct vdev con;
	static u8 rx[CON_RX_BUFS][CON_BUF_LEN], tx[CON_BUF_LEN];
	static u8 *buf_of[VQ_MAX_SIZE];
	struct line_watch w = { .len = 0 };
	struct vq *rxq = &con.vq[CON_RX_QUEUE], *txq = &con.vq[CON_TX_QUEUE];
	unsigned int k, total = 0;

	vdev_bring_up(&con, "virtio-console", VIRTIO_ID_CONSOLE, 0, VERSION_1,
		      2);
	for (k = 0; k < CON_RX_BUFS; k++)
		console_post(rxq, rx[k], buf_of);
	puts_raw("virtio-console: ready, send \"quit\" to end\n");
	for (;;) {
		u32 len;
		u16 id = vq_wait(rxq, &len, 0);
		u8 *buf = buf_of[id];
		struct vbuf out = { phys_addr(tx), len, 0 };
		int quit = 0;

		if (!buf || len > CON_BUF_LEN)
			fail(CHECK_VIRTIO_CONSOLE, "virtio-console returned buffer %u with %u bytes",
			     id, len);
		buf_of[id] = NULL;
		if (!len) {	/* the launcher's input ended */
			print("PASS: virtio-console input ended after %u bytes\n",
			      total);
			guest_exit(GUEST_EXIT_OK);
		}
		memcpy(tx, buf, len);
		vq_transfer(txq, &out, 1);
		for (k = 0; k < len; k++)
			quit |= quit_line(&w, (char)buf[k]);
		total += len;
		if (quit) {
			print("PASS: virtio-console echoed %u bytes\n", total);
			guest_exit(GUEST_EXIT_OK);
		}
		console_post(rxq, buf, buf_of);
	}
}
