/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_FUZZ_VRING_REF_H
#define LGUEST_FUZZ_VRING_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "virtio/vring.h"

/*
 * A second opinion on the split ring, for the vring target.  The rules
 * of virtio 1.x section 2.7 and lguest's limits (virtio/vring.h) are
 * stated again here, written apart from launcher/virtio/vring.c and
 * reading guest memory only at the guest-physical addresses the driver
 * chose: the target asks the library, asks this model, and aborts when
 * they disagree.  So a check weakened by one, removed or moved, whose
 * wrong access still lands inside guest RAM and faults nowhere, shows
 * up as a verdict or a segment the model does not share; a check made
 * too strict shows up the same way.  Pure: no I/O, memory passed in.
 */
struct vring_ref {
	const struct guest_mem *mem;
	uint16_t size;
	uint64_t desc, avail, used; /* guest-physical, as the driver set them */
	bool indirect, event_idx;
	uint16_t last_avail, used_idx; /* what the device has taken, returned */
	uint16_t signalled; /* used index at the last interrupt */
	bool signalled_valid;
};

/*
 * virtq_setup() with the same arguments, then the model's verdict on
 * them; aborts when they differ.  Returns virtq_setup()'s result.
 */
int vring_ref_setup(struct vring_ref *ref, struct virtq *vr,
		    const struct guest_mem *m, uint16_t size, uint64_t desc,
		    uint64_t avail, uint64_t used, uint64_t features,
		    struct lg_error *err);

/* The device's indices after earlier traffic (hdr.start_idx). */
void vring_ref_start(struct vring_ref *ref, uint16_t idx);

/*
 * virtq_pop(), virtq_unpop(), virtq_push(), virtq_should_interrupt(),
 * virtq_notify_off() and virtq_notify_on(), each checked against the
 * model right after it ran, before anything else touches guest memory.
 */
int vring_ref_pop(struct vring_ref *ref, struct virtq *vr,
		  struct virtq_chain *c, struct lg_error *err);
void vring_ref_unpop(struct vring_ref *ref, struct virtq *vr);
int vring_ref_push(struct vring_ref *ref, struct virtq *vr, uint16_t head,
		   uint32_t written, struct lg_error *err);
bool vring_ref_should_interrupt(struct vring_ref *ref, struct virtq *vr);
void vring_ref_notify_off(struct vring_ref *ref, struct virtq *vr);
bool vring_ref_notify_on(struct vring_ref *ref, struct virtq *vr);

/*
 * What a device or the ring library writes to guest RAM: only the
 * writable buffers of requests the guest published, the used ring, and
 * (the target, as the guest publishing) avail->idx.  vring_ref_watch_start()
 * once the ring is set up, vring_ref_watch() before every round of
 * serving with the device's next entry, vring_ref_check_writes() at the
 * end with the guest RAM image the input started from: it aborts when
 * any other byte changed.  A device that writes one byte past a buffer,
 * or a used element in the wrong place, is caught even where the byte
 * lands inside guest RAM.  Inputs whose buffers or used ring overlap the
 * rings (writes could change what is taken next) are not judged.
 */
void vring_ref_watch_start(struct vring_ref *ref);
void vring_ref_watch(struct vring_ref *ref, uint16_t next);
void vring_ref_check_writes(const struct vring_ref *ref, const uint8_t *image,
			    size_t len);

/*
 * The library reads descriptor i at vr->desc + i: after a successful
 * setup, give it a copy of the table that ends at a guard page, so that
 * reading one entry past the table faults even where the guest's next
 * bytes (the avail ring, in Linux's layout) make a plausible descriptor.
 * Not when the avail or used ring overlaps the table: publishing and
 * pushes would change the table under the copy.
 */
void vring_ref_guard_desc(const struct vring_ref *ref, struct virtq *vr);

#endif
