/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP (version 13) on stdout: one line per test, and for each test that
 * did not pass a YAML block saying why, with the last console lines.
 */
#ifndef LGTEST_TAP_H
#define LGTEST_TAP_H

#include <stdio.h>

#include "run.h"

void tap_plan(FILE *f, size_t ntests);
void tap_result(FILE *f, size_t number, const struct testcase *t,
		const struct result *res, int tail_lines);
void tap_bail_out(FILE *f, const char *why);

#endif
