// SPDX-License-Identifier: GPL-2.0
/*
 * The split-ring model behind fuzz/vring_ref.h.  It is written apart from
 * the library on purpose: a chain is first collected (links followed,
 * descriptors marked as seen, so a loop is a descriptor met twice, not a
 * hop count) and only then judged as a whole.  Values come from guest
 * memory as little-endian fields at the driver's guest-physical
 * addresses, through the UAPI layouts of <linux/virtio_ring.h>.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "guarded.h"
#include "vring_ref.h"

/* A chain holds at most a full table and then a full indirect table. */
#define MAX_FOUND (VIRTQ_MAX_SIZE + VIRTQ_MAX_SEGS)

struct found_seg {
	const uint8_t *host;
	uint32_t len;
	bool write;
};

/* The chain being judged: static, it is far too big for the stack. */
static struct {
	unsigned int n;
	struct found_seg seg[MAX_FOUND];
	const uint8_t *table; /* its indirect table, or NULL */
	uint32_t table_len;
} found;

/* seen[i] == mark: descriptor i is already in the chain being collected. */
static uint32_t
	seen[VIRTQ_MAX_SIZE > VIRTQ_MAX_SEGS ? VIRTQ_MAX_SIZE : VIRTQ_MAX_SEGS];
static uint32_t mark;

static uint32_t new_mark(void)
{
	if (++mark == 0) {
		memset(seen, 0, sizeof(seen));
		mark = 1;
	}
	return mark;
}

/*
 * Guest RAM: [0, low_size) and, for the rest, [4 GiB, 4 GiB + rest).  A
 * range is RAM when it lies inside one piece (an empty range may sit at
 * a piece's end).  Returns the host address, or NULL.
 */
static const uint8_t *ram(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t high = m->size - m->low_size;

	if (gpa <= m->low_size && len <= m->low_size - gpa)
		return m->host + gpa;
	if (gpa >= GMEM_HIGH_BASE && gpa - GMEM_HIGH_BASE <= high &&
	    len <= high - (gpa - GMEM_HIGH_BASE))
		return m->host + m->low_size + (gpa - GMEM_HIGH_BASE);
	return NULL;
}

/* Fields of areas already known to be RAM. */
static uint16_t le16_at(const struct vring_ref *ref, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, ram(ref->mem, gpa, 2), 2);
	return le16toh(v);
}

static uint32_t le32_at(const struct vring_ref *ref, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, ram(ref->mem, gpa, 4), 4);
	return le32toh(v);
}

/* Where the fields of struct vring_avail / vring_used sit. */
#define AVAIL_FLAGS(r) ((r)->avail)
#define AVAIL_IDX(r) ((r)->avail + 2)
#define AVAIL_RING(r, i) ((r)->avail + 4 + 2ULL * (i))
#define USED_FLAGS(r) ((r)->used)
#define USED_IDX(r) ((r)->used + 2)
#define USED_ELEM(r, i) ((r)->used + 4 + 8ULL * (i))

static bool ring_layout_ok(const struct guest_mem *m, uint16_t size,
			   uint64_t desc, uint64_t avail, uint64_t used)
{
	/* Sizes with the trailing used_event / avail_event fields. */
	uint64_t desc_len = sizeof(struct vring_desc) * (uint64_t)size;
	uint64_t avail_len = 4 + 2ULL * size + 2;
	uint64_t used_len = 4 + sizeof(struct vring_used_elem) * size + 2;
	bool power_of_two = size && !(size & (size - 1));

	return power_of_two && size <= VIRTQ_MAX_SIZE && desc % 16 == 0 &&
	       avail % 2 == 0 && used % 4 == 0 && ram(m, desc, desc_len) &&
	       ram(m, avail, avail_len) && ram(m, used, used_len);
}

int vring_ref_setup(struct vring_ref *ref, struct virtq *vr,
		    const struct guest_mem *m, uint16_t size, uint64_t desc,
		    uint64_t avail, uint64_t used, uint64_t features,
		    struct lg_error *err)
{
	bool ok = ring_layout_ok(m, size, desc, avail, used);
	int r = virtq_setup(vr, m, size, desc, avail, used, features, err);

