// SPDX-License-Identifier: GPL-2.0
/*
 * The device table (launcher/device_table.h): lookups by device and by
 * option, names that cannot clash, the sandbox's roles taken from it, and
 * every option documented in lguest(1).  Run from the repository root.
 */
#include <check.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_table.h"
#include "sandbox.h"

START_TEST(test_lookup_by_option)
{
	const struct lg_device_option *opt = NULL;
	const struct lg_device *d = lg_device_by_option("block-ro", &opt);

	ck_assert(d && opt);
	ck_assert_str_eq(d->name, "virtio-blk");
	ck_assert_int_eq(d->virtio_id, VIRTIO_ID_BLOCK);
	ck_assert(opt->read_only && opt->arg == LG_ARG_DISK);
	d = lg_device_by_option("block", &opt);
	ck_assert(d && !opt->read_only);
	d = lg_device_by_option("sharenet", &opt);
	ck_assert_str_eq(d->name, "virtio-net");
	ck_assert(d->network && opt->arg == LG_ARG_SOCKET);
	d = lg_device_by_option("virtio-console", &opt);
	ck_assert(d->console && d->qemu == LG_QEMU_CONSOLE);
	ck_assert_ptr_null(lg_device_by_option("floppy", &opt));
	ck_assert_ptr_null(lg_device_by_option("virtio-blk", &opt));
	ck_assert_ptr_null(lg_device_by_option("", &opt));
}
END_TEST

/* No two devices or options share a name: a lookup finds the one. */
START_TEST(test_names_unique)
{
	const struct lg_device_option *opt;
	size_t i, j;

	for (i = 0; i < lg_devices_len; i++) {
		const struct lg_device *d = &lg_devices[i];

		ck_assert_ptr_eq(lg_device_by_name(d->name), d);
		ck_assert(d->options[0].name);
		ck_assert(d->qemu != LG_QEMU_DEVICE || d->qemu_device);
		for (j = 0; j < LG_DEVICE_MAX_OPTIONS; j++) {
			if (!d->options[j].name)
				continue;
			ck_assert_ptr_eq(
				lg_device_by_option(d->options[j].name, &opt),
				d);
			ck_assert_ptr_eq(opt, &d->options[j]);
		}
	}
	ck_assert_ptr_null(lg_device_by_name("block"));
}
END_TEST

/* The queue threads' roles are the table's. */
START_TEST(test_sandbox_roles)
{
	enum sandbox_role role;
	size_t i;

	for (i = 0; i < lg_devices_len; i++) {
		role = SANDBOX_ROLES;
		ck_assert_int_eq(sandbox_device_role(lg_devices[i].name, &role),
				 0);
		ck_assert_int_eq(role, lg_devices[i].role);
	}
	ck_assert_int_eq(sandbox_device_role("virtio-9p", &role), -1);
	ck_assert_int_eq(lg_device_by_name("virtio-fs")->role,
			 SANDBOX_VIRTIO_FS);
	ck_assert_int_eq(lg_device_by_name("virtio-rng")->role,
			 SANDBOX_VIRTIO_RNG);
}
END_TEST

START_TEST(test_option_list)
{
	char buf[256], tiny[8];
	size_t n = lg_device_option_list(buf, sizeof(buf));

	ck_assert_str_eq(buf, "block, block-ro, rng, virtio-console, tunnet, "
			      "sharenet, fs");
	ck_assert_int_eq(n, strlen(buf));
	ck_assert_int_eq(lg_device_option_list(tiny, sizeof(tiny)), n);
	ck_assert_str_eq(tiny, "block, ");
}
END_TEST

/* lguest(1) documents every option as `--NAME`. */
START_TEST(test_options_documented)
{
	static char text[1 << 20];
	FILE *f = fopen("README.md", "r");
	char want[64];
	size_t n, i, j;

	ck_assert_msg(f != NULL, "README.md: run from the repository root");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (i = 0; i < lg_devices_len; i++)
		for (j = 0; j < LG_DEVICE_MAX_OPTIONS; j++) {
			const struct lg_device_option *o =
				&lg_devices[i].options[j];

			if (!o->name)
				continue;
			snprintf(want, sizeof(want), "`--%s%s", o->name,
				 o->arg == LG_ARG_NONE ? "`" : "=");
			ck_assert_msg(strstr(text, want),
				      "README.md does not document %s", want);
		}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("device_table");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_lookup_by_option);
	tcase_add_test(tc, test_names_unique);
	tcase_add_test(tc, test_sandbox_roles);
	tcase_add_test(tc, test_option_list);
	tcase_add_test(tc, test_options_documented);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
