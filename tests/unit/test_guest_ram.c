// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM made shareable for a vhost-user back-end: after
 * host_mem_share() the launcher's own mapping and a second mapping of
 * the memfd (what the back-end does) see the same bytes both ways, the
 * range is fresh (nothing leaks from before), the fd is close-on-exec
 * and as big as RAM.  And gmem_regions() lists guest RAM around the PCI
 * hole with the offsets the back-end maps it at.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "host_mem.h"
#include "unit_helpers.h"

#define RAM_BYTES (4 * MiB)

static uint8_t *map_private(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

START_TEST(test_share_same_pages)
{
	uint8_t *ram = map_private(RAM_BYTES), *peer;
	struct lg_error err;
	struct stat st;
	int fd;

	memset(ram, 0x5a, RAM_BYTES);
	fd = host_mem_share(ram, RAM_BYTES, &err);
	ck_assert_msg(fd >= 0, "%s", err.msg);
	ck_assert_uint_eq(ram[0], 0); /* a fresh range */
	ck_assert_uint_eq(ram[RAM_BYTES - 1], 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, RAM_BYTES);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);

	peer = mmap(NULL, RAM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(peer, MAP_FAILED);
	ram[12345] = 0xa1;
	ck_assert_uint_eq(peer[12345], 0xa1);
	peer[RAM_BYTES - 7] = 0xb2;
	ck_assert_uint_eq(ram[RAM_BYTES - 7], 0xb2);
	munmap(peer, RAM_BYTES);
	close(fd);
	munmap(ram, RAM_BYTES);
}
END_TEST

START_TEST(test_share_refuses_nothing)
{
	uint8_t *ram = map_private(RAM_BYTES);
	struct lg_error err;

	ck_assert_int_eq(host_mem_share(ram, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "range to share"));
	ck_assert_int_eq(host_mem_share(ram + 1, 4096, &err), -1);
	munmap(ram, RAM_BYTES);
}
END_TEST

static const struct region_case {
	uint64_t size, low_limit;
	unsigned int n;
	struct gmem_region r[GMEM_MAX_REGIONS];
} regions[] = {
	{512 * MiB, 3072 * MiB, 1, {{0, 512 * MiB, 0}}},
	{3072 * MiB, 3072 * MiB, 1, {{0, 3072 * MiB, 0}}},
	{4096 * MiB,
	 3072 * MiB,
	 2,
	 {{0, 3072 * MiB, 0}, {GMEM_HIGH_BASE, 1024 * MiB, 3072 * MiB}}},
};

START_TEST(test_regions)
{
	const struct region_case *c = &regions[_i];
	struct gmem_region r[GMEM_MAX_REGIONS];
	struct guest_mem m;
	unsigned int i;

	gmem_init(&m, NULL, c->size, c->low_limit);
	ck_assert_uint_eq(gmem_regions(&m, r), c->n);
	for (i = 0; i < c->n; i++) {
		ck_assert_uint_eq(r[i].gpa, c->r[i].gpa);
		ck_assert_uint_eq(r[i].size, c->r[i].size);
		ck_assert_uint_eq(r[i].offset, c->r[i].offset);
	}
}
END_TEST

static Suite *guest_ram_suite(void)
{
	Suite *s = suite_create("guest_ram");
	TCase *tc = unit_tcase(s, "guest_ram", NULL, NULL);

	tcase_add_test(tc, test_share_same_pages);
	tcase_add_test(tc, test_share_refuses_nothing);
	tcase_add_loop_test(tc, test_regions, 0, ARRAY_SIZE(regions));
	return s;
}

int main(void)
{
	return run_suite(guest_ram_suite());
}
