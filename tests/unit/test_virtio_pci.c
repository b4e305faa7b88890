// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-pci transport, driven only through PCI config space and
 * BAR0 the way Linux's virtio_pci_modern drives it.  Most tests use a
 * fake three-queue device that counts the requests each queue serves;
 * one uses virtio-rng.  There is no KVM: the MSI-X vectors are eventfds
 * the test reads, and the queue threads are real.
 */
#include <linux/virtio_ids.h>

#include "devices/virtio_rng.h"
#include "unit_helpers.h"

#define FAKE_ID		42
#define FAKE_CLASS	0xff0000U
#define NQ		3
#define QSIZE		16
#define NVEC		(NQ + 1)	/* the config vector and one a queue */
#define CONFIG_VEC	0		/* as tvirtio_driver_up() sets them */
#define QVEC(q)		((q) + 1)
#define F_DEV_LO	(1ULL << 3)	/* the fake's own feature bits */
#define F_DEV_HI	(1ULL << 35)
#define F_INDIRECT	(1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX	(1ULL << VIRTIO_RING_F_EVENT_IDX)
#define OFFERED		(F_DEV_LO | F_DEV_HI | F_INDIRECT | F_EVENT_IDX | \
			 TV_VERSION_1)
#define S_FEATURES	(TV_S_ACK | TV_S_DRIVER | TV_S_FEAT_OK)
#define REG(r)		(TV_COMMON + VIRTIO_PCI_COMMON_##r)

static struct tvm vm;
static struct virtio_device fake;
static struct mock_ring drv[NQ];
static struct lg_error err;
static _Atomic unsigned int served[NQ], resets;

static int fake_request(struct virtio_device *vdev, struct virtio_queue *q,
			struct virtq_chain *c, uint32_t *written,
			struct lg_error *e)
{
	(void)vdev;
	(void)c;
	(void)e;
	served[q->index]++;
	*written = 0;
	return 0;
}

static enum vq_result fake_process(struct virtio_device *vdev,
				   struct virtio_queue *q, struct lg_error *e)
{
	return virtio_queue_serve(vdev, q, fake_request, e);
}

/* Device config reads as its offset, byte by byte. */
static void fake_config_read(struct virtio_device *vdev, unsigned int off,
			     uint8_t *data, unsigned int len)
{
	unsigned int i;

	(void)vdev;
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(off + i);
}

static void fake_reset(struct virtio_device *vdev)
{
	(void)vdev;
	resets++;
}

static const struct virtio_device_ops fake_ops = {
	.name = "virtio-fake",
	.device_id = FAKE_ID,
	.class_code = FAKE_CLASS,
	.num_queues = NQ,
	.queue_size = QSIZE,
	.features = F_DEV_LO | F_DEV_HI,
	.process = fake_process,
	.config_read = fake_config_read,
	.reset = fake_reset,
};

static uint64_t rd(unsigned int off, unsigned int len)
{
	return tvirtio_rd(&vm.bus, &fake, off, len);
}

static void wr(unsigned int off, unsigned int len, uint64_t val)
{
	tvirtio_wr(&vm.bus, &fake, off, len, val);
}

static void bring_up(bool strict)
{
	tvm_init(&vm, strict);
	ck_assert_msg(virtio_device_init(&fake, &fake_ops, NULL, &vm.host,
					 &err) == 0, "%s", err.msg);
	tvirtio_pci_enable(&vm, &fake);
	tvm_rings(&vm, drv, NQ, QSIZE);
}

static void setup(void)
{
	bring_up(false);
}

static void teardown(void)
{
	tvirtio_reset(&vm, &fake);
	ck_assert(tmem_guards_intact(&vm.t));
	tmem_free(&vm.t);
}

static void driver_up(void)
{
	tvirtio_driver_up(&vm, &fake, drv, TV_VERSION_1 | F_INDIRECT);
}

/* One one-segment request on queue q, published. */
static uint16_t add_request(unsigned int q)
{
	struct mock_seg s = tdrv_seg(&drv[q], 8, true);
	uint16_t head = mock_ring_add(&drv[q], &s, 1, 1, 0);

	mock_ring_publish(&drv[q]);
	return head;
}

/* ------------------------------------------------------------------ */
/* What the guest finds in config space                                */
/* ------------------------------------------------------------------ */

static const struct {
	uint8_t type;
	uint32_t offset, length;
	uint8_t cap_len;
} vendor_caps[] = {
	{ VIRTIO_PCI_CAP_COMMON_CFG, TV_COMMON, 0x40, 16 },
	{ VIRTIO_PCI_CAP_ISR_CFG, TV_ISR, 1, 16 },
	{ VIRTIO_PCI_CAP_DEVICE_CFG, TV_DEVICE, 0x1000, 16 },
	{ VIRTIO_PCI_CAP_NOTIFY_CFG, TV_NOTIFY, TV_NOTIFY_MULT * NQ, 20 },
};

