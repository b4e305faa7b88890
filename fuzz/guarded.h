/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_FUZZ_GUARDED_H
#define LGUEST_FUZZ_GUARDED_H

#include <stddef.h>
#include <stdint.h>

/*
 * Buffers between two PROT_NONE pages, for the builds without ASan.  AFL++
 * hands a target its input in a shared-memory buffer much larger than the
 * input, so a read past the end finds stale bytes and nothing faults; a
 * copy flush against a guard page faults on the first byte beyond.
 */
struct guarded {
	uint8_t *lo; /* first usable byte, just after the low guard */
	size_t cap; /* usable bytes, a whole number of pages */
};

/* Room for cap bytes between guards; exits with a message on failure. */
void guarded_init(struct guarded *g, size_t cap, const char *who);

/* A copy of data[0..len) ending at the high guard (len <= g->cap). */
const uint8_t *guarded_copy_end(struct guarded *g, const uint8_t *data,
				size_t len);

/* A copy starting at the low guard: for code that can read backwards. */
const uint8_t *guarded_copy_start(struct guarded *g, const uint8_t *data,
				  size_t len);

#endif
