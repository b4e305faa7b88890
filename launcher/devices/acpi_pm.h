/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_ACPI_PM_H
#define LGUEST_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "../stop.h"

/*
 * ACPI PM1a fixed hardware: the event block (status, enable) and the
 * control register.  We never raise an SCI, so status stays clear; the
 * one thing that matters is the guest writing SLP_EN with our S5 sleep
 * type, which is how Linux powers off.
 */
struct acpi_pm {
	uint16_t enable;
	uint16_t control;
	struct vm_stop *stop;
};

#define ACPI_PM_LEN 6	/* PM1a_EVT (4 bytes) then PM1a_CNT (2) */

void acpi_pm_init(struct acpi_pm *pm, struct vm_stop *stop);
void acpi_pm_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
		bool is_write);

#endif
