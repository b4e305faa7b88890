/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TESTS_FAKE_PLATFORM_H
#define LGUEST_TESTS_FAKE_PLATFORM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "platform.h"
#include "stop.h"
#include "virtio/device.h"

/*
 * The device model's platform without KVM, for unit tests, fuzzers and
 * benches.  It records what the devices asked for: interrupt line
 * levels, each MSI vector's eventfd and route, the doorbells attached;
 * queue threads are plain pthreads; a broken device is told on stderr
 * and, when `strict`, stops `stop` and counts a vCPU kick.
 */
#define FAKE_IRQ_LINES		24
#define FAKE_MSI_MAX		64
#define FAKE_DOORBELLS_MAX	32

struct fake_msi {
	int fd;
	uint64_t address;
	uint32_t data;
	unsigned int updates;		/* msi_route calls */
};

struct fake_doorbell {
	uint64_t addr;
	unsigned int len;
	int fd;
};

struct fake_platform {
	struct platform platform;
	struct vm_stop *stop;		/* for a strict device error, or NULL */
	bool strict;
	int irq_level[FAKE_IRQ_LINES];
	unsigned int nmsi;
	struct fake_msi msi[FAKE_MSI_MAX];
	unsigned int ndoorbells;
	struct fake_doorbell doorbell[FAKE_DOORBELLS_MAX];
	_Atomic unsigned int broken;	/* device_broken calls */
	_Atomic unsigned int vcpu_kicks;
};

void fake_platform_init(struct fake_platform *fp, struct vm_stop *stop,
			bool strict);

/* The doorbell attached at addr, or NULL. */
const struct fake_doorbell *fake_doorbell_at(const struct fake_platform *fp,
					     uint64_t addr);

/*
 * Queues that nothing serves: for a fuzzer that drives the transport's
 * registers, where a thread per enabled queue would cost a context
 * switch per input and make runs unrepeatable.
 */
extern const struct virtio_queue_ops fake_queues_unserved;

#endif
