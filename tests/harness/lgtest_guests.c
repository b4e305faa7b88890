// SPDX-License-Identifier: GPL-2.0
/*
 * bin/lgtest end to end on the tiny test guests (tests/guests/), which
 * run fast on any /dev/kvm: every verdict, the TAP it prints, and its
 * exit statuses.  Run from the repository root once `make` has built
 * bin/lgtest, bin/lguest and the guests.  LGTEST names another lgtest.
 */
#include "lgtest_cli.h"

/* The YAML block of test number n: from its TAP line to the next one. */
static char *block_of(const struct outcome *o, int n)
{
	char head[32], *start, *end;

	snprintf(head, sizeof(head), "ok %d - ", n);
	start = strstr(o->out, head);
	ck_assert_msg(start, "no TAP line for test %d:\n%s", n, o->out);
	end = strstr(start + 1, "\nok ");
	if (!end || (strstr(start + 1, "\nnot ok ") &&
		     strstr(start + 1, "\nnot ok ") < end))
		end = strstr(start + 1, "\nnot ok ");
	return xstrndup(start, end ? (size_t)(end - start) : strlen(start));
}

static void expect_block(const struct outcome *o, int n, const char *verdict,
			 const char *needle)
{
	char *b = block_of(o, n), want[64];

	snprintf(want, sizeof(want), "verdict: %s\n", verdict);
	ck_assert_msg(strstr(b, want), "test %d: want %s:\n%s", n, want, b);
	ck_assert_msg(strstr(b, needle), "test %d lacks \"%s\":\n%s", n, needle,
		      b);
	free(b);
}

START_TEST(test_passing_script)
{
	struct outcome o;

	require_tools();
	o = run(RUN SCRIPTS "pass.lgt");
	ck_assert_msg(o.status == 0, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "TAP version 13\n1..5\n# runner: lguest-direct\n");
	assert_has(&o, "\nok 1 - " SCRIPTS
		       "pass.lgt: echo: expect, send, regex, expect-not\n");
	assert_has(&o, "\nok 5 - " SCRIPTS "pass.lgt: expected crash\n");
	assert_has(&o, "# 5 passed, 0 failed");
	ck_assert_ptr_null(strstr(o.out, "not ok"));
	outcome_free(&o);
}
END_TEST

START_TEST(test_failing_script)
{
	struct outcome o;

	require_tools();
	o = run(RUN "--tail 4 " SCRIPTS "fail.lgt");
	ck_assert_msg(o.status == 1, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "1..8\n");
	expect_block(&o, 1, "fail",
		     "expected exit status 7, got guest wrote 9 to port 0xf4");
	expect_block(&o, 2, "fail",
		     "timed out after 0.5 s waiting for: " SCRIPTS
		     "fail.lgt:13: expect \\\"never printed\\\"");
	expect_block(
		&o, 3, "fail",
		"expect-not \\\"echo: ready\\\": it appeared on console line");
	expect_block(&o, 4, "fail",
		     "the guest stopped (guest wrote 33 to port 0xf4 (launcher "
		     "status 33))");
	expect_block(&o, 5, "crash",
		     "crash: \"BUG: unable to handle kernel NULL pointer "
		     "dereference in corrupted\"");
	expect_block(&o, 6, "crash",
		     "crash 'WARNING in my_func' does not match");
	expect_block(&o, 7, "hang",
		     "no-output timeout: no console output for 1 s");
	expect_block(&o, 8, "hang", "overall timeout: the test ran for 1 s");
	/* The test guests ignore the BREAKs: the kernel "said nothing". */
	expect_block(&o, 7, "hang", "crash: \"no output from test machine\"");
	expect_block(&o, 8, "hang", "crash: \"timed out\"");
	/* A failure shows where in the script, and the console's last lines. */
	expect_block(&o, 2, "fail", "at: \"" SCRIPTS "fail.lgt:13:1\"");
	expect_block(&o, 2, "fail", "console_tail: |\n");
	assert_has(&o,
		   "# 0 passed, 8 failed (fail 4, crash 2, hang 2, error 0)");
	outcome_free(&o);
}
END_TEST

