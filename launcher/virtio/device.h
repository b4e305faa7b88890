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
#include "../platform.h"
#include "vring.h"

/*
 * A virtio device on the PCI transport.  As in the seed, every queue has
 * its own thread that sleeps on the queue's eventfd (the platform's
 * doorbell: over KVM an ioeventfd) and, for receive queues, on the host
 * file descriptor it reads from; the vCPU thread only handles register
 * accesses and never waits for device I/O.
 */
#define VIRTIO_MAX_QUEUES	4

struct virtio_device;
struct virtio_queue;

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

/*
 * Who serves enabled queues.  The launcher's way is a thread per queue
 * (virtio_queue_threads); a vhost-user back-end would be another, handed
 * the queue's kick fd and its vector's call fd (msix.fd) on start; a
 * fuzzer that only drives registers has one that serves nothing.
 */
struct virtio_queue_ops {
	/* Before the guest runs (a confined vCPU cannot clone later). */
	int (*prepare)(struct virtio_queue *q, const struct platform *p,
		       struct lg_error *err);
	/* The guest enabled q: serve it from now on. */
	void (*start)(struct virtio_queue *q);
	/* Reset or exit: nothing serves q any more when this returns. */
	void (*stop)(struct virtio_queue *q);
	/*
	 * The driver gave enabled queue q another MSI-X vector (optional:
	 * a queue thread raises q->reg.msix_vector when it interrupts, but
	 * a back-end holds the old vector's fd until told).
	 */
	void (*vector_changed)(struct virtio_queue *q);
};

extern const struct virtio_queue_ops virtio_queue_threads;

/* A queue's registers, as the guest programs them; reset clears them. */
struct virtq_regs {
	uint16_t size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc, driver, device;
};

/* What serves a queue: made once, kept across resets. */
struct virtq_runtime {
	int kick_fd;			/* the doorbell's eventfd */
	int stop_fd;			/* readable while a reset stops q */
	pthread_t thread;
	bool has_thread;
	bool running;			/* its thread serves it (thread_lock) */
	pthread_mutex_t thread_lock;	/* running, and ... */
	pthread_cond_t thread_cond;	/* ... its changes */
};

struct virtio_queue {
	struct virtio_device *vdev;
	unsigned int index;
	struct virtq_regs reg;
	/* The ring as enabled from reg, and scratch for whoever serves it. */
	struct virtq ring;
	struct virtq_chain *chain;
	struct virtq_runtime rt;
};

/* Transport state the guest sees; virtio_device_reset() restores it. */
struct virtio_regs {
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint8_t status;			/* under virtio_device.lock */
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t msix_config;
	_Atomic uint8_t isr;
};

struct virtio_device {
	const struct virtio_device_ops *ops;
	void *priv;			/* the device's own state */
	const struct guest_mem *mem;
	const struct platform *platform;
	const struct virtio_queue_ops *queue_ops;
	struct pci_device pci;
	struct pci_device pci_as_created;	/* for virtio_device_reset() */
	struct msix msix;
	uint64_t device_features;

	struct host_error broken;	/* NEEDS_RESET episodes, counted */
	pthread_mutex_t lock;		/* status, against queue threads */
	struct virtio_regs reg;
	struct virtio_queue queues[VIRTIO_MAX_QUEUES];
};

/* What a device is plugged into. */
struct virtio_host {
	const struct guest_mem *mem;
	struct pci_bus *bus;
	const struct platform *platform;
	const struct virtio_queue_ops *queue_ops;
};

/* Create the transport for a device and put it on the PCI bus. */
int virtio_device_init(struct virtio_device *vdev,
		       const struct virtio_device_ops *ops, void *priv,
		       const struct virtio_host *host, struct lg_error *err);

/*
 * Prepare whatever serves each queue (for the launcher, start its
 * thread): before the guest runs.  Without it, enabled queues are not
 * served.
 */
int virtio_device_start_threads(struct virtio_device *vdev,
				struct lg_error *err);

/*
 * Power-on state, as a PCI function reset gives it: the transport, the
 * queues, MSI-X and config space as created; the device's ops->reset.
 * Nothing serves a queue afterwards; threads and fds stay.
 */
void virtio_device_reset(struct virtio_device *vdev);

/*
 * For whoever serves queue q: the guest broke it.  Tells the platform
 * (rate-limited), sets NEEDS_RESET and raises the config interrupt.
 */
void virtio_queue_broken(struct virtio_queue *q, const struct lg_error *err);

/*
 * The same for the device as a whole, when what broke is not one
 * queue but what serves them all (a vhost-user back-end that hung up).
 */
void virtio_device_broken(struct virtio_device *vdev,
			  const struct lg_error *err);

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
