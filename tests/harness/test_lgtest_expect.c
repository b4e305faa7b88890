// SPDX-License-Identifier: GPL-2.0
/*
 * The expect engine: the console text a guest's bytes become, and how
 * literals and regexes are found in it, including across chunks.
 */
#include "harness_test.h"
#include "expect.h"

static struct pattern literal(const char *s, bool icase)
{
	struct pattern p = {.kind = PAT_LITERAL,
			    .text = xstrdup(s),
			    .len = strlen(s),
			    .icase = icase};

	return p;
}

static struct pattern regex(const char *s)
{
	struct pattern p = {
		.kind = PAT_REGEX, .text = xstrdup(s), .len = strlen(s)};
	char err[128];

	ck_assert_msg(pattern_compile(&p, err, sizeof(err)), "%s", err);
	return p;
}

START_TEST(test_console_drops_cr_and_nul)
{
	struct console c = {0};

	console_append(&c, "a\r\nb\0c\r", 7);
	console_append(&c, "\n", 1);
	ck_assert_str_eq(c.text.data, "a\nbc\n");
	ck_assert_uint_eq(c.raw_bytes, 8);
	console_free(&c);
}
END_TEST

START_TEST(test_literal)
{
	struct pattern p = literal("log in", false),
		       q = literal("LOG IN", true);
	const char *t = "please log in: ";
	size_t s, e;

	ck_assert(pattern_search(&p, t, strlen(t), 0, &s, &e));
	ck_assert_uint_eq(s, 7);
	ck_assert_uint_eq(e, 13);
	ck_assert(!pattern_search(&p, t, strlen(t), 8, &s, &e));
	ck_assert(pattern_search(&q, t, strlen(t), 0, &s, &e));
	pattern_free(&p);
	pattern_free(&q);
}
END_TEST

/* ^ and $ are line anchors, but not in the middle of a line or at an unfinished
 * end. */
START_TEST(test_regex_anchors)
{
	struct pattern p = regex("^# $"), q = regex("^b"), r = regex("ok$");
	const char *t = "boot\n# \nab\nok";
	size_t s, e;

	ck_assert(pattern_search(&p, t, strlen(t), 0, &s, &e));
	ck_assert_uint_eq(s, 5);
	ck_assert(pattern_search(&q, t, strlen(t), 0, &s, &e));
	ck_assert_uint_eq(s, 0);
	/* From inside "ab", "b" is not at a line start. */
	ck_assert(!pattern_search(&q, t, strlen(t), 9, &s, &e));
	/* "ok" has no newline yet: more may follow on its line. */
	ck_assert(!pattern_search(&r, t, strlen(t), 0, &s, &e));
	ck_assert(pattern_search(&r, "ok\n", 3, 0, &s, &e));
	pattern_free(&p);
	pattern_free(&q);
	pattern_free(&r);
}
END_TEST

START_TEST(test_regex_compile_error)
{
	struct pattern p = {.kind = PAT_REGEX, .text = xstrdup("a[")};
	char err[128];

	ck_assert(!pattern_compile(&p, err, sizeof(err)));
	ck_assert(strlen(err) > 0);
	pattern_free(&p);
}
END_TEST

/*
 * Searching a growing console from where the last search could resume
 * finds what one search over the whole text finds, wherever the chunks
 * split it.
 */
START_TEST(test_resume_across_chunks)
{
	static const char text[] =
		"noise\nmore noise\nreached target 42 ok\ntail\n";
	struct pattern pats[2] = {literal("target 42", false),
				  regex("target [0-9]+ ok")};
	size_t cut, s, e, from, i;
	struct console c;

	for (i = 0; i < 2; i++) {
		for (cut = 1; cut < sizeof(text) - 1; cut++) {
			bool found;

			memset(&c, 0, sizeof(c));
			console_append(&c, text, cut);
			from = 0;
			found = pattern_search(&pats[i], c.text.data,
					       c.text.len, from, &s, &e);
			if (!found)
				from = pattern_resume(&pats[i], c.text.data,
						      c.text.len, from);
			console_append(&c, text + cut, sizeof(text) - 1 - cut);
			if (!found)
				found = pattern_search(&pats[i], c.text.data,
						       c.text.len, from, &s,
						       &e);
			ck_assert_msg(found, "pattern %zu lost at cut %zu", i,
				      cut);
			ck_assert_uint_eq(s, strstr(text, "target") - text);
			console_free(&c);
		}
		pattern_free(&pats[i]);
	}
}
END_TEST

START_TEST(test_describe)
{
	struct pattern p = literal("a\"b\n", false), q = regex("x/y");
	char *d;

	q.icase = true;
	d = pattern_describe(&p);
	ck_assert_str_eq(d, "\"a\\\"b\\n\"");
	free(d);
	d = pattern_describe(&q);
	ck_assert_str_eq(d, "/x\\/y/i");
	free(d);
	pattern_free(&p);
	pattern_free(&q);
}
END_TEST

START_TEST(test_last_lines)
{
	const char *t = "1\n2\n3\n4\n";

	ck_assert_str_eq(last_lines(t, strlen(t), 2), "3\n4\n");
	ck_assert_str_eq(last_lines(t, strlen(t), 9), t);
	ck_assert_str_eq(last_lines("a\nb", 3, 1), "b");
}
END_TEST

START_TEST(test_durations)
{
	double d;

	ck_assert(parse_duration("30", &d) && d == 30);
	ck_assert(parse_duration("2.5s", &d) && d == 2.5);
	ck_assert(parse_duration("500ms", &d) && d == 0.5);
	ck_assert(parse_duration("2m", &d) && d == 120);
	ck_assert(!parse_duration("5h", &d));
	ck_assert(!parse_duration("-1", &d));
	ck_assert(!parse_duration("s", &d));
	ck_assert(!parse_duration("inf", &d));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest expect engine");
	TCase *tc = tcase_create("expect");

	tcase_add_test(tc, test_console_drops_cr_and_nul);
	tcase_add_test(tc, test_literal);
	tcase_add_test(tc, test_regex_anchors);
	tcase_add_test(tc, test_regex_compile_error);
	tcase_add_test(tc, test_resume_across_chunks);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_last_lines);
	tcase_add_test(tc, test_durations);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