START_TEST(test_identity)
{
	unsigned int slot = tpci_slot(&vm.bus, &fake.pci), at, n = 0;
	bool msix = false;

	ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, PCI_VENDOR_ID, 4),
			  (0x1040U + FAKE_ID) << 16 | 0x1af4);
	ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, PCI_CLASS_REVISION, 4),
			  FAKE_CLASS << 8 | 1);	/* revision 1: modern */
	ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot,
					PCI_SUBSYSTEM_VENDOR_ID, 4),
			  (0x1040U + FAKE_ID) << 16 | 0x1af4);
	tpci_cfg_write(&vm.bus, slot, PCI_BASE_ADDRESS_0, 4, ~0U);
	ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, PCI_BASE_ADDRESS_0, 4),
			  ~(TV_BAR_SIZE - 1));
	tpci_cfg_write(&vm.bus, slot, PCI_BASE_ADDRESS_0, 4, TVM_MMIO_BASE);

	for (at = tpci_cfg_read(&vm.bus, slot, PCI_CAPABILITY_LIST, 1); at;
	     at = tpci_cfg_read(&vm.bus, slot, at + 1, 1)) {
		uint8_t id = tpci_cfg_read(&vm.bus, slot, at, 1);

		if (id == PCI_CAP_ID_MSIX) {
			ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 2,
							2), NVEC - 1);
			ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 4,
							4), TV_MSIX_TABLE | 0);
			ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 8,
							4), TV_MSIX_PBA | 0);
			msix = true;
			continue;
		}
		ck_assert_uint_eq(id, PCI_CAP_ID_VNDR);
		ck_assert_uint_lt(n, ARRAY_SIZE(vendor_caps));
		ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 2, 1),
				  vendor_caps[n].cap_len);
		ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 3, 1),
				  vendor_caps[n].type);
		ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 4, 1), 0);
		ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 8, 4),
				  vendor_caps[n].offset);
		ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 12, 4),
				  vendor_caps[n].length);
		if (vendor_caps[n].type == VIRTIO_PCI_CAP_NOTIFY_CFG)
			ck_assert_uint_eq(tpci_cfg_read(&vm.bus, slot, at + 16,
							4), TV_NOTIFY_MULT);
		n++;
	}
	ck_assert_uint_eq(n, ARRAY_SIZE(vendor_caps));
	ck_assert(msix);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Features and status                                                 */
/* ------------------------------------------------------------------ */

static const struct {
	uint32_t select;
	uint32_t window;
} device_windows[] = {
	{ 0, (uint32_t)OFFERED }, { 1, (uint32_t)(OFFERED >> 32) },
	{ 2, 0 }, { 0xffffffff, 0 },
};

START_TEST(test_device_features)
{
	wr(REG(DFSELECT), 4, device_windows[_i].select);
	ck_assert_uint_eq(rd(REG(DFSELECT), 4), device_windows[_i].select);
	ck_assert_uint_eq(rd(REG(DF), 4), device_windows[_i].window);
	wr(REG(DF), 4, ~0U);	/* read-only */
	ck_assert_uint_eq(rd(REG(DF), 4), device_windows[_i].window);
}
END_TEST

/* Windows 0 and 1 hold the driver's features; others hold nothing. */
static const uint32_t driver_windows[] = { 0, 1, 2, 0x80000000 };

START_TEST(test_driver_feature_windows)
{
	uint32_t sel = driver_windows[_i];
	uint64_t expect = 0;

	wr(REG(GFSELECT), 4, sel);
	wr(REG(GF), 4, 0xa5a5a5a5);
	ck_assert_uint_eq(rd(REG(GF), 4), sel < 2 ? 0xa5a5a5a5 : 0);
	if (sel < 2)
		expect = 0xa5a5a5a5ULL << (32 * sel);
	wr(REG(GFSELECT), 4, 0);
	ck_assert_uint_eq(rd(REG(GF), 4), (uint32_t)expect);
	wr(REG(GFSELECT), 4, 1);
	ck_assert_uint_eq(rd(REG(GF), 4), (uint32_t)(expect >> 32));
}
END_TEST

/*
 * FEATURES_OK sticks only for a subset of what we offer that includes
 * VERSION_1.  Refused, the driver may try again; accepted, the
 * features are frozen.
 */
static const struct {
	const char *name;
	uint64_t features;
	bool accepted;
} feature_sets[] = {
	{ "VERSION_1 alone", TV_VERSION_1, true },
	{ "everything offered", OFFERED, true },
	{ "VERSION_1 and EVENT_IDX", TV_VERSION_1 | F_EVENT_IDX, true },
	{ "nothing", 0, false },
	{ "everything but VERSION_1", OFFERED & ~TV_VERSION_1, false },
	{ "VERSION_1 and bit 0, not offered", TV_VERSION_1 | 1, false },
	{ "VERSION_1 and bit 63, not offered", TV_VERSION_1 | 1ULL << 63,
	  false },
	{ "VERSION_1 and RING_PACKED, not offered",
	  TV_VERSION_1 | 1ULL << VIRTIO_F_RING_PACKED, false },
};

