/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_IRQ_H
#define LGUEST_IRQ_H

/*
 * How a device raises an interrupt without knowing about KVM: the backend
 * supplies set_level (KVM_IRQ_LINE), the unit tests a recorder.
 */
struct irq_sink {
	void (*set_level)(void *ctx, unsigned int irq, int level);
	void *ctx;
};

#endif