	fuzz_invariant(ok == (r == 0),
		       "virtq_setup(size %u, desc %#llx, avail %#llx, used "
		       "%#llx) returned %d, the model says %s",
		       size, (unsigned long long)desc,
		       (unsigned long long)avail, (unsigned long long)used, r,
		       ok ? "valid" : "invalid");
	*ref = (struct vring_ref){
		.mem = m,
		.size = size,
		.desc = desc,
		.avail = avail,
		.used = used,
		.indirect = features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC),
		.event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX)};
	if (ok)
		fuzz_invariant(
			(void *)vr->desc == ram(m, desc, 0) &&
				(void *)vr->avail == ram(m, avail, 0) &&
				(void *)vr->used == ram(m, used, 0),
			"the rings are mapped away from their guest addresses");
	return r;
}

void vring_ref_start(struct vring_ref *ref, uint16_t idx)
{
	ref->last_avail = ref->used_idx = idx;
}

static bool collect(const struct vring_ref *ref, const uint8_t *table,
		    unsigned int n, unsigned int i, bool nested);

/* An indirect descriptor: its own table, walked from entry 0. */
static bool collect_indirect(const struct vring_ref *ref,
			     const struct vring_desc *d)
{
	uint16_t flags = le16toh(d->flags);
	uint32_t len = le32toh(d->len);
	const uint8_t *table = ram(ref->mem, le64toh(d->addr), len);
	unsigned int n = len / sizeof(struct vring_desc);

	if (!ref->indirect || (flags & VRING_DESC_F_NEXT) || !table ||
	    len == 0 || len % sizeof(struct vring_desc) || n > VIRTQ_MAX_SEGS)
		return false;
	found.table = table;
	found.table_len = len;
	return collect(ref, table, n, 0, true);
}

/*
 * Gather the buffers of the chain that starts at entry i of a table of n
 * descriptors.  False for a link past the table, a descriptor met twice
 * (a loop), a buffer outside RAM or a bad indirect descriptor.
 */
static bool collect(const struct vring_ref *ref, const uint8_t *table,
		    unsigned int n, unsigned int i, bool nested)
{
	uint32_t m = new_mark();

	for (;;) {
		struct vring_desc d;
		uint16_t flags;
		uint32_t len;
		const uint8_t *p;

		if (i >= n || seen[i] == m)
			return false;
		seen[i] = m;
		memcpy(&d, table + i * sizeof(d), sizeof(d));
		flags = le16toh(d.flags);
		if (flags & VRING_DESC_F_INDIRECT)
			return !nested && collect_indirect(ref, &d);
		len = le32toh(d.len);
		p = ram(ref->mem, le64toh(d.addr), len);
		if (!p)
			return false;
		found.seg[found.n++] =
			(struct found_seg){p, len, flags & VRING_DESC_F_WRITE};
		if (!(flags & VRING_DESC_F_NEXT))
			return true;
		i = le16toh(d.next);
	}
}

/* The whole chain: not too many buffers, under 4 GiB, reads first. */
static bool chain_acceptable(void)
{
	uint64_t total = 0;
	bool writing = false;
	unsigned int i;

	if (found.n > VIRTQ_MAX_SEGS)
		return false;
	for (i = 0; i < found.n; i++) {
		if (writing && !found.seg[i].write)
			return false;
		writing = found.seg[i].write;
		total += found.seg[i].len;
	}
	return total <= UINT32_MAX;
}

enum verdict { NOTHING, CHAIN, BROKEN };

static const char *const verdict_name[] = {"nothing to take", "a chain",
					   "a broken ring"};

/* The request available entry `entry` names: CHAIN (in found) or BROKEN. */
static enum verdict request_at(const struct vring_ref *ref, uint16_t entry,
			       uint16_t *head)
{
	found.n = 0;
	found.table = NULL;
	*head = le16_at(ref, AVAIL_RING(ref, entry % ref->size));
	if (!collect(ref, ram(ref->mem, ref->desc, 0), ref->size, *head, false))
		return BROKEN;
	return chain_acceptable() ? CHAIN : BROKEN;
}

/* What the next pop must do; for CHAIN, found holds it. */
static enum verdict next_request(const struct vring_ref *ref, uint16_t *head)
{
	uint16_t pending = le16_at(ref, AVAIL_IDX(ref)) - ref->last_avail;

	found.n = 0;
	*head = 0;
	if (pending == 0)
		return NOTHING;
	if (pending > ref->size)
		return BROKEN;
	return request_at(ref, ref->last_avail, head);
}

