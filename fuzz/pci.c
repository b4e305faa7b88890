// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target "pci": a guest driving the PCI bus and the virtio-pci
 * transport of the devices bin/lguest offers (virtio-blk, -rng, -console
 * and -net) through configuration mechanism #1 and the BAR window.  The
 * input is a sequence of operations, each an opcode byte (OP_* modulo
 * OP_COUNT) and its fields:
 *
 *	OP_CFG_READ	sel, reg, width		0xCF8 := address; read 0xCFC+
 *	OP_CFG_WRITE	sel, reg, width, val32	0xCF8 := address; write 0xCFC+
 *		sel: bits 0-4 slot; bit 5 function 1; bit 6 bus 1; bit 7
 *		the enable bit off.  width: 1, 2 or 4 (byte % 3)
 *	OP_PORT		port, width, write, val32	any access to 0xCF8-0xCFF
 *	OP_BAR_READ	dev, off16, width		BAR0 of device dev
 *	OP_BAR_WRITE	dev, off16, width, val64	(width 1, 2, 4 or 8)
 *	OP_MMIO		off32, width, write, val64	anywhere in the window
 *
 * Devices are created once (their eventfds would leak otherwise), on the
 * fake platform with queues nothing serves (tests/lib), and reset to
 * power-on state (virtio_device_reset) before each input: nothing of one
 * input survives into the next but eventfd counters and NEEDS_RESET
 * counts, which nothing here reads.
 *
 * After every operation the target checks what must always hold: the
 * read-only parts of every config space, BAR decoding, the virtio
 * status rules (FEATURES_OK only for a valid subset, features frozen
 * after it, reset clears everything), queue geometry, MSI-X state; and
 * that reads of nothing (no device, unimplemented registers) return all
 * ones or all zeros.
 */
#include <linux/pci_regs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <string.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "fake_platform.h"
#include "fuzz.h"
#include "x86/layout.h"

enum op { OP_CFG_READ, OP_CFG_WRITE, OP_PORT, OP_BAR_READ, OP_BAR_WRITE,
	  OP_MMIO, OP_COUNT };

#define SEL_SLOT	0x1f
#define SEL_FUNC1	0x20
#define SEL_BUS1	0x40
#define SEL_DISABLE	0x80
#define CFG_ENABLE	0x80000000U
#define GUEST_RAM	(1024 * 1024)
#define BLK_BYTES	(8 * 1024 * 1024)
#define NDEV		4
#define MAX_REGIONS	8

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* Where a driver finds each structure in BAR0, from the capabilities. */
struct bar_map {
	uint32_t off[MAX_REGIONS], len[MAX_REGIONS];
	unsigned int n;
};

/* What a device's state is checked against. */
struct fuzz_dev {
	struct virtio_device *vdev;
	struct pci_device initial;	/* config space as created */
	struct bar_map map;
	uint32_t common_off;		/* the common configuration in BAR0 */
	size_t config_size;		/* its device config, as the spec has it */
	bool status_zeroed;		/* a lone write of 0 to device_status */
	bool frozen;			/* FEATURES_OK seen: features fixed */
	uint64_t frozen_features;
	uint8_t last_status;
};

static uint8_t ram[GUEST_RAM];
static struct guest_mem mem;
static struct pci_bus bus, bus_snapshot;
static struct vm_stop stop;
static struct fake_platform platform;
static struct virtio_blk blk;
static struct virtio_rng rng;
static struct virtio_console con;
static struct virtio_net net;
static struct fuzz_dev devs[NDEV];

/* The net backend's offloads must be what the guest accepted. */
static void check_offloads(struct net_backend *b, uint64_t features)
{
	fuzz_invariant(!(features & ~net.vdev.device_features),
		       "offloads %#llx beyond the device's features",
		       (unsigned long long)features);
	(void)b;
}

/* A backend that offers offloads; with no queue threads it never moves
 * a packet, so only its feature hook is ever called. */
static struct net_backend backend = {
	.name = "fuzz",
	.where = "nowhere",
	.set_offloads = check_offloads,
	.features = (1ULL << VIRTIO_NET_F_CSUM) |
		    (1ULL << VIRTIO_NET_F_GUEST_CSUM),
};

