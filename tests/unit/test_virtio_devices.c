// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk, virtio-rng, virtio-console and virtio-net's receive
 * header as a guest uses them: over
 * the PCI transport, requests laid out in guest RAM however the driver
 * cares to split them, served by the devices' own queue threads.  The
 * block device runs on a temporary file, rng on a scripted stand-in for
 * getrandom(), the console on two pipes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_net.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "virtio/iov.h"
#include "unit_helpers.h"

#define QSIZE		16
#define CONFIG_VEC	0		/* as tvirtio_driver_up() sets them */
#define QVEC(q)		((q) + 1)
#define MAX_SEGS	8
#define MAX_BYTES	8192

static struct tvm vm;
static struct mock_ring drv[2];
static struct lg_error err;
static struct virtio_device *dev;	/* the device under test */

/* ------------------------------------------------------------------ */
/* Requests as segment layouts                                         */
/* ------------------------------------------------------------------ */

/* Segment lengths of one side of a request. */
struct layout {
	uint32_t len[MAX_SEGS];
	unsigned int n;
};

#define L(...)	{ { __VA_ARGS__ }, ARRAY_SIZE(((uint32_t[]){ __VA_ARGS__ })) }
#define NONE	{ { 0 }, 0 }

struct request {
	struct mock_seg seg[2 * MAX_SEGS];
	unsigned int n_out, n_in;
	uint16_t head;
};

static size_t total(const struct layout *l)
{
	size_t sum = 0;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		sum += l->len[i];
	return sum;
}

/*
 * Queue (unpublished) a request whose readable segments carry `bytes`
 * in order and whose writable ones are fresh RAM (TMEM_FILL_BYTE).
 */
static void add(struct mock_ring *d, struct request *r,
		const struct layout *out, const struct layout *in,
		const uint8_t *bytes)
{
	unsigned int i;

	r->n_out = out->n;
	r->n_in = in->n;
	for (i = 0; i < out->n; i++) {
		r->seg[i] = tdrv_seg(d, out->len[i], false);
		memcpy(tmem_at(&vm.t, r->seg[i].addr, out->len[i]), bytes,
		       out->len[i]);
		bytes += out->len[i];
	}
	for (i = 0; i < in->n; i++)
		r->seg[out->n + i] = tdrv_seg(d, in->len[i], true);
	r->head = mock_ring_add(d, r->seg, out->n + in->n, out->n + in->n, 0);
}

/* The writable part of a request, gathered; returns its length. */
static size_t gather(const struct request *r, uint8_t *buf)
{
	size_t len = 0;
	unsigned int i;

	for (i = r->n_out; i < r->n_out + r->n_in; i++) {
		memcpy(buf + len, tmem_at(&vm.t, r->seg[i].addr, r->seg[i].len),
		       r->seg[i].len);
		len += r->seg[i].len;
	}
	return len;
}

/* Publish, ring queue q, and wait until `idx` requests came back. */
static void run(unsigned int q, uint16_t idx)
{
	mock_ring_publish(&drv[q]);
	tvirtio_kick(&vm.bus, dev, q);
	tvirtio_wait_used(&drv[q], idx);
	ck_assert_uint_ge(tvirtio_wait_irq(dev, QVEC(q)), 1);
}

static const struct vring_used_elem *used(unsigned int q, uint16_t i)
{
	return &drv[q].vr.used->ring[i % QSIZE];
}

static void start(struct virtio_device *v, uint64_t features)
{
	dev = v;
	tvirtio_pci_enable(&vm, v);
	tvm_rings(&vm, drv, v->ops->num_queues, QSIZE);
	tvirtio_driver_up(&vm, v, drv, TV_VERSION_1 | features);
}

static void vm_setup(void)
{
	tvm_init(&vm, false);
	dev = NULL;
}

static void vm_teardown(void)
{
	if (dev)
		tvirtio_reset(&vm, dev);
	ck_assert(tmem_guards_intact(&vm.t));
	tmem_free(&vm.t);
}

/* A broken queue: NEEDS_RESET, the config vector, one line that says so. */
static void check_broken(struct tstderr *cap, const char *says)
{
	ck_assert_uint_eq(tvirtio_wait_irq(dev, CONFIG_VEC), 1);
	ck_assert(tvirtio_status(&vm.bus, dev) & TV_S_NEEDS_RST);
	tvirtio_reset(&vm, dev);	/* joins the thread */
	ck_assert_msg(tstderr_end(cap) == 1, "%s", cap->text);
	ck_assert_msg(strstr(cap->text, dev->ops->name) &&
			      strstr(cap->text, says),
		      "\"%s\" does not say \"%s\"", cap->text, says);
}

/* ------------------------------------------------------------------ */
/* virtio-blk                                                          */
/* ------------------------------------------------------------------ */

#define SECTOR		512
#define DISK_SECTORS	128
#define DISK_BYTES	(DISK_SECTORS * SECTOR)
#define HDR		((uint32_t)sizeof(struct virtio_blk_outhdr))
#define F_BLK_RO	(1ULL << VIRTIO_BLK_F_RO)

static struct virtio_blk blk;

/* Failed host I/O of every kind, as the warnings counted it. */
static unsigned long blk_host_errors(void)
{
	return blk.read_err.count + blk.write_err.count + blk.flush_err.count;
}
static char dir[32], path[64];
static uint8_t disk[DISK_BYTES];	/* the file as created */

/*
 * The images live in one directory that the Check parent makes and
 * removes, so a failed test (whose teardown never runs) leaves nothing.
 */
