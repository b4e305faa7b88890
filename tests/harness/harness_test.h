/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for lgtest's own tests: reading fixture files, and (from the
 * launcher's unit_helpers.h) running a Check suite to an exit status.
 * Static inline, so each test program takes only what it uses.
 */
#ifndef LGTEST_HARNESS_TEST_H
#define LGTEST_HARNESS_TEST_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_helpers.h"
#include "util.h"

/*
 * A fixture's whole contents, NUL-terminated.  Exits the program when the
 * file cannot be read: no test may pass without its fixture.  (Check's
 * asserts cannot be used here; this also runs before the tests.)
 */
static inline char *slurp(const char *path, size_t *len)
{
	struct buf b = {0};
	char chunk[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		fprintf(stderr,
			"cannot open %s: %s (run from the repository root)\n",
			path, strerror(errno));
		exit(EXIT_FAILURE);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_add(&b, "", 0);
	if (len)
		*len = b.len;
	return b.data;
}

#endif
