// SPDX-License-Identifier: GPL-2.0
/*
 * --stats tables: each (kind, address) keeps its own count and time,
 * merging adds per key, a full table spills into the overflow entry
 * instead of losing exits, and the report names devices and puts the
 * costliest first.
 */
#include "exit_stats.h"
#include "unit_helpers.h"

static struct exit_stats a, b;

static void setup(void)
{
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
}

static void ignore(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
		   bool is_write)
{
	(void)dev, (void)offset, (void)data, (void)len, (void)is_write;
}

START_TEST(test_keys_apart)
{
	const struct exit_stat *e;

	exit_stats_add(&a, EXIT_KIND_PIO_OUT, 0x3f8, 100);
	exit_stats_add(&a, EXIT_KIND_PIO_OUT, 0x3f8, 50);
	exit_stats_add(&a, EXIT_KIND_PIO_IN, 0x3f8, 7);
	exit_stats_add(&a, EXIT_KIND_MMIO_WRITE, 0x3f8, 9);
	e = exit_stats_find(&a, EXIT_KIND_PIO_OUT, 0x3f8);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->count, 2);
	ck_assert_uint_eq(e->ns, 150);
	e = exit_stats_find(&a, EXIT_KIND_PIO_IN, 0x3f8);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->count, 1);
	ck_assert_uint_eq(e->ns, 7);
	ck_assert_uint_eq(exit_stats_find(&a, EXIT_KIND_MMIO_WRITE, 0x3f8)->ns,
			  9);
	ck_assert_ptr_null(exit_stats_find(&a, EXIT_KIND_MMIO_READ, 0x3f8));
	ck_assert_ptr_null(exit_stats_find(&a, EXIT_KIND_PIO_OUT, 0x3f9));
}
END_TEST

START_TEST(test_merge)
{
	exit_stats_add(&a, EXIT_KIND_PIO_OUT, 0x3f8, 10);
	exit_stats_add(&b, EXIT_KIND_PIO_OUT, 0x3f8, 5);
	exit_stats_add(&b, EXIT_KIND_SIGNAL, 0, 3);
	a.guest_ns = 1000, a.runs = 4;
	b.guest_ns = 500, b.runs = 2;
	exit_stats_merge(&a, &b);
	ck_assert_uint_eq(exit_stats_find(&a, EXIT_KIND_PIO_OUT, 0x3f8)->count,
			  2);
	ck_assert_uint_eq(exit_stats_find(&a, EXIT_KIND_PIO_OUT, 0x3f8)->ns,
			  15);
	ck_assert_uint_eq(exit_stats_find(&a, EXIT_KIND_SIGNAL, 0)->count, 1);
	ck_assert_uint_eq(a.guest_ns, 1500);
	ck_assert_uint_eq(a.runs, 6);
}
END_TEST

/* Every slot used: the next new address is still counted, as overflow. */
START_TEST(test_full_table)
{
	uint64_t i;

	for (i = 0; i < EXIT_STATS_SLOTS; i++)
		exit_stats_add(&a, EXIT_KIND_MMIO_READ, 0xfe000000 + i * 4, 1);
	for (i = 0; i < EXIT_STATS_SLOTS; i++)
		ck_assert_ptr_nonnull(exit_stats_find(&a, EXIT_KIND_MMIO_READ,
						      0xfe000000 + i * 4));
	exit_stats_add(&a, EXIT_KIND_PIO_OUT, 0x80, 42);
	ck_assert_ptr_null(exit_stats_find(&a, EXIT_KIND_PIO_OUT, 0x80));
	ck_assert_uint_eq(a.overflow.count, 1);
	ck_assert_uint_eq(a.overflow.ns, 42);
}
END_TEST

static char *report(const struct bus *pio, const struct bus *mmio)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(f);
	exit_stats_print(f, &a, pio, mmio, 250000, 2000000);
	fclose(f);
	return text;
}

START_TEST(test_report)
{
	static struct bus pio, mmio;
	char *text;
	const char *uart, *rtc, *nobody;

	memset(&pio, 0, sizeof(pio));
	memset(&mmio, 0, sizeof(mmio));
	ck_assert_int_eq(bus_register(&pio, 0x3f8, 8, ignore, NULL, "com1"), 0);
	ck_assert_int_eq(bus_register(&pio, 0x70, 2, ignore, NULL, "rtc"), 0);
	exit_stats_add(&a, EXIT_KIND_PIO_IN, 0x71, 1000);
	exit_stats_add(&a, EXIT_KIND_PIO_OUT, 0x3f8, 3000000);
	exit_stats_add(&a, EXIT_KIND_MMIO_READ, 0xfee00000, 2000);
	a.guest_ns = 1500000, a.runs = 3;
	text = report(&pio, &mmio);
	ck_assert_ptr_nonnull(strstr(text, "0.250 ms set-up"));
	ck_assert_ptr_nonnull(strstr(text, "2.000 ms wall"));
	ck_assert_ptr_nonnull(strstr(text, "1.500 ms in KVM_RUN (3 calls)"));
	ck_assert_ptr_nonnull(strstr(text, "3.003 ms handling 3 exits"));
	uart = strstr(text, "pio out     0x3f8        com1");
	rtc = strstr(text, "pio in      0x71         rtc");
	nobody = strstr(text, "mmio read   0xfee00000   (nobody)");
	ck_assert_ptr_nonnull(uart);
	ck_assert_ptr_nonnull(rtc);
	ck_assert_ptr_nonnull(nobody);
	/* Most time first. */
	ck_assert_int_lt(uart - text, nobody - text);
	ck_assert_int_lt(nobody - text, rtc - text);
	free(text);
}
END_TEST

static Suite *exit_stats_suite(void)
{
	Suite *s = suite_create("exit_stats");
	TCase *tc = tcase_create("exit_stats");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_keys_apart);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_full_table);
	tcase_add_test(tc, test_report);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(exit_stats_suite());
}
