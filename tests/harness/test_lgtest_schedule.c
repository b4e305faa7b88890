// SPDX-License-Identifier: GPL-2.0
/*
 * What a run takes and in what order: --shard K/N (parsing, and splits
 * whose union is the suite, which are disjoint and the same every time
 * whatever the order of the scripts), --repeat's job list, and the flaky
 * tests a repeated run finds.
 */
#include "harness_test.h"
#include "report.h"
#include "schedule.h"

#define NCASES 23

static struct testcase cases[NCASES];

/* 23 tests in 5 scripts, listed in an order that is not sorted. */
static void make_cases(void)
{
	static const char *const files[] = {"z.lgt", "a/b.lgt", "m.lgt",
					    "a/a.lgt", "b.lgt"};
	size_t i;

	for (i = 0; i < NCASES; i++) {
		cases[i].file = files[(i * 3) % ARRAY_SIZE(files)];
		cases[i].name = xasprintf("case %02zu", (i * 7) % NCASES);
	}
}

static void free_cases(void)
{
	size_t i;

	for (i = 0; i < NCASES; i++)
		free(cases[i].name);
}

static size_t select_shard(struct testcase **out, unsigned int k,
			   unsigned int n, bool reversed)
{
	struct shard sh = {.index = k, .count = n};
	size_t i;

	for (i = 0; i < NCASES; i++)
		out[i] = &cases[reversed ? NCASES - 1 - i : i];
	return shard_select(out, NCASES, &sh);
}

START_TEST(test_shard_parse)
{
	static const char *const bad[] = {
		"",	"1",	 "1/",	  "/2",
		"0/3",	"4/3",	 "1/0",	  "a/b",
		"1/2x", "+1/2",	 " 1/2",  "1/ 2",
		"-1/2", "1/2/3", "1.0/2", "1/1000000000000",
	};
	struct shard sh;
	char *err;
	size_t i;

	ck_assert(shard_parse("1/1", &sh, &err));
	ck_assert_uint_eq(sh.index, 1);
	ck_assert_uint_eq(sh.count, 1);
	ck_assert(shard_parse("7/12", &sh, &err));
	ck_assert_uint_eq(sh.index, 7);
	ck_assert_uint_eq(sh.count, 12);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = NULL;
		ck_assert_msg(!shard_parse(bad[i], &sh, &err), "'%s' parsed",
			      bad[i]);
		ck_assert_msg(err && strstr(err, "--shard: '"), "'%s': %s",
			      bad[i], err);
		free(err);
	}
	ck_assert(!shard_parse("4/3", &sh, &err));
	ck_assert_msg(strstr(err, "shard 4 of 3 does not exist"), "%s", err);
	free(err);
}
END_TEST

/* Every test is in exactly one shard, for every N, in its given order. */
START_TEST(test_shards_partition_the_suite)
{
	struct testcase *out[NCASES];
	unsigned int n, k;
	size_t i, kept, seen[NCASES], total;

	make_cases();
	for (n = 1; n <= NCASES + 2; n++) {
		memset(seen, 0, sizeof(seen));
		total = 0;
		for (k = 1; k <= n; k++) {
			kept = select_shard(out, k, n, false);
			/* Balanced: sizes differ by at most one. */
			ck_assert_uint_le(kept, NCASES / n + 1);
			ck_assert_uint_ge(kept, NCASES / n);
			for (i = 0; i < kept; i++) {
				seen[out[i] - cases]++;
				if (i)
					ck_assert(out[i - 1] < out[i]);
			}
			total += kept;
		}
		ck_assert_uint_eq(total, NCASES);
		for (i = 0; i < NCASES; i++)
			ck_assert_msg(seen[i] == 1,
				      "N=%u: test %zu in %zu shards", n, i,
				      seen[i]);
	}
	free_cases();
}
END_TEST

