// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target "vring": a hostile guest's split virtqueues.  The input
 * (fuzz/vring_input.h) is guest memory, the queue's geometry, indices and
 * negotiated features; the guest publishes its requests a batch per kick
 * and after each kick a device serves the queue with its own process()
 * function, exactly as its queue thread would: virtio-blk over a small
 * memfd disk, the console over /dev/zero and /dev/null, virtio-net over a
 * scripted backend, virtio-rng over a scripted getrandom(), a virtio-fs
 * queue whose back-end is gone with fuse_error's -EIO replies.  Mode VF_RING
 * drives the ring library alone, with out-of-order completion and unpop.
 * Flags VF_HOST_FAILS and VF_HOST_SHORT swap in host files that fail or
 * run short, so the devices' answers to host errors run too.
 *
 * Guest RAM sits between two PROT_NONE pages, so any access just outside
 * it faults even without the sanitizers; the invariants below catch what
 * would not fault, and so does the ring model of fuzz/vring_ref.h: the
 * library's every decision in VF_RING mode, and every byte of guest RAM
 * anything but the guest changed, in every mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "devices/fuse_error.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "fake_platform.h"
#include "fuzz.h"
#include "pci.h"
#include "virtio/iov.h"
#include "vring_input.h"
#include "vring_ref.h"

#define PAGE		4096
#define DISK_BYTES	(8 * 512)
#define MAX_ROUNDS	64	/* kicks per input: bounds the time */
#define HOLD_MAX	8	/* chains VF_RING holds before completing */
#define MMIO_BASE	0xe0000000ULL
#define MMIO_SIZE	0x1000000ULL

static struct guest_mem mem;
static struct pci_bus bus;
static struct fake_platform platform;
static struct virtio_host host;
static struct virtio_blk blk;
static struct virtio_console con;
static struct virtio_net net;
static struct virtio_rng rng;
static struct vring_ref ref;	/* the ring model (fuzz/vring_ref.h) */
static struct net_backend backend;
static int disk_fd, packet_fd;
static uint8_t disk_image[DISK_BYTES];

/* The host files the flags swap in (VF_HOST_FAILS, VF_HOST_SHORT). */
static struct {
	int zero, null;		/* the console's usual input and output */
	int broken;		/* O_PATH: every read, write and sync fails */
	int idle;		/* an empty eventfd: never anything to read */
	int full;		/* a non-blocking pipe nobody reads, full */
	int stopping;		/* a queue's stop fd while a reset stops it */
	int con_tx_stop;	/* the console tx queue's own stop fd */
	int short_disk;		/* half the disk, sealed against growing */
} host_fd;

/* The current input's header: the scripted host reads it. */
static struct vring_fuzz_header hdr;
static unsigned int script_pos;

static unsigned int script_next(void)
{
	return hdr.script[script_pos++ % VF_SCRIPT_LEN];
}

/* ------------------------------------------------------------------ */
/* The host side the devices talk to                                   */
/* ------------------------------------------------------------------ */

/*
 * getrandom() stand-in: one pass over the script of short fills,
 * failures and EINTRs, then it fills whatever it is asked.
 */
static ssize_t scripted_fill(void *buf, size_t len)
{
	unsigned int v = script_pos < VF_SCRIPT_LEN ? script_next() : 256;

	if (v == 0 || v == 0xff) {
		errno = v ? EINTR : EIO;
		return -1;
	}
	if (v < 256 && len > v * 16u)
		len = v * 16u;
	memset(buf, 0x5a, len);
	return len;
}

static int packet_input_fd(struct net_backend *b)
{
	(void)b;
	return hdr.flags & VF_HOST_SHORT ? host_fd.idle : packet_fd;
}

/* The console's input hook (lgtest's watches for a phrase): 0xff ends input. */
static bool scripted_input_ok(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return script_next() != 0xff;
}

