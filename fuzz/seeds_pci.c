// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for the pci target: what Linux's PCI core and virtio_pci_modern
 * do to each device, as fuzz/pci.c operations.  Scan bus 0, size BAR0
 * and put it back, walk the capabilities, enable memory decoding and bus
 * mastering, program MSI-X; then the virtio probe: reset, ACKNOWLEDGE,
 * DRIVER, read the device features, write the driver's, FEATURES_OK,
 * the config vector, each queue (select, size, vector, ring addresses,
 * enable), DRIVER_OK, read the device configuration, notify, read the
 * ISR, and reset again on removal.  Variants: a driver without
 * VERSION_1 (FEATURES_OK refused), a queue whose ring is outside guest
 * memory (NEEDS_RESET), a BAR moved while live, and raw 0xCF8 probes.
 */
#include <linux/pci_regs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "seeds.h"

/* fuzz/pci.c's operations and width encodings. */
enum { OP_CFG_READ, OP_CFG_WRITE, OP_PORT, OP_BAR_READ, OP_BAR_WRITE,
       OP_MMIO };

/*
 * The devices in the order fuzz/pci.c creates them (slots 1-4), each
 * with one 32 KiB BAR0 laid out as its capabilities say.
 */
#define NDEV		4
#define BAR_SIZE	0x8000U
#define MMIO_BASE	0xc0000000U	/* where pci_register() starts */
#define MOVED_BASE	0xc0400000U
#define COMMON		0x0000
#define ISR		0x1000
#define DEVICE_CFG	0x2000
#define NOTIFY		0x3000
#define NOTIFY_MULT	4
#define MSIX_TABLE	0x4000
#define MSIX_PBA	0x5000
#define FIRST_CAP	0x40
#define MSIX_CAP	0x84	/* after common, ISR, device and notify */
#define QUEUE_SIZE	16
#define RING_BASE	0x10000U	/* rings in the 1 MiB of guest RAM */
#define OUTSIDE_RAM	0x40000000U

struct dev_desc {
	const char *name;
	unsigned int queues;
	uint64_t features;	/* what its Linux driver accepts */
	unsigned int config_len;
};

static const struct dev_desc devices[NDEV] = {
	{ "virtio-blk", 1,
	  1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_BLK_SIZE |
		  1ULL << VIRTIO_BLK_F_FLUSH, 24 },
	{ "virtio-rng", 1, 0, 0 },
	{ "virtio-console", 2, 0, 0 },
	{ "virtio-net", 2,
	  1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |
		  1ULL << VIRTIO_NET_F_GUEST_CSUM,
	  8 },
};

#define TRANSPORT_FEATURES                                                    \
	(1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC |   \
	 1ULL << VIRTIO_RING_F_EVENT_IDX)

struct ops_buf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct ops_buf *o, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes && o->n < sizeof(o->b); i++)
		o->b[o->n++] = (uint8_t)(v >> (8 * i));
}

/* Width field: log2 of the access size (the target takes it modulo). */
static unsigned int width(unsigned int len)
{
	return len == 8 ? 3 : len == 4 ? 2 : len == 2 ? 1 : 0;
}

static void cfg_read(struct ops_buf *o, unsigned int slot, unsigned int reg,
		     unsigned int len)
{
	put(o, OP_CFG_READ, 1);
	put(o, slot, 1);
	put(o, reg, 1);
	put(o, width(len), 1);
}

static void cfg_write(struct ops_buf *o, unsigned int slot, unsigned int reg,
		      unsigned int len, uint32_t v)
{
	put(o, OP_CFG_WRITE, 1);
	put(o, slot, 1);
	put(o, reg, 1);
	put(o, width(len), 1);
	put(o, v, 4);
}

static void bar_read(struct ops_buf *o, unsigned int dev, unsigned int off,
		     unsigned int len)
{
	put(o, OP_BAR_READ, 1);
	put(o, dev, 1);
	put(o, off, 2);
	put(o, width(len), 1);
}

