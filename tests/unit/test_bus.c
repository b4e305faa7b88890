// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O and MMIO bus: ranges are registered without overlap, and every
 * access reaches exactly one device, with an offset relative to its base,
 * or nobody (reads of all ones, counted as unclaimed).
 */
#include "bus.h"
#include "unit_helpers.h"

/* A device that remembers its last access and answers with its id. */
struct fake_dev {
	uint8_t id;
	unsigned int calls;
	uint64_t offset;
	unsigned int len;
	bool is_write;
	uint8_t written;
};

static void fake_access(void *opaque, uint64_t offset, uint8_t *data,
			unsigned int len, bool is_write)
{
	struct fake_dev *d = opaque;

	d->calls++;
	d->offset = offset;
	d->len = len;
	d->is_write = is_write;
	if (is_write)
		d->written = data[0];
	else
		memset(data, d->id, len);
}

static struct bus bus;
static struct fake_dev uart, rtc, mmio;

/* A small machine: two port ranges and one MMIO window. */
static void setup(void)
{
	memset(&bus, 0, sizeof(bus));
	uart = (struct fake_dev){ .id = 0x11 };
	rtc = (struct fake_dev){ .id = 0x22 };
	mmio = (struct fake_dev){ .id = 0x33 };
	ck_assert_int_eq(bus_register(&bus, 0x3f8, 8, fake_access, &uart,
				      "uart"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x400, 2, fake_access, &rtc,
				      "rtc"), 0);
	ck_assert_int_eq(bus_register(&bus, 0xd0000000, 0x1000, fake_access,
				      &mmio, "mmio"), 0);
}

static const struct {
	const char *name;
	uint64_t base, len;
} refused[] = {
	{ "zero length", 0x500, 0 },
	{ "same range", 0x3f8, 8 },
	{ "inside", 0x3fa, 1 },
	{ "covering", 0x300, 0x200 },
	{ "tail overlaps head", 0x3f0, 9 },
	{ "head overlaps tail", 0x3ff, 1 },
	{ "head overlaps tail of MMIO", 0xd0000fff, 0x10 },
	{ "wraps past 2^64", UINT64_MAX - 3, 8 },
	{ "everything", 0, UINT64_MAX },
};

START_TEST(test_register_refused)
{
	ck_assert_msg(bus_register(&bus, refused[_i].base, refused[_i].len,
				   fake_access, NULL, "bad") == -1,
		      "%s: range accepted", refused[_i].name);
	ck_assert_uint_eq(bus.count, 3);
}
END_TEST

START_TEST(test_register_adjacent)
{
	/* Ranges that only touch do not overlap. */
	ck_assert_int_eq(bus_register(&bus, 0x3f0, 8, fake_access, NULL, "a"),
			 0);
	ck_assert_int_eq(bus_register(&bus, 0x402, 1, fake_access, NULL, "b"),
			 0);
	ck_assert_uint_eq(bus.count, 5);
}
END_TEST

START_TEST(test_register_full)
{
	unsigned int i;

	for (i = bus.count; i < BUS_MAX_RANGES; i++)
		ck_assert_int_eq(bus_register(&bus, 0x1000 + i, 1, fake_access,
					      NULL, "filler"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x2000, 1, fake_access, NULL,
				      "one too many"), -1);
	ck_assert_uint_eq(bus.count, BUS_MAX_RANGES);
}
END_TEST

/* Claimed accesses: which device, at which offset. */
static const struct {
	uint64_t addr;
	unsigned int len;
	struct fake_dev *dev;
	uint64_t offset;
} routed[] = {
	{ 0x3f8, 1, &uart, 0 },
	{ 0x3fd, 1, &uart, 5 },
	{ 0x3fc, 4, &uart, 4 },		/* ends on the last byte */
	{ 0x401, 1, &rtc, 1 },
	{ 0xd0000000, 4, &mmio, 0 },
	{ 0xd0000ff8, 8, &mmio, 0xff8 },
};

START_TEST(test_routed)
{
	uint8_t data[8];
	struct fake_dev *d = routed[_i].dev;

	memset(data, 0, sizeof(data));
	ck_assert(bus_access(&bus, routed[_i].addr, data, routed[_i].len,
			     false));
	ck_assert_uint_eq(d->calls, 1);
	ck_assert_uint_eq(d->offset, routed[_i].offset);
	ck_assert_uint_eq(d->len, routed[_i].len);
	ck_assert(!d->is_write);
	ck_assert(all_bytes(data, d->id, routed[_i].len));

	data[0] = 0x99;
	ck_assert(bus_access(&bus, routed[_i].addr, data, 1, true));
	ck_assert_uint_eq(d->calls, 2);
	ck_assert(d->is_write);
	ck_assert_uint_eq(d->written, 0x99);
	ck_assert_uint_eq(bus.unclaimed, 0);
	ck_assert_uint_eq(uart.calls + rtc.calls + mmio.calls, 2);
}
END_TEST

/* Unclaimed: gaps, and accesses that straddle either end of a range. */
static const struct {
	uint64_t addr;
	unsigned int len;
} unclaimed[] = {
	{ 0x3f7, 1 },
	{ 0x400 + 2, 1 },
	{ 0x3ff, 2 },		/* last byte of the UART plus one */
	{ 0x3f6, 4 },		/* starts before the UART */
	{ 0x401, 2 },
	{ 0xd0000ffc, 8 },
	{ UINT64_MAX, 1 },
};

START_TEST(test_unclaimed)
{
	uint8_t data[8];

	memset(data, 0, sizeof(data));
	ck_assert(!bus_access(&bus, unclaimed[_i].addr, data,
			      unclaimed[_i].len, false));
	ck_assert(all_bytes(data, 0xff, unclaimed[_i].len));
	ck_assert(all_bytes(data + unclaimed[_i].len, 0,
			    sizeof(data) - unclaimed[_i].len));
	ck_assert_uint_eq(bus.unclaimed, 1);

	memset(data, 0x42, sizeof(data));
	ck_assert(!bus_access(&bus, unclaimed[_i].addr, data,
			      unclaimed[_i].len, true));
	/* A write's data is the guest's; a lost write must not alter it. */
	ck_assert(all_bytes(data, 0x42, sizeof(data)));
	ck_assert_uint_eq(bus.unclaimed, 2);
	ck_assert_uint_eq(uart.calls + rtc.calls + mmio.calls, 0);
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("bus");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_register_refused, 0, ARRAY_SIZE(refused));
	tcase_add_test(tc, test_register_adjacent);
	tcase_add_test(tc, test_register_full);
	tcase_add_loop_test(tc, test_routed, 0, ARRAY_SIZE(routed));
	tcase_add_loop_test(tc, test_unclaimed, 0, ARRAY_SIZE(unclaimed));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(bus_suite());
}
