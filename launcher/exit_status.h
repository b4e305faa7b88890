/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_EXIT_STATUS_H
#define LGUEST_EXIT_STATUS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The launcher's exit statuses, the one definition that the launcher, the
 * harness, the tests and the README's table (checked by test_exit_status)
 * share.  A guest's own byte (port 0xf4) shares this number space, so the
 * launcher can also say who chose its status: with --status-fd N it
 * writes one line, a status line, to descriptor N as it ends:
 *
 *   guest V             the guest wrote V to port 0xf4; V is the status
 *   launcher REASON     the launcher's own status, REASON from the table
 *   launcher signal N   the launcher was killed by signal N
 */
enum lg_exit_status {
	LG_EXIT_POWER_OFF = 0,
	LG_EXIT_SETUP = 1,
	LG_EXIT_RESET = 2,
	LG_EXIT_TRIPLE_FAULT = 3,
	LG_EXIT_KVM_ERROR = 4,
	LG_EXIT_HALTED = 5,
	LG_EXIT_DEVICE_ERROR = 6,
	LG_EXIT_ESCAPE = 130,
	LG_EXIT_SANDBOX = 159, /* 128 + SIGSYS, as a shell shows it */
};

struct lg_exit_meaning {
	enum lg_exit_status status;
	const char *reason; /* one word, for the status line */
	const char *text; /* what it means, as the harness reports it */
	bool launcher_failed; /* the launcher failed, not the guest */
};

extern const struct lg_exit_meaning lg_exit_table[];
extern const size_t lg_exit_table_len;

/* The table's entry for a status or a reason word; NULL if none. */
const struct lg_exit_meaning *lg_exit_by_status(int status);
const struct lg_exit_meaning *lg_exit_by_reason(const char *reason);

/* Who chose an exit status: one status line, parsed. */
enum lg_exit_chooser { LG_BY_GUEST, LG_BY_LAUNCHER, LG_BY_SIGNAL };

struct lg_exit_report {
	enum lg_exit_chooser by;
	int value; /* the guest's byte, the launcher's status, the signal */
};

/*
 * The status line for r, newline included, in buf; its length, or -1 when
 * r is not one a line can say (a launcher status not in the table, a
 * value out of range) or buf is too small.  Pure.
 */
int lg_exit_format(const struct lg_exit_report *r, char *buf, size_t len);

/*
 * Parse what a launcher wrote to its status descriptor (len bytes, one
 * line and its newline); false when it is not exactly one status line.
 */
bool lg_exit_parse(const char *text, size_t len, struct lg_exit_report *r);

#endif
