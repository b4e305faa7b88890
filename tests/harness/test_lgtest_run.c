// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts without booting anything: what a runner's stderr says of a
 * set-up error, and the boot files checked before any runner starts.
 */
#include <sys/wait.h>

#include "harness_test.h"
#include "runner.h"

static void cause_is(const char *stderr_text, const char *want)
{
	char out[256];

	runner_cause(stderr_text, out, sizeof(out));
	ck_assert_msg(!strcmp(out, want), "'%s' from '%s', want '%s'", out,
		      stderr_text ? stderr_text : "(null)", want);
}

/* The runner's own last word, not lgtest's pointer to it. */
START_TEST(test_runner_cause)
{
	cause_is("fake-qemu: cannot start\nlgtest: qemu ended before the "
		 "guest started (see its messages above)\n",
		 "fake-qemu: cannot start");
	cause_is("qemu-system-x86_64: warning: x\nqemu-system-x86_64: "
		 "-bogus: invalid option\r\n\n  \n",
		 "qemu-system-x86_64: -bogus: invalid option");
	cause_is("lguest: cannot open /dev/kvm: No such file or directory",
		 "lguest: cannot open /dev/kvm: No such file or directory");
	/* Only lgtest's lines: the last of them. */
	cause_is("lgtest: cannot run /nope: No such file or directory\n",
		 "lgtest: cannot run /nope: No such file or directory");
	cause_is("\n\n", "");
	cause_is("", "");
	cause_is(NULL, "");
}
END_TEST

/* A set-up error carries the cause; a guest writing 1 to port 0xf4 not. */
START_TEST(test_setup_error_has_cause)
{
	struct guest_stop st;

	describe_stop(W_EXITCODE(1, 0), "lguest: bad kernel\n", "launcher",
		      &st);
	ck_assert(st.infra);
	ck_assert_str_eq(st.what, "set-up error (launcher status 1)");
	ck_assert_str_eq(st.cause, "lguest: bad kernel");
	describe_stop(W_EXITCODE(1, 0), "", "launcher", &st);
	ck_assert(!st.infra);
	ck_assert_str_eq(st.cause, "");
	describe_stop(W_EXITCODE(2, 0), "lguest: guest reset\n", "launcher",
		      &st);
	ck_assert_str_eq(st.cause, "");
}
END_TEST

/* Block devices' files are checked with the kernel's, before any runner. */
START_TEST(test_boot_files_include_block_devices)
{
	struct device devs[] = {
		{.kind = "rng"},
		{.kind = "block-ro", .value = "/etc/hostname"},
		{.kind = "block", .value = "/nonexistent/d.img"}};
	struct config c = {.kernel = "/etc/hostname",
			   .devices = devs,
			   .ndevices = ARRAY_SIZE(devs)};
	char *err = NULL;

	ck_assert(!check_boot_files(&c, &err));
	ck_assert_str_eq(err, "device block /nonexistent/d.img: No such file "
			      "or directory");
	free(err);
	c.ndevices = 2;
	ck_assert(check_boot_files(&c, &err));
	devs[1].value = "/etc";
	ck_assert(!check_boot_files(&c, &err));
	ck_assert_str_eq(err, "device block-ro /etc: not a regular file");
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest verdicts");
	TCase *tc = tcase_create("runner failures");

	tcase_add_test(tc, test_runner_cause);
	tcase_add_test(tc, test_setup_error_has_cause);
	tcase_add_test(tc, test_boot_files_include_block_devices);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
