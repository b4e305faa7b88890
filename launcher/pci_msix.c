// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "pci_msix.h"

#define ENTRY_MASKED	PCI_MSIX_ENTRY_CTRL_MASKBIT

static void reset_table(struct msix *x)
{
	unsigned int i;

	for (i = 0; i < x->nvec; i++)
		x->table[i] = (struct msix_entry){ .ctrl = ENTRY_MASKED };
	x->pending = 0;
	x->route_stale = 0;
	x->enabled = false;
	x->function_masked = false;
}

int msix_init(struct msix *x, struct pci_device *d, unsigned int nvec,
	      int bar, uint32_t table_off, uint32_t pba_off,
	      const struct platform *platform)
{
	uint8_t cap[MSIX_CAP_LEN] = { 0 };
	uint32_t v;
	unsigned int i;

	memset(x, 0, sizeof(*x));
	pthread_mutex_init(&x->lock, NULL);
	if (nvec == 0 || nvec > MSIX_MAX_VECTORS) {
		errno = EINVAL;
		return -1;
	}
	x->nvec = nvec;
	x->platform = platform;
	reset_table(x);
	for (i = 0; i < nvec; i++) {
		x->fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (x->fd[i] < 0)
			return -1;
		x->route[i] = platform->ops->msi_add(platform->ctx, x->fd[i]);
		if (x->route[i] < 0)
			return -1;
	}
	v = nvec - 1;				/* table size, N - 1 */
	memcpy(cap + 2, &v, 2);
	v = table_off | bar;
	memcpy(cap + 4, &v, 4);
	v = pba_off | bar;
	memcpy(cap + 8, &v, 4);
	x->cap = pci_add_capability(d, PCI_CAP_ID_MSIX, cap, sizeof(cap));
	if (!x->cap) {
		errno = ENOSPC;
		return -1;
	}
	/* Only "enable" and "function mask" are the guest's to change. */
	d->wmask[x->cap + PCI_MSIX_FLAGS + 1] =
		(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	return 0;
}

static bool vector_deliverable(const struct msix *x, unsigned int v)
{
	return x->enabled && !x->function_masked &&
	       !(x->table[v].ctrl & ENTRY_MASKED);
}

static void fire(const struct msix *x, unsigned int v)
{
	uint64_t one = 1;

	/* A full eventfd counter already means "interrupt owed". */
	if (write(x->fd[v], &one, sizeof(one)) < 0 && errno != EAGAIN)
		return;
}

/* Deliver what became deliverable: called with the lock held. */
static void flush_pending(struct msix *x)
{
	unsigned int v;

	for (v = 0; v < x->nvec; v++) {
		if ((x->pending & (1ULL << v)) && vector_deliverable(x, v)) {
			x->pending &= ~(1ULL << v);
			fire(x, v);
		}
	}
}

void msix_raise(struct msix *x, uint16_t vector)
{
	if (vector >= x->nvec)
		return;
	pthread_mutex_lock(&x->lock);
	if (vector_deliverable(x, vector))
		fire(x, vector);
	else
		x->pending |= 1ULL << vector;
	pthread_mutex_unlock(&x->lock);
}

/*
 * Replacing KVM's routing table waits for an RCU grace period, so only
 * do it for an entry that can fire: Linux fills an entry while it is
 * masked and then unmasks it, which costs one update, not four.
 */
static void update_route(struct msix *x, unsigned int v)
{
	const struct msix_entry *e = &x->table[v];

	if ((e->ctrl & ENTRY_MASKED) || !(x->route_stale & (1ULL << v)))
		return;
	x->route_stale &= ~(1ULL << v);
	x->platform->ops->msi_route(x->platform->ctx, x->route[v],
				    (uint64_t)e->addr_hi << 32 | e->addr_lo,
				    e->data);
}

/*
 * Table entries are four dwords; Linux writes them one dword at a time
 * and 64-bit accesses are allowed too, so work per dword.
 */
void msix_table_access(struct msix *x, uint64_t offset, uint8_t *data,
		       unsigned int len, bool is_write)
{
	unsigned int v = offset / MSIX_ENTRY_SIZE;
	uint8_t *entry;

	if (v >= x->nvec || offset % 4 || (len != 4 && len != 8) ||
	    offset % MSIX_ENTRY_SIZE + len > MSIX_ENTRY_SIZE) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&x->lock);
	entry = (uint8_t *)&x->table[v] + offset % MSIX_ENTRY_SIZE;
	if (!is_write) {
		memcpy(data, entry, len);
	} else {
		struct msix_entry before = x->table[v];

		memcpy(entry, data, len);
		x->table[v].ctrl &= ENTRY_MASKED;
		/* Address and data are the first 12 bytes; ctrl the last 4. */
		if (memcmp(&before, &x->table[v], 12))
			x->route_stale |= 1ULL << v;
		update_route(x, v);
		flush_pending(x);
	}
	pthread_mutex_unlock(&x->lock);
}

void msix_pba_read(struct msix *x, uint64_t offset, uint8_t *data,
		   unsigned int len)
{
	uint64_t pending;

	pthread_mutex_lock(&x->lock);
	pending = x->pending;
	pthread_mutex_unlock(&x->lock);
	memset(data, 0, len);
	if (offset < 8)
		memcpy(data, (uint8_t *)&pending + offset,
		       len < 8 - offset ? len : 8 - offset);
}

void msix_control_written(struct msix *x, const struct pci_device *d)
{
	uint16_t ctl = pci_cfg_read(d, x->cap + PCI_MSIX_FLAGS, 2);

	pthread_mutex_lock(&x->lock);
	x->enabled = ctl & PCI_MSIX_FLAGS_ENABLE;
	x->function_masked = ctl & PCI_MSIX_FLAGS_MASKALL;
	flush_pending(x);
	pthread_mutex_unlock(&x->lock);
}

void msix_reset(struct msix *x, struct pci_device *d)
{
	pthread_mutex_lock(&x->lock);
	reset_table(x);
	pthread_mutex_unlock(&x->lock);
	pci_cfg_set(d, x->cap + PCI_MSIX_FLAGS, 2, x->nvec - 1);
}
