// SPDX-License-Identifier: GPL-2.0
/*
 * The test guests' virtio-pci driver (modern, virtio 1.x), in the order a
 * driver meets the device: PCI configuration through 0xCF8/0xCFC, the
 * vendor capabilities that place the virtio structures in BAR0, status
 * and feature negotiation, then split virtqueues polled for completions.
 */
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "guest.h"
#include "virtio.h"

#define PCI_ADDR_PORT		0xcf8
#define PCI_DATA_PORT		0xcfc
#define PCI_ENABLE		0x80000000U
#define PCI_SLOTS		32
#define PCI_CAP_HOPS		48	/* no longer list fits in 256 bytes */
#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_ID_BASE	0x1040
#define RTC_INDEX_PORT		0x70
#define RTC_DATA_PORT		0x71
#define SPINS_PER_CLOCK_READ	1024	/* each clock read is an exit */
#define COMMON_CFG_LEN		sizeof(struct virtio_pci_common_cfg)

/*
 * MMIO through plain moves we spell out: the compiler may not merge,
 * split or fold these into other instructions, and KVM must emulate
 * whatever reaches the BAR.
 */
static u8 mmio_read8(unsigned long a)
{
	u8 v;

	asm volatile("movb (%1), %0" : "=q"(v) : "r"(a) : "memory");
	return v;
}

