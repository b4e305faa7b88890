// SPDX-License-Identifier: GPL-2.0
/*
 * The exit-status table (launcher/exit_status.h): the status line both
 * ways, bad lines refused, and the README's EXIT STATUS table checked
 * against the table, row for row.  Run from the repository root.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit_status.h"

static void format_is(enum lg_exit_chooser by, int value, const char *want)
{
	struct lg_exit_report r = {.by = by, .value = value}, back;
	char line[64];
	int n = lg_exit_format(&r, line, sizeof(line));

	ck_assert_int_eq(n, (int)strlen(want));
	ck_assert_str_eq(line, want);
	ck_assert(lg_exit_parse(line, (size_t)n, &back));
	ck_assert_int_eq(back.by, by);
	ck_assert_int_eq(back.value, value);
}

START_TEST(test_lines)
{
	format_is(LG_BY_GUEST, 1, "guest 1\n");
	format_is(LG_BY_GUEST, 159, "guest 159\n");
	format_is(LG_BY_GUEST, 0, "guest 0\n");
	format_is(LG_BY_LAUNCHER, LG_EXIT_SETUP, "launcher error\n");
	format_is(LG_BY_LAUNCHER, LG_EXIT_SANDBOX,
		  "launcher sandbox-violation\n");
	format_is(LG_BY_LAUNCHER, LG_EXIT_POWER_OFF, "launcher power-off\n");
	format_is(LG_BY_SIGNAL, 15, "launcher signal 15\n");
}
END_TEST

/* Every entry's status and reason find it again. */
START_TEST(test_table_round_trip)
{
	char want[64];
	size_t i;

	ck_assert_int_eq(lg_exit_table_len, 9);
	for (i = 0; i < lg_exit_table_len; i++) {
		const struct lg_exit_meaning *m = &lg_exit_table[i];

		ck_assert_ptr_eq(lg_exit_by_status((int)m->status), m);
		ck_assert_ptr_eq(lg_exit_by_reason(m->reason), m);
		snprintf(want, sizeof(want), "launcher %s\n", m->reason);
		format_is(LG_BY_LAUNCHER, (int)m->status, want);
	}
}
END_TEST

static const char *const bad_lines[] = {
	"",
	"\n",
	"guest 1",
	"guest 256\n",
	"guest -1\n",
	"guest +1\n",
	"guest 1x\n",
	"guest \n",
	"guest 1\nguest 2\n",
	"launcher\n",
	"launcher bogus\n",
	"launcher signal 0\n",
	"launcher signal 128\n",
	"launcher error \n",
	"Launcher error\n",
	"launcher 1\n",
	"guest 1\n\n",
};

START_TEST(test_bad_lines)
{
	struct lg_exit_report r;

	ck_assert_msg(!lg_exit_parse(bad_lines[_i], strlen(bad_lines[_i]), &r),
		      "'%s' parsed", bad_lines[_i]);
}
END_TEST

/* Nothing a line cannot say gets a line. */
START_TEST(test_unsayable)
{
	struct lg_exit_report r = {LG_BY_LAUNCHER, 7};
	char line[64];

	ck_assert_int_eq(lg_exit_format(&r, line, sizeof(line)), -1);
	r = (struct lg_exit_report){LG_BY_GUEST, 256};
	ck_assert_int_eq(lg_exit_format(&r, line, sizeof(line)), -1);
	r = (struct lg_exit_report){LG_BY_SIGNAL, 0};
	ck_assert_int_eq(lg_exit_format(&r, line, sizeof(line)), -1);
	r = (struct lg_exit_report){LG_BY_LAUNCHER, LG_EXIT_SANDBOX};
	ck_assert_int_eq(lg_exit_format(&r, line, 10), -1);
}
END_TEST

/* lguest(1)'s EXIT STATUS table: its lines, up to the next blank line. */
static char *readme_exit_table(void)
{
	static char text[1 << 20];
	FILE *f = fopen("README.md", "r");
	size_t n;
	char *start, *end;

	ck_assert_msg(f != NULL, "README.md: run from the repository root");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	start = strstr(text, "\n### EXIT STATUS\n");
	ck_assert_msg(start, "README.md: no EXIT STATUS section");
	start = strstr(start, "\n| status | status line | meaning |\n");
	ck_assert_msg(start,
		      "README.md: EXIT STATUS has no status line column");
	end = strstr(start + 1, "\n\n");
	ck_assert(end);
	end[1] = '\0';
	return start + 1;
}

/* Row for row: the README has each entry, and no status the table lacks. */
START_TEST(test_readme_table)
{
	char *table = readme_exit_table(), *line, *save = NULL, row[128];
	size_t i, rows = 0;
	int status;

	for (i = 0; i < lg_exit_table_len; i++) {
		snprintf(row, sizeof(row), "\n| %d | `launcher %s` | ",
			 (int)lg_exit_table[i].status, lg_exit_table[i].reason);
		ck_assert_msg(strstr(table - 1, row),
			      "README.md's EXIT STATUS lacks the row '%s'",
			      row + 1);
	}
	ck_assert(strstr(table, "\n| V | `guest V` | "));
	ck_assert(strstr(table, "\n| 128+N | `launcher signal N` | "));
	for (line = strtok_r(table, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "| %d | ", &status) != 1 ||
		    strstr(line, "| 128+N |"))
			continue;
		rows++;
		ck_assert_msg(lg_exit_by_status(status),
			      "README.md's status %d is not in exit_status.h",
			      status);
	}
	ck_assert_int_eq(rows, lg_exit_table_len);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exit_status");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_lines);
	tcase_add_test(tc, test_table_round_trip);
	tcase_add_loop_test(tc, test_bad_lines, 0,
			    sizeof(bad_lines) / sizeof(bad_lines[0]));
	tcase_add_test(tc, test_unsayable);
	tcase_add_test(tc, test_readme_table);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