static void bar_write(struct ops_buf *o, unsigned int dev, unsigned int off,
		      unsigned int len, uint64_t v)
{
	put(o, OP_BAR_WRITE, 1);
	put(o, dev, 1);
	put(o, off, 2);
	put(o, width(len), 1);
	put(o, v, 8);
}

static void port(struct ops_buf *o, unsigned int p, unsigned int len,
		 bool is_write, uint32_t v)
{
	put(o, OP_PORT, 1);
	put(o, p, 1);
	put(o, width(len), 1);
	put(o, is_write, 1);
	put(o, v, 4);
}

/* pci_scan_bus(): the vendor and device ID of every slot on bus 0. */
static void scan_bus(struct ops_buf *o)
{
	unsigned int slot;

	for (slot = 0; slot <= NDEV + 1; slot++)
		cfg_read(o, slot, PCI_VENDOR_ID, 4);
}

/* pci_setup_device(), __pci_read_base(), pci_find_capability(). */
static void setup_device(struct ops_buf *o, unsigned int dev, uint32_t base)
{
	unsigned int slot = dev + 1, reg;

	cfg_read(o, slot, PCI_CLASS_REVISION, 4);
	cfg_read(o, slot, PCI_HEADER_TYPE, 1);
	cfg_read(o, slot, PCI_SUBSYSTEM_VENDOR_ID, 4);
	cfg_read(o, slot, PCI_BASE_ADDRESS_0, 4);
	cfg_write(o, slot, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	cfg_read(o, slot, PCI_BASE_ADDRESS_0, 4);
	cfg_write(o, slot, PCI_BASE_ADDRESS_0, 4, base);
	cfg_read(o, slot, PCI_STATUS, 2);
	cfg_read(o, slot, PCI_CAPABILITY_LIST, 1);
	for (reg = FIRST_CAP; reg < MSIX_CAP + 12; reg += 4)
		cfg_read(o, slot, reg, 4);
	cfg_write(o, slot, PCI_COMMAND, 2,
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* msix_capability_init(): masked, program every entry, then unmask. */
static void msix_on(struct ops_buf *o, unsigned int dev)
{
	unsigned int slot = dev + 1, v, nvec = devices[dev].queues + 1;

	cfg_write(o, slot, MSIX_CAP + PCI_MSIX_FLAGS, 2,
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (v = 0; v < nvec; v++) {
		unsigned int e = MSIX_TABLE + PCI_MSIX_ENTRY_SIZE * v;

		bar_write(o, dev, e + PCI_MSIX_ENTRY_LOWER_ADDR, 4, 0xfee00000);
		bar_write(o, dev, e + PCI_MSIX_ENTRY_UPPER_ADDR, 4, 0);
		bar_write(o, dev, e + PCI_MSIX_ENTRY_DATA, 4, 0x4021 + v);
		bar_write(o, dev, e + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0);
	}
	cfg_write(o, slot, MSIX_CAP + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	bar_read(o, dev, MSIX_PBA, 8);
}

static void set_status(struct ops_buf *o, unsigned int dev, uint8_t s)
{
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_STATUS, 1, s);
	bar_read(o, dev, COMMON + VIRTIO_PCI_COMMON_STATUS, 1);
}

/* vp_modern_get_features() / vp_modern_set_features(). */
static void negotiate(struct ops_buf *o, unsigned int dev, uint64_t features)
{
	unsigned int sel;

	for (sel = 0; sel < 2; sel++) {
		bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_DFSELECT, 4, sel);
		bar_read(o, dev, COMMON + VIRTIO_PCI_COMMON_DF, 4);
	}
	for (sel = 0; sel < 2; sel++) {
		bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_GFSELECT, 4, sel);
		bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_GF, 4,
			  (uint32_t)(features >> (32 * sel)));
	}
}

/* vp_modern_find_vqs() for one queue, rings at `ring`. */
static void setup_queue(struct ops_buf *o, unsigned int dev, unsigned int q,
			uint64_t ring)
{
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	bar_read(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_SIZE, 2);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_SIZE, 2, QUEUE_SIZE);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2, q + 1);
	bar_read(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_DESCLO, 4, ring);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_DESCHI, 4, ring >> 32);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_AVAILLO, 4,
		  ring + 16 * QUEUE_SIZE);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_AVAILHI, 4, 0);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_USEDLO, 4,
		  ring + 0x200);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_USEDHI, 4, 0);
	bar_read(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_NOFF, 2);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