static u16 mmio_read16(unsigned long a)
{
	u16 v;

	asm volatile("movw (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static u32 mmio_read32(unsigned long a)
{
	u32 v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static void mmio_write8(unsigned long a, u8 v)
{
	asm volatile("movb %0, (%1)" : : "q"(v), "r"(a) : "memory");
}

static void mmio_write16(unsigned long a, u16 v)
{
	asm volatile("movw %0, (%1)" : : "r"(v), "r"(a) : "memory");
}

static void mmio_write32(unsigned long a, u32 v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory");
}

/* 64-bit registers as two halves, low first, as the spec allows. */
static void mmio_write64(unsigned long a, u64 v)
{
	mmio_write32(a, (u32)v);
	mmio_write32(a + 4, (u32)(v >> 32));
}

/* A full barrier without SSE2's mfence: the i686 guest has none. */
static void mb(void)
{
#ifdef __x86_64__
	asm volatile("lock; addl $0, (%%rsp)" : : : "memory", "cc");
#else
	asm volatile("lock; addl $0, (%%esp)" : : : "memory", "cc");
#endif
}

/* x86 keeps stores in order and loads in order: stop the compiler only. */
static void barrier(void)
{
	asm volatile("" : : : "memory");
}

static u8 rtc_second(void)
{
	outb(0, RTC_INDEX_PORT);
	return inb(RTC_DATA_PORT);
}

/* One extra tick: the first may come at once. */
void deadline_start(struct deadline *dl, unsigned int seconds)
{
	dl->second = rtc_second();
	dl->left = seconds + 1;
	dl->spins = 0;
}

int deadline_passed(struct deadline *dl)
{
	u8 s;

	asm volatile("pause");
	if (++dl->spins % SPINS_PER_CLOCK_READ)
		return 0;
	s = rtc_second();
	if (s != dl->second) {
		dl->second = s;
		dl->left--;
	}
	return dl->left == 0;
}

static void pci_select(u8 slot, u8 reg)
{
	outl(PCI_ENABLE | (u32)slot << 11 | (reg & 0xfc), PCI_ADDR_PORT);
}

static u32 pci_read32(u8 slot, u8 reg)
{
	pci_select(slot, reg);
	return inl(PCI_DATA_PORT);
}

static u16 pci_read16(u8 slot, u8 reg)
{
	pci_select(slot, reg);
	return inw(PCI_DATA_PORT + (reg & 2));
}

static u8 pci_read8(u8 slot, u8 reg)
{
	pci_select(slot, reg);
	return inb(PCI_DATA_PORT + (reg & 3));
}

static void pci_write16(u8 slot, u8 reg, u16 v)
{
	pci_select(slot, reg);
	outw(v, PCI_DATA_PORT + (reg & 2));
}

static void find_device(struct vdev *d, u16 virtio_id)
{
	u32 want = (u32)(VIRTIO_PCI_ID_BASE + virtio_id) << 16 |
		   VIRTIO_PCI_VENDOR;
	unsigned int slot;

	for (slot = 0; slot < PCI_SLOTS; slot++) {
		if (pci_read32(slot, PCI_VENDOR_ID) == want) {
			d->slot = slot;
			return;
		}
	}
	fail(CHECK_VIRTIO_DEVICE, "%s (PCI 1af4:%x) not found on bus 0",
	     d->name, VIRTIO_PCI_ID_BASE + virtio_id);
}

/* Memory decoding for the BAR, bus mastering for the rings. */
static void enable_device(struct vdev *d)
{
	u16 want = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	u16 cmd = pci_read16(d->slot, PCI_COMMAND);

	pci_write16(d->slot, PCI_COMMAND, cmd | want);
	cmd = pci_read16(d->slot, PCI_COMMAND);
	if ((cmd & want) != want)
		fail(CHECK_VIRTIO_DEVICE, "%s: PCI command 0x%x lacks memory and bus master",
		     d->name, cmd);
}

/* BAR0's address: a 32-bit memory BAR, or a 64-bit one below 4 GiB. */
static unsigned long bar0(const struct vdev *d)
{
	u32 lo = pci_read32(d->slot, PCI_BASE_ADDRESS_0);
	u32 type = lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK;
	u32 hi = type == PCI_BASE_ADDRESS_MEM_TYPE_64 ?
			 pci_read32(d->slot, PCI_BASE_ADDRESS_1) : 0;

	if ((lo & PCI_BASE_ADDRESS_SPACE_IO) || hi ||
	    !(lo & PCI_BASE_ADDRESS_MEM_MASK))
		fail(CHECK_VIRTIO_DEVICE, "%s: BAR0 0x%x:%x is not memory we can reach",
		     d->name, hi, lo);
	return lo & PCI_BASE_ADDRESS_MEM_MASK;
}

/* A virtio vendor capability at `at`: the first of each type counts. */
static void note_structure(struct vdev *d, unsigned long bar, u8 at,
			   u32 *common_len)
{
	u8 type = pci_read8(d->slot, at + 3);
	u8 in_bar = pci_read8(d->slot, at + 4);
	unsigned long where = bar + pci_read32(d->slot, at + 8);
	u32 len = pci_read32(d->slot, at + 12);

	if (in_bar != 0)
		fail(CHECK_VIRTIO_DEVICE, "%s: virtio structure %u is in BAR %u, not BAR0",
		     d->name, type, in_bar);
	if (type == VIRTIO_PCI_CAP_COMMON_CFG && !d->common) {
		d->common = where;
		*common_len = len;
	} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !d->device) {
		d->device = where;
		d->device_len = len;
	} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !d->notify_base) {
		d->notify_base = where;
		d->notify_len = len;
		d->notify_mult = pci_read32(d->slot, at + 16);
	}
}

/*
 * Walk the capability list for the virtio structures; we map BAR0 only.
 * The walk is bounded: a list that loops is a failure, not a hang.
 */
static void find_structures(struct vdev *d)
{
	unsigned long bar = bar0(d);
	u32 common_len = 0;
	unsigned int hops;
	u8 at;

	d->common = d->device = d->notify_base = 0;
	if (!(pci_read16(d->slot, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		fail(CHECK_VIRTIO_DEVICE, "%s has no capability list", d->name);
	at = pci_read8(d->slot, PCI_CAPABILITY_LIST) & ~3;
	for (hops = 0; at && hops < PCI_CAP_HOPS; hops++) {
		if (pci_read8(d->slot, at) == PCI_CAP_ID_VNDR)
			note_structure(d, bar, at, &common_len);
		at = pci_read8(d->slot, at + 1) & ~3;
	}
	if (at)
		fail(CHECK_VIRTIO_DEVICE, "%s: capability list loops", d->name);
	if (!d->common || common_len < COMMON_CFG_LEN || !d->notify_base)
		fail(CHECK_VIRTIO_DEVICE, "%s: no common (0x%x bytes) or notify capability",
		     d->name, common_len);
}

static unsigned long common(const struct vdev *d, unsigned int field)
{
	return d->common + field;
}

u8 vdev_status(const struct vdev *d)
{
	return mmio_read8(common(d, VIRTIO_PCI_COMMON_STATUS));
}

int vdev_wait_status(const struct vdev *d, u8 bits, unsigned int seconds)
{
	struct deadline dl;

	deadline_start(&dl, seconds);
	while ((vdev_status(d) & bits) != bits)
		if (deadline_passed(&dl))
			return 0;
	return 1;
}

static void set_status(const struct vdev *d, u8 bits)
{
	mmio_write8(common(d, VIRTIO_PCI_COMMON_STATUS), vdev_status(d) | bits);
}

/* Writing 0 resets; the device says it is done by reading back 0. */
static void reset(const struct vdev *d)
{
	struct deadline dl;

	mmio_write8(common(d, VIRTIO_PCI_COMMON_STATUS), 0);
	deadline_start(&dl, REQUEST_TIMEOUT);
	while (vdev_status(d))
		if (deadline_passed(&dl))
			fail(CHECK_VIRTIO_RESET, "%s: status 0x%x after a reset",
			     d->name, vdev_status(d));
}

static u64 read_features(const struct vdev *d)
{
	u64 f;

	mmio_write32(common(d, VIRTIO_PCI_COMMON_DFSELECT), 1);
	f = (u64)mmio_read32(common(d, VIRTIO_PCI_COMMON_DF)) << 32;
	mmio_write32(common(d, VIRTIO_PCI_COMMON_DFSELECT), 0);
	return f | mmio_read32(common(d, VIRTIO_PCI_COMMON_DF));
}

static void write_features(const struct vdev *d, u64 f)
{
	mmio_write32(common(d, VIRTIO_PCI_COMMON_GFSELECT), 0);
	mmio_write32(common(d, VIRTIO_PCI_COMMON_GF), (u32)f);
	mmio_write32(common(d, VIRTIO_PCI_COMMON_GFSELECT), 1);
	mmio_write32(common(d, VIRTIO_PCI_COMMON_GF), (u32)(f >> 32));
}

static void negotiate(struct vdev *d, u64 want, u64 need)
{
	d->offered = read_features(d);
	if ((d->offered & need) != need)
		fail(CHECK_VIRTIO_FEATURES, "%s offers features 0x%llx, without 0x%llx",
		     d->name, d->offered, need & ~d->offered);
	d->features = d->offered & want;
	write_features(d, d->features);
	set_status(d, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(vdev_status(d) & VIRTIO_CONFIG_S_FEATURES_OK))
		fail(CHECK_VIRTIO_FEATURES, "%s refused features 0x%llx (status 0x%x)",
		     d->name, d->features, vdev_status(d));
}

/* Every descriptor free, linked through .next; rings empty. */
static void vq_init(struct vq *q, const char *name, u16 index, u16 size)
{
	unsigned int i;

	memset(q->desc, 0, sizeof(q->desc));
	memset(&q->avail, 0, sizeof(q->avail));
	memset(&q->used, 0, sizeof(q->used));
	for (i = 0; i < size; i++)
		q->desc[i].next = i + 1;
	q->name = name;
	q->index = index;
	q->size = size;
	q->free_head = 0;
	q->nfree = size;
	q->avail_idx = 0;
	q->last_used = 0;
}

static void setup_queue(struct vdev *d, u16 index)
{
	struct vq *q = &d->vq[index];
	u16 size, noff;

	if (index >= mmio_read16(common(d, VIRTIO_PCI_COMMON_NUMQ)))
		fail(CHECK_VIRTIO_QUEUE, "%s has no queue %u", d->name, index);
	mmio_write16(common(d, VIRTIO_PCI_COMMON_Q_SELECT), index);
	size = mmio_read16(common(d, VIRTIO_PCI_COMMON_Q_SIZE));
	if (!size || mmio_read16(common(d, VIRTIO_PCI_COMMON_Q_ENABLE)))
		fail(CHECK_VIRTIO_QUEUE, "%s: queue %u has size %u or is already enabled",
		     d->name, index, size);
	if (size > VQ_MAX_SIZE) {
		size = VQ_MAX_SIZE;
		mmio_write16(common(d, VIRTIO_PCI_COMMON_Q_SIZE), size);
		if (mmio_read16(common(d, VIRTIO_PCI_COMMON_Q_SIZE)) != size)
			fail(CHECK_VIRTIO_QUEUE, "%s: queue %u refuses size %u",
			     d->name, index, size);
	}
	vq_init(q, d->name, index, size);
	mmio_write64(common(d, VIRTIO_PCI_COMMON_Q_DESCLO), phys_addr(q->desc));
	mmio_write64(common(d, VIRTIO_PCI_COMMON_Q_AVAILLO),
		     phys_addr(&q->avail));
	mmio_write64(common(d, VIRTIO_PCI_COMMON_Q_USEDLO),
		     phys_addr(&q->used));
	noff = mmio_read16(common(d, VIRTIO_PCI_COMMON_Q_NOFF));
	if ((u64)noff * d->notify_mult + 2 > d->notify_len)
		fail(CHECK_VIRTIO_QUEUE, "%s: queue %u's doorbell (offset %u x %u) is outside the notify area",
		     d->name, index, noff, d->notify_mult);
	q->notify = d->notify_base + (unsigned long)noff * d->notify_mult;
	mmio_write16(common(d, VIRTIO_PCI_COMMON_Q_ENABLE), 1);
	if (mmio_read16(common(d, VIRTIO_PCI_COMMON_Q_ENABLE)) != 1)
		fail(CHECK_VIRTIO_QUEUE, "%s: queue %u did not enable (status 0x%x)",
		     d->name, index, vdev_status(d));
}

void vdev_bring_up(struct vdev *d, const char *name, u16 virtio_id, u64 want,
		   u64 need, unsigned int nvqs)
{
	unsigned int i;

	d->name = name;
	find_device(d, virtio_id);
	enable_device(d);
	find_structures(d);
	reset(d);
	set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	set_status(d, VIRTIO_CONFIG_S_DRIVER);
	negotiate(d, want | need, need);
	for (i = 0; i < nvqs; i++)
		setup_queue(d, i);
	set_status(d, VIRTIO_CONFIG_S_DRIVER_OK);
	if (vdev_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET)
		fail(CHECK_VIRTIO_DEVICE, "%s needs a reset right after set-up",
		     d->name);
}

/* Read until the generation holds still, so the bytes belong together. */
u64 vdev_config(const struct vdev *d, unsigned int off, unsigned int len)
{
	unsigned long gen = common(d, VIRTIO_PCI_COMMON_CFGGENERATION);
	unsigned long at = d->device + off;
	unsigned int tries;
	u64 v = 0;

	if (!d->device || off + len > d->device_len)
		fail(CHECK_VIRTIO_DEVICE, "%s: no device configuration at 0x%x+%u",
		     d->name, off, len);
	for (tries = 0; tries < 100; tries++) {
		u8 before = mmio_read8(gen);

		if (len == 1)
			v = mmio_read8(at);
		else if (len == 2)
			v = mmio_read16(at);
		else if (len == 4)
			v = mmio_read32(at);
		else
			v = mmio_read32(at) | (u64)mmio_read32(at + 4) << 32;
		if (mmio_read8(gen) == before)
			return v;
	}
	fail(CHECK_VIRTIO_DEVICE, "%s: configuration generation never settles",
	     d->name);
}

u16 vq_add(struct vq *q, const struct vbuf *b, unsigned int n)
{
	u16 head = q->free_head, i = head;
	unsigned int k;

	if (!n || n > q->nfree)
		fail(CHECK_VIRTIO_QUEUE, "%s: no room for %u descriptors in queue %u",
		     q->name, n, q->index);
	for (k = 0; k < n; k++) {
		struct vring_desc *d = &q->desc[i];

		d->addr = b[k].addr;
		d->len = b[k].len;
		d->flags = (b[k].writable ? VRING_DESC_F_WRITE : 0) |
			   (k + 1 < n ? VRING_DESC_F_NEXT : 0);
		i = d->next;
	}
	q->free_head = i;
	q->nfree -= n;
	return head;
}

/* The ring entry first, then the index that hands it over. */
void vq_publish(struct vq *q, u16 head)
{
	q->avail.ring[q->avail_idx % q->size] = head;
	barrier();
	q->avail_idx++;
	*(volatile u16 *)&q->avail.idx = q->avail_idx;
}

/* We never look at VRING_USED_F_NO_NOTIFY: a kick too many is harmless. */
void vq_kick(const struct vq *q)
{
	mb();
	mmio_write16(q->notify, q->index);
}

/* Put a returned chain back on the free list, trusting nothing in it. */
static void vq_free(struct vq *q, u16 head)
{
	u16 i = head, n = 1;

	while (q->desc[i].flags & VRING_DESC_F_NEXT) {
		i = q->desc[i].next;
		if (++n > q->size || i >= q->size)
			fail(CHECK_VIRTIO_QUEUE, "%s: queue %u chain %u is corrupt",
			     q->name, q->index, head);
	}
	q->desc[i].next = q->free_head;
	q->free_head = head;
	q->nfree += n;
}

int vq_take_used(struct vq *q, u32 *len)
{
	u16 idx = *(volatile u16 *)&q->used.idx;
	struct vring_used_elem e;

	if (idx == q->last_used)
		return -1;
	if ((u16)(idx - q->last_used) > q->size)
		fail(CHECK_VIRTIO_QUEUE, "%s: queue %u used index jumped from %u to %u",
		     q->name, q->index, q->last_used, idx);
	barrier();
	e = *(volatile struct vring_used_elem *)&q->used.ring[q->last_used %
							    q->size];
	q->last_used++;
	if (e.id >= q->size)
		fail(CHECK_VIRTIO_QUEUE, "%s: queue %u returned descriptor %u of %u",
		     q->name, q->index, e.id, q->size);
	vq_free(q, e.id);
	*len = e.len;
	return e.id;
}

u16 vq_wait(struct vq *q, u32 *len, unsigned int seconds)
{
	struct deadline dl;
	int id;

	deadline_start(&dl, seconds);
	while ((id = vq_take_used(q, len)) < 0) {
		if (!seconds)
			asm volatile("pause");
		else if (deadline_passed(&dl))
			fail(CHECK_VIRTIO_TIMEOUT, "%s: queue %u: no answer in %u s",
			     q->name, q->index, seconds);
	}
	return id;
}

u32 vq_transfer(struct vq *q, const struct vbuf *b, unsigned int n)
{
	u16 head = vq_add(q, b, n), id;
	u32 len;

	vq_publish(q, head);
	vq_kick(q);
	id = vq_wait(q, &len, REQUEST_TIMEOUT);
	if (id != head)
		fail(CHECK_VIRTIO_QUEUE, "%s: queue %u returned %u, not our request %u",
		     q->name, q->index, id, head);
	return len;
}