static void die(const char *what, const struct lg_error *err)
{
	fprintf(stderr, "pci fuzz target: %s: %s\n", what, err->msg);
	exit(1);
}

/* BAR0 regions named by the virtio and MSI-X capabilities. */
static void map_bar(struct fuzz_dev *f)
{
	const struct pci_device *d = &f->vdev->pci;
	unsigned int cap = d->cfg[PCI_CAPABILITY_LIST];
	struct bar_map *m = &f->map;

	for (; cap && m->n < MAX_REGIONS; cap = d->cfg[cap + 1]) {
		if (d->cfg[cap] == PCI_CAP_ID_VNDR) {
			const struct virtio_pci_cap *c =
				(const void *)(d->cfg + cap);

			if (c->cfg_type == VIRTIO_PCI_CAP_COMMON_CFG)
				f->common_off = c->offset;
			m->off[m->n] = c->offset;
			m->len[m->n++] = c->length;
			/* The window is a page; the structure is the spec's. */
			if (c->cfg_type == VIRTIO_PCI_CAP_DEVICE_CFG &&
			    f->config_size < c->length)
				m->len[m->n - 1] = f->config_size;
		} else if (d->cfg[cap] == PCI_CAP_ID_MSIX) {
			unsigned int nvec = (pci_cfg_read(d, cap + PCI_MSIX_FLAGS,
							  2) &
					     PCI_MSIX_FLAGS_QSIZE) + 1;

			m->off[m->n] = pci_cfg_read(d, cap + PCI_MSIX_TABLE, 4) &
				       PCI_MSIX_TABLE_OFFSET;
			m->len[m->n++] = nvec * PCI_MSIX_ENTRY_SIZE;
			m->off[m->n] = pci_cfg_read(d, cap + PCI_MSIX_PBA, 4) &
				       PCI_MSIX_PBA_OFFSET;
			m->len[m->n++] = (nvec + 63) / 64 * 8;
		}
	}
}