START_TEST(test_error_script)
{
	struct outcome o;

	require_tools();
	o = run(RUN SCRIPTS "error.lgt");
	ck_assert_msg(o.status == 2, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	expect_block(&o, 1, "error",
		     "no-such-kernel: No such file or directory");
	expect_block(&o, 2, "error", "set-up error (launcher status 1)");
	expect_block(&o, 2, "error", "runner_stderr: |");
	expect_block(
		&o, 3, "error",
		"KVM internal error or emulation failure (launcher status 4)");
	outcome_free(&o);
}
END_TEST

/* A syntax error stops everything before any guest runs. */
START_TEST(test_syntax_error)
{
	struct outcome o;

	require_tools();
	o = run(RUN SCRIPTS "pass.lgt " SCRIPTS "syntax-error.lgt");
	ck_assert_int_eq(o.status, 2);
	ck_assert_str_eq(o.out, "");
	ck_assert_msg(
		strstr(o.err, SCRIPTS "syntax-error.lgt:3:21: bad duration"),
		"%s", o.err);
	outcome_free(&o);
	o = run("check " SCRIPTS "syntax-error.lgt");
	ck_assert_int_eq(o.status, 1);
	outcome_free(&o);
	o = run("check " SCRIPTS "pass.lgt " SCRIPTS "fail.lgt");
	ck_assert_int_eq(o.status, 0);
	assert_has(&o, SCRIPTS "fail.lgt: 8 tests\n");
	outcome_free(&o);
}
END_TEST

/* Command-line settings override every test's own. */
START_TEST(test_overrides)
{
	struct outcome o;

	require_tools();
	o = run(RUN "-n --kernel /k --initrd /i --mem 99 --cmdline 'a=1' "
		    "--append b=2 "
		    "--device rng --device block=/d.img --timeout 7 " SCRIPTS
		    "pass.lgt");
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	outcome_free(&o);
	/* Files named on the command line must exist: --kernel /k does not. */
	o = run(RUN
		"-n --initrd tests/guests/bin/guest32.elf --mem 99 "
		"--cmdline 'a=1' --append b=2 --device rng --timeout 7 " SCRIPTS
		"pass.lgt");
	assert_has(
		&o,
		"--no-reboot --initrd=tests/guests/bin/guest32.elf --rng "
		"--cpus=2 99 ");
	assert_has(&o, "'console=ttyS0 panic=-1 sysrq_always_enabled a=1 b=2'");
	assert_has(&o, "timeout 7s");
	outcome_free(&o);
	/* The override reaches a real run: the last action token wins. */
	o = run(RUN "--append lgtest.action=exit:7 " SCRIPTS "fail.lgt");
	assert_has(&o, "\nok 1 - " SCRIPTS "fail.lgt: wrong exit status\n");
	outcome_free(&o);
}
END_TEST

START_TEST(test_usage_errors)
{
	static const char *const bad[] = {
		"",
		"frob",
		"run",
		"run --mem 1 x.lgt",
		"run --timeout never x.lgt",
		"run --device floppy x.lgt",
		"run --runner nope " SCRIPTS "pass.lgt",
		"run /nonexistent.lgt",
	};
	struct outcome o;
	size_t i;

	require_tools();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = run(bad[i]);
		ck_assert_msg(o.status == 2, "lgtest %s: status %d", bad[i],
			      o.status);
		ck_assert_msg(strstr(o.err, "lgtest: "),
			      "lgtest %s: no message", bad[i]);
		outcome_free(&o);
	}
	o = run("--help");
	ck_assert_int_eq(o.status, 0);
	assert_has(&o, "expect-crash [PATTERN]");
	outcome_free(&o);
}
END_TEST

START_TEST(test_classify)
{
	struct outcome o;

	require_tools();
	o = run("classify tests/harness/crashes/real/gpf.log "
		"tests/harness/crashes/real/clean.log");
	ck_assert_int_eq(o.status, 1);
	assert_has(&o, "real/gpf.log: general protection fault in "
		       "lgcrash_non_canonical (line ");
	assert_has(&o, "real/clean.log: no crash\n");
	outcome_free(&o);
	o = run("classify tests/harness/crashes/real/clean.log");
	ck_assert_int_eq(o.status, 0);
	outcome_free(&o);
}
END_TEST

/* classify --json: one element per log, the whole report or null. */
START_TEST(test_classify_json)
{
	struct outcome o;

	require_tools();
	o = run("classify --json tests/harness/crashes/real/gpf.log "
		"tests/harness/crashes/real/clean.log");
	ck_assert_int_eq(o.status, 1);
	assert_has(&o, "\"file\": \"tests/harness/crashes/real/gpf.log\"");
	assert_has(&o, "\"title\": \"general protection fault in "
		       "lgcrash_non_canonical\"");
	assert_has(&o, "\"alt_titles\": [\n        \"bad-access in "
		       "lgcrash_non_canonical\"\n      ]");
	assert_has(&o, "\"type\": \"memory\"");
	assert_has(&o, "\"corrupted\": false");
	assert_has(&o, "\"frame\": \"lgcrash_non_canonical\"");
	assert_has(&o, "\"report\": \"[");
	assert_has(&o, "\"crash\": null");
	outcome_free(&o);
	o = run("classify --json --bogus");
	ck_assert_int_eq(o.status, 2);
	outcome_free(&o);
	o = run("classify --json");
	ck_assert_int_eq(o.status, 0);
	assert_has(&o, "\"file\": \"-\"");
	outcome_free(&o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest on the test guests");
	TCase *tc = tcase_create("lgtest");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_passing_script);
	tcase_add_test(tc, test_failing_script);
	tcase_add_test(tc, test_error_script);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_classify_json);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
