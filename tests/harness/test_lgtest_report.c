// SPDX-License-Identifier: GPL-2.0
/*
 * The report writers: a fixed report (a passing test with KTAP subtests,
 * a crash whose console holds XML metacharacters, an escape sequence and
 * bytes that are not UTF-8, an error in a second round, and a second
 * round of the first test that hangs, which makes it flaky) must come out
 * byte for byte as the golden files in tests/harness/golden/, which were
 * checked with xmllint and jq when they were made.  LGTEST_UPDATE_GOLDEN=1
 * rewrites them instead (then check them again, and read the diff).
 */
#include "harness_test.h"
#include "report.h"

#define GOLDEN "tests/harness/golden/"

static const char ktap_text[] =
	"[    1.000000] KTAP version 1\n"
	"[    1.000000] 1..2\n"
	"[    1.000000]     KTAP version 1\n"
	"[    1.000000]     # Subtest: example\n"
	"[    1.000000]     1..2\n"
	"[    1.000000]     ok 1 example_simple_test\n"
	"[    1.000000]     ok 2 example_skip_test # SKIP not here\n"
	"[    1.000000] ok 1 example\n"
	"[    1.000000] not ok 2 <lonely> & \"quoted\"\n";

static void entry(struct report_entry *e, size_t number, const char *name,
		  enum verdict v)
{
	memset(e, 0, sizeof(*e));
	e->number = number;
	e->round = 1;
	e->file = xstrdup("tests/boot/x.lgt");
	e->name = xstrdup(name);
	e->verdict = v;
	e->seconds = 1.5 * (double)number;
	e->first_byte = e->boot_marker = -1;
	e->cpus = number == 2 ? 1 : 2;	/* the default, and one CPU */
}

static void make_report(struct report *r)
{
	struct report_entry *e;

	memset(r, 0, sizeof(*r));
	r->runner = xstrdup("lguest-nested (calibration: a test)");
	r->started = 1700000000;
	r->seconds = 9.25;
	r->shard = xstrdup("2/3");
	r->jobs = 2;
	r->repeat = 2;
	r->nentries = 4;
	r->entries = xcalloc(4, sizeof(*r->entries));

	e = &r->entries[0];
	entry(e, 1, "boots", V_PASS);
	e->message = xstrdup("all 3 steps passed");
	e->setup_seconds = 4.25;
	e->first_byte = 0.5;
	e->boot_marker = 2.125;
	e->command = xstrdup("lguest --no-reboot 256 k 'console=ttyS0'");
	e->log = xstrdup("out/001-x.lgt-boots.log");
	ktap_parse(ktap_text, strlen(ktap_text), &e->ktap);

	e = &r->entries[1];
	entry(e, 2, "panics <&>", V_CRASH);
	e->message = xstrdup("kernel panic: \"it's\" <gone> & done");
	e->crash_title = xstrdup("kernel panic: it's gone");
	e->expected = "hang";
	e->line = 7;
	e->col = 3;
	e->first_byte = 0.25;
	e->stopped = xstrdup("reset (launcher status 2)");
	e->console_tail = xstrdup("esc \033[0m here\nbad \xff\xc0\x80 utf8, "
				  "good \xc3\xa9 \xf0\x9f\x90\xa7\n");
	e->runner_tail = xstrdup("lguest: something\n");

	e = &r->entries[2];
	entry(e, 3, "no kernel", V_ERROR);
	e->round = 2;
	e->message = xstrdup("kernel /nope: No such file or directory");

	/* A second round of the first test hangs: that test is flaky. */
	e = &r->entries[3];
	entry(e, 4, "boots", V_HANG);
	e->round = 2;
	e->message = xstrdup("no-output timeout: no console output for 6 s");
}

/* What writer makes of the report, in memory. */
static char *written(void (*writer)(FILE *, const struct report *),
		     const struct report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	writer(f, r);
	fclose(f);
	return text;
}

static void tap_writer(FILE *f, const struct report *r)
{
	size_t i;

	tap_plan(f, TAP_VERSION, r->nentries, r->runner);
	for (i = 0; i < r->nentries; i++)
		tap_entry(f, &r->entries[i]);
	print_flaky(f, "# ", r);
}

static void check_golden(const char *name,
			 void (*writer)(FILE *, const struct report *))
{
	char *path = xasprintf(GOLDEN "%s", name), *want, *got;
	const char *update = getenv("LGTEST_UPDATE_GOLDEN");
	struct report r;
	FILE *f;

	make_report(&r);
	got = written(writer, &r);
	if (update && !strcmp(update, "1")) {
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(got, f);
		fclose(f);
	}
	want = slurp(path, NULL);
	ck_assert_msg(!strcmp(got, want), "%s differs; got:\n%s", path, got);
	free(want);
	free(got);
	free(path);
	report_free(&r);
}

