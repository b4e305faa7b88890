// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-net actions: a polling driver for the receive and transmit
 * queues and three little protocols on top of it, carried in Ethernet
 * frames of the local experimental EtherType 0x88b5:
 *
 *   net-ping:<R>        R rounds: send ping S, wait a second for its
 *                       reply, resend until it comes (NET_TRIES times)
 *   net-pong:<L>        answer pings 1..L, then exit 0
 *   net-pong-hold:<L>   answer pings 1..L, then keep receiving without
 *                       answering until the launcher is killed
 *   net-beacon:<N>      broadcast N beacons a second apart, then exit 0
 *
 * A reply swaps the MACs and complements every payload byte, so a frame
 * that merely came back, or came back damaged, is not taken for one.
 */
#include <linux/if_ether.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "guest.h"
#include "virtio.h"

#define F(bit)		(1ULL << (bit))
#define NET_RX_QUEUE	0
#define NET_TX_QUEUE	1
#define NET_RX_BUFS	16
#define NET_BUF_LEN	2048
#define NET_HDR_LEN	sizeof(struct virtio_net_hdr_v1)
#define NET_ETHERTYPE	0x88b5	/* IEEE 802 local experimental */
#define NET_DATA_LEN	1000	/* payload bytes after our header */
#define NET_TRIES	60	/* a second each */
#define NET_PONG_WAIT	120	/* seconds a pong waits for any ping */
#define KIND_PING	'P'
#define KIND_REPLY	'R'
#define KIND_BEACON	'B'

/* One test frame as it goes on the wire, after the virtio header. */
struct net_frame {
	u8 dst[ETH_ALEN], src[ETH_ALEN];
	u8 type[2];		/* big-endian EtherType */
	char magic[7];		/* "lgtest" and a NUL */
	u8 kind;
	u8 seq[4];		/* little-endian: the guests agree */
	u8 data[NET_DATA_LEN];
} __attribute__((packed));

struct net {
	struct vdev dev;
	u8 mac[ETH_ALEN];
	u8 *buf_of[VQ_MAX_SIZE];	/* receive buffer of each head */
	unsigned int sent;
};

static const char net_magic[7] = "lgtest";
static u8 rx_bufs[NET_RX_BUFS][NET_BUF_LEN];

/* Names inline, not pointers: no absolute addresses in the image. */
static const struct {
	char name[16];
	enum net_mode mode;
} modes[] = {
	{ "net-ping:", NET_PING },
	{ "net-pong:", NET_PONG },
	{ "net-pong-hold:", NET_PONG_HOLD },
	{ "net-beacon:", NET_BEACON },
};

int net_parse_action(const char *v, size_t len, struct net_opts *o)
{
	unsigned int i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		size_t n = str_len(modes[i].name);

		if (starts_with(v, len, modes[i].name)) {
			o->mode = modes[i].mode;
			return parse_u64(v + n, len - n, &o->count) ||
					       !o->count || o->count > 1000000 ?
				       -1 :
				       0;
		}
	}
	return -1;
}

static u32 get_seq(const struct net_frame *f)
{
	return f->seq[0] | f->seq[1] << 8 | f->seq[2] << 16 |
	       (u32)f->seq[3] << 24;
}

static void put_seq(struct net_frame *f, u32 seq)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		f->seq[i] = (u8)(seq >> (8 * i));
}

/* The ping's payload: different in every byte and every round. */
static u8 ping_byte(u32 seq, unsigned int i)
{
	return (u8)(seq * 13 + i * 7 + 3);
}

static void net_post(struct net *n, u8 *buf)
{
	struct vbuf b = { phys_addr(buf), NET_BUF_LEN, 1 };
	struct vq *rx = &n->dev.vq[NET_RX_QUEUE];
	u16 head = vq_add(rx, &b, 1);

	n->buf_of[head] = buf;
	vq_publish(rx, head);
	vq_kick(rx);
}

/*
 * VERSION_1 and, when offered, the MAC from the device configuration;
 * every receive buffer is posted before anything is sent.
 */
