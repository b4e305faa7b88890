/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_EXIT_STATS_H
#define LGUEST_EXIT_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "bus.h"

/*
 * --stats: what each KVM_RUN return cost, by kind and address (port or
 * guest-physical MMIO address), in count and nanoseconds spent handling
 * it, plus the time spent inside KVM_RUN.  One table per vCPU, written
 * only by its own thread, merged and printed after the guest stops.
 */
enum exit_kind {
	EXIT_KIND_PIO_IN,
	EXIT_KIND_PIO_OUT,
	EXIT_KIND_MMIO_READ,
	EXIT_KIND_MMIO_WRITE,
	EXIT_KIND_SIGNAL, /* KVM_RUN ended by a signal (EINTR) */
	EXIT_KIND_OTHER, /* any other exit reason: addr is the reason */
	EXIT_KINDS
};

#define EXIT_STATS_SLOTS 256 /* a power of two */

struct exit_stat {
	uint64_t count, ns;
	uint64_t addr;
	uint8_t kind;
	uint8_t used;
};

struct exit_stats {
	struct exit_stat slot[EXIT_STATS_SLOTS];
	struct exit_stat overflow; /* addresses past a full table */
	uint64_t guest_ns; /* inside KVM_RUN */
	uint64_t runs; /* KVM_RUN calls */
};

void exit_stats_add(struct exit_stats *s, enum exit_kind kind, uint64_t addr,
		    uint64_t ns);
/* Adds every entry of `from` to `into`. */
void exit_stats_merge(struct exit_stats *into, const struct exit_stats *from);
/* The entry for (kind, addr), or NULL if there was none. */
const struct exit_stat *exit_stats_find(const struct exit_stats *s,
					enum exit_kind kind, uint64_t addr);

/*
 * The report: the launcher's set-up time (its start to the first
 * KVM_RUN) and totals, then one line per (kind, address), most time
 * first, named after the device the bus routes that address to.
 */
void exit_stats_print(FILE *f, const struct exit_stats *s,
		      const struct bus *pio, const struct bus *mmio,
		      uint64_t setup_ns, uint64_t wall_ns);

#endif
