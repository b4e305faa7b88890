// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio 1.x PCI transport ("modern" virtio-pci).  One 32 KiB memory
 * BAR holds everything the capabilities point at:
 *
 *   0x0000 common configuration    0x3000 notify doorbells (4 bytes each)
 *   0x1000 ISR status              0x4000 MSI-X table
 *   0x2000 device configuration    0x5000 MSI-X pending bits
 *
 * Register writes arrive on the vCPU thread; whoever serves the queues
 * (vdev->queue_ops) only takes requests and raises interrupts, so reset
 * stops it before it touches anything it uses.  Interrupts, doorbells
 * and messages go through the platform (platform.h).
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "device.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040
#define BAR_SIZE		0x8000
#define COMMON_OFF		0x0000
#define COMMON_LEN		0x40
#define ISR_OFF			0x1000
#define DEVICE_OFF		0x2000
#define DEVICE_LEN		0x1000
#define NOTIFY_OFF		0x3000
#define NOTIFY_MULTIPLIER	4
#define MSIX_TABLE_OFF		0x4000
#define MSIX_PBA_OFF		0x5000
#define REGION_LEN		0x1000
#define ISR_QUEUE		0x1	/* ISR bit 0: a queue interrupt */

#define TRANSPORT_FEATURES                                                    \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
	 (1ULL << VIRTIO_RING_F_EVENT_IDX))

static struct virtio_device *to_vdev(struct pci_device *d)
{
	return d->owner;
}

static struct virtio_queue *selected_queue(struct virtio_device *vdev)
{
	if (vdev->reg.queue_select >= vdev->ops->num_queues)
		return NULL;
	return &vdev->queues[vdev->reg.queue_select];
}

/*
 * One line per broken episode would let a guest that breaks a queue and
 * resets in a loop flood stderr, so episodes are counted like host I/O
 * errors: the 1st, 2nd, 4th, ... are told, the total at exit.
 */
static void tell_needs_reset(struct virtio_device *vdev,
			     const struct virtio_queue *q,
			     const struct lg_error *err)
{
	const struct platform *p = vdev->platform;
	unsigned long n = host_error_count(&vdev->broken);
	char line[sizeof(err->msg) + 128], times[32] = "", which[32] = "";

	if (n > 1)
		snprintf(times, sizeof(times), " (%lu times)", n);
	if (q)
		snprintf(which, sizeof(which), " queue %u:", q->index);
	snprintf(line, sizeof(line), "%s:%s %s; device needs reset%s",
		 vdev->ops->name, which, err->msg, times);
	p->ops->device_broken(p->ctx, n ? line : NULL);
}

/*
 * The guest broke queue q (NULL: the device as a whole).  Say so once, flag
 * NEEDS_RESET and tell the guest through the configuration-change interrupt;
 * only this device stops, unless --strict asks the launcher to stop too.
 */
static void needs_reset(struct virtio_device *vdev, struct virtio_queue *q,
			const struct lg_error *err)
{
	bool first;

	/*
	 * One lock hold, so two queues breaking at once report once; and the
	 * --strict stop comes before the guest can see NEEDS_RESET, since it
	 * may then write its own exit status and the first stop wins.
	 */
	pthread_mutex_lock(&vdev->lock);
	first = !(vdev->reg.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	if (first)
		tell_needs_reset(vdev, q, err);
	vdev->reg.status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	pthread_mutex_unlock(&vdev->lock);
	if (!first)
		return;
	atomic_fetch_or(&vdev->reg.isr, VIRTIO_PCI_ISR_CONFIG);
	msix_raise(&vdev->msix, vdev->reg.msix_config);
}

void virtio_queue_broken(struct virtio_queue *q, const struct lg_error *err)
{
	needs_reset(q->vdev, q, err);
}

void virtio_device_broken(struct virtio_device *vdev,
			  const struct lg_error *err)
{
	needs_reset(vdev, NULL, err);
}

void virtio_queue_interrupt(struct virtio_queue *q)
{
	atomic_fetch_or(&q->vdev->reg.isr, ISR_QUEUE);
	msix_raise(&q->vdev->msix, q->reg.msix_vector);
}

int virtio_device_start_threads(struct virtio_device *vdev,
				struct lg_error *err)
{
	unsigned int i;

	for (i = 0; i < vdev->ops->num_queues; i++)
		if (vdev->queue_ops->prepare(&vdev->queues[i], vdev->platform,
					     err))
			return -1;
	return 0;
}

static void enable_queue(struct virtio_device *vdev, struct virtio_queue *q)
{
	struct lg_error err;

	if (q->reg.enabled)
		return;
	if (virtq_setup(&q->ring, vdev->mem, q->reg.size, q->reg.desc,
			q->reg.driver, q->reg.device, vdev->reg.driver_features,
			&err)) {
		needs_reset(vdev, q, &err);
		return;
	}
	q->reg.enabled = true;
	vdev->queue_ops->start(q);
}

void virtio_device_quiesce(struct virtio_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->ops->num_queues; i++)
		vdev->queue_ops->stop(&vdev->queues[i]);
}