static void add_dev(unsigned int i, struct virtio_device *vdev,
		    size_t config_size)
{
	struct fuzz_dev *f = &devs[i];

	f->vdev = vdev;
	f->config_size = config_size;
	f->initial = vdev->pci;
	map_bar(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct virtio_host host = { .mem = &mem, .bus = &bus,
				    .platform = &platform.platform,
				    .queue_ops = &fake_queues_unserved };
	struct lg_error err;

	(void)argc;
	(void)argv;
	fake_platform_init(&platform, &stop, false);
	gmem_init(&mem, ram, sizeof(ram), LAYOUT_LOW_RAM_LIMIT);
	pci_bus_init(&bus, LAYOUT_PCI_MMIO, LAYOUT_IOAPIC - LAYOUT_PCI_MMIO);
	if (virtio_blk_init_fd(&blk, -1, BLK_BYTES, false, "fuzz", &host, &err))
		die("virtio-blk", &err);
	if (virtio_rng_init(&rng, &host, NULL, &err))
		die("virtio-rng", &err);
	if (virtio_console_init(&con, -1, -1, NULL, NULL, &host, &err))
		die("virtio-console", &err);
	if (virtio_net_init(&net, &backend, mac, &host, &err))
		die("virtio-net", &err);
	add_dev(0, &blk.vdev, sizeof(struct virtio_blk_config));
	add_dev(1, &rng.vdev, 0);
	add_dev(2, &con.vdev, 0);	/* no features need one */
	add_dev(3, &net.vdev, sizeof(struct virtio_net_config));
	bus_snapshot = bus;
	return 0;
}

static void restore(void)
{
	unsigned int i;

	bus = bus_snapshot;
	for (i = 0; i < NDEV; i++) {
		virtio_device_reset(devs[i].vdev);
		devs[i].frozen = false;
		devs[i].last_status = 0;
		devs[i].status_zeroed = false;
	}
}

/* ------------------------------------------------------------------ */
/* Invariants                                                          */
/* ------------------------------------------------------------------ */

static bool uniform(const uint8_t *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (p[i] != p[0] || (p[0] != 0 && p[0] != 0xff))
			return false;
	return true;
}

static void check_config_space(const struct pci_device *d,
			       const struct pci_device *initial)
{
	unsigned int i;
	int b;

	fuzz_invariant(!memcmp(d->wmask, initial->wmask, sizeof(d->wmask)),
		       "write mask changed");
	for (i = 0; i < sizeof(d->cfg); i += 8) {
		uint64_t now, was, mask;

		memcpy(&now, d->cfg + i, 8);
		memcpy(&was, initial->cfg + i, 8);
		memcpy(&mask, d->wmask + i, 8);
		fuzz_invariant(!((now ^ was) & ~mask),
			       "read-only config bytes %#x-%#x changed", i,
			       i + 7);
	}
	for (b = 0; b < PCI_MAX_BARS; b++) {
		uint32_t reg = pci_cfg_read(d, PCI_BASE_ADDRESS_0 + 4 * b, 4);
		bool on = pci_cfg_read(d, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY;
		uint64_t want = on && d->bar_size[b] ?
					reg & PCI_BASE_ADDRESS_MEM_MASK : 0;

		fuzz_invariant(d->bar_live[b] == want,
			       "BAR%d decodes at %#llx, register says %#llx",
			       b, (unsigned long long)d->bar_live[b],
			       (unsigned long long)want);
		if (d->bar_size[b])
			fuzz_invariant(!(reg & (d->bar_size[b] - 1) &
					 PCI_BASE_ADDRESS_MEM_MASK),
				       "BAR%d %#x misaligned", b, reg);
	}
}

static void check_msix(const struct msix *x, unsigned int nvec)
{
	unsigned int i;

	fuzz_invariant(x->nvec == nvec, "MSI-X has %u vectors", x->nvec);
	fuzz_invariant(!(x->pending >> nvec), "pending %#llx",
		       (unsigned long long)x->pending);
	for (i = 0; i < MSIX_MAX_VECTORS; i++) {
		const struct msix_entry *e = &x->table[i];

		if (i < nvec)
			fuzz_invariant(!(e->ctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT),
				       "vector %u control %#x", i, e->ctrl);
		else
			fuzz_invariant(!e->addr_lo && !e->addr_hi &&
					       !e->data && !e->ctrl,
				       "table entry %u past the %u vectors written",
				       i, nvec);
	}
}

static bool valid_vector(const struct virtio_device *v, uint16_t vec)
{
	return vec == MSIX_NO_VECTOR || vec < v->msix.nvec;
}

static void check_queue(const struct virtio_device *v,
			const struct virtio_queue *q)
{
	fuzz_invariant(q->reg.size && !(q->reg.size & (q->reg.size - 1)) &&
			       q->reg.size <= v->ops->queue_size,
		       "queue %u size %u", q->index, q->reg.size);
	fuzz_invariant(valid_vector(v, q->reg.msix_vector), "queue %u vector %u",
		       q->index, q->reg.msix_vector);
	fuzz_invariant(!q->rt.running, "queue %u has a thread", q->index);
	if (!q->reg.enabled)
		return;
	fuzz_invariant(q->ring.size == q->reg.size &&
			       gmem_range_ok(&mem, q->reg.desc,
					     16ULL * q->reg.size) &&
			       gmem_range_ok(&mem, q->reg.driver,
					     6 + 2ULL * q->reg.size) &&
			       gmem_range_ok(&mem, q->reg.device,
					     6 + 8ULL * q->reg.size),
		       "queue %u enabled with a bad ring", q->index);
}

/*
 * Status 0 was written: the device is as it was created.  A wider write
 * that also covered the selectors or the config vector sets those after
 * the reset, so they are checked only after a lone status write.
 */
static void check_reset(const struct virtio_device *v, bool lone)
{
	unsigned int i;

	fuzz_invariant(!v->reg.driver_features && !v->reg.isr,
		       "%s: features or ISR survived a reset", v->ops->name);
	if (lone)
		fuzz_invariant(!v->reg.dfselect && !v->reg.gfselect &&
				       !v->reg.queue_select &&
				       v->reg.msix_config == MSIX_NO_VECTOR,
			       "%s: selectors survived a reset", v->ops->name);
	fuzz_invariant(!v->msix.enabled && !v->msix.pending,
		       "%s: MSI-X survived a reset", v->ops->name);
	for (i = 0; i < v->msix.nvec; i++)
		fuzz_invariant(v->msix.table[i].ctrl &
				       PCI_MSIX_ENTRY_CTRL_MASKBIT,
			       "%s: vector %u unmasked after reset",
			       v->ops->name, i);
	for (i = 0; i < v->ops->num_queues; i++) {
		const struct virtio_queue *q = &v->queues[i];

		fuzz_invariant(!q->reg.enabled &&
				       q->reg.size == v->ops->queue_size &&
				       q->reg.msix_vector == MSIX_NO_VECTOR &&
				       !q->reg.desc && !q->reg.driver &&
				       !q->reg.device,
			       "%s: queue %u survived a reset", v->ops->name,
			       i);
	}
}

static void check_status(struct fuzz_dev *f)
{
	const struct virtio_device *v = f->vdev;

	if (v->reg.status & VIRTIO_CONFIG_S_FEATURES_OK) {
		fuzz_invariant(!(v->reg.driver_features & ~v->device_features) &&
				       v->reg.driver_features &
					       (1ULL << VIRTIO_F_VERSION_1),
			       "%s: FEATURES_OK with features %#llx",
			       v->ops->name,
			       (unsigned long long)v->reg.driver_features);
		if (f->frozen)
			fuzz_invariant(v->reg.driver_features ==
					       f->frozen_features,
				       "%s: features changed after FEATURES_OK",
				       v->ops->name);
		f->frozen = true;
		f->frozen_features = v->reg.driver_features;
	} else {
		f->frozen = false;
	}
	if (!v->reg.status && (f->last_status || f->status_zeroed))
		check_reset(v, f->status_zeroed);
	f->status_zeroed = false;
	f->last_status = v->reg.status;
}

static void check_device(struct fuzz_dev *f)
{
	const struct virtio_device *v = f->vdev;
	unsigned int i;

	check_config_space(&v->pci, &f->initial);
	check_msix(&v->msix, v->ops->num_queues + 1);
	fuzz_invariant(valid_vector(v, v->reg.msix_config), "config vector %u",
		       v->reg.msix_config);
	fuzz_invariant(!(v->reg.isr & ~(VIRTIO_PCI_ISR_CONFIG | 1)), "ISR %#x",
		       v->reg.isr);
	for (i = 0; i < v->ops->num_queues; i++)
		check_queue(v, &v->queues[i]);
	check_status(f);
}

static void check_all(void)
{
	unsigned int i;

	check_config_space(&bus.host_bridge, &bus_snapshot.host_bridge);
	for (i = 0; i < NDEV; i++)
		check_device(&devs[i]);
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */
/* ------------------------------------------------------------------ */

/*
 * The data buffer of one access, with a canary after its `len` bytes: a
 * device that writes more than it was asked for (a width ignored) breaks
 * it, where an 8-byte variable would have hidden a 4-byte overrun.
 */
#define CANARY_BYTE	0xa5

struct access {
	uint8_t b[8 + 8];
	unsigned int len;
};

static uint8_t *access_start(struct access *a, uint64_t v, unsigned int len)
{
	memset(a->b, CANARY_BYTE, sizeof(a->b));
	memcpy(a->b, &v, len);
	a->len = len;
	return a->b;
}

static uint64_t access_end(const struct access *a, const char *what)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = a->len; i < sizeof(a->b); i++)
		fuzz_invariant(a->b[i] == CANARY_BYTE,
			       "a %u-byte %s wrote byte %u of its buffer",
			       a->len, what, i);
	memcpy(&v, a->b, a->len);
	return v;
}

static unsigned int take_width(struct fuzz_input *in, unsigned int choices)
{
	return 1U << (fuzz_take(in, 1) % choices);
}

static void put_address(uint32_t address)
{
	pci_config_io(&bus, 0, (uint8_t *)&address, 4, true);
}

static uint32_t config_address(unsigned int sel, unsigned int reg)
{
	return (sel & SEL_DISABLE ? 0 : CFG_ENABLE) |
	       (sel & SEL_BUS1 ? 1U << 16 : 0) | (sel & SEL_SLOT) << 11 |
	       (sel & SEL_FUNC1 ? 1U << 8 : 0) | (reg & 0xfc);
}

/* The device 0xCF8 addresses now, for raw data-port accesses. */
static const struct pci_device *addressed_now(void)
{
	uint32_t a = bus.address;

	if (!(a & CFG_ENABLE) || (a >> 16 & 0xff) || (a >> 8 & 7))
		return NULL;
	return bus.slots[a >> 11 & SEL_SLOT];
}

/* The device a config access reaches, as mechanism #1 decodes it. */
static const struct pci_device *addressed(unsigned int sel)
{
	if (sel & (SEL_DISABLE | SEL_BUS1 | SEL_FUNC1))
		return NULL;
	return bus.slots[sel & SEL_SLOT];
}

/* The fuzz_dev of a bus device; NULL for the host bridge or nothing. */
static struct fuzz_dev *dev_of(const struct pci_device *d)
{
	unsigned int i;

	for (i = 0; i < NDEV; i++)
		if (d && &devs[i].vdev->pci == d)
			return &devs[i];
	return NULL;
}

static struct fuzz_dev *op_config(struct fuzz_input *in, bool is_write)
{
	unsigned int sel = fuzz_take(in, 1), reg = fuzz_take(in, 1);
	unsigned int len = take_width(in, 3), port = 4 + (reg & 3);
	uint32_t v = is_write ? fuzz_take(in, 4) : 0;
	const struct pci_device *d = addressed(sel);
	struct access a;
	uint8_t want[4];

	put_address(config_address(sel, reg));
	if (d && (reg & 3) + len <= 4)
		memcpy(want, d->cfg + reg, len);
	else
		memset(want, 0xff, len);
	pci_config_io(&bus, port, access_start(&a, v, len), len, is_write);
	v = access_end(&a, "config access");
	if (!is_write)
		fuzz_invariant(!memcmp(&v, want, len),
			       "config read %#x+%u of slot %u gave %#x",
			       reg, len, sel & SEL_SLOT, v);
	return dev_of(d);
}

static struct fuzz_dev *op_port(struct fuzz_input *in)
{
	unsigned int port = fuzz_take(in, 1) % PCI_CONFIG_PORTS;
	unsigned int len = take_width(in, 3);
	bool is_write = fuzz_take(in, 1) & 1;
	uint32_t v = fuzz_take(in, 4), before = bus.address;
	struct access a;

	pci_config_io(&bus, port, access_start(&a, v, len), len, is_write);
	v = access_end(&a, "port access");
	if (port == 0 && len == 4)
		fuzz_invariant(is_write ? bus.address == v : v == before,
			       "0xCF8 does not hold what was written");
	else if (port < 4)
		fuzz_invariant(bus.address == before &&
				       (is_write || uniform((uint8_t *)&v, len)),
		       "a partial 0xCF8 access took effect");
	else
		return dev_of(addressed_now());
	return NULL;
}

/* Is BAR0 offset `off` inside a structure a capability describes? */
static bool mapped(const struct bar_map *m, uint64_t off, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (off < (uint64_t)m->off[i] + m->len[i] &&
		    m->off[i] < off + len)
			return true;
	return false;
}

/*
 * A read that runs past the end of a structure (say 8 bytes at 0x3c of
 * the 0x40-byte common configuration) gives, for the bytes outside every
 * structure, what a read of nothing gives: all zeros or all ones (the
 * MSI-X table answers ones).  Anything else came from beyond the device's
 * own image of the structure, as a bounds check on the offset alone
 * would let through.
 */
static void check_read_inside(const struct fuzz_dev *f, uint64_t off,
			      unsigned int len, uint64_t v)
{
	const uint8_t *b = (const uint8_t *)&v;
	uint8_t outside[8];
	unsigned int i, n = 0;

	for (i = 0; i < len; i++)
		if (!mapped(&f->map, off + i, 1))
			outside[n++] = b[i];
	fuzz_invariant(uniform(outside, n),
		       "%s: read %#llx+%u gave %#llx: bytes outside every BAR0 structure are not all 0 or all 0xff",
		       f->vdev->ops->name, (unsigned long long)off, len,
		       (unsigned long long)v);
}

/* Which device's live BAR0 holds [addr, addr + len), if any. */
static struct fuzz_dev *bar_owner(uint64_t addr, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < NDEV; i++) {
		const struct pci_device *d = &devs[i].vdev->pci;
		uint64_t base = d->bar_live[0];

		if (base && addr >= base &&
		    range_within(addr - base, len, d->bar_size[0]))
			return &devs[i];
	}
	return NULL;
}

