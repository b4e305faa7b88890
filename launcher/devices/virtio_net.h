/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VIRTIO_NET_H
#define LGUEST_VIRTIO_NET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../virtio/device.h"
#include "host_error.h"

/*
 * virtio-net, with its packets going to a backend: a tap device
 * (--tunnet, as in the seed) or another launcher (--sharenet, the seed's
 * inter-guest RFC).  Every packet that crosses the backend starts with
 * the 12-byte virtio_net_hdr_v1, so the tap's vnet header and the guest's
 * header are the same bytes and no copy is needed.
 */
struct net_backend {
	const char *name;
	const char *where;	/* the tap's interface, the socket's path */
	/* A stable fd that is readable when a packet may be waiting. */
	int (*input_fd)(struct net_backend *b);
	/* One packet in or out; -1 with errno (EAGAIN: none waiting). */
	ssize_t (*recv)(struct net_backend *b, const struct iovec *iov,
			int n);
	ssize_t (*send)(struct net_backend *b, const struct iovec *iov,
			int n);
	/* Offloads the guest accepted (VIRTIO_NET_F_GUEST_*); optional. */
	void (*set_offloads)(struct net_backend *b, uint64_t features);
	uint64_t features;	/* what this backend can offer the guest */
};

struct virtio_net {
	struct virtio_device vdev;
	struct net_backend *backend;
	uint8_t mac[6];
	struct host_error tx_err, rx_err;	/* drops and failed receives */
};

int virtio_net_init(struct virtio_net *net, struct net_backend *backend,
		    const uint8_t mac[6], const struct virtio_host *host,
		    struct lg_error *err);

/*
 * Make a received packet's header (the backend's, or a --sharenet
 * peer's) one a guest with `features` may be given.  Pure.
 */
struct virtio_net_hdr_v1;
void virtio_net_rx_header(struct virtio_net_hdr_v1 *h, uint64_t features);

/* "52:54:00:12:34:56" to bytes; 0, or -1 when it is not a MAC. */
int parse_mac(const char *s, uint8_t mac[6]);

#endif