/* The same split every time, and whatever order the scripts come in. */
START_TEST(test_shards_are_stable)
{
	struct testcase *a[NCASES], *b[NCASES];
	size_t na, nb, i, j;
	unsigned int k;

	make_cases();
	for (k = 1; k <= 4; k++) {
		na = select_shard(a, k, 4, false);
		nb = select_shard(b, k, 4, false);
		ck_assert_uint_eq(na, nb);
		ck_assert_mem_eq(a, b, na * sizeof(*a));
		nb = select_shard(b, k, 4, true);
		ck_assert_uint_eq(na, nb);
		for (i = 0; i < na; i++) {
			for (j = 0; j < nb && b[j] != a[i]; j++)
				;
			ck_assert_msg(j < nb, "%s: %s moved shards", a[i]->file,
				      a[i]->name);
		}
	}
	/* The documented rule: sorted by file then name, i mod N + 1. */
	na = select_shard(a, 1, NCASES, false);
	ck_assert_uint_eq(na, 1);
	ck_assert_str_eq(a[0]->file, "a/a.lgt");
	for (i = 0; i < NCASES; i++)
		ck_assert(strcmp(cases[i].file, "a/a.lgt") ||
			  strcmp(cases[i].name, a[0]->name) >= 0);
	free_cases();
}
END_TEST

START_TEST(test_no_shard_keeps_all)
{
	struct testcase *out[NCASES];
	struct shard none = {0};
	size_t i;

	make_cases();
	for (i = 0; i < NCASES; i++)
		out[i] = &cases[i];
	ck_assert_uint_eq(shard_select(out, NCASES, &none), NCASES);
	for (i = 0; i < NCASES; i++)
		ck_assert_ptr_eq(out[i], &cases[i]);
	free_cases();
}
END_TEST

START_TEST(test_repeat_plan)
{
	struct testcase *list[3] = {&cases[0], &cases[1], &cases[2]};
	struct job *jobs;
	size_t n, i;

	jobs = jobs_plan(list, 3, 4, &n);
	ck_assert_uint_eq(n, 12);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(jobs[i].number, i + 1);
		ck_assert_ptr_eq(jobs[i].t, list[i / 4]);
		ck_assert_uint_eq(jobs[i].round, i % 4 + 1);
	}
	free(jobs);
	jobs = jobs_plan(list, 0, 3, &n);
	ck_assert_uint_eq(n, 0);
	free(jobs);
	ck_assert_uint_ge(default_jobs(), 1);
	ck_assert_uint_le(default_jobs(), MAX_JOBS);
}
END_TEST

static void add_entry(struct report *r, const char *file, const char *name,
		      enum verdict v)
{
	struct report_entry *e = ARRAY_PUSH(&r->entries, &r->nentries);

	e->number = r->nentries;
	e->file = xstrdup(file);
	e->name = xstrdup(name);
	e->verdict = v;
}

/* Flaky: some runs passed and some did not; never both of one kind. */
START_TEST(test_flaky)
{
	struct report r = {0};
	struct flaky *f;
	char *text = NULL;
	size_t len = 0, n;
	FILE *out;

	add_entry(&r, "a.lgt", "steady", V_PASS);
	add_entry(&r, "a.lgt", "steady", V_PASS);
	add_entry(&r, "a.lgt", "wobbly", V_PASS);
	add_entry(&r, "a.lgt", "wobbly", V_HANG);
	add_entry(&r, "a.lgt", "wobbly", V_PASS);
	add_entry(&r, "b.lgt", "wobbly", V_CRASH);
	add_entry(&r, "b.lgt", "wobbly", V_CRASH);
	add_entry(&r, "b.lgt", "once", V_FAIL);
	add_entry(&r, "b.lgt", "late", V_FAIL);
	add_entry(&r, "b.lgt", "late", V_PASS);
	n = report_flaky(&r, &f);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(f[0].file, "a.lgt");
	ck_assert_str_eq(f[0].name, "wobbly");
	ck_assert_uint_eq(f[0].runs, 3);
	ck_assert_uint_eq(f[0].passed, 2);
	ck_assert_str_eq(f[1].name, "late");
	free(f);
	out = open_memstream(&text, &len);
	print_flaky(out, "# ", &r);
	fclose(out);
	ck_assert_str_eq(text, "# flaky: a.lgt: wobbly (passed 2 of 3 runs)\n"
			       "# flaky: b.lgt: late (passed 1 of 2 runs)\n");
	free(text);
	report_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest scheduling");
	TCase *tc = tcase_create("schedule");

	tcase_add_test(tc, test_shard_parse);
	tcase_add_test(tc, test_shards_partition_the_suite);
	tcase_add_test(tc, test_shards_are_stable);
	tcase_add_test(tc, test_no_shard_keeps_all);
	tcase_add_test(tc, test_repeat_plan);
	tcase_add_test(tc, test_flaky);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