static struct fuzz_dev *mmio_access(uint64_t addr, unsigned int len,
				     bool is_write, uint64_t v)
{
	struct fuzz_dev *f = bar_owner(addr, len);
	struct access a;

	pci_mmio_io(&bus, addr - bus.mmio_base, access_start(&a, v, len), len,
		    is_write);
	v = access_end(&a, "BAR access");
	if (is_write) {
		if (f && len == 1 && !(uint8_t)v &&
		    addr - f->vdev->pci.bar_live[0] ==
			    f->common_off + VIRTIO_PCI_COMMON_STATUS)
			f->status_zeroed = true;
		return f;
	}
	if (!f || !mapped(&f->map, addr - f->vdev->pci.bar_live[0], len))
		fuzz_invariant(uniform((uint8_t *)&v, len),
			       "read of nothing at %#llx+%u gave %#llx",
			       (unsigned long long)addr, len,
			       (unsigned long long)v);
	else
		check_read_inside(f, addr - f->vdev->pci.bar_live[0], len, v);
	return f;
}

/* BAR0 of one device, at the address its BAR register holds. */
static struct fuzz_dev *op_bar(struct fuzz_input *in, bool is_write)
{
	const struct pci_device *d = &devs[fuzz_take(in, 1) % NDEV].vdev->pci;
	uint64_t off = fuzz_take(in, 2);
	unsigned int len = take_width(in, 4);
	uint64_t v = is_write ? fuzz_take(in, 8) : 0;
	uint64_t base = pci_cfg_read(d, PCI_BASE_ADDRESS_0, 4) &
			PCI_BASE_ADDRESS_MEM_MASK;

