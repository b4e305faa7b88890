// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "rtc.h"

#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_WEEKDAY	0x06
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32

#define REG_A_DIVIDER	0x26	/* 32.768 kHz, 1024 Hz; UIP clear */
#define REG_B_24H	0x02	/* 24-hour, BCD, no interrupts */
#define REG_D_VRT	0x80	/* "CMOS battery good" */

void rtc_init(struct rtc *r)
{
	memset(r, 0, sizeof(*r));
}

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t rtc_register(const struct rtc *r, uint8_t reg)
{
	time_t t = r->now ? r->now() : time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return bcd(tm.tm_sec);
	case RTC_MINUTES:
		return bcd(tm.tm_min);
	case RTC_HOURS:
		return bcd(tm.tm_hour);
	case RTC_WEEKDAY:
		return bcd(tm.tm_wday + 1);
	case RTC_DAY:
		return bcd(tm.tm_mday);
	case RTC_MONTH:
		return bcd(tm.tm_mon + 1);
	case RTC_YEAR:
		return bcd(tm.tm_year % 100);
	case RTC_CENTURY:
		return bcd(19 + tm.tm_year / 100);
	case RTC_REG_A:
		return REG_A_DIVIDER;
	case RTC_REG_B:
		return REG_B_24H;
	case RTC_REG_D:
		return REG_D_VRT;
	default:
		return 0;
	}
}

void rtc_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
	    bool is_write)
{
	struct rtc *r = dev;

	if (len != 1) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (offset == 0) {
		if (is_write)
			r->index = data[0] & 0x7f; /* bit 7 masks NMI */
		else
			data[0] = 0xff;
		return;
	}
	if (!is_write)
		data[0] = rtc_register(r, r->index);
}