static uint64_t ring_of(unsigned int dev, unsigned int q)
{
	return RING_BASE + (dev * 4 + q) * 0x1000ULL;
}

/* virtio_dev_probe() and the driver's probe, up to DRIVER_OK. */
static void probe(struct ops_buf *o, unsigned int dev, uint64_t features,
		  uint64_t bad_ring)
{
	const struct dev_desc *d = &devices[dev];
	unsigned int q, off;

	set_status(o, dev, 0);
	set_status(o, dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	set_status(o, dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	negotiate(o, dev, features);
	set_status(o, dev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_FEATURES_OK);
	bar_write(o, dev, COMMON + VIRTIO_PCI_COMMON_MSIX, 2, 0);
	bar_read(o, dev, COMMON + VIRTIO_PCI_COMMON_MSIX, 2);
	bar_read(o, dev, COMMON + VIRTIO_PCI_COMMON_NUMQ, 2);
	for (q = 0; q < d->queues; q++)
		setup_queue(o, dev, q, bad_ring ? bad_ring : ring_of(dev, q));
	for (off = 0; off < d->config_len; off += 4)
		bar_read(o, dev, DEVICE_CFG + off, 4);
	bar_read(o, dev, COMMON + VIRTIO_PCI_COMMON_CFGGENERATION, 1);
	set_status(o, dev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_FEATURES_OK |
				   VIRTIO_CONFIG_S_DRIVER_OK);
	for (q = 0; q < d->queues; q++)
		bar_write(o, dev, NOTIFY + NOTIFY_MULT * q, 2, q);
	bar_read(o, dev, ISR, 1);
}

static uint64_t linux_features(unsigned int dev)
{
	return devices[dev].features | TRANSPORT_FEATURES;
}

static void emit(const char *dir, const char *what, const char *dev_name,
		 const struct ops_buf *o)
{
	char name[96];

	snprintf(name, sizeof(name), "%s-%s", what, dev_name);
	seed_write(dir, name, o->b, o->n);
}

/* Enumeration through remove: the whole life of one device. */
static void seed_lifecycle(const char *dir, unsigned int dev)
{
	static struct ops_buf o;

	o.n = 0;
	scan_bus(&o);
	setup_device(&o, dev, MMIO_BASE + dev * BAR_SIZE);
	msix_on(&o, dev);
	probe(&o, dev, linux_features(dev), 0);
	set_status(&o, dev, 0);		/* virtio_dev_remove() */
	emit(dir, "linux-probe", devices[dev].name, &o);
}

static void seed_variants(const char *dir, unsigned int dev)
{
	static struct ops_buf o;

	o.n = 0;	/* a legacy-only driver: FEATURES_OK does not stick */
	setup_device(&o, dev, MMIO_BASE + dev * BAR_SIZE);
	probe(&o, dev, devices[dev].features, 0);
	emit(dir, "no-version-1", devices[dev].name, &o);

	o.n = 0;	/* rings the guest does not have: NEEDS_RESET */
	setup_device(&o, dev, MMIO_BASE + dev * BAR_SIZE);
	msix_on(&o, dev);
	probe(&o, dev, linux_features(dev), OUTSIDE_RAM);
	bar_read(&o, dev, ISR, 1);
	set_status(&o, dev, 0);
	emit(dir, "ring-outside-ram", devices[dev].name, &o);

	o.n = 0;	/* the BAR moves under a live device */
	setup_device(&o, dev, MMIO_BASE + dev * BAR_SIZE);
	probe(&o, dev, linux_features(dev), 0);
	cfg_write(&o, dev + 1, PCI_COMMAND, 2, 0);
	bar_read(&o, dev, ISR, 1);
	cfg_write(&o, dev + 1, PCI_BASE_ADDRESS_0, 4, MOVED_BASE);
	cfg_write(&o, dev + 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	bar_read(&o, dev, COMMON + VIRTIO_PCI_COMMON_STATUS, 1);
	emit(dir, "bar-moved", devices[dev].name, &o);
}

/* Odd-width and odd-port accesses around 0xCF8, as probes do. */
static void seed_raw_ports(const char *dir)
{
	static struct ops_buf o;

	o.n = 0;
	port(&o, 0, 4, true, 0x80000000);
	port(&o, 0, 4, false, 0);
	port(&o, 3, 1, true, 0x01);	/* PCI conf type 2 probe */
	port(&o, 0, 1, false, 0);
	port(&o, 4, 4, false, 0);
	port(&o, 6, 2, false, 0);
	port(&o, 0, 4, true, 0x80000800 | PCI_VENDOR_ID);
	port(&o, 4, 2, false, 0);
	port(&o, 6, 2, false, 0);
	port(&o, 0, 4, true, 0x80010000);	/* bus 1: nothing there */
	port(&o, 4, 4, false, 0);
	seed_write(dir, "cf8-raw-probe", o.b, o.n);
}

/* ------------------------------------------------------------------ */
/* Boundaries: each structure's last bytes, and a read or write past   */
/* ------------------------------------------------------------------ */

#define BLK		0
#define COMMON_LEN	0x40

/* One access at a structure's edge, after the device is set up. */
static void edge(const char *dir, const char *name, unsigned int dev,
		 unsigned int off, unsigned int len, bool is_write)
{
	static struct ops_buf o;

	o.n = 0;
	setup_device(&o, dev, MMIO_BASE + dev * BAR_SIZE);
	if (is_write)
		bar_write(&o, dev, off, len, 0x1122334455667788ULL);
	else
		bar_read(&o, dev, off, len);
	seed_write(dir, name, o.b, o.n);
}

static void edges_bar(const char *dir)
{
	unsigned int nvec = devices[BLK].queues + 1;
	unsigned int last = MSIX_TABLE + PCI_MSIX_ENTRY_SIZE * (nvec - 1);
	unsigned int cfg_end = DEVICE_CFG + sizeof(struct virtio_blk_config);

	edge(dir, "edge-common-cfg-last-4-bytes", BLK, COMMON_LEN - 4, 4, false);
	edge(dir, "edge-common-cfg-read-8-past-end", BLK, COMMON_LEN - 4, 8, false);
	edge(dir, "edge-common-cfg-write-8-past-end", BLK, COMMON_LEN - 4, 8, true);
	edge(dir, "edge-msix-last-vector-write", BLK, last, 4, true);
	edge(dir, "edge-msix-last-vector-ctrl-read", BLK,
	     last + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, false);
	edge(dir, "edge-msix-vector-past-last-write", BLK,
	     last + PCI_MSIX_ENTRY_SIZE, 4, true);
	edge(dir, "edge-blk-config-last-4-bytes", BLK, cfg_end - 4, 4, false);
	edge(dir, "edge-blk-config-read-8-past-end", BLK, cfg_end - 4, 8, false);
	edge(dir, "edge-msix-pba-last-4-bytes", BLK, MSIX_PBA + 4, 4, false);
	edge(dir, "edge-msix-pba-read-8-past-end", BLK, MSIX_PBA + 4, 8, false);
}

/* A config read ending at the dword 0xCF8 selects, and one byte past. */
static void edges_config(const char *dir)
{
	static struct ops_buf o;

	o.n = 0;
	cfg_read(&o, BLK + 1, PCI_DEVICE_ID, 2);
	seed_write(dir, "edge-cfg-read-to-dword-end", o.b, o.n);
	o.n = 0;
	cfg_read(&o, BLK + 1, PCI_DEVICE_ID + 1, 2);
	seed_write(dir, "edge-cfg-read-byte-past-dword", o.b, o.n);
}

void seeds_pci(const char *dir)
{
	unsigned int dev;

	for (dev = 0; dev < NDEV; dev++) {
		seed_lifecycle(dir, dev);
		seed_variants(dir, dev);
	}
	seed_raw_ports(dir);
	edges_bar(dir);
	edges_config(dir);
}
