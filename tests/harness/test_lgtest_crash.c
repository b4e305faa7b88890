// SPDX-License-Identifier: GPL-2.0
/*
 * The crash classifier against real kernel crash reports (the corpus in
 * tests/harness/crashes/, see its README) and against small made-up
 * consoles for the incremental detector's edges.  Run from the
 * repository root; LGTEST_CRASHES names another corpus directory.
 */
#include "harness_test.h"
#include "crash.h"
#include "expect.h"

#define MAX_CASES 256

struct corpus_case {
	char file[256];
	char title[CRASH_TITLE_MAX];
};

static struct corpus_case cases[MAX_CASES];
static int ncases;

static const char *corpus_dir(void)
{
	const char *d = getenv("LGTEST_CRASHES");

	return d && *d ? d : "tests/harness/crashes";
}

static void load_expected(void)
{
	char path[512], *text, *line, *tab, *save = NULL;

	snprintf(path, sizeof(path), "%s/expected.txt", corpus_dir());
	text = slurp(path, NULL);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !line[0])
			continue;
		tab = strchr(line, '\t');
		if (!tab || ncases == MAX_CASES) {
			fprintf(stderr, "%s: bad line '%s'\n", path, line);
			exit(EXIT_FAILURE);
		}
		*tab = '\0';
		snprintf(cases[ncases].file, sizeof(cases[ncases].file), "%s",
			 line);
		snprintf(cases[ncases].title, sizeof(cases[ncases].title), "%s",
			 tab + 1);
		ncases++;
	}
	free(text);
}

/* A console as the harness sees it: CRs and NULs gone. */
static void console_of(const char *path, struct console *c)
{
	size_t len;
	char *raw = slurp(path, &len);

	memset(c, 0, sizeof(*c));
	console_append(c, raw, len);
	free(raw);
}

START_TEST(test_corpus)
{
	const struct corpus_case *k = &cases[_i];
	struct crash_report r;
	struct console c;
	char path[512];
	bool found;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), k->file);
	console_of(path, &c);
	found = crash_classify(c.text.data, c.text.len, &r);
	if (!strcmp(k->title, "-"))
		ck_assert_msg(!found,
			      "%s: expected no crash, got '%s' at line %d",
			      k->file, r.title, r.start_line);
	else
		ck_assert_msg(found && !strcmp(r.title, k->title),
			      "%s: expected '%s', got '%s'", k->file, k->title,
			      found ? r.title : "no crash");
	console_free(&c);
}
END_TEST

/* Fed a byte at a time, the detector must reach the one-shot title. */
START_TEST(test_corpus_incremental)
{
	const struct corpus_case *k = &cases[_i];
	struct crash_detector d = {0};
	struct crash_report whole;
	struct console c;
	char path[512];
	size_t n, step;

	if (!strcmp(k->title, "-"))
		return;
	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), k->file);
	console_of(path, &c);
	ck_assert(crash_classify(c.text.data, c.text.len, &whole));
	step = c.text.len / 97 + 1; /* cut lines at odd places */
	for (n = 0; n < c.text.len; n += step)
		crash_feed(&d, c.text.data, n, false);
	crash_feed(&d, c.text.data, c.text.len, true);
	ck_assert(d.report.found && d.report.complete);
	ck_assert_str_eq(d.report.title, whole.title);
	ck_assert_int_eq(d.report.start_line, whole.start_line);
	console_free(&c);
}
END_TEST

START_TEST(test_corpus_is_big_enough)
{
	int crashes = 0, i;

	for (i = 0; i < ncases; i++)
		crashes += strcmp(cases[i].title, "-") != 0;
	ck_assert_msg(crashes >= 40, "only %d crash reports in the corpus",
		      crashes);
	ck_assert_msg(ncases - crashes >= 3, "too few crash-free logs");
}
END_TEST

static void classify_str(const char *text, struct crash_report *r, bool want)
{
	bool found = crash_classify(text, strlen(text), r);

	ck_assert_msg(found == want, "crash %sfound in:\n%s",
		      found ? "" : "not ", text);
}

START_TEST(test_normalize)
{
	static const struct {
		const char *in, *out;
	} n[] = {
		{"WARNING in foo+0x12/0x340 [mod]", "WARNING in foo"},
		{"in: bar.constprop.0", "in: bar"},
		{"at fs/ext4/inode.c:1234:5!", "at fs/ext4/inode.c!"},
		{"exitcode=0x00000100", "exitcode=ADDR"},
		{"page at ffff88802bde1e40  now", "page at ADDR now"},
		{"  spaced \t out  ", "spaced out"},
	};
	char out[CRASH_TITLE_MAX];
	size_t i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		crash_normalize(n[i].in, out, sizeof(out));
		ck_assert_str_eq(out, n[i].out);
	}
}
END_TEST