static uint64_t driver_features(void)
{
	uint64_t f;

	wr(REG(GFSELECT), 4, 1);
	f = rd(REG(GF), 4) << 32;
	wr(REG(GFSELECT), 4, 0);
	return f | rd(REG(GF), 4);
}

START_TEST(test_features_ok)
{
	uint64_t features = feature_sets[_i].features;

	if (!feature_sets[_i].accepted) {
		ck_assert_uint_eq(tvirtio_negotiate(&vm.bus, &fake, features),
				  TV_S_ACK | TV_S_DRIVER);
		/* Not frozen: a second try with a good set works. */
		features = TV_VERSION_1;
		tvirtio_set_features(&vm.bus, &fake, features);
		tvirtio_set_status(&vm.bus, &fake, S_FEATURES);
		ck_assert_uint_eq(tvirtio_status(&vm.bus, &fake), S_FEATURES);
	} else {
		ck_assert_uint_eq(tvirtio_negotiate(&vm.bus, &fake, features),
				  S_FEATURES);
	}
	tvirtio_set_features(&vm.bus, &fake, ~0ULL);
	ck_assert_uint_eq(driver_features(), features);
	tvirtio_set_status(&vm.bus, &fake, S_FEATURES | TV_S_DRIVER_OK);
	ck_assert_uint_eq(tvirtio_status(&vm.bus, &fake),
			  S_FEATURES | TV_S_DRIVER_OK);
	ck_assert_uint_eq(driver_features(), features);
}
END_TEST

/*
 * FEATURES_OK written alone and refused leaves the status as it was: it
 * must not read back as 0, which says the device was reset when its
 * features and queues were not (found by the pci fuzzer).
 */