static void check_same_chain(const struct virtq_chain *c, uint16_t head)
{
	uint64_t out = 0, in = 0;
	unsigned int i, n_out = 0;

	fuzz_invariant(c->head == head && c->n_out + c->n_in == found.n,
		       "chain %u of %u segments, the model has %u of %u",
		       c->head, c->n_out + c->n_in, head, found.n);
	for (i = 0; i < found.n; i++) {
		const struct found_seg *s = &found.seg[i];

		fuzz_invariant(
			c->iov[i].iov_base == s->host &&
				c->iov[i].iov_len == s->len,
			"chain %u segment %u is %p+%zu, the model has %p+%u",
			head, i, c->iov[i].iov_base, c->iov[i].iov_len,
			(const void *)s->host, s->len);
		n_out += !s->write;
		*(s->write ? &in : &out) += s->len;
	}
	fuzz_invariant(c->n_out == n_out && c->out_len == out &&
			       c->in_len == in,
		       "chain %u: %u readable segments, %llu/%llu bytes; the "
		       "model: %u, %llu/%llu",
		       head, c->n_out, (unsigned long long)c->out_len,
		       (unsigned long long)c->in_len, n_out,
		       (unsigned long long)out, (unsigned long long)in);
}

int vring_ref_pop(struct vring_ref *ref, struct virtq *vr,
		  struct virtq_chain *c, struct lg_error *err)
{
	uint16_t head;
	enum verdict v = next_request(ref, &head);
	int r = virtq_pop(vr, c, err);

	fuzz_invariant(r == (v == CHAIN	    ? 1
			     : v == NOTHING ? 0
					    : -1),
		       "virtq_pop() returned %d at avail entry %u (head %u), "
		       "the model says %s",
		       r, ref->last_avail, head, verdict_name[v]);
	if (r == 1) {
		check_same_chain(c, head);
		ref->last_avail++;
	}
	fuzz_invariant(vr->last_avail == ref->last_avail,
		       "next avail entry %u, the model says %u", vr->last_avail,
		       ref->last_avail);
	return r;
}

void vring_ref_unpop(struct vring_ref *ref, struct virtq *vr)
{
	virtq_unpop(vr);
	ref->last_avail--;
	fuzz_invariant(vr->last_avail == ref->last_avail,
		       "after unpop: next avail entry %u, the model says %u",
		       vr->last_avail, ref->last_avail);
}

int vring_ref_push(struct vring_ref *ref, struct virtq *vr, uint16_t head,
		   uint32_t written, struct lg_error *err)
{
	bool outstanding = ref->used_idx != ref->last_avail;
	uint64_t elem = USED_ELEM(ref, ref->used_idx % ref->size);
	int r = virtq_push(vr, head, written, err);

	fuzz_invariant(r == (outstanding ? 0 : -1),
		       "virtq_push() returned %d with %s outstanding", r,
		       outstanding ? "requests" : "nothing");
	if (r)
		return r;
	ref->used_idx++;
	fuzz_invariant(le32_at(ref, elem) == head &&
			       le32_at(ref, elem + 4) == written &&
			       le16_at(ref, USED_IDX(ref)) == ref->used_idx,
		       "used element %u is {%u, %u} and used->idx %u; the "
		       "model: {%u, %u}, %u",
		       (uint16_t)(ref->used_idx - 1), le32_at(ref, elem),
		       le32_at(ref, elem + 4), le16_at(ref, USED_IDX(ref)),
		       head, written, ref->used_idx);
	return 0;
}

/* Without EVENT_IDX the avail flags decide; with it, used_event does. */
bool vring_ref_should_interrupt(struct vring_ref *ref, struct virtq *vr)
{
	bool want = virtq_should_interrupt(vr), expect;

	if (!ref->event_idx) {
		expect = !(le16_at(ref, AVAIL_FLAGS(ref)) &
			   VRING_AVAIL_F_NO_INTERRUPT);
	} else {
		uint16_t event = le16_at(ref, AVAIL_RING(ref, ref->size));

		expect = !ref->signalled_valid ||
			 vring_need_event(event, ref->used_idx, ref->signalled);
		ref->signalled = ref->used_idx;
		ref->signalled_valid = true;
	}
	fuzz_invariant(want == expect,
		       "interrupt %s at used index %u, the model says %s",
		       want ? "wanted" : "not wanted", ref->used_idx,
		       expect ? "wanted" : "not wanted");
	return want;
}

