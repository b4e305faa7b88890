// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "../x86/acpi.h"
#include "acpi_pm.h"

#define PM1_SCI_EN	0x0001
#define PM1_SLP_TYP(v)	(((v) >> 10) & 7)
#define PM1_SLP_EN	0x2000

#define OFF_STATUS	0
#define OFF_ENABLE	2
#define OFF_CONTROL	4

void acpi_pm_init(struct acpi_pm *pm, struct vm_stop *stop)
{
	memset(pm, 0, sizeof(*pm));
	pm->stop = stop;
}

/* The three 16-bit registers as one little-endian byte image. */
static void registers(const struct acpi_pm *pm, uint8_t regs[ACPI_PM_LEN])
{
	uint16_t control = pm->control | PM1_SCI_EN;

	memset(regs, 0, ACPI_PM_LEN);
	memcpy(regs + OFF_ENABLE, &pm->enable, 2);
	memcpy(regs + OFF_CONTROL, &control, 2);
}

void acpi_pm_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
		bool is_write)
{
	struct acpi_pm *pm = dev;
	uint8_t regs[ACPI_PM_LEN];

	registers(pm, regs);
	if (offset + len > ACPI_PM_LEN) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (!is_write) {
		memcpy(data, regs + offset, len);
		return;
	}
	/* Status bits are write-one-to-clear and none are ever set. */
	memcpy(regs + offset, data, len);
	memcpy(&pm->enable, regs + OFF_ENABLE, 2);
	memcpy(&pm->control, regs + OFF_CONTROL, 2);
	pm->control &= ~PM1_SLP_EN;
	if (offset + len > OFF_CONTROL) {
		uint16_t written;

		memcpy(&written, regs + OFF_CONTROL, 2);
		if ((written & PM1_SLP_EN) &&
		    PM1_SLP_TYP(written) == ACPI_S5_TYP)
			vm_request_stop(pm->stop, STOP_POWER_OFF, 0);
	}
}