static void blk_dir_make(void)
{
	strcpy(dir, "/tmp/lgblk-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void blk_dir_remove(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    unlinkat(dirfd(d), e->d_name, 0))
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	if (d)
		closedir(d);
	rmdir(dir);
}

/* A fresh image of `bytes` bytes of pattern, at `path`. */
static void make_file(size_t bytes)
{
	int fd;

	snprintf(path, sizeof(path), "%s/disk-XXXXXX", dir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fill_pattern(disk, sizeof(disk));
	ck_assert_int_eq(write(fd, disk, bytes), (ssize_t)bytes);
	close(fd);
}

static void blk_setup(void)
{
	vm_setup();
	make_file(DISK_BYTES);
	blk.fd = -1;
}

static void blk_teardown(void)
{
	vm_teardown();
	if (blk.fd >= 0)
		close(blk.fd);
	unlink(path);
}

static void blk_start(bool read_only)
{
	ck_assert_msg(virtio_blk_init(&blk, path, read_only, &vm.host,
				      &err) == 0, "%s", err.msg);
	start(&blk.vdev, 0);
}

/* The file now: same size as ever, and these bytes. */
static void check_file(const uint8_t *expect)
{
	static uint8_t now[DISK_BYTES + 1];
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, now, sizeof(now)), DISK_BYTES);
	close(fd);
	ck_assert_msg(!memcmp(now, expect, DISK_BYTES), "file changed");
}

/* Data the guest writes: unlike anything in the file. */
static uint8_t guest_byte(size_t i)
{
	return (uint8_t)~kimg_pattern(i);
}

static const struct blk_case {
	const char *name;
	uint32_t type;
	uint64_t sector;
	struct layout out, in;	/* header + data out; data + status in */
	bool read_only;
	uint8_t status;
	uint32_t written;	/* the used length */
} blk_cases[] = {
	{ "read a sector", VIRTIO_BLK_T_IN, 3, L(HDR), L(SECTOR, 1), false,
	  VIRTIO_BLK_S_OK, SECTOR + 1 },
	{ "read, header 1 + 15, data and status split oddly",
	  VIRTIO_BLK_T_IN, 5, L(1, 15), L(3, 509, 500, 13), false,
	  VIRTIO_BLK_S_OK, 2 * SECTOR + 1 },
	{ "read, status after an empty segment", VIRTIO_BLK_T_IN, 0, L(HDR),
	  L(SECTOR, 0, 1), false, VIRTIO_BLK_S_OK, SECTOR + 1 },
	{ "read the last sector", VIRTIO_BLK_T_IN, DISK_SECTORS - 1, L(HDR),
	  L(SECTOR, 1), false, VIRTIO_BLK_S_OK, SECTOR + 1 },
	{ "read across the end", VIRTIO_BLK_T_IN, DISK_SECTORS - 1, L(HDR),
	  L(2 * SECTOR, 1), false, VIRTIO_BLK_S_IOERR, 1 },
	{ "read at the capacity", VIRTIO_BLK_T_IN, DISK_SECTORS, L(HDR),
	  L(SECTOR, 1), false, VIRTIO_BLK_S_IOERR, 1 },
	/* sector + sectors wraps to 0 */
	{ "read at sector 2^64 - 1", VIRTIO_BLK_T_IN, UINT64_MAX, L(HDR),
	  L(SECTOR, 1), false, VIRTIO_BLK_S_IOERR, 1 },
	/* sector * 512 wraps to 0 */
	{ "read at sector 2^55", VIRTIO_BLK_T_IN, 1ULL << 55, L(HDR),
	  L(SECTOR, 1), false, VIRTIO_BLK_S_IOERR, 1 },
	{ "read 100 bytes", VIRTIO_BLK_T_IN, 0, L(HDR), L(100, 1), false,
	  VIRTIO_BLK_S_IOERR, 1 },
	{ "write a sector", VIRTIO_BLK_T_OUT, 7, L(HDR, SECTOR), L(1), false,
	  VIRTIO_BLK_S_OK, 1 },
	{ "write, header and data share descriptors", VIRTIO_BLK_T_OUT, 9,
	  L(HDR + 4, 1000, 20), L(1), false, VIRTIO_BLK_S_OK, 1 },
	{ "write, header 7 + 9, data split oddly", VIRTIO_BLK_T_OUT, 20,
	  L(7, 9, 511, 0, 513), L(1), false, VIRTIO_BLK_S_OK, 1 },
	{ "write, writable bytes before the status", VIRTIO_BLK_T_OUT, 11,
	  L(HDR, SECTOR), L(4, 1), false, VIRTIO_BLK_S_OK, 1 },
	{ "write the last sector", VIRTIO_BLK_T_OUT, DISK_SECTORS - 1,
	  L(HDR, SECTOR), L(1), false, VIRTIO_BLK_S_OK, 1 },
	{ "write nothing", VIRTIO_BLK_T_OUT, 0, L(HDR), L(1), false,
	  VIRTIO_BLK_S_OK, 1 },
	{ "write across the end", VIRTIO_BLK_T_OUT, DISK_SECTORS - 1,
	  L(HDR, 2 * SECTOR), L(1), false, VIRTIO_BLK_S_IOERR, 1 },
	{ "write at the capacity", VIRTIO_BLK_T_OUT, DISK_SECTORS,
	  L(HDR, SECTOR), L(1), false, VIRTIO_BLK_S_IOERR, 1 },
	{ "write at sector 2^64 - 1", VIRTIO_BLK_T_OUT, UINT64_MAX,
	  L(HDR, SECTOR), L(1), false, VIRTIO_BLK_S_IOERR, 1 },
	{ "write at sector 2^55", VIRTIO_BLK_T_OUT, 1ULL << 55,
	  L(HDR, SECTOR), L(1), false, VIRTIO_BLK_S_IOERR, 1 },
	{ "write 513 bytes", VIRTIO_BLK_T_OUT, 0, L(HDR, SECTOR + 1), L(1),
	  false, VIRTIO_BLK_S_IOERR, 1 },
	{ "flush", VIRTIO_BLK_T_FLUSH, 0, L(HDR), L(1), false,
	  VIRTIO_BLK_S_OK, 1 },
	{ "get ID", VIRTIO_BLK_T_GET_ID, 0, L(HDR), L(VIRTIO_BLK_ID_LEN, 1),
	  false, VIRTIO_BLK_S_OK, VIRTIO_BLK_ID_LEN + 1 },
	{ "get ID into 8 bytes", VIRTIO_BLK_T_GET_ID, 0, L(HDR), L(8, 1),
	  false, VIRTIO_BLK_S_OK, 9 },
	{ "get ID into 64 bytes", VIRTIO_BLK_T_GET_ID, 0, L(HDR), L(64, 1),
	  false, VIRTIO_BLK_S_OK, VIRTIO_BLK_ID_LEN + 1 },
	{ "unknown type 42", 42, 0, L(HDR), L(1), false,
	  VIRTIO_BLK_S_UNSUPP, 1 },
	{ "discard, not offered", VIRTIO_BLK_T_DISCARD, 0, L(HDR, 16), L(1),
	  false, VIRTIO_BLK_S_UNSUPP, 1 },
	{ "legacy barrier read", VIRTIO_BLK_T_IN | VIRTIO_BLK_T_BARRIER, 0,
	  L(HDR), L(SECTOR, 1), false, VIRTIO_BLK_S_UNSUPP, 1 },
	{ "read-only: write refused", VIRTIO_BLK_T_OUT, 0, L(HDR, SECTOR),
	  L(1), true, VIRTIO_BLK_S_IOERR, 1 },
	{ "read-only: read", VIRTIO_BLK_T_IN, 1, L(HDR), L(SECTOR, 1), true,
	  VIRTIO_BLK_S_OK, SECTOR + 1 },
	{ "read-only: flush", VIRTIO_BLK_T_FLUSH, 0, L(HDR), L(1), true,
	  VIRTIO_BLK_S_OK, 1 },
};