void vring_ref_notify_off(struct vring_ref *ref, struct virtq *vr)
{
	uint16_t before = le16_at(ref, USED_FLAGS(ref)), after;

	virtq_notify_off(vr);
	after = le16_at(ref, USED_FLAGS(ref));
	fuzz_invariant(
		after == (ref->event_idx ? before : VRING_USED_F_NO_NOTIFY),
		"used->flags %#x after notify_off, was %#x", after, before);
}

/* With EVENT_IDX, avail_event names the next entry; else flags are 0. */
bool vring_ref_notify_on(struct vring_ref *ref, struct virtq *vr)
{
	uint16_t before = le16_at(ref, USED_FLAGS(ref));
	bool more = virtq_notify_on(vr);
	uint16_t flags = le16_at(ref, USED_FLAGS(ref));

	if (ref->event_idx)
		fuzz_invariant(
			flags == before &&
				le16_at(ref, USED_ELEM(ref, ref->size)) ==
					ref->last_avail,
			"avail_event %u, used->flags %#x (was %#x); the model: "
			"%u",
			le16_at(ref, USED_ELEM(ref, ref->size)), flags, before,
			ref->last_avail);
	else
		fuzz_invariant(flags == 0, "used->flags %#x after notify_on",
			       flags);
	fuzz_invariant(
		more == (le16_at(ref, AVAIL_IDX(ref)) != ref->last_avail),
		"notify_on says %s more, the model disagrees",
		more ? "there is" : "there is no");
	return more;
}

/* ------------------------------------------------------------------ */
/* What a device writes                                                */
/* ------------------------------------------------------------------ */

#define MAX_RANGES 256 /* more buffers or tables in one input: not judged */

struct range {
	size_t off, len; /* bytes of the host mapping of guest RAM */
};

/*
 * The bytes of guest RAM anybody but the guest may write in this input,
 * a bit each, and the ranges behind them: the buffers and used ring
 * (writable) and what the device reads to find its requests (rings).
 */
static struct {
	bool judged;
	uint16_t upto; /* requests collected up to this available entry */
	size_t bytes;
	uint64_t *may_write;
	unsigned int n_writable, n_rings;
	struct range writable[MAX_RANGES], rings[MAX_RANGES];
} watch;

static void set_bits(size_t off, size_t len)
{
	size_t end = off + len;

	for (; off < end && off % 64; off++)
		watch.may_write[off / 64] |= 1ULL << (off % 64);
	for (; end - off >= 64; off += 64)
		watch.may_write[off / 64] = ~0ULL;
	for (; off < end; off++)
		watch.may_write[off / 64] |= 1ULL << (off % 64);
}

/* Note a range of guest RAM (host address p) in one of the lists. */
static void note(const struct vring_ref *ref, struct range *list,
		 unsigned int *n, const uint8_t *p, uint64_t len)
{
	if (*n == MAX_RANGES) {
		watch.judged = false;
		return;
	}
	list[(*n)++] = (struct range){p - ref->mem->host, len};
}

static void note_writable(const struct vring_ref *ref, const uint8_t *p,
			  uint64_t len)
{
	note(ref, watch.writable, &watch.n_writable, p, len);
	set_bits(p - ref->mem->host, len);
}

static bool overlap(const struct range *a, const struct range *b)
{
	return a->off < b->off + b->len && b->off < a->off + a->len;
}

/* Does any byte a device may write belong to the rings it reads? */
static bool writes_reach_rings(void)
{
	unsigned int i, j;

	for (i = 0; i < watch.n_writable; i++)
		for (j = 0; j < watch.n_rings; j++)
			if (overlap(&watch.writable[i], &watch.rings[j]))
				return true;
	return false;
}

