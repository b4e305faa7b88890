/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_RTC_H
#define LGUEST_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define RTC_PORT_BASE 0x70

/*
 * The MC146818 CMOS clock, read-only: Linux reads the wall clock from it
 * at boot and its rtc-cmos driver probes it.  An absent RTC reads as 0xff,
 * which claims "update in progress" forever, so we answer with the host's
 * time in UTC.  CMOS RAM beyond the clock reads as zero.
 */
struct rtc {
	uint8_t index;
	time_t (*now)(void);	/* time source; tests pin it */
};

void rtc_init(struct rtc *r);
void rtc_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
	    bool is_write);

#endif