static void net_bring_up(struct net *n)
{
	unsigned int i;

	vdev_bring_up(&n->dev, "virtio-net", VIRTIO_ID_NET,
		      F(VIRTIO_NET_F_MAC), F(VIRTIO_F_VERSION_1), 2);
	for (i = 0; i < ETH_ALEN; i++)
		n->mac[i] = n->dev.features & F(VIRTIO_NET_F_MAC) ?
				    (u8)vdev_config(&n->dev, i, 1) :
				    (u8)(i ? 0 : 0x02);
	print("virtio-net: MAC %x:%x:%x:%x:%x:%x\n", n->mac[0], n->mac[1],
	      n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
	for (i = 0; i < NET_RX_BUFS; i++)
		net_post(n, rx_bufs[i]);
}

/* One frame out: a zeroed virtio header and the frame, two buffers. */
static void net_send(struct net *n, const struct net_frame *f)
{
	static struct virtio_net_hdr_v1 hdr;
	struct vbuf b[2] = { { phys_addr(&hdr), NET_HDR_LEN, 0 },
			     { phys_addr(f), sizeof(*f), 0 } };

	memset(&hdr, 0, sizeof(hdr));
	vq_transfer(&n->dev.vq[NET_TX_QUEUE], b, 2);
	n->sent++;
}

/*
 * The next frame of ours (right EtherType and magic) within `dl`, copied
 * to `f`; 0 when the time ran out.  Other frames (a host's IPv6 chatter
 * through a tap) are dropped.  The buffer goes straight back to the
 * device.
 */
static int net_receive(struct net *n, struct net_frame *f,
		       struct deadline *dl)
{
	struct vq *rx = &n->dev.vq[NET_RX_QUEUE];

	for (;;) {
		u32 len;
		int id = vq_take_used(rx, &len);
		u8 *buf;
		int ours;

		if (id < 0) {
			if (deadline_passed(dl))
				return 0;
			continue;
		}
		buf = n->buf_of[id];
		if (!buf || len > NET_BUF_LEN || len < NET_HDR_LEN + ETH_HLEN)
			fail(CHECK_VIRTIO_NET, "virtio-net returned receive buffer %u with %u bytes",
			     id, len);
		n->buf_of[id] = NULL;
		ours = len == NET_HDR_LEN + sizeof(*f) &&
		       !memcmp(buf + NET_HDR_LEN + 2 * ETH_ALEN, "\x88\xb5\0", 2) &&
		       !memcmp(buf + NET_HDR_LEN + 2 * ETH_ALEN + 2, net_magic,
			       sizeof(net_magic));
		if (ours)
			memcpy(f, buf + NET_HDR_LEN, sizeof(*f));
		net_post(n, buf);
		if (ours)
			return 1;
	}
}

static void make_frame(struct net_frame *f, const u8 *dst, const u8 *src,
		       u8 kind, u32 seq)
{
	memcpy(f->dst, dst, ETH_ALEN);
	memcpy(f->src, src, ETH_ALEN);
	f->type[0] = NET_ETHERTYPE >> 8;
	f->type[1] = NET_ETHERTYPE & 0xff;
	memcpy(f->magic, net_magic, sizeof(net_magic));
	f->kind = kind;
	put_seq(f, seq);
}

/* A ping's payload must be exactly the pattern of its round. */
static void check_payload(const struct net_frame *f, u8 flip)
{
	unsigned int i;

	for (i = 0; i < NET_DATA_LEN; i++)
		if (f->data[i] != (u8)(ping_byte(get_seq(f), i) ^ flip))
			fail(CHECK_VIRTIO_NET, "virtio-net: %c frame %u byte %u is 0x%x, expected 0x%x",
			     f->kind, get_seq(f), i, f->data[i],
			     (u8)(ping_byte(get_seq(f), i) ^ flip));
}

static const u8 broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Wait up to a second for the reply to ping `seq`; stale ones are skipped. */
static int await_reply(struct net *n, u32 seq)
{
	static struct net_frame f;
	struct deadline dl;

	deadline_start(&dl, 1);
	while (net_receive(n, &f, &dl)) {
		if (f.kind != KIND_REPLY || get_seq(&f) != seq)
			continue;
		if (memcmp(f.dst, n->mac, ETH_ALEN))
			fail(CHECK_VIRTIO_NET, "virtio-net: reply %u is addressed to %x:%x:%x:%x:%x:%x, not us",
			     seq, f.dst[0], f.dst[1], f.dst[2], f.dst[3],
			     f.dst[4], f.dst[5]);
		check_payload(&f, 0xff);
		return 1;
	}
	return 0;
}

static void __attribute__((noreturn)) net_ping(struct net *n, u32 rounds)
{
	static struct net_frame f;
	unsigned int unanswered = 0;
	u32 seq, i;

	for (seq = 1; seq <= rounds; seq++) {
		unsigned int tries;

		make_frame(&f, broadcast, n->mac, KIND_PING, seq);
		for (i = 0; i < NET_DATA_LEN; i++)
			f.data[i] = ping_byte(seq, i);
		for (tries = 1;; tries++) {
			net_send(n, &f);
			if (await_reply(n, seq))
				break;
			unanswered++;
			print("net-ping: ping %u try %u: no reply\n", seq, tries);
			if (tries == NET_TRIES)
				fail(CHECK_VIRTIO_NET_TIMEOUT, "virtio-net: no reply to ping %u in %u tries",
				     seq, tries);
		}
		print("PASS: net-ping: reply %u after %u tries\n", seq, tries);
	}
	print("PASS: net-ping: %u rounds, %u frames sent, %u unanswered\n",
	      rounds, n->sent, unanswered);
	guest_exit(GUEST_EXIT_OK);
}

/* The reply: back to the sender, payload complemented. */
static void answer(struct net *n, struct net_frame *f)
{
	unsigned int i;

	check_payload(f, 0);
	make_frame(f, f->src, n->mac, KIND_REPLY, get_seq(f));
	for (i = 0; i < NET_DATA_LEN; i++)
		f->data[i] ^= 0xff;
	net_send(n, f);
	print("net-pong: answered ping %u\n", get_seq(f));
}

static void __attribute__((noreturn)) net_pong(struct net *n, u32 last,
					       int hold)
{
	static struct net_frame f;
	unsigned int ignored = 0;
	struct deadline dl;

	puts_raw("net-pong: ready\n");
	for (;;) {
		deadline_start(&dl, NET_PONG_WAIT);
		if (!net_receive(n, &f, &dl))
			fail(CHECK_VIRTIO_NET_TIMEOUT, "virtio-net: no ping in %u s",
			     NET_PONG_WAIT);
		if (f.kind != KIND_PING)
			continue;
		if (get_seq(&f) > last) {
			print("net-pong: holding, %u pings ignored\n", ++ignored);
			continue;
		}
		answer(n, &f);
		if (get_seq(&f) == last && !hold) {
			print("PASS: net-pong: answered up to %u\n", last);
			guest_exit(GUEST_EXIT_OK);
		}
	}
}

/* Beacons a second apart; what arrives meanwhile is read and dropped. */
static void __attribute__((noreturn)) net_beacon(struct net *n, u32 count)
{
	static struct net_frame f, in;
	struct deadline dl;
	u32 seq, i;

	for (seq = 1; seq <= count; seq++) {
		make_frame(&f, broadcast, n->mac, KIND_BEACON, seq);
		for (i = 0; i < NET_DATA_LEN; i++)
			f.data[i] = ping_byte(seq, i);
		net_send(n, &f);
		print("net-beacon: sent %u\n", seq);
		deadline_start(&dl, 1);
		while (net_receive(n, &in, &dl))
			;
	}
	print("PASS: net-beacon: %u frames sent\n", count);
	guest_exit(GUEST_EXIT_OK);
}

void action_net(const struct net_opts *o)
{
	static struct net n;

	net_bring_up(&n);
	switch (o->mode) {
	case NET_PING:
		net_ping(&n, o->count);
	case NET_PONG:
	case NET_PONG_HOLD:
		net_pong(&n, o->count, o->mode == NET_PONG_HOLD);
	default:
		net_beacon(&n, o->count);
	}
}
