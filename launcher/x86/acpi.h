/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_ACPI_H
#define LGUEST_X86_ACPI_H

#include <stdint.h>

#include "../guest_mem.h"

/*
 * The ACPI tables we give a Linux guest, and the fixed-hardware ports
 * they describe.  Just enough firmware for three things Linux otherwise
 * cannot do on this machine: power off (S5 through PM1a_CNT), know there
 * is no PS/2 controller (saving a second of probing), and find its
 * interrupt controllers (MADT).  Reboot goes through the FADT reset
 * register, which is the i8042 reset port.
 */
#define ACPI_PM1A_EVT	0x600	/* PM1 status (2 bytes) + enable (2) */
#define ACPI_PM1A_CNT	0x604	/* PM1 control, 2 bytes */
#define ACPI_SCI_IRQ	9
#define ACPI_S5_TYP	5	/* SLP_TYP value our \_S5 declares */

/* xAPIC IDs 0..253: 0xff is the broadcast and the IOAPIC takes one. */
#define ACPI_MAX_CPUS	254

/*
 * Write the tables, with `ncpus` processors in the MADT, at their fixed
 * place; returns the RSDP's address, or 0 (no room, or ncpus outside
 * 1..ACPI_MAX_CPUS).
 */
uint64_t acpi_write_tables(const struct guest_mem *m, unsigned int ncpus);

/* Checksum helper, exposed for the unit tests: sum of bytes mod 256. */
uint8_t acpi_sum(const void *p, uint64_t len);

#endif
