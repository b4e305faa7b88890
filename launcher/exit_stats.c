// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "exit_stats.h"

static const char *const kind_names[EXIT_KINDS] = {
	[EXIT_KIND_PIO_IN] = "pio in",
	[EXIT_KIND_PIO_OUT] = "pio out",
	[EXIT_KIND_MMIO_READ] = "mmio read",
	[EXIT_KIND_MMIO_WRITE] = "mmio write",
	[EXIT_KIND_SIGNAL] = "signal",
	[EXIT_KIND_OTHER] = "exit reason",
};

static unsigned int slot_hash(enum exit_kind kind, uint64_t addr)
{
	uint64_t h = (addr ^ ((uint64_t)kind << 56)) * 0x9e3779b97f4a7c15ULL;

	return (unsigned int)(h >> 56) & (EXIT_STATS_SLOTS - 1);
}

/* Open addressing: the slot of (kind, addr), or a free one, or NULL. */
static struct exit_stat *slot_for(struct exit_stats *s, enum exit_kind kind,
				  uint64_t addr)
{
	unsigned int i, h = slot_hash(kind, addr);

	for (i = 0; i < EXIT_STATS_SLOTS; i++) {
		struct exit_stat *e =
			&s->slot[(h + i) & (EXIT_STATS_SLOTS - 1)];

		if (!e->used || (e->kind == kind && e->addr == addr))
			return e;
	}
	return NULL;
}

static void stat_add(struct exit_stats *s, enum exit_kind kind, uint64_t addr,
		     uint64_t count, uint64_t ns)
{
	struct exit_stat *e = slot_for(s, kind, addr);

	if (!e)
		e = &s->overflow;
	else if (!e->used)
		*e = (struct exit_stat){.addr = addr, .kind = kind, .used = 1};
	e->count += count;
	e->ns += ns;
}

void exit_stats_add(struct exit_stats *s, enum exit_kind kind, uint64_t addr,
		    uint64_t ns)
{
	stat_add(s, kind, addr, 1, ns);
}

void exit_stats_merge(struct exit_stats *into, const struct exit_stats *from)
{
	unsigned int i;

	for (i = 0; i < EXIT_STATS_SLOTS; i++) {
		const struct exit_stat *e = &from->slot[i];

		if (e->used)
			stat_add(into, e->kind, e->addr, e->count, e->ns);
	}
	into->overflow.count += from->overflow.count;
	into->overflow.ns += from->overflow.ns;
	into->guest_ns += from->guest_ns;
	into->runs += from->runs;
}

const struct exit_stat *exit_stats_find(const struct exit_stats *s,
					enum exit_kind kind, uint64_t addr)
{
	const struct exit_stat *e =
		slot_for((struct exit_stats *)s, kind, addr);

	return e && e->used ? e : NULL;
}

static int by_time(const void *a, const void *b)
{
	const struct exit_stat *x = *(const struct exit_stat *const *)a;
	const struct exit_stat *y = *(const struct exit_stat *const *)b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static const char *device_name(const struct exit_stat *e, const struct bus *pio,
			       const struct bus *mmio)
{
	const char *name = NULL;

	if (e->kind == EXIT_KIND_PIO_IN || e->kind == EXIT_KIND_PIO_OUT)
		name = bus_name(pio, e->addr);
	else if (e->kind == EXIT_KIND_MMIO_READ ||
		 e->kind == EXIT_KIND_MMIO_WRITE)
		name = bus_name(mmio, e->addr);
	else
		return "";
	return name ? name : "(nobody)";
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

void exit_stats_print(FILE *f, const struct exit_stats *s,
		      const struct bus *pio, const struct bus *mmio,
		      uint64_t setup_ns, uint64_t wall_ns)
{
	const struct exit_stat *sorted[EXIT_STATS_SLOTS];
	uint64_t exits = 0, handled_ns = 0;
	unsigned int i, n = 0;

	for (i = 0; i < EXIT_STATS_SLOTS; i++)
		if (s->slot[i].used)
			sorted[n++] = &s->slot[i];
	qsort(sorted, n, sizeof(sorted[0]), by_time);
	for (i = 0; i < n; i++) {
		exits += sorted[i]->count;
		handled_ns += sorted[i]->ns;
	}
	exits += s->overflow.count;
	handled_ns += s->overflow.ns;
	fprintf(f,
		"lguest stats: %.3f ms set-up before the first KVM_RUN, %.3f "
		"ms wall from it, %.3f ms in KVM_RUN (%llu calls), %.3f ms "
		"handling %llu exits\n",
		ms(setup_ns), ms(wall_ns), ms(s->guest_ns),
		(unsigned long long)s->runs, ms(handled_ns),
		(unsigned long long)exits);
	fprintf(f, "lguest stats: %-11s %-12s %-14s %10s %11s %9s\n", "kind",
		"address", "device", "count", "ms", "us/exit");
	for (i = 0; i < n; i++) {
		const struct exit_stat *e = sorted[i];

		fprintf(f,
			"lguest stats: %-11s %#-12llx %-14s %10llu %11.3f "
			"%9.2f\n",
			kind_names[e->kind], (unsigned long long)e->addr,
			device_name(e, pio, mmio), (unsigned long long)e->count,
			ms(e->ns), e->ns / 1e3 / e->count);
	}
	if (s->overflow.count)
		fprintf(f, "lguest stats: %-11s %-12s %-14s %10llu %11.3f\n",
			"other", "(table full)", "",
			(unsigned long long)s->overflow.count,
			ms(s->overflow.ns));
}
