// SPDX-License-Identifier: GPL-2.0
/*
 * The tap backend, as the seed's --tunnet made it: the host sees an
 * interface "lguestN" whose other end is the guest's virtio-net.  With
 * IFF_VNET_HDR the tap speaks virtio's own header, so packets go between
 * tap and guest buffers with one readv/writev and no copy of ours.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net_backends.h"

#define VNET_HDR_LEN	12	/* struct virtio_net_hdr_v1 */

static struct tap_backend *to_tap(struct net_backend *b)
{
	return (struct tap_backend *)b;
}

static int tap_input_fd(struct net_backend *b)
{
	return to_tap(b)->fd;
}

static ssize_t tap_recv(struct net_backend *b, const struct iovec *iov, int n)
{
	return readv(to_tap(b)->fd, iov, n);
}

static ssize_t tap_send(struct net_backend *b, const struct iovec *iov, int n)
{
	return writev(to_tap(b)->fd, iov, n);
}

/* The tap may hand us only what the guest said it can take. */
static void tap_set_offloads(struct net_backend *b, uint64_t features)
{
	unsigned int off = 0;

	if (features & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_ECN))
			off |= TUN_F_TSO_ECN;
	}
	ioctl(to_tap(b)->fd, TUNSETOFFLOAD, off);
}

static int split_mac(char *spec, uint8_t mac[6], struct lg_error *err)
{
	char *colon = strchr(spec, ':');

	if (!colon)
		return 0;
	*colon = '\0';
	if (parse_mac(colon + 1, mac))
		return lg_fail(err, "--tunnet: '%s' is not a MAC address",
			       colon + 1);
	return 0;
}

static int if_ioctl(int sock, unsigned long req, struct ifreq *ifr,
		    const char *what, struct lg_error *err)
{
	if (ioctl(sock, req, ifr) == 0)
		return 0;
	return lg_fail(err, "--tunnet: cannot %s %s: %s", what, ifr->ifr_name,
		       strerror(errno));
}

/* Host end: an address, or a port on a bridge; then up. */
static int configure_host_end(struct tap_backend *t, const char *ip,
			      const char *bridge, struct lg_error *err)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int ret = -1;

	if (sock < 0)
		return lg_fail(err, "--tunnet: socket: %s", strerror(errno));
	if (bridge) {
		if (strlen(bridge) >= IFNAMSIZ) {
			lg_fail(err, "--tunnet: bridge name '%s' is too long",
				bridge);
			goto out;
		}
		memcpy(ifr.ifr_name, bridge, strlen(bridge) + 1);
		ifr.ifr_ifindex = if_nametoindex(t->ifname);
		if (if_ioctl(sock, SIOCBRADDIF, &ifr, "add the tap to bridge",
			     err))
			goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", t->ifname);
	if (ip) {
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1) {
			lg_fail(err, "--tunnet: '%s' is not an IPv4 address", ip);
			goto out;
		}
		if (if_ioctl(sock, SIOCSIFADDR, &ifr, "set the address of", err))
			goto out;
	}
	ifr.ifr_flags = IFF_UP;
	ret = if_ioctl(sock, SIOCSIFFLAGS, &ifr, "bring up", err);
out:
	close(sock);
	return ret;
}

int tap_open(struct tap_backend *t, const char *spec, uint8_t mac[6],
	     struct lg_error *err)
{
	char buf[128], *ip = buf, *bridge = NULL;
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = VNET_HDR_LEN;

	snprintf(buf, sizeof(buf), "%s", spec);
	if (strncmp(buf, "bridge:", 7) == 0) {
		bridge = buf + 7;
		ip = NULL;
		if (split_mac(bridge, mac, err))
			return -1;
	} else if (split_mac(ip, mac, err)) {
		return -1;
	}
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return lg_fail(err, "--tunnet: cannot open /dev/net/tun: %s%s",
			       strerror(errno),
			       errno == EACCES || errno == EPERM ?
				       " (needs CAP_NET_ADMIN)" : "");
	snprintf(ifr.ifr_name, IFNAMSIZ, "lguest%%d");
	if (ioctl(t->fd, TUNSETIFF, &ifr) || ioctl(t->fd, TUNSETVNETHDRSZ, &hdr) ||
	    ioctl(t->fd, TUNSETOFFLOAD, 0)) {
		lg_fail(err, "--tunnet: cannot set up the tap device: %s",
			strerror(errno));
		close(t->fd);
		return -1;
	}
	snprintf(t->ifname, IFNAMSIZ, "%s", ifr.ifr_name);
	if (configure_host_end(t, ip, bridge, err)) {
		close(t->fd);
		return -1;
	}
	t->b = (struct net_backend){
		.name = "tap", .where = t->ifname, .input_fd = tap_input_fd, .recv = tap_recv,
		.send = tap_send, .set_offloads = tap_set_offloads,
		.features = (1ULL << VIRTIO_NET_F_CSUM) |
			    (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
			    (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
			    (1ULL << VIRTIO_NET_F_GUEST_TSO6) |
			    (1ULL << VIRTIO_NET_F_GUEST_ECN) |
			    (1ULL << VIRTIO_NET_F_HOST_TSO4) |
			    (1ULL << VIRTIO_NET_F_HOST_TSO6) |
			    (1ULL << VIRTIO_NET_F_HOST_ECN),
	};
	return 0;
}
