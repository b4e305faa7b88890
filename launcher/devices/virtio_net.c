// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
#include <errno.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <string.h>

#include "../virtio/iov.h"
#include "virtio_net.h"

#define NET_QUEUE_SIZE		256
#define RX_QUEUE		0
#define TX_QUEUE		1
#define PCI_CLASS_NETWORK_ETH	0x020000
#define HDR_LEN			sizeof(struct virtio_net_hdr_v1)

#define F(bit) (1ULL << VIRTIO_NET_F_##bit)

/* The GSO type `type` (less its ECN bit) may reach a guest with these. */
static bool gso_negotiated(uint8_t type, uint64_t features)
{
	if ((type & VIRTIO_NET_HDR_GSO_ECN) && !(features & F(GUEST_ECN)))
		return false;
	switch (type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return features & F(GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return features & F(GUEST_TSO6);
	case VIRTIO_NET_HDR_GSO_UDP:
		return features & F(GUEST_UFO);
	default:
		return false;
	}
}

/*
 * The header a receiving guest gets is ours, made from what it
 * negotiated (virtio 1.x 5.1.6.4.1): without GUEST_CSUM, flags 0, so a
 * --sharenet peer cannot have it trust a checksum (DATA_VALID); without
 * the matching GUEST_TSO/UFO/ECN, no GSO.  Only num_buffers is always
 * ours: 1, as we offer no mergeable buffers.
 */
void virtio_net_rx_header(struct virtio_net_hdr_v1 *h, uint64_t features)
{
	if (features & F(GUEST_CSUM)) {
		h->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM |
			    VIRTIO_NET_HDR_F_DATA_VALID;
	} else {
		h->flags = 0;
		h->csum_start = 0;
		h->csum_offset = 0;
	}
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE ||
	    !gso_negotiated(h->gso_type, features)) {
		h->gso_type = VIRTIO_NET_HDR_GSO_NONE;
		h->gso_size = 0;
		h->hdr_len = 0;
	}
	h->num_buffers = htole16(1);
}

static void fix_rx_header(const struct virtio_net *net, struct virtq_chain *c)
{
	struct virtio_net_hdr_v1 h;

	iov_to_buf(virtq_chain_in(c), c->n_in, 0, &h, sizeof(h));
	virtio_net_rx_header(&h, net->vdev.reg.driver_features);
	iov_from_buf(virtq_chain_in(c), c->n_in, 0, &h, sizeof(h));
}

/*
 * Move waiting packets into guest buffers, one packet per buffer chain
 * (we do not offer mergeable buffers), until the backend is empty or the
 * guest has no buffers left.  The header is rewritten for this guest
 * (virtio_net_rx_header).  We take a buffer first and read straight into
 * it; when the backend turns out to be empty the buffer goes back, which
 * costs nothing, where asking the backend first cost a poll() per packet.
 */
static enum vq_result net_rx(struct virtio_net *net, struct virtio_queue *q,
			     struct lg_error *err)
{
	struct net_backend *b = net->backend;
	struct virtq_chain *c = q->chain;
	enum vq_result result = VQ_IDLE;
	bool delivered = false;

	for (;;) {
		ssize_t n;
		int r = virtq_pop(&q->ring, c, err);

		if (r <= 0) {
			result = r < 0 ? VQ_BROKEN : VQ_STARVED;
			break;
		}
		if (c->n_out || c->in_len < HDR_LEN) {
			lg_fail(err, "receive buffer %u is not %zu+ writable bytes",
				c->head, HDR_LEN);
			return VQ_BROKEN;
		}
		n = b->recv(b, virtq_chain_in(c), c->n_in);
		if (n < (ssize_t)HDR_LEN) {
			virtq_unpop(&q->ring);
			if (n >= 0)
				continue;	/* a runt or an oversized packet */
			if (errno != EAGAIN && errno != EINTR)
				host_error_note(&net->rx_err, errno);
			break;
		}
		fix_rx_header(net, c);
		if (virtq_push(&q->ring, c->head, n, err))
			return VQ_BROKEN;
		delivered = true;
	}
	if (delivered && virtq_should_interrupt(&q->ring))
		virtio_queue_interrupt(q);
	return result;
}

/* A failed send loses the packet, never the guest (the seed's rule). */
static int net_tx_request(struct virtio_device *vdev, struct virtio_queue *q,
			  struct virtq_chain *c, uint32_t *written,
			  struct lg_error *err)
{
	struct virtio_net *net = vdev->priv;

	(void)q;
	*written = 0;
	if (c->out_len < HDR_LEN)
		return lg_fail(err, "transmit request %u is shorter than its %zu-byte header",
			       c->head, HDR_LEN);
	if (net->backend->send(net->backend, c->iov, c->n_out) < 0) {
		host_error_note(&net->tx_err, errno);
	}
	return 0;
}

static enum vq_result net_process(struct virtio_device *vdev,
				  struct virtio_queue *q, struct lg_error *err)
{
	if (q->index == RX_QUEUE)
		return net_rx(vdev->priv, q, err);
	return virtio_queue_serve(vdev, q, net_tx_request, err);
}

static int net_input_fd(struct virtio_device *vdev, unsigned int queue)
{
	struct virtio_net *net = vdev->priv;

	return queue == RX_QUEUE ? net->backend->input_fd(net->backend) : -1;
}

static void net_config_read(struct virtio_device *vdev, unsigned int offset,
			    uint8_t *data, unsigned int len)
{
	struct virtio_net *net = vdev->priv;
	struct virtio_net_config cfg = { .status = VIRTIO_NET_S_LINK_UP };

	memcpy(cfg.mac, net->mac, sizeof(cfg.mac));
	if (offset < sizeof(cfg))
		memcpy(data, (uint8_t *)&cfg + offset,
		       len < sizeof(cfg) - offset ? len : sizeof(cfg) - offset);
}

static void net_features_ok(struct virtio_device *vdev, uint64_t features)
{
	struct virtio_net *net = vdev->priv;

	if (net->backend->set_offloads)
		net->backend->set_offloads(net->backend, features);
}

static const struct virtio_device_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.class_code = PCI_CLASS_NETWORK_ETH,
	.num_queues = 2,
	.queue_size = NET_QUEUE_SIZE,
	.features = (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS),
	.process = net_process,
	.input_fd = net_input_fd,
	.config_read = net_config_read,
	.features_ok = net_features_ok,
};

int virtio_net_init(struct virtio_net *net, struct net_backend *backend,
		    const uint8_t mac[6], const struct virtio_host *host,
		    struct lg_error *err)
{
	net->backend = backend;
	memcpy(net->mac, mac, 6);
	host_error_init(&net->tx_err, "virtio-net %s %s: packet from the guest dropped",
			backend->name, backend->where ? backend->where : "");
	host_error_init(&net->rx_err, "virtio-net %s %s: receive failed",
			backend->name, backend->where ? backend->where : "");
	if (virtio_device_init(&net->vdev, &virtio_net_ops, net, host, err))
		return -1;
	net->vdev.device_features |= backend->features;
	return 0;
}

int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}