START_TEST(test_blk_request)
{
	const struct blk_case *c = &blk_cases[_i];
	struct virtio_blk_outhdr h = { .type = c->type, .sector = c->sector };
	static uint8_t out[MAX_BYTES], in[MAX_BYTES], expect[DISK_BYTES];
	size_t out_len = total(&c->out), in_len = total(&c->in), i;
	bool ok = c->status == VIRTIO_BLK_S_OK;
	struct request r;

	memcpy(out, &h, HDR);
	for (i = HDR; i < out_len; i++)
		out[i] = guest_byte(i - HDR);
	blk_start(c->read_only);
	add(&drv[0], &r, &c->out, &c->in, out);
	run(0, 1);
	ck_assert_uint_eq(used(0, 0)->id, r.head);
	ck_assert_msg(used(0, 0)->len == c->written, "%s: used length %u",
		      c->name, used(0, 0)->len);
	ck_assert_uint_eq(gather(&r, in), in_len);
	ck_assert_msg(in[in_len - 1] == c->status, "%s: status %u", c->name,
		      in[in_len - 1]);
	ck_assert_uint_eq(blk_host_errors(), 0);

	/* What reached the guest: sectors, the ID, or nothing at all. */
	if (c->type == VIRTIO_BLK_T_IN && ok)
		ck_assert(!memcmp(in, disk + c->sector * SECTOR, in_len - 1));
	else if (c->type == VIRTIO_BLK_T_GET_ID)
		ck_assert(!strncmp((char *)in, strrchr(path, '/') + 1,
				   c->written - 1));
	ck_assert_msg(all_bytes(in + c->written - 1, TMEM_FILL_BYTE,
				in_len - c->written),
		      "%s: wrote more than it said", c->name);

	/* What reached the file: exactly the sectors written, or nothing. */
	memcpy(expect, disk, DISK_BYTES);
	if (c->type == VIRTIO_BLK_T_OUT && ok)
		memcpy(expect + c->sector * SECTOR, out + HDR, out_len - HDR);
	check_file(expect);
}
END_TEST

/*
 * Requests with no room for the header and the status byte are a
 * broken driver: the queue breaks, the file is untouched.
 */
static const struct {
	const char *name;
	struct layout out, in;
} short_requests[] = {
	{ "header of 15 bytes", L(HDR - 1), L(1) },
	{ "header split, 15 bytes", L(8, 7), L(1) },
	{ "no status byte", L(HDR, SECTOR), NONE },
	{ "a status of 0 bytes", L(HDR), L(0) },
	{ "writable only", NONE, L(HDR + 1) },
};

START_TEST(test_blk_short_request)
{
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_OUT };
	static uint8_t out[MAX_BYTES];
	struct tstderr cap;
	struct request r;

	memcpy(out, &h, HDR);
	blk_start(false);
	tstderr_capture(&cap);
	add(&drv[0], &r, &short_requests[_i].out, &short_requests[_i].in, out);
	mock_ring_publish(&drv[0]);
	tvirtio_kick(&vm.bus, dev, 0);
	check_broken(&cap, "no room for header and status");
	ck_assert_uint_eq(drv[0].vr.used->idx, 0);
	check_file(disk);
}
END_TEST

/* Capacity, geometry hints and features, as the guest reads them. */
START_TEST(test_blk_config)
{
	bool ro = _i;
	uint64_t want = (1ULL << VIRTIO_BLK_F_SEG_MAX) |
			(1ULL << VIRTIO_BLK_F_BLK_SIZE) |
			(1ULL << VIRTIO_BLK_F_FLUSH) | (ro ? F_BLK_RO : 0);

	ck_assert_int_eq(virtio_blk_init(&blk, path, ro, &vm.host, &err), 0);
	tvirtio_pci_enable(&vm, &blk.vdev);
	ck_assert_uint_eq(tvirtio_rd(&vm.bus, &blk.vdev, TV_COMMON + 4, 4) &
				  0xffff,
			  want);
	ck_assert_uint_eq(tvirtio_rd(&vm.bus, &blk.vdev, TV_DEVICE, 8),
			  DISK_SECTORS);
	ck_assert_uint_eq(tvirtio_rd(&vm.bus, &blk.vdev, TV_DEVICE + 12, 4),
			  128 - 2);	/* seg_max: queue less header, status */
	ck_assert_uint_eq(tvirtio_rd(&vm.bus, &blk.vdev, TV_DEVICE + 20, 4),
			  SECTOR);
	/* RO is the driver's to accept exactly when it is offered. */
	start(&blk.vdev, ro ? F_BLK_RO : 0);
}
END_TEST

