// SPDX-License-Identifier: GPL-2.0
/*
 * Small legacy ports.  0xF4 is the guest's way to end the launcher with a
 * status, as kvm-unit-tests' isa-debug-exit port is (but the value is the
 * status itself, not QEMU's (V << 1) | 1).  The i8042 keyboard controller
 * matters only because Linux reboots by pulsing its reset line, and waits
 * on its status register first: it always reads as "ready, no data".
 */
#include <string.h>

#include "../devices/rtc.h"
#include "ports.h"

void exit_port_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
		  bool is_write)
{
	(void)offset;
	if (is_write)
		vm_request_stop(dev, STOP_EXIT_PORT, data[0]);
	else
		memset(data, 0xff, len);
}

void i8042_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
	      bool is_write)
{
	uint64_t port = PORT_I8042_DATA + offset;

	if (!is_write) {
		/* Status: input and output buffers empty.  Data: nothing. */
		memset(data, port == PORT_I8042_CMD || port == PORT_I8042_DATA ?
			       0 : 0xff, len);
		return;
	}
	if (port == PORT_I8042_CMD && data[0] == I8042_RESET)
		vm_request_stop(dev, STOP_RESET, 0);
}

static void ignore_io(void *dev, uint64_t offset, uint8_t *data,
		      unsigned int len, bool is_write)
{
	(void)dev;
	(void)offset;
	if (!is_write)
		memset(data, 0xff, len);
}

int x86_ports_register(struct bus *io, struct vm_stop *stop, struct rtc *rtc)
{
	if (bus_register(io, PORT_EXIT, 1, exit_port_io, stop, "exit") ||
	    bus_register(io, PORT_I8042_DATA, 5, i8042_io, stop, "i8042") ||
	    bus_register(io, PORT_POST, 1, ignore_io, NULL, "post") ||
	    bus_register(io, RTC_PORT_BASE, 2, rtc_io, rtc, "rtc"))
		return -1;
	return 0;
}
