/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_ERROR_H
#define LGUEST_ERROR_H

/*
 * Library code never prints or exits on bad input: it fills one of these
 * with a one-line description of the problem and returns -1, and the
 * caller decides how to report it (main.c prefixes the file name).
 */
struct lg_error {
	char msg[256];
};

__attribute__((format(printf, 2, 3))) int lg_fail(struct lg_error *err,
						  const char *fmt, ...);

#endif
