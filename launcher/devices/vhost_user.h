/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VHOST_USER_H
#define LGUEST_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "../error.h"
#include "../guest_mem.h"
#include "../virtio/vhost_user_msg.h"

/*
 * The launcher's end of a vhost-user socket: sending requests with their
 * descriptors and reading replies, every one checked by
 * vu_parse_reply() before it is used.  A back-end that does not answer
 * within VU_TIMEOUT_MS, hangs up or answers wrongly is an error return
 * naming the request; nothing here exits or prints.
 */

#define VU_TIMEOUT_MS 5000

struct vu_conn {
	int fd;
	uint64_t features; /* the back-end's virtio features */
	uint64_t protocol; /* protocol features both sides use */
	unsigned int queues; /* what GET_QUEUE_NUM said, else 0 */
};

/* -1 with err, and errno from connect() (ENOENT, ECONNREFUSED, ...). */
int vu_connect(struct vu_conn *c, const char *path, struct lg_error *err);
void vu_close(struct vu_conn *c);

/*
 * GET_FEATURES, then (when offered) GET/SET_PROTOCOL_FEATURES keeping
 * MQ and REPLY_ACK, GET_QUEUE_NUM (at least `queues` needed), and
 * SET_OWNER.  From then on every SET_* is acknowledged when REPLY_ACK
 * was agreed, so a back-end that refuses one is noticed at once.
 */
int vu_handshake(struct vu_conn *c, unsigned int queues, struct lg_error *err);

/* SET_FEATURES with what the driver accepted (plus PROTOCOL_FEATURES). */
int vu_set_features(struct vu_conn *c, uint64_t features, struct lg_error *err);

/* SET_MEM_TABLE: guest RAM m, mapped shared from memfd at m->host. */
int vu_set_mem_table(struct vu_conn *c, const struct guest_mem *m, int memfd,
		     struct lg_error *err);

/* A queue's geometry (host addresses of its areas) and its two eventfds. */
struct vu_queue {
	uint32_t index, size;
	uint64_t desc, avail, used;
	int kick, call;
};

/* SET_VRING_NUM, _BASE (0), _ADDR, _KICK, _CALL, then _ENABLE. */
int vu_start_queue(struct vu_conn *c, const struct vu_queue *q,
		   struct lg_error *err);

/* SET_VRING_CALL alone: a started queue interrupts through fd now. */
int vu_set_vring_call(struct vu_conn *c, uint32_t index, int fd,
		      struct lg_error *err);

/* GET_VRING_BASE: stops the queue; its next avail index in *base. */
int vu_stop_queue(struct vu_conn *c, uint32_t index, uint32_t *base,
		  struct lg_error *err);

#endif