START_TEST(test_features_ok_alone_refused)
{
	tvirtio_set_status(&vm.bus, &fake, TV_S_ACK | TV_S_DRIVER);
	tvirtio_set_features(&vm.bus, &fake, 1);	/* no VERSION_1 */
	tvirtio_set_status(&vm.bus, &fake, TV_S_FEAT_OK);
	ck_assert_uint_eq(tvirtio_status(&vm.bus, &fake),
			  TV_S_ACK | TV_S_DRIVER);
	ck_assert_uint_eq(driver_features(), 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Queue registers                                                     */
/* ------------------------------------------------------------------ */

/* Each queue is there, with its own doorbell; past them, nothing. */
static const uint16_t selects[] = { 0, 1, 2, NQ, 0xffff };

START_TEST(test_queue_discovery)
{
	uint16_t sel = selects[_i];
	bool exists = sel < NQ;
	unsigned int q;

	ck_assert_uint_eq(rd(REG(NUMQ), 2), NQ);
	wr(REG(NUMQ), 2, 7);	/* read-only */
	ck_assert_uint_eq(rd(REG(NUMQ), 2), NQ);
	tvirtio_select(&vm.bus, &fake, sel);
	ck_assert_uint_eq(rd(REG(Q_SELECT), 2), sel);
	ck_assert_uint_eq(rd(REG(Q_SIZE), 2), exists ? QSIZE : 0);
	ck_assert_uint_eq(rd(REG(Q_MSIX), 2), exists ? MSIX_NO_VECTOR : 0);
	ck_assert_uint_eq(rd(REG(Q_ENABLE), 2), 0);
	ck_assert_uint_eq(rd(REG(Q_NOFF), 2), exists ? sel : 0);
	if (exists)
		return;
	/* Writes to a queue that is not there go nowhere. */
	wr(REG(Q_SIZE), 2, 1);
	wr(REG(Q_DESCLO), 8, TVM_RING_GPA(0));
	wr(REG(Q_ENABLE), 2, 1);
	ck_assert_uint_eq(rd(REG(Q_SIZE), 2), 0);
	ck_assert_uint_eq(rd(REG(Q_DESCLO), 8), 0);
	ck_assert_uint_eq(rd(REG(Q_ENABLE), 2), 0);
	for (q = 0; q < NQ; q++) {
		ck_assert_uint_eq(fake.queues[q].reg.size, QSIZE);
		ck_assert_uint_eq(fake.queues[q].reg.desc, 0);
		ck_assert(!fake.queues[q].reg.enabled);
	}
}
END_TEST

/* Powers of two up to the maximum; anything else leaves the size. */
static const struct {
	uint16_t write, expect;
} sizes[] = {
	{ 8, 8 }, { 1, 1 }, { QSIZE, QSIZE }, { 0, QSIZE }, { 3, QSIZE },
	{ 12, QSIZE }, { 2 * QSIZE, QSIZE }, { 0x8000, QSIZE },
	{ 0xffff, QSIZE },
};

START_TEST(test_queue_size)
{
	tvirtio_select(&vm.bus, &fake, 1);
	wr(REG(Q_SIZE), 2, sizes[_i].write);
	ck_assert_uint_eq(rd(REG(Q_SIZE), 2), sizes[_i].expect);
	tvirtio_select(&vm.bus, &fake, 0);
	ck_assert_uint_eq(rd(REG(Q_SIZE), 2), QSIZE);
}
END_TEST

/* An enabled queue keeps its geometry until reset; its vector may move. */
START_TEST(test_enabled_queue_frozen)
{
	static const unsigned int regs[] = {
		VIRTIO_PCI_COMMON_Q_DESCLO, VIRTIO_PCI_COMMON_Q_AVAILLO,
		VIRTIO_PCI_COMMON_Q_USEDLO,
	};
	uint64_t before[ARRAY_SIZE(regs)];
	unsigned int i;

	driver_up();
	tvirtio_select(&vm.bus, &fake, 1);
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		before[i] = rd(TV_COMMON + regs[i], 8);
		tvirtio_wr64(&vm.bus, &fake, regs[i], 0x80000);
		ck_assert_uint_eq(rd(TV_COMMON + regs[i], 8), before[i]);
	}
	wr(REG(Q_SIZE), 2, QSIZE / 2);
	ck_assert_uint_eq(rd(REG(Q_SIZE), 2), QSIZE);
	wr(REG(Q_MSIX), 2, CONFIG_VEC);
	ck_assert_uint_eq(rd(REG(Q_MSIX), 2), CONFIG_VEC);
	/* Still served, now interrupting on the config vector. */
	add_request(1);
	tvirtio_kick(&vm.bus, &fake, 1);
	tvirtio_wait_used(&drv[1], 1);
	ck_assert_uint_eq(tvirtio_wait_irq(&fake, CONFIG_VEC), 1);
	ck_assert_uint_eq(served[1], 1);
}
END_TEST

/* A vector the function does not have reads back as NO_VECTOR. */
static const struct {
	uint16_t write, expect;
} vectors[] = {
	{ 0, 0 }, { NVEC - 1, NVEC - 1 }, { NVEC, MSIX_NO_VECTOR },
	{ MSIX_MAX_VECTORS, MSIX_NO_VECTOR }, { 0x7fff, MSIX_NO_VECTOR },
	{ MSIX_NO_VECTOR, MSIX_NO_VECTOR },
};

START_TEST(test_msix_vectors)
{
	unsigned int reg = _i % 2 ? REG(Q_MSIX) : REG(MSIX);

	tvirtio_select(&vm.bus, &fake, 2);
	wr(reg, 2, vectors[_i / 2].write);
	ck_assert_uint_eq(rd(reg, 2), vectors[_i / 2].expect);
}
END_TEST

/*
 * Widths: Linux uses 8-, 16- and 32-bit accesses, a 64-bit register in
 * two halves; a 64-bit access and one spanning fields work as well.
 */
static const struct tpci_rw_case widths[] = {
	{ "desc as a qword, read in halves", REG(Q_DESCLO), 8,
	  0x123456789abcdef0ULL, REG(Q_DESCHI), 4, 0x12345678 },
	{ "avail in halves, read as a qword", REG(Q_AVAILHI), 4, 0x1,
	  REG(Q_AVAILLO), 8, 0x100000000ULL },
	{ "size low byte", REG(Q_SIZE), 1, 4, REG(Q_SIZE), 2, 4 },
	{ "status, generation, queue select in a dword", REG(Q_SELECT), 2,
	  2, REG(STATUS), 4, 0x00020000 },
	{ "msix_config and num_queues in a dword", REG(MSIX), 2, 1,
	  REG(MSIX), 4, NQ << 16 | 1 },
	{ "past the common config", 0, 0, 0, TV_COMMON + 0x40, 4, 0 },
	{ "straddling its end", 0, 0, 0, TV_COMMON + 0x3c, 8, 0 },
	{ "device config", 0, 0, 0, TV_DEVICE + 0x10, 4, 0x13121110 },
	{ "notify region reads 0", 0, 0, 0, TV_NOTIFY, 4, 0 },
	{ "unused region 0x6000", 0, 0, 0, 0x6000, 8, 0 },
	{ "unused region 0x7000", 0x7000, 4, ~0ULL, 0x7ffc, 4, 0 },
};

START_TEST(test_register_widths)
{
	tpci_rw_check(&vm.bus, fake.pci.bar_live[0], &widths[_i]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Queues at work                                                      */
/* ------------------------------------------------------------------ */

/* A doorbell wakes its own queue, and only that one. */
START_TEST(test_notify)
{
	unsigned int q = _i, i;
	uint16_t head = add_request(q);

	driver_up();
	tvirtio_kick(&vm.bus, &fake, q);
	tvirtio_wait_used(&drv[q], 1);
	ck_assert_uint_eq(tvirtio_wait_irq(&fake, QVEC(q)), 1);
	ck_assert_uint_eq(drv[q].vr.used->ring[0].id, head);
	ck_assert_uint_eq(rd(TV_ISR, 1), 1);	/* a queue interrupt */
	ck_assert_uint_eq(rd(TV_ISR, 1), 0);	/* reading cleared it */
	for (i = 0; i < NQ; i++) {
		ck_assert_uint_eq(served[i], i == q);
		ck_assert_uint_eq(tvirtio_irqs(&fake, QVEC(i)), 0);
	}
	ck_assert_uint_eq(tvirtio_irqs(&fake, CONFIG_VEC), 0);
	/* A doorbell past the last queue rings nothing. */
	wr(TV_NOTIFY + TV_NOTIFY_MULT * NQ, 2, NQ);
	for (i = 0; i < NQ; i++)
		ck_assert(!tvirtio_fd_readable(fake.queues[i].rt.kick_fd));
}
END_TEST

static ssize_t fill_5a(void *buf, size_t len)
{
	memset(buf, 0x5a, len);
	return len;
}

/* virtio-rng: enabling the queue starts the thread that serves it. */
START_TEST(test_rng_served)
{
	static struct virtio_rng rng;
	struct mock_seg s[2];
	uint16_t head;

	ck_assert_msg(virtio_rng_init(&rng, &vm.host, fill_5a, &err) == 0,
		      "%s", err.msg);
	tvirtio_pci_enable(&vm, &rng.vdev);
	ck_assert_uint_eq(tpci_cfg_read(&vm.bus,
					tpci_slot(&vm.bus, &rng.vdev.pci),
					PCI_DEVICE_ID, 2),
			  0x1040 + VIRTIO_ID_RNG);
	ck_assert_uint_eq(tvirtio_negotiate(&vm.bus, &rng.vdev, TV_VERSION_1),
			  S_FEATURES);
	tvirtio_msix_on(&vm, &rng.vdev);
	s[0] = tdrv_seg(&drv[0], 16, true);
	s[1] = tdrv_seg(&drv[0], 100, true);
	head = mock_ring_add(&drv[0], s, 2, 2, 0);
	mock_ring_publish(&drv[0]);
	tvirtio_queue(&vm.bus, &rng.vdev, 0, &drv[0], 1);
	tvirtio_kick(&vm.bus, &rng.vdev, 0);
	tvirtio_wait_used(&drv[0], 1);
	ck_assert_uint_eq(tvirtio_wait_irq(&rng.vdev, 1), 1);
	ck_assert_uint_eq(drv[0].vr.used->ring[0].id, head);
	ck_assert_uint_eq(drv[0].vr.used->ring[0].len, 116);
	ck_assert(all_bytes(tmem_at(&vm.t, s[0].addr, 16), 0x5a, 16));
	ck_assert(all_bytes(tmem_at(&vm.t, s[1].addr, 100), 0x5a, 100));
	tvirtio_reset(&vm, &rng.vdev);
}
END_TEST

/* Status 0 puts the device back as it was created, threads stopped. */
/* Doorbells follow BAR0: one per queue where it decodes, none when off. */
static void check_doorbells(uint64_t bar)
{
	unsigned int q;

	ck_assert_uint_eq(vm.fp.ndoorbells, bar ? NQ : 0);
	for (q = 0; q < NQ && bar; q++) {
		const struct fake_doorbell *d = fake_doorbell_at(
			&vm.fp, bar + TV_NOTIFY + TV_NOTIFY_MULT * q);

		ck_assert_msg(d, "no doorbell for queue %u", q);
		ck_assert_int_eq(d->fd, fake.queues[q].rt.kick_fd);
		ck_assert_uint_eq(d->len, 2);
	}
}

START_TEST(test_doorbells_follow_bar)
{
	unsigned int slot = tpci_slot(&vm.bus, &fake.pci);
	uint64_t bar = fake.pci.bar_live[0], moved = bar + 2 * TV_BAR_SIZE;

	check_doorbells(bar);
	tpci_cfg_write(&vm.bus, slot, PCI_BASE_ADDRESS_0, 4, moved);
	ck_assert_uint_eq(fake.pci.bar_live[0], moved);
	check_doorbells(moved);
	tpci_cfg_write(&vm.bus, slot, PCI_COMMAND, 2, 0);
	check_doorbells(0);
}
END_TEST

/*
 * Each vector has its eventfd and its own route, routed when the guest
 * unmasks a filled entry (once), not on each dword it writes.
 */
START_TEST(test_msi_routes)
{
	unsigned int v;

	ck_assert_uint_eq(vm.fp.nmsi, NVEC);
	tvirtio_msix_on(&vm, &fake);
	for (v = 0; v < NVEC; v++) {
		const struct fake_msi *m = &vm.fp.msi[fake.msix.route[v]];

		ck_assert_int_eq(m->fd, fake.msix.fd[v]);
		ck_assert_uint_eq(m->address, 0xfee00000);
		ck_assert_uint_eq(m->data, 0x40 + v);
		ck_assert_uint_eq(m->updates, 1);
	}
}
END_TEST

/*
 * A function reset (what the pci fuzzer calls between inputs): config
 * space, BAR placement and doorbells as created, transport reset.
 */
START_TEST(test_power_on_reset)
{
	unsigned int slot = tpci_slot(&vm.bus, &fake.pci);
	uint64_t bar = fake.pci.bar_live[0];

	driver_up();
	tpci_cfg_write(&vm.bus, slot, PCI_BASE_ADDRESS_0, 4,
		       bar + 2 * TV_BAR_SIZE);
	resets = 0;
	virtio_device_reset(&fake);
	ck_assert_uint_eq(resets, 1);
	ck_assert(!memcmp(fake.pci.cfg, fake.pci_as_created.cfg,
			  sizeof(fake.pci.cfg)));
	ck_assert_uint_eq(fake.pci.bar_live[0], 0);	/* decoding off again */
	check_doorbells(0);
	ck_assert_uint_eq(fake.reg.status, 0);
	ck_assert(!fake.msix.enabled);
	tvirtio_pci_enable(&vm, &fake);
	ck_assert_uint_eq(fake.pci.bar_live[0], bar);
	check_doorbells(bar);
}
END_TEST

START_TEST(test_reset)
{
	unsigned int q, v;
	uint16_t head;

	driver_up();
	for (q = 0; q < NQ; q++) {
		add_request(q);
		tvirtio_kick(&vm.bus, &fake, q);
		tvirtio_wait_used(&drv[q], 1);
		ck_assert_uint_eq(tvirtio_wait_irq(&fake, QVEC(q)), 1);
	}
	wr(REG(DFSELECT), 4, 1);
	resets = 0;
	tvirtio_reset(&vm, &fake);
	ck_assert_uint_eq(resets, 1);

	ck_assert_uint_eq(tvirtio_status(&vm.bus, &fake), 0);
	ck_assert_uint_eq(rd(REG(DFSELECT), 4), 0);
	ck_assert_uint_eq(driver_features(), 0);
	ck_assert_uint_eq(rd(REG(MSIX), 2), MSIX_NO_VECTOR);
	ck_assert_uint_eq(rd(TV_ISR, 1), 0);
	for (q = 0; q < NQ; q++) {
		tvirtio_select(&vm.bus, &fake, q);
		ck_assert_uint_eq(rd(REG(Q_SIZE), 2), QSIZE);
		ck_assert_uint_eq(rd(REG(Q_MSIX), 2), MSIX_NO_VECTOR);
		ck_assert_uint_eq(rd(REG(Q_ENABLE), 2), 0);
		ck_assert_uint_eq(rd(REG(Q_DESCLO), 8), 0);
		ck_assert_uint_eq(rd(REG(Q_AVAILLO), 8), 0);
		ck_assert_uint_eq(rd(REG(Q_USEDLO), 8), 0);
	}
	ck_assert_uint_eq(tvirtio_rd(&vm.bus, &fake, TV_MSIX_PBA, 8), 0);
	ck_assert_uint_eq(tpci_cfg_read(&vm.bus,
					tpci_slot(&vm.bus, &fake.pci),
					fake.msix.cap + PCI_MSIX_FLAGS, 2),
			  NVEC - 1);
	for (v = 0; v < NVEC; v++)
		ck_assert_uint_eq(rd(TV_MSIX_TABLE + 16 * v + 12, 4),
				  PCI_MSIX_ENTRY_CTRL_MASKBIT);

	/* The guest starts over on fresh rings, and is served again. */
	tvm_rings(&vm, drv, NQ, QSIZE);
	driver_up();
	head = add_request(0);
	tvirtio_kick(&vm.bus, &fake, 0);
	tvirtio_wait_used(&drv[0], 1);
	ck_assert_uint_eq(tvirtio_wait_irq(&fake, QVEC(0)), 1);
	ck_assert_uint_eq(drv[0].vr.used->ring[0].id, head);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A guest that breaks a queue                                         */
/* ------------------------------------------------------------------ */

enum breakage { HEAD_PAST_QUEUE, BUFFER_OUTSIDE, AVAIL_JUMP };

static const struct {
	const char *name;
	enum breakage how;
	bool strict;
	const char *says;
} broken[] = {
	{ "head past the queue", HEAD_PAST_QUEUE, false, "names descriptor" },
	{ "buffer outside RAM", BUFFER_OUTSIDE, false, "is outside" },
	{ "avail index jump", AVAIL_JUMP, false, "available index jumped" },
	{ "head past the queue, strict", HEAD_PAST_QUEUE, true,
	  "names descriptor" },
	{ "avail index jump, strict", AVAIL_JUMP, true,
	  "available index jumped" },
};

#define BROKEN_Q	1

/* One request on BROKEN_Q, published, broken as `how` says. */
static void break_ring(enum breakage how)
{
	struct mock_ring *d = &drv[BROKEN_Q];
	struct mock_seg s = { TVM_MEM - 8, 16, true };	/* crosses RAM's end */

	if (how != BUFFER_OUTSIDE)
		s = tdrv_seg(d, 8, true);
	mock_ring_add(d, &s, 1, 1, 0);
	if (how == HEAD_PAST_QUEUE)
		d->vr.avail->ring[0] = QSIZE;
	if (how == AVAIL_JUMP)
		d->avail_idx = QSIZE + 1;
	mock_ring_publish(d);
}

/* The device said so once, with NEEDS_RESET and the config vector. */
static void check_flagged(void)
{
	ck_assert(tvirtio_status(&vm.bus, &fake) & TV_S_NEEDS_RST);
	ck_assert_uint_eq(rd(TV_ISR, 1), VIRTIO_PCI_ISR_CONFIG);
	/* The driver cannot clear it; only reset can. */
	tvirtio_set_status(&vm.bus, &fake, S_FEATURES | TV_S_DRIVER_OK);
	ck_assert(tvirtio_status(&vm.bus, &fake) & TV_S_NEEDS_RST);
}

/* After reset (which joins the threads): one line, and --strict's stop. */
static void check_reported(struct tstderr *cap, bool strict,
			   const char *says, unsigned int q)
{
	char queue[32];

	tvirtio_reset(&vm, &fake);
	ck_assert_uint_eq(tvirtio_status(&vm.bus, &fake), 0);
	ck_assert_uint_eq(tvirtio_irqs(&fake, CONFIG_VEC), 0);
	ck_assert_msg(tstderr_end(cap) == 1, "%s", cap->text);
	snprintf(queue, sizeof(queue), "virtio-fake: queue %u: ", q);
	ck_assert_msg(strstr(cap->text, queue) && strstr(cap->text, says) &&
			      strstr(cap->text, "needs reset"),
		      "%s", cap->text);
	ck_assert_uint_eq(vm_stop_reason(&vm.stop),
			  strict ? STOP_DEVICE_ERROR : STOP_NONE);
	/* Later stop requests lose to the first; extra kicks are harmless. */
	ck_assert(strict ? vm.fp.vcpu_kicks >= 1 : vm.fp.vcpu_kicks == 0);
}

/*
 * One queue broken: NEEDS_RESET, one line, one config interrupt, and
 * the other queues go on.  With --strict, the launcher is asked to stop.
 */
START_TEST(test_broken_ring)
{
	struct tstderr cap;
	unsigned int q;

	bring_up(broken[_i].strict);
	driver_up();
	tstderr_capture(&cap);
	break_ring(broken[_i].how);
	tvirtio_kick(&vm.bus, &fake, BROKEN_Q);
	ck_assert_uint_eq(tvirtio_wait_irq(&fake, CONFIG_VEC), 1);
	check_flagged();
	for (q = 0; q < NQ; q += 2) {
		add_request(q);
		tvirtio_kick(&vm.bus, &fake, q);
		tvirtio_wait_used(&drv[q], 1);
		ck_assert_uint_eq(tvirtio_wait_irq(&fake, QVEC(q)), 1);
	}
	ck_assert_uint_eq(drv[BROKEN_Q].vr.used->idx, 0);
	check_reported(&cap, broken[_i].strict, broken[_i].says, BROKEN_Q);
}
END_TEST

/*
 * Rings that do not fit in guest memory are refused when the queue is
 * enabled: NEEDS_RESET at once, no thread, the other queue goes on, and
 * a second broken queue adds no second line or interrupt.
 */
static const struct {
	const char *name;
	unsigned int reg;	/* moved away from the valid layout */
	uint64_t gpa;
	bool strict;
	const char *says;
} geometry[] = {
	{ "descriptors past RAM", VIRTIO_PCI_COMMON_Q_DESCLO, TVM_MEM - 128,
	  false, "descriptor table" },
	{ "descriptors at 2^64 - 16", VIRTIO_PCI_COMMON_Q_DESCLO, -16ULL,
	  false, "descriptor table" },
	{ "avail misaligned", VIRTIO_PCI_COMMON_Q_AVAILLO, 0x20001, false,
	  "available ring" },
	{ "used beyond RAM", VIRTIO_PCI_COMMON_Q_USEDLO, TVM_MEM, false,
	  "used ring" },
	{ "used beyond RAM, strict", VIRTIO_PCI_COMMON_Q_USEDLO, TVM_MEM, true,
	  "used ring" },
};

static void enable_bad_queue(unsigned int q, unsigned int reg, uint64_t gpa)
{
	tvirtio_select(&vm.bus, &fake, q);
	tvirtio_wr64(&vm.bus, &fake, reg, gpa);
	wr(REG(Q_ENABLE), 2, 1);
	ck_assert_uint_eq(rd(REG(Q_ENABLE), 2), 0);
	ck_assert(!fake.queues[q].rt.running);
}

START_TEST(test_bad_geometry)
{
	struct tstderr cap;

	bring_up(geometry[_i].strict);
	ck_assert_uint_eq(tvirtio_negotiate(&vm.bus, &fake,
					    TV_VERSION_1),
			  S_FEATURES);
	tvirtio_msix_on(&vm, &fake);
	wr(REG(MSIX), 2, CONFIG_VEC);
	tvirtio_queue(&vm.bus, &fake, 0, &drv[0], QVEC(0));
	tstderr_capture(&cap);
	tvirtio_select(&vm.bus, &fake, 2);
	tvirtio_wr64(&vm.bus, &fake, VIRTIO_PCI_COMMON_Q_DESCLO,
		     TVM_RING_GPA(2));
	tvirtio_wr64(&vm.bus, &fake, VIRTIO_PCI_COMMON_Q_AVAILLO,
		     mock_ring_avail_gpa(&drv[2]));
	tvirtio_wr64(&vm.bus, &fake, VIRTIO_PCI_COMMON_Q_USEDLO,
		     mock_ring_used_gpa(&drv[2]));
	enable_bad_queue(2, geometry[_i].reg, geometry[_i].gpa);
	ck_assert_uint_eq(tvirtio_irqs(&fake, CONFIG_VEC), 1);
	check_flagged();
	enable_bad_queue(1, VIRTIO_PCI_COMMON_Q_DESCLO, TVM_MEM);
	ck_assert_uint_eq(tvirtio_irqs(&fake, CONFIG_VEC), 0);
	add_request(0);
	tvirtio_kick(&vm.bus, &fake, 0);
	tvirtio_wait_used(&drv[0], 1);
	ck_assert_uint_eq(tvirtio_wait_irq(&fake, QVEC(0)), 1);
	check_reported(&cap, geometry[_i].strict, geometry[_i].says, 2);
}
END_TEST

/*
 * A guest that breaks a queue and resets, over and over, gets the 1st,
 * 2nd, 4th, ... episode told and the rest counted, not a line each.
 */
START_TEST(test_reset_loop_rate_limited)
{
	char *summary = NULL;
	size_t summary_len;
	struct tstderr cap;
	FILE *f;
	int i;

	bring_up(false);
	tstderr_capture(&cap);
	for (i = 0; i < 100; i++) {
		ck_assert_uint_eq(tvirtio_negotiate(&vm.bus, &fake,
						    TV_VERSION_1),
				  S_FEATURES);
		enable_bad_queue(1, VIRTIO_PCI_COMMON_Q_DESCLO, TVM_MEM);
		ck_assert(tvirtio_status(&vm.bus, &fake) & TV_S_NEEDS_RST);
		tvirtio_reset(&vm, &fake);
	}
	/* 1, 2, 4, 8, 16, 32, 64 */
	ck_assert_msg(tstderr_end(&cap) == 7, "%s", cap.text);
	ck_assert_msg(strstr(cap.text, "device needs reset (64 times)\n"), "%s",
		      cap.text);
	f = open_memstream(&summary, &summary_len);
	ck_assert(f != NULL);
	host_error_summary(f);
	fclose(f);
	ck_assert_msg(strstr(summary, "lguest: virtio-fake: queue broken by the guest 100 times in all\n"),
		      "%s", summary);
	free(summary);
}
END_TEST

static Suite *virtio_pci_suite(void)
{
	Suite *s = suite_create("virtio_pci");
	TCase *tc;

	tc = unit_tcase(s, "registers", setup, teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_loop_test(tc, test_device_features, 0,
			    ARRAY_SIZE(device_windows));
	tcase_add_loop_test(tc, test_driver_feature_windows, 0,
			    ARRAY_SIZE(driver_windows));
	tcase_add_loop_test(tc, test_features_ok, 0, ARRAY_SIZE(feature_sets));
	tcase_add_test(tc, test_features_ok_alone_refused);
	tcase_add_loop_test(tc, test_queue_discovery, 0, ARRAY_SIZE(selects));
	tcase_add_loop_test(tc, test_queue_size, 0, ARRAY_SIZE(sizes));
	tcase_add_loop_test(tc, test_msix_vectors, 0, 2 * ARRAY_SIZE(vectors));
	tcase_add_loop_test(tc, test_register_widths, 0, ARRAY_SIZE(widths));

	tc = unit_tcase(s, "queues", setup, teardown);
	tcase_add_test(tc, test_enabled_queue_frozen);
	tcase_add_loop_test(tc, test_notify, 0, NQ);
	tcase_add_test(tc, test_rng_served);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_doorbells_follow_bar);
	tcase_add_test(tc, test_msi_routes);
	tcase_add_test(tc, test_power_on_reset);

	tc = unit_tcase(s, "broken", NULL, teardown);
	tcase_add_loop_test(tc, test_broken_ring, 0, ARRAY_SIZE(broken));
	tcase_add_loop_test(tc, test_bad_geometry, 0, ARRAY_SIZE(geometry));
	tcase_add_test(tc, test_reset_loop_rate_limited);
	return s;
}

int main(void)
{
	return run_suite(virtio_pci_suite());
}