/* One packet per script byte, of 4x that many bytes of pattern. */
static ssize_t scripted_recv(struct net_backend *b, const struct iovec *iov,
			     int n)
{
	static const uint8_t packet[255 * 4] = { [0 ... 255 * 4 - 1] = 0x42 };
	unsigned int v = script_pos < VF_SCRIPT_LEN ? script_next() : 0;

	(void)b;
	if (v == 0 || v == 0xff) {
		errno = v ? EIO : EAGAIN;
		return -1;
	}
	return iov_from_buf(iov, n, 0, packet, v * 4u);
}

static ssize_t scripted_send(struct net_backend *b, const struct iovec *iov,
			     int n)
{
	size_t len = 0;
	int i;

	(void)b;
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (hdr.script[0] & 1) {
		errno = ENOBUFS;
		return -1;
	}
	return len;
}

/* ------------------------------------------------------------------ */
/* Set-up, once                                                        */
/* ------------------------------------------------------------------ */

static void *guarded_ram(size_t size)
{
	uint8_t *p = mmap(NULL, size + 2 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p, PAGE, PROT_NONE) ||
	    mprotect(p + PAGE + size, PAGE, PROT_NONE)) {
		perror("vring fuzz: guest memory");
		exit(1);
	}
	return p + PAGE;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "vring fuzz: cannot open %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
	return fd;
}

