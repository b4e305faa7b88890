/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VIRTIO_DEVICE_H
#define LGUEST_VIRTIO_DEVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../devices/host_error.h"
#include "../error.h"
#include "../guest_mem.h"
#include "../pci.h"
#include "../pci_msix.h"
#include "../stop.h"
#include "vring.h"

/*
 * A virtio device on the PCI transport.  As in the seed, every queue has
 * its own thread that sleeps on the queue's eventfd (here a KVM
 * ioeventfd on the notify doorbell) and, for receive queues, on the host
 * file descriptor it reads from; the vCPU thread only handles register
 * accesses and never waits for device I/O.
 */
#define VIRTIO_MAX_QUEUES	4

struct virtio_device;
struct virtio_queue;

/* Starts `fn(arg)` on a new thread serving a queue of device `device`. */
typedef int (*virtio_thread_start_fn)(pthread_t *thread,
				      void *(*fn)(void *), void *arg,
				      const char *device);

enum vq_result {
	VQ_BROKEN = -1,		/* the guest broke the ring: needs reset */
	VQ_IDLE = 0,		/* all requests served */
	VQ_STARVED = 1,		/* host input waits for guest buffers */
	VQ_INPUT_DONE = 2,	/* the host input ended: stop watching it */
};

struct virtio_device_ops {
	const char *name;		/* "virtio-blk", for messages */
	uint16_t device_id;		/* VIRTIO_ID_* */
	uint32_t class_code;		/* PCI class */
	unsigned int num_queues;
	uint16_t queue_size;		/* the most we offer */
	uint64_t features;		/* device-specific feature bits */
	/* Serve one queue, on its thread; see enum vq_result. */
	enum vq_result (*process)(struct virtio_device *vdev,
				  struct virtio_queue *q, struct lg_error *err);
	/* Host fd a queue's thread also waits on (receive queues), or -1. */
	int (*input_fd)(struct virtio_device *vdev, unsigned int queue);
	/* Device-specific configuration, read by the guest. */
	void (*config_read)(struct virtio_device *vdev, unsigned int offset,
			    uint8_t *data, unsigned int len);
	/* The driver accepted these features (FEATURES_OK); optional. */
	void (*features_ok)(struct virtio_device *vdev, uint64_t features);
	/* Forget per-request state on reset (optional). */
	void (*reset)(struct virtio_device *vdev);
};

struct virtio_queue {
	struct virtio_device *vdev;
	unsigned int index;
	/* Registers, as the guest programs them. */
	uint16_t size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc, driver, device;
	/* Runtime, valid while enabled. */
	struct virtq ring;
	struct virtq_chain *chain;	/* scratch for the thread */
	int kick_fd;			/* ioeventfd on the doorbell */
	int stop_fd;			/* tells the thread to stop serving */
	pthread_t thread;
	bool has_thread;
	bool running;			/* its thread serves it (thread_lock) */
};

struct virtio_device {
	const struct virtio_device_ops *ops;
	void *priv;			/* the device's own state */
	const struct guest_mem *mem;
	struct pci_device pci;
	struct msix msix;
	int vm_fd;			/* for ioeventfds; -1 in unit tests */
	struct vm_stop *stop;		/* for --strict */
	bool strict;
	void (*kick_vcpu)(void *ctx);	/* to notice a --strict stop */
	void *kick_ctx;
	virtio_thread_start_fn start_thread;	/* NULL: pthread_create */
	bool no_queue_threads;		/* see struct virtio_host */

	struct host_error broken;	/* NEEDS_RESET episodes, counted */
	pthread_mutex_t lock;		/* status, against queue threads */
	pthread_mutex_t thread_lock;	/* queues' running, and ... */
	pthread_cond_t thread_cond;	/* ... its changes */
	uint32_t dfselect, gfselect;
	uint64_t device_features, driver_features;
	uint8_t status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t msix_config;
	_Atomic uint8_t isr;
	struct virtio_queue queues[VIRTIO_MAX_QUEUES];
};

struct virtio_host {
	const struct guest_mem *mem;
	struct pci_bus *bus;
	struct irq_routing *routing;	/* NULL: no KVM (unit tests) */
	int vm_fd;
	struct vm_stop *stop;
	bool strict;
	void (*kick_vcpu)(void *ctx);
	void *kick_ctx;
	/* How queue threads start (the sandbox confines them); optional. */
	virtio_thread_start_fn start_thread;
	/*
	 * Enabled queues get no thread, so nobody serves them: for the PCI
	 * fuzzer, which drives the transport's registers and must not start
	 * threads for every input.
	 */
	bool no_queue_threads;
};

/* Create the transport for a device and put it on the PCI bus. */
int virtio_device_init(struct virtio_device *vdev,
		       const struct virtio_device_ops *ops, void *priv,
		       const struct virtio_host *host, struct lg_error *err);

/*
 * Start every queue's thread (unless no_queue_threads): before the guest
 * runs, since a confined vCPU thread cannot clone.  Each waits until
 * its queue is enabled; without this, enabled queues are not served.
 */
int virtio_device_start_threads(struct virtio_device *vdev,
				struct lg_error *err);

/* For devices: interrupt the guest for queue q (after virtq_push). */
void virtio_queue_interrupt(struct virtio_queue *q);

/* Every queue thread stops serving (device reset or launcher exit). */
void virtio_device_quiesce(struct virtio_device *vdev);

/*
 * For request-driven queues (block, rng, transmit): take every request,
 * have `fn` serve it and say how many bytes it wrote, return it, and
 * interrupt the guest once per batch if it wants.  `fn` returns -1 only
 * for a malformed request, which breaks the queue; host I/O errors are
 * the device's to report inside the request.
 */
typedef int (*virtio_request_fn)(struct virtio_device *vdev,
				 struct virtio_queue *q, struct virtq_chain *c,
				 uint32_t *written, struct lg_error *err);

enum vq_result virtio_queue_serve(struct virtio_device *vdev,
				  struct virtio_queue *q, virtio_request_fn fn,
				  struct lg_error *err);
#endif
