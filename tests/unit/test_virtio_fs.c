// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-fs's command line and configuration: --fs=SOCKET:TAG and
 * --share=HOSTDIR:TAG[:ro] split at the right ':', with paths that hold
 * colons, the ":ro" suffix told apart from a tag called "ro", and every
 * malformed argument refused with a message naming the option; and the
 * configuration laid out as the virtio spec says (36-byte NUL-padded
 * tag, little-endian queue count at offset 36).
 */
#include "devices/virtio_fs.h"
#include "unit_helpers.h"

static const struct parse_case {
	bool share;
	const char *arg;
	int rc;
	const char *where, *tag; /* or the error's text */
	bool ro;
} cases[] = {
	{false, "/run/vfs.sock:myfs", 0, "/run/vfs.sock", "myfs", false},
	{false, "/run/a:b.sock:myfs", 0, "/run/a:b.sock", "myfs", false},
	{false, "/run/vfs.sock:0123456789abcdef0123456789abcdef0123", 0,
	 "/run/vfs.sock", "0123456789abcdef0123456789abcdef0123", false},
	{false, "/run/vfs.sock:0123456789abcdef0123456789abcdef01234", -1,
	 "--fs: the tag must be 1 to 36 bytes in "
	 "'/run/vfs.sock:0123456789abcdef0123456789abcdef01234'",
	 NULL, false},
	{false, "/run/vfs.sock", -1, "--fs: no ':TAG' in '/run/vfs.sock'", NULL,
	 false},
	{false, "/run/vfs.sock:", -1, "the tag must be 1 to 36 bytes", NULL,
	 false},
	{false, ":myfs", -1, "--fs: empty path before the tag in ':myfs'", NULL,
	 false},
	{true, "/srv/data:data", 0, "/srv/data", "data", false},
	{true, "/srv/data:data:ro", 0, "/srv/data", "data", true},
	{true, "/srv/data:ro", 0, "/srv/data", "ro", false},
	{true, "/srv/a:b:data:ro", 0, "/srv/a:b", "data", true},
	{true, "/srv/data:ro:ro", 0, "/srv/data", "ro", true},
	{true, "/srv/data::ro", -1,
	 "--share: the tag must be 1 to 36 bytes in '/srv/data::ro'", NULL,
	 false},
	{true, ":data:ro", -1, "empty path before the tag", NULL, false},
	{true, "/srv/data", -1, "--share: no ':TAG' in '/srv/data'", NULL,
	 false},
};

START_TEST(test_parse)
{
	const struct parse_case *c = &cases[_i];
	struct lg_error err = {""};
	struct virtio_fs_args a;
	int rc = c->share ? virtio_fs_parse_share(c->arg, &a, &err)
			  : virtio_fs_parse_fs(c->arg, &a, &err);

	ck_assert_msg(rc == c->rc, "%s: returned %d (%s)", c->arg, rc, err.msg);
	if (rc) {
		ck_assert_msg(strstr(err.msg, c->where), "%s: said '%s'",
			      c->arg, err.msg);
		return;
	}
	ck_assert_str_eq(a.where, c->where);
	ck_assert_str_eq(a.tag, c->tag);
	ck_assert_int_eq(a.read_only, c->ro);
}
END_TEST

START_TEST(test_path_too_long)
{
	static char arg[VIRTIO_FS_PATH_MAX + 16];
	struct lg_error err = {""};
	struct virtio_fs_args a;

	memset(arg, 'a', VIRTIO_FS_PATH_MAX);
	strcpy(arg + VIRTIO_FS_PATH_MAX, ":tag");
	ck_assert_int_eq(virtio_fs_parse_share(arg, &a, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "--share: path too long"));
	arg[VIRTIO_FS_PATH_MAX - 1] = ':';
	arg[VIRTIO_FS_PATH_MAX] = 0;
	ck_assert_int_eq(virtio_fs_parse_fs(arg, &a, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "tag must be"));
}
END_TEST

START_TEST(test_config_layout)
{
	struct virtio_fs_config cfg;
	uint8_t want[40] = {'h', 'o', 's', 't'};

	ck_assert_uint_eq(sizeof(cfg), 40);
	memset(&cfg, 0xee, sizeof(cfg));
	virtio_fs_config(&cfg, "host", 0x01020304);
	want[36] = 4;
	want[37] = 3;
	want[38] = 2;
	want[39] = 1;
	ck_assert(!memcmp(&cfg, want, sizeof(want)));
	virtio_fs_config(&cfg, "0123456789abcdef0123456789abcdef0123", 1);
	ck_assert(!memcmp(cfg.tag, "0123456789abcdef0123456789abcdef0123", 36));
	ck_assert_uint_eq(((uint8_t *)&cfg)[36], 1);
}
END_TEST

static Suite *virtio_fs_suite(void)
{
	Suite *s = suite_create("virtio_fs");
	TCase *tc = unit_tcase(s, "virtio_fs", NULL, NULL);

	tcase_add_loop_test(tc, test_parse, 0, ARRAY_SIZE(cases));
	tcase_add_test(tc, test_path_too_long);
	tcase_add_test(tc, test_config_layout);
	return s;
}

int main(void)
{
	return run_suite(virtio_fs_suite());
}