static void die_if(bool failed, const char *what)
{
	if (failed) {
		fprintf(stderr, "vring fuzz: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

/* A pipe whose write end can take nothing more: writes would block. */
static int full_pipe(void)
{
	static const uint8_t page[PAGE];
	int p[2];

	die_if(pipe2(p, O_NONBLOCK | O_CLOEXEC) ||
		       fcntl(p[1], F_SETPIPE_SZ, PAGE) < 0,
	       "console pipe");
	while (write(p[1], page, sizeof(page)) > 0)
		;
	die_if(errno != EAGAIN, "filling the console pipe");
	return p[1];
}

/* The disk's first half, which cannot grow: the rest reads as nothing. */
static int short_disk(void)
{
	int fd = memfd_create("vring-fuzz-short-disk",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING);

	die_if(fd < 0 || pwrite(fd, disk_image, DISK_BYTES / 2, 0) !=
				 DISK_BYTES / 2 ||
		       fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK),
	       "short disk memfd");
	return fd;
}

static void open_host_files(void)
{
	host_fd.zero = open_or_die("/dev/zero", O_RDONLY);
	host_fd.null = open_or_die("/dev/null", O_WRONLY);
	host_fd.broken = open_or_die("/dev/null", O_PATH);
	host_fd.idle = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	die_if(host_fd.idle < 0, "eventfd");
	host_fd.full = full_pipe();
	host_fd.stopping = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
	die_if(host_fd.stopping < 0, "eventfd");
	host_fd.short_disk = short_disk();
}

static void check_init(int r, const struct lg_error *err)
{
	if (r) {
		fprintf(stderr, "vring fuzz: device set-up: %s\n", err->msg);
		exit(1);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	struct lg_error err;
	unsigned int i;

	(void)argc;
	(void)argv;
	gmem_init(&mem, guarded_ram(VF_MEM_SIZE), VF_MEM_SIZE, VF_MEM_SIZE);
	pci_bus_init(&bus, MMIO_BASE, MMIO_SIZE);
	fake_platform_init(&platform, NULL, false);
	/* This target serves the queues itself, one process() per kick. */
	host = (struct virtio_host){ .mem = &mem, .bus = &bus,
				     .platform = &platform.platform,
				     .queue_ops = &fake_queues_unserved };
	for (i = 0; i < DISK_BYTES; i++)
		disk_image[i] = i * 7 + 1;
	disk_fd = memfd_create("vring-fuzz-disk", MFD_CLOEXEC);
	die_if(disk_fd < 0 || pwrite(disk_fd, disk_image, DISK_BYTES, 0) !=
				      DISK_BYTES,
	       "disk memfd");
	open_host_files();
	/* Always readable, as a tap with packets waiting is. */
	packet_fd = eventfd(1, EFD_CLOEXEC);
	backend = (struct net_backend){ .name = "fuzz",
					.input_fd = packet_input_fd,
					.recv = scripted_recv,
					.send = scripted_send };
	check_init(virtio_blk_init_fd(&blk, disk_fd, DISK_BYTES, false, "fuzz",
				      &host, &err), &err);
	check_init(virtio_console_init(&con, host_fd.zero, host_fd.null,
				       scripted_input_ok, NULL, &host, &err),
		   &err);
	check_init(virtio_net_init(&net, &backend, mac, &host, &err), &err);
	check_init(virtio_rng_init(&rng, &host, scripted_fill, &err), &err);
	host_fd.con_tx_stop = con.vdev.queues[1].rt.stop_fd;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Invariants                                                          */
/* ------------------------------------------------------------------ */

static bool in_guest_ram(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)mem.host;

	return a >= base && len <= mem.size && a - base <= mem.size - len;
}

/*
 * What the ring library hands a device must describe guest RAM only.  A
 * device may consume its chain in place (iov_advance() after a short
 * write), so after the device ran only the bounds still hold; the byte
 * counts are checked where the chain comes straight from virtq_pop().
 */
static void check_segments(const struct virtq *vr,
			   const struct virtq_chain *c)
{
	unsigned int i;

	fuzz_invariant(c->head < vr->size, "head %u, queue size %u", c->head,
		       vr->size);
	fuzz_invariant(c->n_out + c->n_in >= 1 &&
			       c->n_out + c->n_in <= VIRTQ_MAX_SEGS,
		       "%u+%u segments", c->n_out, c->n_in);
	for (i = 0; i < c->n_out + c->n_in; i++)
		fuzz_invariant(in_guest_ram(c->iov[i].iov_base,
					    c->iov[i].iov_len),
			       "segment %u (%p+%zu) is outside guest RAM %p+%llu",
			       i, c->iov[i].iov_base, c->iov[i].iov_len,
			       (void *)mem.host, (unsigned long long)mem.size);
}

static void check_popped_chain(const struct virtq *vr,
			       const struct virtq_chain *c)
{
	uint64_t out = 0, in = 0;
	unsigned int i;

	check_segments(vr, c);
	for (i = 0; i < c->n_out + c->n_in; i++)
		*(i < c->n_out ? &out : &in) += c->iov[i].iov_len;
	fuzz_invariant(out == c->out_len && in == c->in_len,
		       "lengths %llu/%llu, segments add up to %llu/%llu",
		       (unsigned long long)c->out_len,
		       (unsigned long long)c->in_len, (unsigned long long)out,
		       (unsigned long long)in);
	fuzz_invariant(out + in <= UINT32_MAX, "chain of %llu bytes",
		       (unsigned long long)(out + in));
}

/*
 * The guest's publishing: it made `avail - start` requests available.
 * A device can only return what it took, and only take what was
 * published.  The second holds only while nothing but the guest writes
 * avail->idx: when a device's writes into guest buffers can land on the
 * available ring (any mode that writes guest buffers, or rings placed
 * by the input), the guest has in effect published what they wrote.
 */
struct tally {
	uint16_t start, avail;
	bool avail_is_guests;
};

static void check_counts(const struct virtq *vr, const struct tally *t)
{
	uint16_t popped = vr->last_avail - t->start;
	uint16_t pushed = vr->used_idx - t->start;
	uint16_t published = t->avail - t->start;

	fuzz_invariant(!t->avail_is_guests || popped <= published,
		       "took %u of %u published", popped, published);
	fuzz_invariant(pushed <= popped, "returned %u of %u taken", pushed,
		       popped);
}

static bool overlaps(const struct iovec *iov, unsigned int n, const void *p,
		     size_t len)
{
	const uint8_t *a = p;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const uint8_t *b = iov[i].iov_base;

		if (a < b + iov[i].iov_len && b < a + len)
			return true;
	}
	return false;
}

/*
 * A request just served on its own: its used element names it and says
 * no more was written than it had room for.  Unless the request's own
 * buffers cover the element, in which case the guest gets what it asked.
 */
static void check_used(const struct virtq *vr, const struct virtq_chain *c)
{
	const struct vring_used_elem *e =
		&vr->used->ring[(uint16_t)(vr->used_idx - 1) & (vr->size - 1)];

	if (overlaps(virtq_chain_in((struct virtq_chain *)c), c->n_in, e,
		     sizeof(*e)))
		return;
	fuzz_invariant(e->id == c->head, "used id %u for request %u", e->id,
		       c->head);
	fuzz_invariant(e->len <= c->in_len, "request %u: wrote %u of %llu bytes",
		       c->head, e->len, (unsigned long long)c->in_len);
}

/* ------------------------------------------------------------------ */
/* The guest's side                                                    */
/* ------------------------------------------------------------------ */

struct geometry {
	uint16_t size;
	uint64_t desc, avail, used;
};

static void default_geometry(struct geometry *g)
{
	struct vring vr;

	g->size = 1u << (hdr.size_log2 % (VF_MAX_LOG2 + 1));
	vring_init(&vr, g->size, mem.host, VF_RING_ALIGN);
	g->desc = 0;
	g->avail = (uint8_t *)vr.avail - mem.host;
	g->used = (uint8_t *)vr.used - mem.host;
}

/* The guest's intended avail->idx, as its memory image holds it. */
static uint16_t image_avail_idx(const struct geometry *g)
{
	uint16_t *idx = gmem_ptr(&mem, g->avail + 2, 2);

	return idx ? *idx : 0;
}

/* Make the next batch available: returns how many, 0 when all are. */
static unsigned int publish(struct virtq *vr, struct tally *t,
			    uint16_t target)
{
	uint16_t left = target - t->avail;
	unsigned int batch = hdr.batch ? hdr.batch : 1;
	unsigned int n = (hdr.flags & VF_JUMP) || left < batch ? left : batch;

	t->avail += n;
	vr->avail->idx = t->avail;
	return n;
}

/* ------------------------------------------------------------------ */
/* Serving                                                             */
/* ------------------------------------------------------------------ */

/*
 * VF_RING: take up to HOLD_MAX requests, maybe put the last one back,
 * complete them in a scripted order (devices may complete out of order),
 * then do the interrupt and kick-suppression dance.  Returns -1 when the
 * ring is broken, else whether requests were served.  Every call goes
 * through the ring model (fuzz/vring_ref.h), which checks its outcome.
 */
static int ring_round(struct virtq *vr)
{
	static struct virtq_chain held[HOLD_MAX];
	unsigned int how = script_next(), n = 0, i;
	struct lg_error err;
	int r = 0;

	vring_ref_watch(&ref, vr->last_avail);
	while (n < HOLD_MAX && (r = vring_ref_pop(&ref, vr, &held[n], &err)) > 0)
		check_popped_chain(vr, &held[n++]);
	if (r < 0)
		return -1;
	if ((how & 0x80) && n) {
		vring_ref_unpop(&ref, vr);
		n--;
	}
	for (i = 0; i < n; i++) {
		unsigned int k = how & 1 ? n - 1 - i : (i + (how >> 1 & 3)) % n;
		uint32_t written = how & 0x10 ? held[k].in_len : 0;

		fuzz_invariant(!vring_ref_push(&ref, vr, held[k].head, written,
					       &err),
			       "returning request %u failed: %s", held[k].head,
			       err.msg);
	}
	vring_ref_should_interrupt(&ref, vr);
	vring_ref_notify_off(&ref, vr);
	vring_ref_notify_on(&ref, vr);
	return n > 0;
}

/*
 * VF_FUSE_ERROR: a virtio-fs queue answered after its back-end died
 * (devices/fuse_error.h).  Every request taken is given back, well
 * formed or not, with the 16-byte reply or nothing: never more than the
 * chain's writable part holds.  Returns -1 when the ring is broken,
 * else whether requests were served.
 */
/* The reply just given back: 16 bytes, or none, as the chain allowed. */
static void check_fuse_reply(const struct virtq *vr,
			     const struct virtq_chain *c)
{
	const struct vring_used_elem *e =
		&vr->used->ring[(uint16_t)(vr->used_idx - 1) & (vr->size - 1)];
	uint32_t len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);

	fuzz_invariant(vr->last_avail == vr->used_idx, "took %u, returned %u",
		       vr->last_avail, vr->used_idx);
	/* The reply can land on the used element itself. */
	fuzz_invariant(len == 0 || len == sizeof(struct fuse_out_header) ||
			       overlaps(c->iov, c->n_out + c->n_in, e,
					sizeof(*e)),
		       "used length %u", len);
}

/*
 * Unlike a device, which stops at a broken chain, fuse_error_serve()
 * gives a broken chain back empty and goes on: so the write watch is
 * told before each request where taking resumes, and learns the
 * writable buffers of the chains after a broken one.
 */
static int fuse_error_round(struct virtq *vr)
{
	static struct virtq_chain c;
	uint16_t returned = vr->used_idx;
	struct lg_error err;
	int r;

	for (;;) {
		vring_ref_watch(&ref, vr->last_avail);
		r = fuse_error_serve(vr, &c, FUSE_ERROR_REPLY, &err);
		if (r <= 0)
			break;
		check_fuse_reply(vr, &c);
	}
	return r < 0 ? -1 : vr->used_idx != returned;
}

static struct virtio_device *device_for_mode(unsigned int mode,
					     unsigned int *queue)
{
	static const struct {
		struct virtio_device *vdev;
		unsigned int queue;
	} map[VF_MODES] = {
		[VF_BLK] = { &blk.vdev, 0 },	 [VF_CONSOLE_RX] = { &con.vdev, 0 },
		[VF_CONSOLE_TX] = { &con.vdev, 1 }, [VF_NET_RX] = { &net.vdev, 0 },
		[VF_NET_TX] = { &net.vdev, 1 },	 [VF_RNG] = { &rng.vdev, 0 },
	};

	*queue = map[mode].queue;
	return map[mode].vdev;
}

/* The usual host file, or the one VF_HOST_FAILS / VF_HOST_SHORT picks. */
static int host_file(int usual, int when_short)
{
	if (hdr.flags & VF_HOST_FAILS)
		return host_fd.broken;
	return hdr.flags & VF_HOST_SHORT ? when_short : usual;
}

/*
 * Each input starts from the same device state and the same disk.  With
 * VF_HOST_SHORT the console's output is blocked: only a readable stop
 * fd, as a reset under way gives the queue, lets the device give up.
 */
static void reset_device_state(unsigned int mode)
{
	int disk = host_file(disk_fd, host_fd.short_disk);
	ssize_t size = disk == disk_fd ? DISK_BYTES : DISK_BYTES / 2;

	con.input_ended = false;
	con.in_fd = host_file(host_fd.zero, host_fd.idle);
	con.out_fd = host_file(host_fd.null, host_fd.full);
	blk.fd = disk;
	blk.read_only = hdr.flags & VF_READ_ONLY;
	if (mode == VF_BLK && disk != host_fd.broken &&
	    pwrite(disk, disk_image, size, 0) != size)
		abort();
	con.vdev.queues[1].rt.stop_fd = con.out_fd == host_fd.full ?
						 host_fd.stopping :
						 host_fd.con_tx_stop;
}

static void check_disk_size(void)
{
	struct stat st;

	fuzz_invariant(!fstat(disk_fd, &st) && st.st_size == DISK_BYTES,
		       "the disk is now %lld bytes", (long long)st.st_size);
}

/*
 * One kick: the device's process() as its queue thread calls it.  Returns
 * -1 when the device broke the queue (NEEDS_RESET), else whether it
 * served requests.
 */
static int device_round(struct virtio_device *vdev, struct virtio_queue *q)
{
	uint16_t taken = q->ring.last_avail, returned = q->ring.used_idx;
	uint16_t avail_idx = q->ring.avail->idx;
	struct lg_error err;
	enum vq_result r;

	vring_ref_watch(&ref, taken);
	r = vdev->ops->process(vdev, q, &err);
	if (r == VQ_BROKEN)
		return -1;
	if (q->ring.last_avail != taken)
		check_segments(&q->ring, q->chain);
	/*
	 * Only when one request was waiting and the avail index is still as
	 * the guest left it: otherwise the device may have taken (and put
	 * back) another request, leaving q->chain describing that one.
	 */
	if ((uint16_t)(avail_idx - taken) == 1 && q->ring.avail->idx == avail_idx &&
	    (uint16_t)(q->ring.used_idx - returned) == 1)
		check_used(&q->ring, q->chain);
	return q->ring.used_idx != returned;
}

/* Returns how many bytes of guest RAM the input gave. */
static size_t load_input(const uint8_t *data, size_t size)
{
	size_t image = size > sizeof(hdr) ? size - sizeof(hdr) : 0;

	memset(&hdr, 0, sizeof(hdr));
	memcpy(&hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
	if (image > VF_MEM_SIZE)
		image = VF_MEM_SIZE;
	memcpy(mem.host, data + sizeof(hdr), image);
	memset(mem.host + image, 0, VF_MEM_SIZE - image);
	script_pos = 0;
	return image;
}

/* A device can return only what it took: one push too many must fail. */
static void check_final_push(struct virtq *vr)
{
	bool outstanding = vr->last_avail != vr->used_idx;
	struct lg_error err;
	int r = virtq_push(vr, 0, 0, &err);

	fuzz_invariant(outstanding ? r == 0 : r == -1,
		       "a push with %s outstanding returned %d",
		       outstanding ? "requests" : "nothing", r);
}

static uint64_t negotiated_features(void)
{
	uint64_t f = 0;

	if (hdr.flags & VF_INDIRECT)
		f |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (hdr.flags & VF_EVENT_IDX)
		f |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int mode, qi = 0, rounds;
	struct virtio_device *vdev = NULL;
	struct virtq ring_only, *vr = &ring_only;
	struct virtio_queue *q = NULL;
	struct geometry g;
	struct tally t;
	struct lg_error err;
	uint16_t target;
	size_t image;

	image = load_input(data, size);
	mode = hdr.mode % VF_MODES;
	default_geometry(&g);
	if (hdr.flags & VF_GEOMETRY)
		g = (struct geometry){ hdr.raw_size, hdr.desc, hdr.avail,
				       hdr.used };
	if (mode != VF_RING && mode != VF_FUSE_ERROR) {
		vdev = device_for_mode(mode, &qi);
		q = &vdev->queues[qi];
		vr = &q->ring;
		vdev->reg.driver_features = negotiated_features();
		reset_device_state(mode);
	}
	if (vring_ref_setup(&ref, vr, &mem, g.size, g.desc, g.avail, g.used,
			    negotiated_features(), &err))
		return 0;
	vring_ref_guard_desc(&ref, vr);
	target = image_avail_idx(&g);
	vr->last_avail = vr->used_idx = hdr.start_idx;
	vring_ref_start(&ref, hdr.start_idx);
	vring_ref_watch_start(&ref);
	t = (struct tally){ hdr.start_idx, hdr.start_idx,
			    !(hdr.flags & VF_GEOMETRY) &&
				    (mode == VF_RING || mode == VF_CONSOLE_TX ||
				     mode == VF_NET_TX) };
	for (rounds = 0; rounds < MAX_ROUNDS; rounds++) {
		unsigned int n = publish(vr, &t, target);
		int served = vdev		      ? device_round(vdev, q)
			     : mode == VF_FUSE_ERROR ? fuse_error_round(vr)
						     : ring_round(vr);

		check_counts(vr, &t);
		if (served < 0 || (!served && !n))
			break;
	}
	vring_ref_check_writes(&ref, data + sizeof(hdr), image);
	if (mode == VF_BLK)
		check_disk_size();
	if (!vdev)
		check_final_push(vr);
	return 0;
}
