// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_platform.h"

static void fake_irq_line(void *ctx, unsigned int irq, int level)
{
	struct fake_platform *fp = ctx;

	if (irq < FAKE_IRQ_LINES)
		fp->irq_level[irq] = level;
}

static int fake_msi_add(void *ctx, int fd)
{
	struct fake_platform *fp = ctx;

	if (fp->nmsi == FAKE_MSI_MAX) {
		errno = ENOSPC;
		return -1;
	}
	fp->msi[fp->nmsi] = (struct fake_msi){ .fd = fd };
	return fp->nmsi++;
}

static int fake_msi_route(void *ctx, int route, uint64_t address,
			  uint32_t data)
{
	struct fake_platform *fp = ctx;
	struct fake_msi *m;

	if (route < 0 || (unsigned int)route >= fp->nmsi) {
		errno = EINVAL;
		return -1;
	}
	m = &fp->msi[route];
	m->address = address;
	m->data = data;
	m->updates++;
	return 0;
}

static struct fake_doorbell *find_doorbell(struct fake_platform *fp,
					   uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < fp->ndoorbells; i++)
		if (fp->doorbell[i].addr == addr)
			return &fp->doorbell[i];
	return NULL;
}

/* As KVM: one doorbell per address, and only an attached one detaches. */
static int fake_doorbell(void *ctx, uint64_t addr, unsigned int len, int fd,
			 bool attach)
{
	struct fake_platform *fp = ctx;
	struct fake_doorbell *d = find_doorbell(fp, addr);

	if (attach && (d || fp->ndoorbells == FAKE_DOORBELLS_MAX)) {
		errno = d ? EEXIST : ENOSPC;
		return -1;
	}
	if (!attach && (!d || d->fd != fd || d->len != len)) {
		errno = ENOENT;
		return -1;
	}
	if (attach)
		fp->doorbell[fp->ndoorbells++] =
			(struct fake_doorbell){ addr, len, fd };
	else
		*d = fp->doorbell[--fp->ndoorbells];
	return 0;
}

static int fake_thread_start(void *ctx, pthread_t *thread,
			     void *(*fn)(void *), void *arg,
			     const char *device)
{
	(void)ctx;
	(void)device;
	return pthread_create(thread, NULL, fn, arg);
}

static void fake_device_broken(void *ctx, const char *line)
{
	struct fake_platform *fp = ctx;

	fp->broken++;
	if (line)
		fprintf(stderr, "lguest: %s\n", line);
	if (fp->strict && fp->stop) {
		vm_request_stop(fp->stop, STOP_DEVICE_ERROR, 0);
		fp->vcpu_kicks++;
	}
}

static const struct platform_ops fake_platform_ops = {
	.irq_line = fake_irq_line,
	.msi_add = fake_msi_add,
	.msi_route = fake_msi_route,
	.doorbell = fake_doorbell,
	.thread_start = fake_thread_start,
	.device_broken = fake_device_broken,
};

void fake_platform_init(struct fake_platform *fp, struct vm_stop *stop,
			bool strict)
{
	memset(fp, 0, sizeof(*fp));
	fp->platform = (struct platform){ &fake_platform_ops, fp };
	fp->stop = stop;
	fp->strict = strict;
}

const struct fake_doorbell *fake_doorbell_at(const struct fake_platform *fp,
					     uint64_t addr)
{
	return find_doorbell((struct fake_platform *)fp, addr);
}

static int unserved_prepare(struct virtio_queue *q, const struct platform *p,
			    struct lg_error *err)
{
	(void)q;
	(void)p;
	(void)err;
	return 0;
}

static void unserved(struct virtio_queue *q)
{
	(void)q;
}

const struct virtio_queue_ops fake_queues_unserved = {
	.prepare = unserved_prepare,
	.start = unserved,
	.stop = unserved,
};