START_TEST(test_junit_golden)
{
	check_golden("report.xml", junit_write);
}
END_TEST

START_TEST(test_json_golden)
{
	check_golden("report.json", json_write);
}
END_TEST

START_TEST(test_tap_golden)
{
	check_golden("report.tap", tap_writer);
}
END_TEST

/*
 * Debian 12's prove (TAP::Parser 3.44) reads the golden TAP, subtests,
 * YAML blocks and odd bytes included: the three tests that did not pass
 * fail, and nothing is a parse error.
 */
START_TEST(test_prove_reads_golden_tap)
{
	char path[] = "/tmp/lgtest-prove.XXXXXX", *cmd, *out;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	cmd = xasprintf("prove --exec cat " GOLDEN "report.tap >%s 2>&1", path);
	/* prove fails: three of the tests did not pass. */
	ck_assert_int_ne(system(cmd), 0);
	out = slurp(path, NULL);
	unlink(path);
	ck_assert_msg(strstr(out, "(Wstat: 0 Tests: 4 Failed: 3)\n  Failed "
				  "tests:  2-4\nFiles=1") &&
			      !strstr(out, "Parse errors"),
		      "%s", out);
	free(out);
	free(cmd);
}
END_TEST

/* TAP 14 on request: only the header differs. */
START_TEST(test_tap_version_14)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	tap_plan(f, 14, 2, NULL);
	fclose(f);
	ck_assert_str_eq(text, "TAP version 14\n1..2\n");
	free(text);
}
END_TEST

static char *escaped(const char *s, enum escape how)
{
	struct buf b = {0};

	escape_text(&b, s, how);
	return b.data;
}

START_TEST(test_escapes)
{
	static const struct {
		const char *in, *xml, *json;
	} cases[] = {
		{"a<b>&\"'", "a&lt;b&gt;&amp;&quot;&apos;", "a<b>&\\\"'"},
		{"tab\tnl\n", "tab\tnl\n", "tab\\tnl\\n"},
		{"\x01\x1b\x7f", "\\x01\\x1b\x7f", "\\u0001\\u001b\\u007f"},
		{"back\\slash", "back\\slash", "back\\\\slash"},
		/* Valid: 2, 3 and 4 bytes. */
		{"\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xa7",
		 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xa7",
		 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xa7"},
		/* A stray continuation, an overlong NUL, a surrogate, a cut
		 * sequence, beyond U+10FFFF: one U+FFFD per bad byte. */
		{"\x80", "\xef\xbf\xbd", "\xef\xbf\xbd"},
		{"\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd",
		 "\xef\xbf\xbd\xef\xbf\xbd"},
		{"\xed\xa0\x80x", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx",
		 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx"},
		{"\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd",
		 "\xef\xbf\xbd\xef\xbf\xbd"},
		{"\xf4\x90\x80\x80",
		 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
		 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	};
	size_t i;
	char *x, *j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		x = escaped(cases[i].in, ESC_XML);
		j = escaped(cases[i].in, ESC_JSON);
		ck_assert_msg(!strcmp(x, cases[i].xml), "case %zu xml: %s", i,
			      x);
		ck_assert_msg(!strcmp(j, cases[i].json), "case %zu json: %s", i,
			      j);
		free(x);
		free(j);
	}
	x = escaped(NULL, ESC_XML);
	ck_assert_str_eq(x, "");
	free(x);
}
END_TEST

/* A report with no tests at all is still a valid, empty document. */
START_TEST(test_empty_report)
{
	struct report r = {.runner = xstrdup("qemu"), .started = 0};
	char *x = written(junit_write, &r), *j = written(json_write, &r);

	ck_assert_str_eq(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<testsuites name=\"lgtest\" tests=\"0\" "
			    "failures=\"0\" errors=\"0\" skipped=\"0\" "
			    "time=\"0.000\">\n</testsuites>\n");
	ck_assert_msg(strstr(j, "\"tests\": []"), "%s", j);
	ck_assert_msg(strstr(j, "\"started\": \"1970-01-01T00:00:00Z\""), "%s",
		      j);
	free(x);
	free(j);
	report_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest reports");
	TCase *tc = tcase_create("report");

	tcase_add_test(tc, test_junit_golden);
	tcase_add_test(tc, test_json_golden);
	tcase_add_test(tc, test_tap_golden);
	tcase_add_test(tc, test_prove_reads_golden_tap);
	tcase_add_test(tc, test_tap_version_14);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_empty_report);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
