/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_PORTS_H
#define LGUEST_X86_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus.h"
#include "../devices/rtc.h"
#include "../stop.h"

#define PORT_EXIT	0xf4	/* byte V written here: launcher exits with V */
#define PORT_POST	0x80	/* POST code / I/O delay: ignored */
#define PORT_I8042_DATA	0x60
#define PORT_I8042_CMD	0x64
#define I8042_RESET	0xfe

/* The legacy PC ports a Linux guest touches that we answer ourselves. */
int x86_ports_register(struct bus *io, struct vm_stop *stop, struct rtc *rtc);

void exit_port_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
		  bool is_write);
void i8042_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
	      bool is_write);

#endif