static void reset_queue_registers(struct virtio_device *vdev,
				  struct virtio_queue *q)
{
	q->reg = (struct virtq_regs){ .size = vdev->ops->queue_size,
				      .msix_vector = MSIX_NO_VECTOR };
}

/* Status 0: back to the state the device was created in. */
static void reset_device(struct virtio_device *vdev)
{
	unsigned int i;

	virtio_device_quiesce(vdev);
	for (i = 0; i < vdev->ops->num_queues; i++)
		reset_queue_registers(vdev, &vdev->queues[i]);
	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
	msix_reset(&vdev->msix, &vdev->pci);
	pthread_mutex_lock(&vdev->lock);
	vdev->reg.status = 0;
	pthread_mutex_unlock(&vdev->lock);
	vdev->reg.driver_features = 0;
	vdev->reg.dfselect = vdev->reg.gfselect = 0;
	vdev->reg.queue_select = 0;
	vdev->reg.msix_config = MSIX_NO_VECTOR;
	atomic_store(&vdev->reg.isr, 0);
}

void virtio_device_reset(struct virtio_device *vdev)
{
	reset_device(vdev);
	vdev->reg.config_generation = 0;
	pci_device_restore(&vdev->pci, &vdev->pci_as_created);
}

/* FEATURES_OK sticks only for a subset of ours that includes VERSION_1. */
static void write_status(struct virtio_device *vdev, uint8_t v)
{
	bool agreed = false;

	if (v == 0) {
		reset_device(vdev);
		return;
	}
	pthread_mutex_lock(&vdev->lock);
	if ((v & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(vdev->reg.status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		uint64_t f = vdev->reg.driver_features;

		if ((f & ~vdev->device_features) ||
		    !(f & (1ULL << VIRTIO_F_VERSION_1))) {
			v &= ~VIRTIO_CONFIG_S_FEATURES_OK;
			/* Refused alone, it must not read back as 0 (reset). */
			if (!v)
				v = vdev->reg.status;
		} else
			agreed = true;
	}
	vdev->reg.status = v | (vdev->reg.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	pthread_mutex_unlock(&vdev->lock);
	if (agreed && vdev->ops->features_ok)
		vdev->ops->features_ok(vdev, vdev->reg.driver_features);
}

static uint64_t feature_window(uint64_t features, uint32_t select)
{
	return select < 2 ? (uint32_t)(features >> (32 * select)) : 0;
}

/*
 * The common configuration as a little-endian byte image, so reads and
 * writes of any width go through one table of fields.
 */
struct common_image {
	uint8_t b[COMMON_LEN];
};

static void put(struct common_image *img, unsigned int off, unsigned int len,
		uint64_t v)
{
	memcpy(img->b + off, &v, len);
}

static uint64_t get(const struct common_image *img, unsigned int off,
		    unsigned int len)
{
	uint64_t v = 0;

	memcpy(&v, img->b + off, len);
	return v;
}

static void common_snapshot(struct virtio_device *vdev,
			    struct common_image *img)
{
	struct virtio_queue *q = selected_queue(vdev);

	memset(img, 0, sizeof(*img));
	put(img, VIRTIO_PCI_COMMON_DFSELECT, 4, vdev->reg.dfselect);
	put(img, VIRTIO_PCI_COMMON_DF, 4,
	    feature_window(vdev->device_features, vdev->reg.dfselect));
	put(img, VIRTIO_PCI_COMMON_GFSELECT, 4, vdev->reg.gfselect);
	put(img, VIRTIO_PCI_COMMON_GF, 4,
	    feature_window(vdev->reg.driver_features, vdev->reg.gfselect));
	put(img, VIRTIO_PCI_COMMON_MSIX, 2, vdev->reg.msix_config);
	put(img, VIRTIO_PCI_COMMON_NUMQ, 2, vdev->ops->num_queues);
	pthread_mutex_lock(&vdev->lock);
	put(img, VIRTIO_PCI_COMMON_STATUS, 1, vdev->reg.status);
	pthread_mutex_unlock(&vdev->lock);
	put(img, VIRTIO_PCI_COMMON_CFGGENERATION, 1,
	    vdev->reg.config_generation);
	put(img, VIRTIO_PCI_COMMON_Q_SELECT, 2, vdev->reg.queue_select);
	if (!q)
		return;
	put(img, VIRTIO_PCI_COMMON_Q_SIZE, 2, q->reg.size);
	put(img, VIRTIO_PCI_COMMON_Q_MSIX, 2, q->reg.msix_vector);
	put(img, VIRTIO_PCI_COMMON_Q_ENABLE, 2, q->reg.enabled);
	put(img, VIRTIO_PCI_COMMON_Q_NOFF, 2, q->index);
	put(img, VIRTIO_PCI_COMMON_Q_DESCLO, 8, q->reg.desc);
	put(img, VIRTIO_PCI_COMMON_Q_AVAILLO, 8, q->reg.driver);
	put(img, VIRTIO_PCI_COMMON_Q_USEDLO, 8, q->reg.device);
}

static bool touched(unsigned int off, unsigned int len, unsigned int field,
		    unsigned int width)
{
	return off < field + width && field < off + len;
}

static uint16_t valid_vector(const struct virtio_device *vdev, uint16_t v)
{
	return v < vdev->msix.nvec ? v : MSIX_NO_VECTOR;
}

static void queue_write(struct virtio_device *vdev, struct virtio_queue *q,
			const struct common_image *img, unsigned int off,
			unsigned int len)
{
	uint16_t size = get(img, VIRTIO_PCI_COMMON_Q_SIZE, 2);
	uint16_t was = q->reg.msix_vector;

	if (touched(off, len, VIRTIO_PCI_COMMON_Q_MSIX, 2))
		q->reg.msix_vector = valid_vector(
			vdev, get(img, VIRTIO_PCI_COMMON_Q_MSIX, 2));
	if (q->reg.enabled) {
		if (q->reg.msix_vector != was &&
		    vdev->queue_ops->vector_changed)
			vdev->queue_ops->vector_changed(q);
		return;	/* a live queue's geometry is fixed until reset */
	}
	if (touched(off, len, VIRTIO_PCI_COMMON_Q_SIZE, 2) && size &&
	    !(size & (size - 1)) && size <= vdev->ops->queue_size)
		q->reg.size = size;
	q->reg.desc = get(img, VIRTIO_PCI_COMMON_Q_DESCLO, 8);
	q->reg.driver = get(img, VIRTIO_PCI_COMMON_Q_AVAILLO, 8);
	q->reg.device = get(img, VIRTIO_PCI_COMMON_Q_USEDLO, 8);
	if (touched(off, len, VIRTIO_PCI_COMMON_Q_ENABLE, 2) &&
	    get(img, VIRTIO_PCI_COMMON_Q_ENABLE, 2) == 1)
		enable_queue(vdev, q);
}

static void common_write(struct virtio_device *vdev, unsigned int off,
			 const uint8_t *data, unsigned int len)
{
	struct common_image img;
	struct virtio_queue *q;
	uint64_t window;

	common_snapshot(vdev, &img);
	memcpy(img.b + off, data, len);
	vdev->reg.dfselect = get(&img, VIRTIO_PCI_COMMON_DFSELECT, 4);
	vdev->reg.gfselect = get(&img, VIRTIO_PCI_COMMON_GFSELECT, 4);
	if (touched(off, len, VIRTIO_PCI_COMMON_GF, 4) &&
	    vdev->reg.gfselect < 2 &&
	    !(vdev->reg.status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		unsigned int shift = 32 * vdev->reg.gfselect;

		window = get(&img, VIRTIO_PCI_COMMON_GF, 4);
		vdev->reg.driver_features &= ~(0xffffffffULL << shift);
		vdev->reg.driver_features |= window << shift;
	}
	if (touched(off, len, VIRTIO_PCI_COMMON_MSIX, 2))
		vdev->reg.msix_config = valid_vector(
			vdev, get(&img, VIRTIO_PCI_COMMON_MSIX, 2));
	if (touched(off, len, VIRTIO_PCI_COMMON_STATUS, 1))
		write_status(vdev, get(&img, VIRTIO_PCI_COMMON_STATUS, 1));
	if (touched(off, len, VIRTIO_PCI_COMMON_Q_SELECT, 2)) {
		vdev->reg.queue_select =
			get(&img, VIRTIO_PCI_COMMON_Q_SELECT, 2);
		return;
	}
	q = selected_queue(vdev);
	if (q && off >= VIRTIO_PCI_COMMON_Q_SIZE)
		queue_write(vdev, q, &img, off, len);
}

static void common_access(struct virtio_device *vdev, unsigned int off,
			  uint8_t *data, unsigned int len, bool is_write)
{
	struct common_image img;

	if (is_write) {
		common_write(vdev, off, data, len);
		return;
	}
	common_snapshot(vdev, &img);
	memcpy(data, img.b + off, len);
}

/* Without an ioeventfd (or for other widths) kicks come here instead. */
static void notify_write(struct virtio_device *vdev, uint64_t off)
{
	unsigned int i = off / NOTIFY_MULTIPLIER;
	uint64_t one = 1;

	if (i < vdev->ops->num_queues &&
	    write(vdev->queues[i].rt.kick_fd, &one, sizeof(one)) < 0)
		return;
}

static void bar_access(struct pci_device *d, int bar, uint64_t off,
		       uint8_t *data, unsigned int len, bool is_write)
{
	struct virtio_device *vdev = to_vdev(d);
	uint64_t region = off & ~(uint64_t)(REGION_LEN - 1);
	uint64_t in = off - region;

	if (!is_write)
		memset(data, 0, len);
	if (bar != 0)
		return;
	switch (region) {
	case COMMON_OFF:
		if (in + len <= COMMON_LEN)
			common_access(vdev, in, data, len, is_write);
		break;
	case ISR_OFF:
		if (!is_write && in == 0)	/* reading clears it */
			data[0] = atomic_exchange(&vdev->reg.isr, 0);
		break;
	case DEVICE_OFF:
		if (!is_write && vdev->ops->config_read)
			vdev->ops->config_read(vdev, in, data, len);
		break;
	case NOTIFY_OFF:
		if (is_write)
			notify_write(vdev, in);
		break;
	case MSIX_TABLE_OFF:
		msix_table_access(&vdev->msix, in, data, len, is_write);
		break;
	case MSIX_PBA_OFF:
		if (!is_write)
			msix_pba_read(&vdev->msix, in, data, len);
		break;
	}
}

static void config_written(struct pci_device *d, unsigned int off,
			   unsigned int len)
{
	struct virtio_device *vdev = to_vdev(d);

	if (off < vdev->msix.cap + MSIX_CAP_LEN && vdev->msix.cap < off + len)
		msix_control_written(&vdev->msix, d);
}

/* Doorbells follow the BAR: move each queue's with it. */
static void bar_moved(struct pci_device *d, int bar, uint64_t old_base,
		      uint64_t new_base)
{
	struct virtio_device *vdev = to_vdev(d);
	const struct platform *p = vdev->platform;
	unsigned int i;

	if (bar != 0)
		return;
	for (i = 0; i < vdev->ops->num_queues; i++) {
		uint64_t at = NOTIFY_OFF + NOTIFY_MULTIPLIER * i;
		int fd = vdev->queues[i].rt.kick_fd;

		if (old_base)
			p->ops->doorbell(p->ctx, old_base + at, 2, fd, false);
		if (new_base)
			p->ops->doorbell(p->ctx, new_base + at, 2, fd, true);
	}
}

static const struct pci_device_ops virtio_pci_ops = {
	.bar_access = bar_access,
	.config_written = config_written,
	.bar_moved = bar_moved,
};

static void add_virtio_cap(struct pci_device *d, uint8_t type, uint32_t off,
			   uint32_t len, bool notify)
{
	struct {
		struct virtio_pci_cap cap;
		uint32_t notify_off_multiplier;
	} c = { 0 };

	c.cap.cap_len = notify ? sizeof(c) : sizeof(c.cap);
	c.cap.cfg_type = type;
	c.cap.bar = 0;
	c.cap.offset = off;
	c.cap.length = len;
	c.notify_off_multiplier = NOTIFY_MULTIPLIER;
	pci_add_capability(d, PCI_CAP_ID_VNDR, &c, c.cap.cap_len);
}

static int init_queues(struct virtio_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->ops->num_queues; i++) {
		struct virtio_queue *q = &vdev->queues[i];

		q->vdev = vdev;
		q->index = i;
		reset_queue_registers(vdev, q);
		q->rt.kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		q->rt.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		pthread_mutex_init(&q->rt.thread_lock, NULL);
		pthread_cond_init(&q->rt.thread_cond, NULL);
		q->chain = malloc(sizeof(*q->chain));
		if (q->rt.kick_fd < 0 || q->rt.stop_fd < 0 || !q->chain)
			return -1;
	}
	return 0;
}

int virtio_device_init(struct virtio_device *vdev,
		       const struct virtio_device_ops *ops, void *priv,
		       const struct virtio_host *host, struct lg_error *err)
{
	struct pci_device *d = &vdev->pci;
	/* A device set up again (tests, fuzzers) stays in the error list. */
	struct host_error *listed_after = vdev->broken.next;

	memset(vdev, 0, sizeof(*vdev));
	vdev->broken.next = listed_after;
	if (ops->num_queues == 0 || ops->num_queues > VIRTIO_MAX_QUEUES)
		return lg_fail(err, "%s: %u queues is not 1..%d", ops->name,
			       ops->num_queues, VIRTIO_MAX_QUEUES);
	host_error_init(&vdev->broken, "%s: queue broken by the guest",
			ops->name);
	vdev->ops = ops;
	vdev->priv = priv;
	vdev->mem = host->mem;
	vdev->platform = host->platform;
	vdev->queue_ops = host->queue_ops;
	vdev->device_features = ops->features | TRANSPORT_FEATURES;
	vdev->reg.msix_config = MSIX_NO_VECTOR;
	pthread_mutex_init(&vdev->lock, NULL);
	if (init_queues(vdev))
		return lg_fail(err, "%s: cannot create queue eventfds: %s",
			       ops->name, strerror(errno));

	pci_device_init(d, VIRTIO_PCI_VENDOR,
			VIRTIO_PCI_DEVICE_BASE + ops->device_id,
			ops->class_code, 1, &virtio_pci_ops, vdev);
	pci_device_add_bar(d, 0, BAR_SIZE);
	add_virtio_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, COMMON_OFF, COMMON_LEN,
		       false);
	add_virtio_cap(d, VIRTIO_PCI_CAP_ISR_CFG, ISR_OFF, 1, false);
	add_virtio_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, DEVICE_OFF, DEVICE_LEN,
		       false);
	add_virtio_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_OFF,
		       NOTIFY_MULTIPLIER * ops->num_queues, true);
	if (msix_init(&vdev->msix, d, ops->num_queues + 1, 0, MSIX_TABLE_OFF,
		      MSIX_PBA_OFF, host->platform))
		return lg_fail(err, "%s: cannot set up MSI-X: %s", ops->name,
			       strerror(errno));
	if (pci_register(host->bus, d) < 0)
		return lg_fail(err, "%s: no room on the PCI bus", ops->name);
	vdev->pci_as_created = *d;
	return 0;
}