/* The same bug on another run: other CPU, task, addresses, times. */
START_TEST(test_title_is_stable)
{
	struct crash_report a, b;

	classify_str(
		"[    1.0] WARNING: CPU: 0 PID: 82 at lib/x.c:31 foo+0x1/0x2\n"
		"[    1.1] RIP: 0010:foo+0x1/0x2\n---[ end trace 0 ]---\n",
		&a, true);
	classify_str(
		"[  991.7] WARNING: CPU: 3 PID: 4711 at lib/x.c:35 "
		"foo+0x9/0x20 [m]\n"
		"[  991.8] RIP: 0010:foo+0x9/0x20 [m]\n---[ end trace 1 ]---\n",
		&b, true);
	ck_assert_str_eq(a.title, "WARNING in foo");
	ck_assert_str_eq(a.title, b.title);
}
END_TEST

/* Lines that merely mention crash words are not crashes. */
START_TEST(test_no_false_positives)
{
	struct crash_report r;

	classify_str("ACPI Warning: something odd\n"
		     "audit: BUG in user space is not ours\n"
		     "mem auto-init: stack:all(zero), heap alloc:on\n"
		     "Kernel command line: panic=-1 oops=panic\n"
		     "WARNING: this line names no CPU\n",
		     &r, false);
}
END_TEST

/* A report is judged once it ends: an end marker, or the stream settling. */
START_TEST(test_incomplete_until_end)
{
	const char *head = "[ 1.0] kernel BUG at mm/x.c:5!\n"
			   "[ 1.0] invalid opcode: 0000 [#1] SMP\n"
			   "[ 1.0] CPU: 0 PID: 1 Comm: init\n"
			   "[ 1.0] RIP: 0010:do_thing+0x1/0x2\n";
	const char *all = "[ 1.0] kernel BUG at mm/x.c:5!\n"
			  "[ 1.0] invalid opcode: 0000 [#1] SMP\n"
			  "[ 1.0] CPU: 0 PID: 1 Comm: init\n"
			  "[ 1.0] RIP: 0010:do_thing+0x1/0x2\n"
			  "[ 1.1] ---[ end trace 0000000000000000 ]---\n"
			  "later output\n";
	struct crash_detector d = {0};

	crash_feed(&d, head, strlen(head), false);
	ck_assert(d.report.found);
	ck_assert(!d.report.complete);
	crash_feed(&d, all, strlen(all), false);
	ck_assert(d.report.complete);
	ck_assert_str_eq(d.report.title, "kernel BUG in do_thing");
	ck_assert_int_eq(d.report.start_line, 1);
	/* The report ends after its end marker, not at the end of the text. */
	ck_assert_uint_eq(d.report.end, strstr(all, "later") - all);
}
END_TEST

/* The earliest report wins, and a later one cuts it short. */
START_TEST(test_first_report_wins)
{
	struct crash_report r;

	classify_str("boot\n"
		     "BUG: scheduling while atomic: sh/1/0x00000002\n"
		     "CPU: 0 PID: 1 Comm: sh\n"
		     "Call Trace:\n"
		     " <TASK>\n"
		     " dump_stack_lvl+0x44/0x5c\n"
		     " __schedule_bug.cold+0x42/0x4e\n"
		     " schedule+0x5a/0xd0\n"
		     " my_driver_poll+0x16/0x29 [mydrv]\n"
		     " </TASK>\n"
		     "WARNING: CPU: 0 PID: 1 at init/main.c:1 "
		     "do_one_initcall+0x1/0x2\n"
		     "RIP: 0010:do_one_initcall+0x1/0x2\n",
		     &r, true);
	ck_assert_str_eq(r.title,
			 "BUG: scheduling while atomic in my_driver_poll");
	ck_assert_int_eq(r.start_line, 2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lgtest crash classifier");
	TCase *tc = tcase_create("corpus");

	tcase_add_test(tc, test_corpus_is_big_enough);
	tcase_add_loop_test(tc, test_corpus, 0, ncases);
	tcase_add_loop_test(tc, test_corpus_incremental, 0, ncases);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("rules");
	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_title_is_stable);
	tcase_add_test(tc, test_no_false_positives);
	tcase_add_test(tc, test_incomplete_until_end);
	tcase_add_test(tc, test_first_report_wins);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	load_expected();
	return run_suite(suite());
}
