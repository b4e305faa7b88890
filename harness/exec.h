/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `lgtest exec` and `lgtest shell`: boot a kernel on this machine's own
 * root (rootfs.h) and run one command, or a shell, in it.
 *
 * exec's /init prints "lgtest-exec-begin-NONCE" on a line of its own, runs
 * the command with its output on the console, then "\nlgtest-exec-end-NONCE
 * STATUS\n"; the filter below passes on what lies between, less the one
 * newline the end marker brought, and keeps STATUS.  The nonce is random,
 * so a command printing a marker of an earlier run ends nothing.
 */
#ifndef LGTEST_EXEC_H
#define LGTEST_EXEC_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

struct exec_filter {
	char begin[64]; /* "lgtest-exec-begin-NONCE" */
	char end[64]; /* "lgtest-exec-end-NONCE " */
	bool begun, ended;
	int status; /* the command's, once ended */
	struct buf line; /* the line being read */
	size_t shown; /* how much of it went out */
	bool newline_pending; /* the last line's newline, held back */
};

void exec_filter_init(struct exec_filter *f, const char *nonce);
/* Take console bytes; write the command's output to out. */
void exec_filter_feed(struct exec_filter *f, const char *data, size_t len,
		      FILE *out);
void exec_filter_free(struct exec_filter *f);

/* `lgtest exec ...` and `lgtest shell ...`: argv[0] is the command. */
int cmd_exec(int argc, char **argv);

#endif
