/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_NET_BACKENDS_H
#define LGUEST_NET_BACKENDS_H

#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/un.h>

#include "virtio_net.h"

/*
 * --tunnet=IP[:MAC] or --tunnet=bridge:NAME[:MAC]: a tap device with the
 * vnet header, its host end given address IP, or added to bridge NAME.
 */
struct tap_backend {
	struct net_backend b;
	int fd;
	char ifname[IFNAMSIZ];
};

int tap_open(struct tap_backend *t, const char *spec, uint8_t mac[6],
	     struct lg_error *err);

/*
 * --sharenet=PATH[:MAC]: two launchers meet at a unix socket PATH and
 * pass whole packets (SOCK_SEQPACKET) between their guests; neither maps
 * the other's memory.  Whoever comes first listens; if the peer dies the
 * survivor drops packets and waits for (or becomes) the next listener.
 */
struct share_backend {
	struct net_backend b;
	struct sockaddr_un addr;
	int epfd;		/* the stable input fd: listener or peer */
	int listen_fd;
	int conn_fd;
	unsigned int index;	/* which one, in requests to the helper */
	pthread_mutex_t lock;	/* conn_fd's lifetime against the sender */
};

int share_open(struct share_backend *s, const char *spec, uint8_t mac[6],
	       struct lg_error *err);

/*
 * Once every --sharenet is open, before any thread starts: fork the
 * process that makes their new connections from then on, confined by
 * `confine` (NULL: not at all).  No --sharenet, no helper.
 */
int share_helper_start(int (*confine)(struct lg_error *err),
		       struct lg_error *err);

#endif
