// SPDX-License-Identifier: GPL-2.0
/*
 * lgtest exec's console filter: the command's output between the markers
 * and nothing else, its exit status, however the bytes are cut up; and
 * the base64 that carries the command on the kernel command line.
 */
#include "exec.h"
#include "harness_test.h"
#include "rootfs.h"

#define NONCE "0123abcd"
#define BEGIN "lgtest-exec-begin-" NONCE "\n"
#define END(st) "\nlgtest-exec-end-" NONCE " " st "\n"

static const struct {
	const char *console;
	const char *output;
	int status;
	bool ended;
} cases[] = {
	{"[ 1.0] boot\r\nnoise\r\n" BEGIN "a\nb\n" END("0") "tail\n", "a\nb\n",
	 0, true},
	{BEGIN "no newline" END("1"), "no newline", 1, true},
	{BEGIN END("0"), "", 0, true},
	{BEGIN "\n\n" END("130"), "\n\n", 130, true},
	/* The begin marker as a tty prints it; after it, one is output. */
	{"lgtest-exec-begin-" NONCE "\r\nx\n" BEGIN END("3"), "x\n" BEGIN, 3,
	 true},
	/* Another run's markers, or a marker's start, are output. */
	{BEGIN "lgtest-exec-end-ffff 9\nlgtest-exec-end-" NONCE "x\n" END("2"),
	 "lgtest-exec-end-ffff 9\nlgtest-exec-end-" NONCE "x\n", 2, true},
	/* Nothing before the begin marker, and no end: no status. */
	{"lgtest-exec-end-" NONCE " 0\n" BEGIN "cut off", "cut off", 0, false},
	{"booting, then a panic\n", "", 0, false},
};

static char *filter(const char *console, size_t chunk, struct exec_filter *f)
{
	char *out = NULL;
	size_t outlen = 0, len = strlen(console), i, n;
	FILE *m = open_memstream(&out, &outlen);

	exec_filter_init(f, NONCE);
	for (i = 0; i < len; i += n) {
		n = len - i < chunk ? len - i : chunk;
		exec_filter_feed(f, console + i, n, m);
	}
	fclose(m);
	return out;
}

/* Whole, then byte by byte, then in threes. */
START_TEST(test_filter)
{
	static const size_t chunks[] = {65536, 1, 3};
	struct exec_filter f;
	size_t c;
	char *out;

	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		out = filter(cases[_i].console, chunks[c], &f);
		ck_assert_str_eq(out, cases[_i].output);
		ck_assert_int_eq(f.ended, cases[_i].ended);
		if (f.ended)
			ck_assert_int_eq(f.status, cases[_i].status);
		exec_filter_free(&f);
		free(out);
	}
}
END_TEST

/* The RFC 4648 test vectors, and every byte value. */
START_TEST(test_base64)
{
	static const char *const vec[][2] = {
		{"", ""},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	char all[256], *enc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vec); i++) {
		enc = base64_encode(vec[i][0], strlen(vec[i][0]));
		ck_assert_str_eq(enc, vec[i][1]);
		free(enc);
	}
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)(255 - i);
	enc = base64_encode(all, sizeof(all));
	ck_assert_uint_eq(strlen(enc), 344);
	ck_assert_str_eq(enc + 340, "AA==");
	ck_assert(!strncmp(enc, "//79", 4));
	free(enc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest exec");
	TCase *tc = tcase_create("exec");

	tcase_add_loop_test(tc, test_filter, 0, ARRAY_SIZE(cases));
	tcase_add_test(tc, test_base64);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