void vring_ref_watch_start(struct vring_ref *ref)
{
	const uint8_t *avail = ram(ref->mem, ref->avail, 0);
	size_t words = (ref->mem->size + 63) / 64;

	if (watch.bytes != ref->mem->size) {
		free(watch.may_write);
		watch.bytes = ref->mem->size;
		watch.may_write = malloc(words * 8);
		if (!watch.may_write) {
			fprintf(stderr,
				"vring_ref: no memory for a %zu-byte map\n",
				watch.bytes);
			exit(1);
		}
	}
	memset(watch.may_write, 0, words * 8);
	watch.judged = true;
	watch.upto = ref->last_avail;
	watch.n_writable = watch.n_rings = 0;
	note_writable(ref, ram(ref->mem, ref->used, 0),
		      4 + sizeof(struct vring_used_elem) * ref->size + 2);
	note(ref, watch.rings, &watch.n_rings, ram(ref->mem, ref->desc, 0),
	     sizeof(struct vring_desc) * ref->size);
	note(ref, watch.rings, &watch.n_rings, avail, 4 + 2 * ref->size + 2);
	/* avail->idx: the target writes it, as the guest publishing. */
	set_bits(avail + 2 - ref->mem->host, 2);
}

void vring_ref_watch(struct vring_ref *ref, uint16_t next)
{
	uint16_t avail_idx = le16_at(ref, AVAIL_IDX(ref)), e, head;
	uint16_t pending = avail_idx - next, done = watch.upto - next;
	unsigned int s;

	if (!watch.judged || pending > ref->size)
		return; /* not judged, or a broken ring: nothing taken */
	if (done > pending)
		done = 0;
	/* A device takes requests in order and stops at a broken one. */
	for (e = next + done;
	     e != avail_idx && request_at(ref, e, &head) == CHAIN; e++) {
		for (s = 0; s < found.n; s++)
			if (found.seg[s].write)
				note_writable(ref, found.seg[s].host,
					      found.seg[s].len);
		if (found.table)
			note(ref, watch.rings, &watch.n_rings, found.table,
			     found.table_len);
	}
	watch.upto = e;
}

/* The first byte in [off, off + len) that differs and may not, or len. */
static size_t forbidden_change(const uint8_t *now, const uint8_t *was,
			       size_t off, size_t len)
{
	size_t b = off;

	while (b < off + len) {
		uint64_t may = watch.may_write[b / 64];

		if (may == ~0ULL) { /* all 64 bytes may change */
			b = (b / 64 + 1) * 64;
			continue;
		}
		if (b % 8 == 0 && off + len - b >= 8 &&
		    !memcmp(now + b, was + (b - off), 8)) {
			b += 8; /* 8 bytes unchanged */
			continue;
		}
		if (now[b] != was[b - off] && !((may >> (b % 64)) & 1))
			return b - off;
		b++;
	}
	return len;
}

void vring_ref_check_writes(const struct vring_ref *ref, const uint8_t *image,
			    size_t len)
{
	static const uint8_t zeros[4096]; /* compared a page at a time */
	const uint8_t *now = ref->mem->host, *was;
	size_t off, n, bad;

	if (!watch.judged || writes_reach_rings())
		return;
	for (off = 0; off < watch.bytes; off += n) {
		n = watch.bytes - off < sizeof(zeros) ? watch.bytes - off
						      : sizeof(zeros);
		if (off < len && n > len - off)
			n = len - off;
		was = off < len ? image + off : zeros;
		if (!memcmp(now + off, was, n))
			continue;
		bad = forbidden_change(now, was, off, n);
		fuzz_invariant(
			bad == n,
			"guest byte %#zx changed (%#x, was %#x) outside every "
			"writable buffer, the used ring and avail->idx",
			off + bad, now[off + bad], was[bad]);
	}
}

/* ------------------------------------------------------------------ */
/* The descriptor table against a guard page                           */
/* ------------------------------------------------------------------ */

void vring_ref_guard_desc(const struct vring_ref *ref, struct virtq *vr)
{
	static struct guarded copy;
	size_t len = sizeof(struct vring_desc) * ref->size;
	struct range table = {ref->desc, len};
	struct range avail = {ref->avail, 4 + 2 * ref->size + 2};
	struct range used = {
		ref->used, 4 + sizeof(struct vring_used_elem) * ref->size + 2};

	if (overlap(&table, &avail) || overlap(&table, &used))
		return;
	if (!copy.lo)
		guarded_init(&copy, sizeof(struct vring_desc) * VIRTQ_MAX_SIZE,
			     "vring_ref");
	/* The library only reads the table. */
	vr->desc = (struct vring_desc *)(uintptr_t)guarded_copy_end(
		&copy, (const uint8_t *)vr->desc, len);
}