/*
 * A file whose size is not a multiple of 512: the tail is not part of
 * the disk, and writing the last whole sector leaves the size alone.
 */
START_TEST(test_blk_odd_size)
{
	static const uint8_t status[] = { VIRTIO_BLK_S_OK, VIRTIO_BLK_S_IOERR };
	static uint8_t out[HDR + SECTOR], tail[488 + 1];
	const struct layout lo = L(HDR, SECTOR), li = L(1);
	struct request r[ARRAY_SIZE(status)];
	unsigned int i;
	uint8_t in;
	int fd;

	unlink(path);
	make_file(SECTOR + 488);
	blk_start(false);
	ck_assert_uint_eq(tvirtio_rd(&vm.bus, &blk.vdev, TV_DEVICE, 8), 1);
	for (i = 0; i < ARRAY_SIZE(status); i++) {
		struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_OUT,
					       .sector = i };

		memcpy(out, &h, HDR);
		add(&drv[0], &r[i], &lo, &li, out);
	}
	run(0, ARRAY_SIZE(status));
	for (i = 0; i < ARRAY_SIZE(status); i++) {
		ck_assert_uint_eq(gather(&r[i], &in), 1);
		ck_assert_uint_eq(in, status[i]);
	}
	fd = open(path, O_RDONLY);
	ck_assert_int_eq(pread(fd, tail, sizeof(tail), SECTOR), 488);
	close(fd);
	ck_assert(!memcmp(tail, disk + SECTOR, 488));
}
END_TEST

/*
 * The file shrank under us (another process truncated it): reading what
 * is gone is a host I/O error, reported to the guest and counted.
 */
START_TEST(test_blk_host_error)
{
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN,
				       .sector = DISK_SECTORS - 1 };
	const struct layout lo = L(HDR), li = L(SECTOR, 1);
	static uint8_t in[SECTOR + 1];
	struct request r;
	char *warned = NULL, want[256];
	size_t warned_len = 0;
	FILE *warnings = open_memstream(&warned, &warned_len);

	ck_assert(warnings != NULL);
	host_error_set_stream(warnings);
	blk_start(false);
	ck_assert_int_eq(truncate(path, DISK_BYTES / 2), 0);
	add(&drv[0], &r, &lo, &li, (const uint8_t *)&h);
	run(0, 1);
	gather(&r, in);
	ck_assert_uint_eq(in[SECTOR], VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(used(0, 0)->len, 1);
	ck_assert_uint_eq(blk_host_errors(), 1);
	ck_assert(!(tvirtio_status(&vm.bus, dev) & TV_S_NEEDS_RST));
	/* One warning naming the disk, and the exit summary counts it. */
	ck_assert_uint_eq(host_error_summary(warnings), 1);
	host_error_set_stream(NULL);
	fclose(warnings);
	snprintf(want, sizeof(want), "lguest: virtio-blk %s: read failed: Input/output error\n"
		 "lguest: virtio-blk %s: read failed 1 time in all\n",
		 blk.id, blk.id);
	ck_assert_str_eq(warned, want);
	free(warned);
}
END_TEST

/*
 * Two launchers on one image would corrupt it: a writer excludes
 * everyone else, readers only writers.
 */
static const struct {
	bool first_ro, second_ro, second_ok;
} locks[] = {
	{ false, false, false }, { false, true, false },
	{ true, false, false }, { true, true, true },
};

START_TEST(test_blk_lock)
{
	static struct virtio_blk second;

	ck_assert_int_eq(virtio_blk_init(&blk, path, locks[_i].first_ro,
					 &vm.host, &err), 0);
	err.msg[0] = 0;
	ck_assert_int_eq(virtio_blk_init(&second, path, locks[_i].second_ro,
					 &vm.host, &err),
			 locks[_i].second_ok ? 0 : -1);
	if (!locks[_i].second_ok)
		ck_assert_msg(strstr(err.msg, path) &&
				      strstr(err.msg, "in use by another"),
			      "%s", err.msg);
}
END_TEST

/* Set-up errors name the file and say what is wrong with it. */
enum bad_file { MISSING, DIRECTORY, TINY, EMPTY };

static const struct {
	enum bad_file what;
	bool read_only;
	const char *says;
} bad_files[] = {
	{ MISSING, false, "cannot open block file '%s': No such file" },
	{ MISSING, true, "cannot open block file '%s': No such file" },
	{ DIRECTORY, false, "cannot open block file '%s': Is a directory" },
	{ DIRECTORY, true, "'%s' is neither a file nor a block device" },
	{ TINY, false, "'%s' is smaller than one 512-byte sector" },
	{ EMPTY, true, "'%s' is smaller than one 512-byte sector" },
};

