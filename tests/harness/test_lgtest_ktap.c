// SPDX-License-Identifier: GPL-2.0
/*
 * The KTAP parser, on kunit.py's own test data (tests/harness/ktap/, see
 * its README) and on small documents that each exercise one rule.
 */
#include "harness_test.h"
#include "ktap.h"

#define FIXTURES "tests/harness/ktap/"

static void parse_file(const char *name, struct ktap_report *r)
{
	char *path = xasprintf(FIXTURES "%s", name);
	size_t len;
	char *text = slurp(path, &len);

	ktap_parse(text, len, r);
	free(text);
	free(path);
}

static void parse_text(const char *text, struct ktap_report *r)
{
	ktap_parse(text, strlen(text), r);
}

static void assert_counts(const struct ktap_report *r, size_t passed,
			  size_t failed, size_t skipped, size_t missing)
{
	ck_assert_msg(
		r->counts.passed == passed && r->counts.failed == failed &&
			r->counts.skipped == skipped && r->missing == missing,
		"counts pass %zu fail %zu skip %zu missing %zu, want "
		"%zu %zu %zu %zu",
		r->counts.passed, r->counts.failed, r->counts.skipped,
		r->missing, passed, failed, skipped, missing);
}

static const struct ktap_test *child(const struct ktap_test *t, size_t i)
{
	ck_assert_msg(i < t->nsubtests, "%s has %zu subtests, not %zu",
		      t->name ? t->name : "(root)", t->nsubtests, i + 1);
	return &t->subtests[i];
}

static void assert_test(const struct ktap_test *t, const char *name,
			enum ktap_result result, size_t nsubtests)
{
	ck_assert_str_eq(t->name, name);
	ck_assert_msg(t->result == result, "%s: %s, want %s", name,
		      ktap_result_name(t->result), ktap_result_name(result));
	ck_assert_uint_eq(t->nsubtests, nsubtests);
}

START_TEST(test_kunit_suites_with_skip)
{
	struct ktap_report r;
	const struct ktap_test *ex;

	parse_file("kunit-skip.log", &r);
	ck_assert(r.found);
	ck_assert_int_eq(r.root.planned, 2);
	assert_test(child(&r.root, 0), "string-stream-test", KTAP_PASS, 3);
	ex = child(&r.root, 1);
	assert_test(ex, "example", KTAP_PASS, 2);
	ck_assert_int_eq(ex->planned, 2);
	assert_test(child(ex, 1), "example_skip_test", KTAP_SKIP, 0);
	ck_assert_str_eq(child(ex, 1)->directive,
			 "SKIP this test should be skipped");
	ck_assert_int_eq(child(ex, 1)->number, 2);
	assert_counts(&r, 4, 0, 1, 0);
	ck_assert_ptr_null(ktap_failure_summary(&r));
	ktap_free(&r);
}
END_TEST

/* Tabs, a suite inside a test, and non-KTAP lines at every depth. */
START_TEST(test_kunit_nested_passes)
{
	struct ktap_report r;
	const struct ktap_test *sysctl;

	parse_file("kunit-all-passed-nested.log", &r);
	sysctl = child(&r.root, 0);
	assert_test(sysctl, "sysctl_test", KTAP_PASS, 4);
	assert_test(child(sysctl, 1), "example", KTAP_PASS, 2);
	assert_test(child(child(sysctl, 1), 1), "example_mock_test", KTAP_PASS,
		    0);
	assert_test(child(&r.root, 1), "example", KTAP_PASS, 2);
	assert_counts(&r, 7, 0, 0, 0);
	ktap_free(&r);
}
END_TEST

START_TEST(test_kunit_nested_failure)
{
	struct ktap_report r;
	char *s;

	parse_file("kunit-failure-nested.log", &r);
	assert_test(child(&r.root, 0), "subtest 1", KTAP_FAIL, 0);
	assert_test(child(&r.root, 1), "subtest 2", KTAP_FAIL, 1);
	/* Failures are counted once, where they happened. */
	ck_assert_uint_eq(r.counts.failed, 2);
	s = ktap_failure_summary(&r);
	ck_assert_str_eq(s, "2 of 2 KTAP subtests failed: subtest 1, "
			    "subtest 2.(unnamed).subsubtest 1");
	free(s);
	ktap_free(&r);
}
END_TEST