	if (base < bus.mmio_base ||
	    !range_within(base - bus.mmio_base + off, len, bus.mmio_size))
		return NULL;
	return mmio_access(base + off, len, is_write, v);
}

static struct fuzz_dev *op_mmio(struct fuzz_input *in)
{
	uint64_t off = fuzz_take(in, 4) % bus.mmio_size;
	unsigned int len = take_width(in, 4);
	bool is_write = fuzz_take(in, 1) & 1;
	uint64_t v = fuzz_take(in, 8);

	if (off + len > bus.mmio_size)
		return NULL;
	return mmio_access(bus.mmio_base + off, len, is_write,
			   is_write ? v : 0);
}

static struct fuzz_dev *run_op(struct fuzz_input *in)
{
	switch (fuzz_take(in, 1) % OP_COUNT) {
	case OP_CFG_READ:
		return op_config(in, false);
	case OP_CFG_WRITE:
		return op_config(in, true);
	case OP_PORT:
		return op_port(in);
	case OP_BAR_READ:
		return op_bar(in, false);
	case OP_BAR_WRITE:
		return op_bar(in, true);
	default:
		return op_mmio(in);
	}
}

/*
 * Each operation reaches at most one device: check that one after it,
 * and everything once at the end (which also catches a device changed
 * behind another's back).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	struct fuzz_dev *f;

	restore();
	while (in.pos < in.size) {
		f = run_op(&in);
		if (f)
			check_device(f);
	}
	check_all();
	return 0;
}
