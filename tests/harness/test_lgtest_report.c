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

/* A crash report from a console with markup, controls and bad UTF-8. */
static struct crash_report *odd_crash(void)
{
	static const char console[] =
		"login: \033[0m\n"
		"WARNING: CPU: 0 PID: 1 at drivers/<x>&.c:3 x_probe+0x1/0x2\n"
		"  \"quoted\" \\ back \x01\x7f \xff\xc0\x80 \xc3\xa9 ]]> --\n"
		"Call Trace:\n"
		" x_probe+0x1/0x2 drivers/<x>&.c:3\n"
		" x_init+0x1/0x2\n";
	struct crash_report *c = xmalloc(sizeof(*c));

	ck_assert(crash_classify(console, strlen(console), c));
	return c;
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
	e->crash = odd_crash();
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
	print_crashes(f, "# ", r);
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

/* A report of one crash whose console lines hold every byte but NUL. */
static void all_bytes_report(struct report *r)
{
	struct buf con = {0};
	struct report_entry *e;
	int c;

	buf_addf(&con, "BUG: KASAN: use-after-free in x_read+0x1/0x2\n"
		       "Read of size 1 at addr ffff888012345678 by task x/1\n"
		       "Call Trace:\n x_read+0x1/0x2 drivers/x.c:3\n ");
	for (c = 1; c < 256; c++)
		if (c != '\n')
			buf_add(&con, (char[]){(char)c}, 1);
	buf_addf(&con, "\n x_open+0x1/0x2\n");
	memset(r, 0, sizeof(*r));
	r->runner = xstrdup("lguest-direct");
	r->nentries = 1;
	r->entries = xcalloc(1, sizeof(*r->entries));
	e = &r->entries[0];
	entry(e, 1, "all bytes", V_CRASH);
	e->crash = xmalloc(sizeof(*e->crash));
	ck_assert(crash_classify(con.data, con.len, e->crash));
	e->crash_title = xstrdup(e->crash->title);
	e->message = xstrdup(e->crash->title);
	e->console_tail = xstrdup(con.data);
	ck_assert(strstr(e->crash->text, "\x7f\x80\x81") &&
		  strstr(e->crash->text, "\xfe\xff"));
	buf_free(&con);
}

/* writer's file for r is accepted by the command (its status is 0). */
static void check_tool(void (*writer)(FILE *, const struct report *),
		       const struct report *r, const char *tool)
{
	char path[] = "/tmp/lgtest-valid.XXXXXX", *cmd;
	int fd = mkstemp(path), rc;
	FILE *f = fdopen(fd, "w");

	ck_assert_ptr_nonnull(f);
	writer(f, r);
	fclose(f);
	cmd = xasprintf("%s %s >/dev/null", tool, path);
	rc = system(cmd);
	unlink(path);
	ck_assert_msg(rc == 0, "'%s' rejects what it was given (status %d)",
		      tool, rc);
	free(cmd);
}

/*
 * Whatever bytes the console holds, the crash report's text and the
 * console tail leave JSON that jq reads, XML that xmllint reads and TAP
 * whose YAML prove reads.
 */
START_TEST(test_any_bytes_stay_valid)
{
	struct report r;

	all_bytes_report(&r);
	check_tool(json_write, &r, "jq -e .");
	check_tool(junit_write, &r, "xmllint --noout");
	check_tool(tap_writer, &r,
		   "sh -c 'prove --exec cat \"$0\" 2>&1 | grep -q \"Parse "
		   "errors\" && exit 1; exit 0'");
	report_free(&r);
}
END_TEST

/*
 * Five runs of three tests under --repeat 2: one crash title from two
 * tests (three runs), another from a third test, a pass.
 */
static void crashing_report(struct report *r)
{
	static const struct {
		const char *name, *title;
		unsigned int round;
	} runs[] = {
		{"a", "WARNING in f", 1},
		{"b", "WARNING in f", 1},
		{"c", "INFO: task hung in g", 1},
		{"a", "WARNING in f", 2},
		{"b", NULL, 2},
	};
	size_t i;

	memset(r, 0, sizeof(*r));
	r->repeat = 2;
	r->nentries = ARRAY_SIZE(runs);
	r->entries = xcalloc(r->nentries, sizeof(*r->entries));
	for (i = 0; i < r->nentries; i++) {
		entry(&r->entries[i], i + 1, runs[i].name,
		      runs[i].title ? V_CRASH : V_PASS);
		r->entries[i].round = runs[i].round;
		if (runs[i].title)
			r->entries[i].crash_title = xstrdup(runs[i].title);
	}
}

/* One identity per crash: its title, its count, its tests and rounds. */
START_TEST(test_crash_groups)
{
	struct crash_group *g;
	struct report r;
	char *text;
	size_t n;

	crashing_report(&r);
	n = report_crashes(&r, &g);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(g[0].title, "WARNING in f");
	ck_assert_uint_eq(g[0].count, 3);
	ck_assert_uint_eq(g[0].ntests, 2);
	ck_assert_str_eq(g[0].tests[0].name, "a");
	ck_assert_uint_eq(g[0].tests[0].nrounds, 2);
	ck_assert_uint_eq(g[0].tests[0].rounds[1], 2);
	ck_assert_str_eq(g[0].tests[1].name, "b");
	ck_assert_uint_eq(g[0].tests[1].nrounds, 1);
	ck_assert_str_eq(g[1].title, "INFO: task hung in g");
	ck_assert_uint_eq(g[1].count, 1);
	crash_groups_free(g, n);

	text = written(tap_writer, &r);
	ck_assert_msg(strstr(text, "# crash: WARNING in f: 3 runs: "
				   "tests/boot/x.lgt: a (rounds 1, 2), "
				   "tests/boot/x.lgt: b (round 1)\n"
				   "# crash: INFO: task hung in g: 1 run: "
				   "tests/boot/x.lgt: c (round 1)\n"),
		      "%s", text);
	free(text);
	text = written(json_write, &r);
	ck_assert_msg(strstr(text, "\"crashes\": [\n    {\n      \"title\": "
				   "\"WARNING in f\",\n      \"count\": 3,\n"
				   "      \"tests\": [\n        {\n          "
				   "\"file\": \"tests/boot/x.lgt\",\n       "
				   "   \"name\": \"a\",\n          "
				   "\"rounds\": [\n            1,\n          "
				   "  2\n          ]\n        },"),
		      "%s", text);
	free(text);
	/* Without --repeat, no rounds in the summary line. */
	r.repeat = 1;
	text = written(tap_writer, &r);
	ck_assert_msg(strstr(text, "# crash: INFO: task hung in g: 1 run: "
				   "tests/boot/x.lgt: c\n"),
		      "%s", text);
	free(text);
	report_free(&r);
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
	tcase_add_test(tc, test_any_bytes_stay_valid);
	tcase_add_test(tc, test_crash_groups);
	tcase_add_test(tc, test_empty_report);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