/* "[time][caller] " prefixes go; a crash after the document is not KTAP. */
START_TEST(test_printk_prefixes)
{
	struct ktap_report r;

	parse_file("kunit-multiple-prefixes.log", &r);
	ck_assert_uint_eq(r.root.nsubtests, 3);
	assert_test(child(&r.root, 2), "string-stream-test", KTAP_PASS, 3);
	ck_assert_int_eq(child(&r.root, 2)->line, 23);
	assert_counts(&r, 10, 0, 0, 0);
	ktap_free(&r);
}
END_TEST

/* A panic in the middle: the suite never reported, nor did two of its tests. */
START_TEST(test_interrupted_by_panic)
{
	struct ktap_report r;
	const struct ktap_test *last;
	char *s;

	parse_file("kunit-panic-interrupt.log", &r);
	ck_assert_uint_eq(r.root.nsubtests, 3);
	last = child(&r.root, 2);
	assert_test(last, "string-stream-test", KTAP_MISSING, 1);
	ck_assert_int_eq(last->planned, 3);
	ck_assert_int_eq(last->number, 0);
	/* No test failed, but the suite without a result counts as one. */
	assert_counts(&r, 8, 1, 0, 2);
	s = ktap_failure_summary(&r);
	ck_assert_str_eq(s, "1 of 9 KTAP subtests failed: string-stream-test "
			    "(no result)");
	free(s);
	ktap_free(&r);
}
END_TEST

/* kselftest nests its tests' TAP behind "# ": those are comments. */
START_TEST(test_kselftest_comments)
{
	struct ktap_report r;

	parse_file("kselftest.log", &r);
	ck_assert_uint_eq(r.root.nsubtests, 2);
	assert_test(child(&r.root, 1),
		    "selftests: membarrier: membarrier_test_multi_thread",
		    KTAP_PASS, 0);
	assert_counts(&r, 2, 0, 0, 0);
	ktap_free(&r);
}
END_TEST

/* KTAP v1 with two-space indentation and attributes. */
START_TEST(test_ktap_headers_and_attributes)
{
	struct ktap_report r;

	parse_file("ktap-attributes.log", &r);
	assert_test(child(&r.root, 0), "suite", KTAP_PASS, 1);
	assert_test(child(child(&r.root, 0), 0), "test", KTAP_PASS, 0);
	ck_assert_int_eq(child(&r.root, 0)->planned, 1);
	assert_counts(&r, 1, 0, 0, 0);
	ktap_free(&r);
}
END_TEST

START_TEST(test_no_version_no_ktap)
{
	struct ktap_report r;

	parse_text("1..2\nok 1 - looks like TAP\nnot ok 2 - but no header\n",
		   &r);
	ck_assert(!r.found);
	ck_assert_uint_eq(r.root.nsubtests, 0);
	ck_assert_ptr_null(ktap_failure_summary(&r));
	ktap_free(&r);
}
END_TEST

/* Directives, escapes, results without numbers or descriptions. */
START_TEST(test_result_lines)
{
	struct ktap_report r;
	const char *text = "KTAP version 1\n"
			   "1..6\n"
			   "ok 1 - plain\n"
			   "not ok 2 known bug # TODO fix it\n"
			   "ok 3 has \\# in its name # skip not here\n"
			   "not ok 4 - broken # TIMEOUT\n"
			   "ok\n"
			   "ok 6 -\n"
			   "okay 7 not a result\n";

	parse_text(text, &r);
	ck_assert_uint_eq(r.root.nsubtests, 6);
	assert_test(child(&r.root, 1), "known bug", KTAP_TODO, 0);
	ck_assert_str_eq(child(&r.root, 1)->directive, "TODO fix it");
	assert_test(child(&r.root, 2), "has \\# in its name", KTAP_SKIP, 0);
	assert_test(child(&r.root, 3), "broken", KTAP_FAIL, 0);
	ck_assert_str_eq(child(&r.root, 3)->directive, "TIMEOUT");
	assert_test(child(&r.root, 4), "test 5", KTAP_PASS, 0);
	assert_test(child(&r.root, 5), "test 6", KTAP_PASS, 0);
	ck_assert_uint_eq(r.counts.todo, 1);
	assert_counts(&r, 3, 1, 1, 0);
	ktap_free(&r);
}
END_TEST