static unsigned int open_fds(void)
{
	unsigned int n = 0;
	int fd;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

START_TEST(test_blk_bad_file)
{
	char says[128];
	unsigned int fds;

	unlink(path);
	if (bad_files[_i].what == DIRECTORY)
		ck_assert_int_eq(mkdir(path, 0700), 0);
	if (bad_files[_i].what == TINY)
		make_file(SECTOR - 1);
	if (bad_files[_i].what == EMPTY)
		make_file(0);
	fds = open_fds();
	ck_assert_int_eq(virtio_blk_init(&blk, path, bad_files[_i].read_only,
					 &vm.host, &err), -1);
	if (bad_files[_i].what == DIRECTORY)
		rmdir(path);
	snprintf(says, sizeof(says), bad_files[_i].says, path);
	ck_assert_msg(strstr(err.msg, says), "\"%s\"", err.msg);
	ck_assert_uint_eq(open_fds(), fds);
	ck_assert_ptr_null(vm.bus.slots[1]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* virtio-rng                                                          */
/* ------------------------------------------------------------------ */

/* The host's randomness, scripted: pattern bytes, then a failure. */
static struct {
	size_t chunk;		/* most bytes a call returns */
	size_t budget;		/* bytes before it fails */
	ssize_t fail;		/* then: -1 (EIO) or 0 */
	bool eintr;		/* the first call is interrupted */
	size_t made;
} host;

static ssize_t scripted_fill(void *buf, size_t len)
{
	size_t n = len, i;

	if (host.eintr) {
		host.eintr = false;
		errno = EINTR;
		return -1;
	}
	if (!host.budget) {
		errno = EIO;
		return host.fail;
	}
	if (n > host.chunk)
		n = host.chunk;
	if (n > host.budget)
		n = host.budget;
	for (i = 0; i < n; i++)
		((uint8_t *)buf)[i] = kimg_pattern(host.made + i);
	host.made += n;
	host.budget -= n;
	return n;
}

static const struct rng_case {
	const char *name;
	struct layout out, in;
	size_t chunk, budget;
	ssize_t fail;
	bool eintr;
	uint32_t written;
	unsigned long host_errors;
} rng_cases[] = {
	{ "one buffer", NONE, L(64), 4096, 4096, -1, false, 64, 0 },
	{ "every segment, 7 bytes a call", NONE, L(10, 0, 33, 5), 7, 4096,
	  -1, false, 48, 0 },
	{ "readable segments left alone", L(8), L(16), 4096, 4096, -1, false,
	  16, 0 },
	{ "nothing to fill", L(4), NONE, 4096, 4096, -1, false, 0, 0 },
	{ "host fails after 40 bytes", NONE, L(32, 32), 4096, 40, -1, false,
	  40, 1 },
	{ "host returns 0", NONE, L(16), 4096, 0, 0, false, 0, 1 },
	{ "interrupted call retried", NONE, L(16), 4096, 4096, -1, true, 16,
	  0 },
};

START_TEST(test_rng)
{
	static struct virtio_rng rng;
	const struct rng_case *c = &rng_cases[_i];
	static uint8_t out[MAX_BYTES], in[MAX_BYTES], expect[MAX_BYTES];
	size_t in_len;
	struct request r;

	host = (typeof(host)){ c->chunk, c->budget, c->fail, c->eintr, 0 };
	ck_assert_int_eq(virtio_rng_init(&rng, &vm.host, scripted_fill, &err),
			 0);
	start(&rng.vdev, 0);
	memset(out, 0x77, sizeof(out));
	add(&drv[0], &r, &c->out, &c->in, out);
	run(0, 1);
	ck_assert_msg(used(0, 0)->len == c->written, "%s: %u bytes", c->name,
		      used(0, 0)->len);
	ck_assert_uint_eq(rng.fill_err.count, c->host_errors);
	in_len = gather(&r, in);
	fill_pattern(expect, c->written);
	memset(expect + c->written, TMEM_FILL_BYTE, in_len - c->written);
	ck_assert_msg(!memcmp(in, expect, in_len), "%s: bytes", c->name);
	if (c->out.n)
		ck_assert(all_bytes(tmem_at(&vm.t, r.seg[0].addr, 1), 0x77,
				    1));
}
END_TEST

/* ------------------------------------------------------------------ */
/* virtio-console                                                      */
/* ------------------------------------------------------------------ */

#define RX	0
#define TX	1

static struct virtio_console con;

static unsigned long con_host_errors(void)
{
	return con.read_err.count + con.write_err.count;
}
static int in_pipe[2], out_pipe[2];	/* host input, guest output */

/* What the input hook saw, and the byte that makes it end input. */
static struct {
	uint8_t seen[MAX_BYTES];
	size_t len;
	int stop_at;		/* -1: never */
} hook;

static bool record_input(void *ctx, const uint8_t *buf, size_t len)
{
	ck_assert_ptr_eq(ctx, &hook);
	memcpy(hook.seen + hook.len, buf, len);
	hook.len += len;
	return hook.stop_at < 0 || !memchr(buf, hook.stop_at, len);
}

static void con_setup(void)
{
	vm_setup();
	ck_assert_int_eq(pipe2(in_pipe, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(out_pipe, O_CLOEXEC | O_NONBLOCK), 0);
	/* The device's end blocks, as stdout does. */
	ck_assert_int_eq(fcntl(out_pipe[1], F_SETFL, 0), 0);
	memset(&hook, 0, sizeof(hook));
	hook.stop_at = -1;
	ck_assert_int_eq(virtio_console_init(&con, in_pipe[0], out_pipe[1],
					     record_input, &hook, &vm.host,
					     &err), 0);
	start(&con.vdev, 0);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void con_teardown(void)
{
	vm_teardown();
	close_fd(&in_pipe[0]);
	close_fd(&in_pipe[1]);
	close_fd(&out_pipe[0]);
	close_fd(&out_pipe[1]);
}

/* Everything the guest printed so far (the device wrote it already). */
static size_t output(uint8_t *buf, size_t max)
{
	ssize_t n = read(out_pipe[0], buf, max);

	return n > 0 ? n : 0;
}

static void type_input(const char *s)
{
	ck_assert_int_eq(write(in_pipe[1], s, strlen(s)), strlen(s));
}

/* Transmit requests, output in order and nothing but the readable part. */
static const struct tx_case {
	const char *name;
	struct {
		struct layout out, in;
	} req[3];
	unsigned int n;
} tx_cases[] = {
	{ "one buffer", { { L(13), NONE } }, 1 },
	{ "segments with an empty one", { { L(5, 0, 7), NONE } }, 1 },
	{ "three requests", { { L(1), NONE }, { L(100), NONE },
			      { L(4000), NONE } }, 3 },
	{ "writable parts ignored", { { L(5), L(3) } }, 1 },
	{ "nothing readable", { { NONE, L(8) }, { L(2), NONE } }, 2 },
	/* Not a host error: there was nothing to write. */
	{ "an empty buffer", { { L(0), NONE }, { L(2), NONE } }, 2 },
};

START_TEST(test_console_tx)
{
	const struct tx_case *c = &tx_cases[_i];
	static uint8_t text[MAX_BYTES], got[MAX_BYTES], in[MAX_BYTES];
	struct request r[ARRAY_SIZE(c->req)];
	size_t len = 0;
	unsigned int i;

	fill_pattern(text, sizeof(text));
	for (i = 0; i < c->n; i++) {
		add(&drv[TX], &r[i], &c->req[i].out, &c->req[i].in, text + len);
		len += total(&c->req[i].out);
	}
	run(TX, c->n);
	ck_assert_uint_eq(output(got, sizeof(got)), len);
	ck_assert(!memcmp(got, text, len));
	for (i = 0; i < c->n; i++) {
		ck_assert_uint_eq(used(TX, i)->len, 0);
		ck_assert(all_bytes(in, TMEM_FILL_BYTE, gather(&r[i], in)));
	}
	ck_assert_msg(con_host_errors() == 0, "%s: %lu host errors", c->name,
		      con_host_errors());
}
END_TEST

static void no_op(int sig)
{
	(void)sig;
}

#define PIPE_SIZE	4096

/*
 * The guest prints twice what the output pipe holds, and nobody reads:
 * returns once the transmit thread is stuck inside write().
 */
static void print_into_full_pipe(const uint8_t *text)
{
	const struct layout lo = L(2 * PIPE_SIZE);
	struct request r;
	int queued = 0, ms;

	ck_assert_int_eq(fcntl(out_pipe[1], F_SETPIPE_SZ, PIPE_SIZE),
			 PIPE_SIZE);
	add(&drv[TX], &r, &lo, &(struct layout)NONE, text);
	mock_ring_publish(&drv[TX]);
	tvirtio_kick(&vm.bus, dev, TX);
	for (ms = 0; queued < PIPE_SIZE; ms++) {
		ck_assert_msg(ms < TVM_WAIT_MS, "pipe never filled");
		usleep(1000);
		ck_assert_int_eq(ioctl(out_pipe[0], FIONREAD, &queued), 0);
	}
}

/*
 * A short write: the pipe takes half, then a signal ends the write(),
 * and the device must go on with the rest.
 */
START_TEST(test_console_tx_partial)
{
	struct sigaction sa = { .sa_handler = no_op };
	static uint8_t text[2 * PIPE_SIZE], got[2 * PIPE_SIZE];
	struct pollfd p = { .fd = out_pipe[0], .events = POLLIN };
	size_t len = 0;

	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	fill_pattern(text, sizeof(text));
	print_into_full_pipe(text);
	/* Inside write() with half of it done: interrupt it. */
	ck_assert_int_eq(pthread_kill(con.vdev.queues[TX].rt.thread, SIGUSR1),
			 0);
	while (len < sizeof(got)) {
		ck_assert_int_eq(poll(&p, 1, TVM_WAIT_MS), 1);
		len += output(got + len, sizeof(got) - len);
	}
	tvirtio_wait_used(&drv[TX], 1);
	ck_assert(!memcmp(got, text, sizeof(text)));
	ck_assert_uint_eq(con_host_errors(), 0);
}
END_TEST

static void *reset_device(void *arg)
{
	_Atomic bool *done = arg;

	tvirtio_set_status(&vm.bus, dev, 0);
	*done = true;
	return NULL;
}

/*
 * The output is stuck (terminal stopped with ^S, a harness not reading)
 * and the guest resets the console: the vCPU thread, which does the
 * reset, must not wait for host output to drain.
 */
START_TEST(test_console_reset_while_output_blocked)
{
	static uint8_t text[2 * PIPE_SIZE];
	static _Atomic bool done;
	pthread_t vcpu;
	int ms;

	print_into_full_pipe(text);
	ck_assert_int_eq(pthread_create(&vcpu, NULL, reset_device,
					(void *)&done), 0);
	for (ms = 0; !done && ms < TVM_WAIT_MS; ms++)
		usleep(1000);
	ck_assert_msg(done, "reset waits for the blocked console output");
	pthread_join(vcpu, NULL);
	ck_assert_uint_eq(tvirtio_status(&vm.bus, dev), 0);
}
END_TEST

/* Nobody reads the output: lost and counted, and the guest goes on. */
START_TEST(test_console_tx_closed)
{
	const struct layout lo = L(10);
	uint8_t text[10] = "lost text";
	struct request r;

	signal(SIGPIPE, SIG_IGN);	/* as the launcher does */
	close_fd(&out_pipe[0]);
	add(&drv[TX], &r, &lo, &(struct layout)NONE, text);
	run(TX, 1);
	add(&drv[TX], &r, &lo, &(struct layout)NONE, text);
	run(TX, 2);
	ck_assert_uint_eq(con_host_errors(), 2);
	ck_assert(!(tvirtio_status(&vm.bus, dev) & TV_S_NEEDS_RST));
}
END_TEST

/*
 * Receive: typed bytes fill the guest's buffers in order, each buffer
 * as far as the input goes, whether the guest or the typist came first.
 */
static const struct rx_case {
	const char *name;
	const char *input;
	bool typed_first;
	struct layout buf[3];
	unsigned int n;
	uint32_t got[3];	/* bytes in each buffer */
} rx_cases[] = {
	{ "a line into one buffer", "hello\n", false, { L(64) }, 1, { 6 } },
	{ "a line across two segments", "0123456789", false, { L(4, 0, 6) },
	  1, { 10 } },
	{ "the rest into the next buffer", "0123456789", false,
	  { L(4), L(16) }, 2, { 4, 6 } },
	{ "typed before any buffer", "abc", true, { L(8) }, 1, { 3 } },
	{ "typed first, two buffers", "abcdefgh", true, { L(5), L(5) }, 2,
	  { 5, 3 } },
};

START_TEST(test_console_rx)
{
	const struct rx_case *c = &rx_cases[_i];
	static uint8_t got[MAX_BYTES];
	struct request r[ARRAY_SIZE(c->buf)];
	size_t len = 0;
	unsigned int i;

	if (c->typed_first)
		type_input(c->input);
	for (i = 0; i < c->n; i++)
		add(&drv[RX], &r[i], &(struct layout)NONE, &c->buf[i], NULL);
	mock_ring_publish(&drv[RX]);
	if (!c->typed_first) {
		tvirtio_kick_settle(&vm, dev, RX);
		ck_assert_uint_eq(mock_ring_used_idx(&drv[RX]), 0);
		type_input(c->input);
	} else {
		tvirtio_kick(&vm.bus, dev, RX);
	}
	tvirtio_wait_used(&drv[RX], c->n);
	ck_assert_uint_ge(tvirtio_wait_irq(dev, QVEC(RX)), 1);
	for (i = 0; i < c->n; i++) {
		ck_assert_uint_eq(used(RX, i)->id, r[i].head);
		ck_assert_msg(used(RX, i)->len == c->got[i], "%s: buffer %u",
			      c->name, i);
		gather(&r[i], got + len);
		len += c->got[i];
	}
	ck_assert_uint_eq(len, strlen(c->input));
	ck_assert(!memcmp(got, c->input, len));
	ck_assert_uint_eq(hook.len, len);
	ck_assert(!memcmp(hook.seen, c->input, len));
}
END_TEST

/* A receive buffer with a readable part is a broken driver. */
START_TEST(test_console_rx_readable)
{
	const struct layout lo = L(4), li = L(8);
	struct tstderr cap;
	struct request r;

	tstderr_capture(&cap);
	add(&drv[RX], &r, &lo, &li, (const uint8_t *)"abcd");
	mock_ring_publish(&drv[RX]);
	type_input("x");
	tvirtio_kick(&vm.bus, dev, RX);
	check_broken(&cap, "has readable parts");
	ck_assert_uint_eq(drv[RX].vr.used->idx, 0);
}
END_TEST

/* Three receive buffers of 16 bytes, handed to the device. */
static void give_rx_buffers(struct request *r)
{
	const struct layout li = L(16);
	unsigned int i;

	for (i = 0; i < 3; i++)
		add(&drv[RX], &r[i], &(struct layout)NONE, &li, NULL);
	mock_ring_publish(&drv[RX]);
	tvirtio_kick_settle(&vm, dev, RX);
}

/*
 * End of input (stdin closed): what was typed arrives; after that the
 * guest's buffers stay the guest's.  At most one may come back empty
 * at EOF; a Linux guest queues that one again at once, and if each
 * kick then took another buffer the two would ping-pong forever.
 */
START_TEST(test_console_rx_eof_keeps_buffers)
{
	struct request r[3];
	uint16_t n;

	give_rx_buffers(r);
	type_input("ab");
	tvirtio_wait_used(&drv[RX], 1);
	ck_assert_uint_eq(used(RX, 0)->len, 2);
	close_fd(&in_pipe[1]);
	tvirtio_kick_settle(&vm, dev, RX);
	tvirtio_kick_settle(&vm, dev, RX);
	n = mock_ring_used_idx(&drv[RX]);
	ck_assert_msg(n <= 2, "after EOF, %u more buffers came back", n - 1);
	if (n == 2)
		ck_assert_uint_eq(used(RX, 1)->len, 0);
	ck_assert_uint_eq(con_host_errors(), 0);
}
END_TEST

/*
 * The input hook ends input (^C^C^C): the bytes it saw reach the guest,
 * nothing typed later does, even when the guest kicks for more.
 */
START_TEST(test_console_rx_hook_ends_input)
{
	struct request r[3];

	hook.stop_at = 'q';
	give_rx_buffers(r);
	type_input("xq");
	tvirtio_wait_used(&drv[RX], 1);
	ck_assert_uint_eq(used(RX, 0)->len, 2);
	type_input("later");
	tvirtio_kick_settle(&vm, dev, RX);
	ck_assert_msg(mock_ring_used_idx(&drv[RX]) == 1,
		      "input after the hook said stop reached the guest");
	ck_assert_uint_eq(hook.len, 2);
	ck_assert(!memcmp(hook.seen, "xq", 2));
}
END_TEST

/* ------------------------------------------------------------------ */
/* virtio-net: the receive header                                      */
/* ------------------------------------------------------------------ */

#define NF(bit)	(1ULL << VIRTIO_NET_F_##bit)
#define NET_HDR	((uint32_t)sizeof(struct virtio_net_hdr_v1))

/* What a hostile --sharenet peer sent (seen in the audit), and a payload. */
static const struct virtio_net_hdr_v1 hostile_hdr = {
	.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID,
	.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 54, .gso_size = 1,
	.csum_start = 0xfff0, .csum_offset = 6, .num_buffers = 7,
};

static struct virtio_net net;

/* The peer: one packet per byte in its pipe, the same packet each time. */
static struct {
	int pipe[2];
	uint8_t packet[NET_HDR + 16];
} peer;

static int peer_input_fd(struct net_backend *b)
{
	(void)b;
	return peer.pipe[0];
}

static ssize_t peer_recv(struct net_backend *b, const struct iovec *iov,
			 int n)
{
	uint8_t byte;

	(void)b;
	if (read(peer.pipe[0], &byte, 1) != 1) {
		errno = EAGAIN;
		return -1;
	}
	return iov_from_buf(iov, n, 0, peer.packet, sizeof(peer.packet));
}

static ssize_t peer_send(struct net_backend *b, const struct iovec *iov,
			 int n)
{
	(void)b;
	(void)iov;
	(void)n;
	errno = ENOTCONN;
	return -1;
}

static struct net_backend peer_backend = {
	.name = "peer", .input_fd = peer_input_fd, .recv = peer_recv,
	.send = peer_send,
	.features = NF(GUEST_CSUM) | NF(GUEST_TSO4) | NF(GUEST_ECN),
};

static void net_teardown(void)
{
	vm_teardown();
	close_fd(&peer.pipe[0]);
	close_fd(&peer.pipe[1]);
}

static const struct net_hdr_case {
	const char *name;
	uint64_t features;
	uint8_t gso_type;	/* the peer's, with the rest of hostile_hdr */
	struct virtio_net_hdr_v1 want;
} net_hdr_cases[] = {
	{ "nothing negotiated: a plain header", 0, VIRTIO_NET_HDR_GSO_TCPV4,
	  { .num_buffers = 1 } },
	{ "GUEST_CSUM: flags and checksum kept, no GSO", NF(GUEST_CSUM),
	  VIRTIO_NET_HDR_GSO_TCPV4,
	  { .flags = 3, .csum_start = 0xfff0, .csum_offset = 6,
	    .num_buffers = 1 } },
	{ "GUEST_TSO4: all kept", NF(GUEST_CSUM) | NF(GUEST_TSO4),
	  VIRTIO_NET_HDR_GSO_TCPV4,
	  { .flags = 3, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 54,
	    .gso_size = 1, .csum_start = 0xfff0, .csum_offset = 6,
	    .num_buffers = 1 } },
	{ "ECN without GUEST_ECN: no GSO", NF(GUEST_CSUM) | NF(GUEST_TSO4),
	  VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
	  { .flags = 3, .csum_start = 0xfff0, .csum_offset = 6,
	    .num_buffers = 1 } },
	{ "UDP without GUEST_UFO: no GSO",
	  NF(GUEST_CSUM) | NF(GUEST_TSO4) | NF(GUEST_ECN),
	  VIRTIO_NET_HDR_GSO_UDP,
	  { .flags = 3, .csum_start = 0xfff0, .csum_offset = 6,
	    .num_buffers = 1 } },
};

/*
 * A packet from the peer reaches the guest with a header made for what
 * the guest negotiated, and its payload untouched.
 */
START_TEST(test_net_rx_header)
{
	const struct net_hdr_case *c = &net_hdr_cases[_i];
	struct virtio_net_hdr_v1 h = hostile_hdr;
	static uint8_t got[MAX_BYTES];
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 1, 2, 3 };
	struct request r;

	h.gso_type = c->gso_type;
	memcpy(peer.packet, &h, sizeof(h));
	fill_pattern(peer.packet + NET_HDR, sizeof(peer.packet) - NET_HDR);
	ck_assert_int_eq(pipe2(peer.pipe, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(virtio_net_init(&net, &peer_backend, mac, &vm.host,
					 &err), 0);
	start(&net.vdev, c->features);
	add(&drv[RX], &r, &(struct layout)NONE, &(struct layout)L(8, 200),
	    NULL);
	mock_ring_publish(&drv[RX]);
	ck_assert_int_eq(write(peer.pipe[1], "p", 1), 1);
	tvirtio_kick(&vm.bus, dev, RX);
	tvirtio_wait_used(&drv[RX], 1);
	ck_assert_uint_eq(used(RX, 0)->len, sizeof(peer.packet));
	gather(&r, got);
	memcpy(&h, got, sizeof(h));
	ck_assert_msg(!memcmp(&h, &c->want, sizeof(h)),
		      "%s: flags %#x gso_type %#x hdr_len %u gso_size %u csum_start %#x csum_offset %u num_buffers %u",
		      c->name, h.flags, h.gso_type, h.hdr_len, h.gso_size,
		      h.csum_start, h.csum_offset, h.num_buffers);
	ck_assert(!memcmp(got + NET_HDR, peer.packet + NET_HDR,
			  sizeof(peer.packet) - NET_HDR));
}
END_TEST

static Suite *devices_suite(void)
{
	Suite *s = suite_create("virtio_devices");
	TCase *tc;

	tc = unit_tcase(s, "blk", blk_setup, blk_teardown);
	tcase_add_unchecked_fixture(tc, blk_dir_make, blk_dir_remove);
	tcase_add_loop_test(tc, test_blk_request, 0, ARRAY_SIZE(blk_cases));
	tcase_add_loop_test(tc, test_blk_short_request, 0,
			    ARRAY_SIZE(short_requests));
	tcase_add_loop_test(tc, test_blk_config, 0, 2);
	tcase_add_test(tc, test_blk_odd_size);
	tcase_add_test(tc, test_blk_host_error);
	tcase_add_loop_test(tc, test_blk_lock, 0, ARRAY_SIZE(locks));
	tcase_add_loop_test(tc, test_blk_bad_file, 0, ARRAY_SIZE(bad_files));

	tc = unit_tcase(s, "rng", vm_setup, vm_teardown);
	tcase_add_loop_test(tc, test_rng, 0, ARRAY_SIZE(rng_cases));

	tc = unit_tcase(s, "console", con_setup, con_teardown);
	tcase_add_loop_test(tc, test_console_tx, 0, ARRAY_SIZE(tx_cases));
	tcase_add_test(tc, test_console_tx_partial);
	tcase_add_test(tc, test_console_reset_while_output_blocked);
	tcase_add_test(tc, test_console_tx_closed);
	tcase_add_loop_test(tc, test_console_rx, 0, ARRAY_SIZE(rx_cases));
	tcase_add_test(tc, test_console_rx_readable);
	tcase_add_test(tc, test_console_rx_eof_keeps_buffers);
	tcase_add_test(tc, test_console_rx_hook_ends_input);

	tc = unit_tcase(s, "net", vm_setup, net_teardown);
	tcase_add_loop_test(tc, test_net_rx_header, 0,
			    ARRAY_SIZE(net_hdr_cases));
	return s;
}

int main(void)
{
	return run_suite(devices_suite());
}