/* Two documents add up; a Bail out! is a failure of its own. */
START_TEST(test_documents_and_bail_out)
{
	struct ktap_report r;
	char *s;

	parse_text("TAP version 13\n1..1\nok 1 first\n"
		   "some boot message\n"
		   "KTAP version 1\n1..2\nok 1 second\nBail out! disk gone\n",
		   &r);
	ck_assert_uint_eq(r.root.nsubtests, 2);
	ck_assert_int_eq(r.root.planned, 3);
	ck_assert(r.bailed_out);
	s = ktap_failure_summary(&r);
	ck_assert_str_eq(s, "KTAP: Bail out! disk gone");
	free(s);
	ktap_free(&r);
	/* A document's second plan line is not a plan. */
	parse_text("KTAP version 1\n1..2\nok 1 a\n1..5\nok 2 b\n", &r);
	ck_assert_int_eq(r.root.planned, 2);
	assert_counts(&r, 2, 0, 0, 0);
	ktap_free(&r);
	/* Without the bail-out, the plan says one is missing. */
	parse_text("KTAP version 1\n1..2\nok 1 second\n", &r);
	assert_counts(&r, 1, 0, 0, 1);
	s = ktap_failure_summary(&r);
	ck_assert_str_eq(s, "KTAP: 1 planned subtests never reported (1 "
			    "reported)");
	free(s);
	ktap_free(&r);
}
END_TEST

/* Sibling suites whose headers sit at the same depth stay apart. */
START_TEST(test_sibling_headers)
{
	struct ktap_report r;

	parse_text("KTAP version 1\n1..2\n"
		   "    KTAP version 1\n    # Subtest: a\n    1..1\n"
		   "    not ok 1 a1\n"
		   "    KTAP version 1\n    # Subtest: b\n    1..1\n"
		   "    ok 1 b1\n"
		   "ok 1 b\n",
		   &r);
	/* "a" never got its own result line: it is missing, "b" is not. */
	assert_test(child(&r.root, 0), "a", KTAP_MISSING, 1);
	assert_test(child(&r.root, 1), "b", KTAP_PASS, 1);
	ck_assert_uint_eq(r.counts.failed, 1);
	ktap_free(&r);
}
END_TEST

/*
 * Found by the console fuzz target: a nameless result taking a group of
 * subtests that had no "# Subtest:" name was left with no name at all,
 * and the parser read through the NULL.
 */
START_TEST(test_nameless_result_of_nameless_group)
{
	struct ktap_report r;

	parse_text("TAP version 13\n    ok 1 inner\nok 1\n", &r);
	assert_test(child(&r.root, 0), "test 1", KTAP_PASS, 1);
	ktap_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest KTAP parser");
	TCase *tc = tcase_create("ktap");

	tcase_add_test(tc, test_kunit_suites_with_skip);
	tcase_add_test(tc, test_kunit_nested_passes);
	tcase_add_test(tc, test_kunit_nested_failure);
	tcase_add_test(tc, test_printk_prefixes);
	tcase_add_test(tc, test_interrupted_by_panic);
	tcase_add_test(tc, test_kselftest_comments);
	tcase_add_test(tc, test_ktap_headers_and_attributes);
	tcase_add_test(tc, test_no_version_no_ktap);
	tcase_add_test(tc, test_result_lines);
	tcase_add_test(tc, test_documents_and_bail_out);
	tcase_add_test(tc, test_sibling_headers);
	tcase_add_test(tc, test_nameless_result_of_nameless_group);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
