// SPDX-License-Identifier: GPL-2.0
/*
 * The exit-status table and the status line (exit_status.h).  Pure: the
 * launcher's supervisor writes the line, the harness parses it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit_status.h"

const struct lg_exit_meaning lg_exit_table[] = {
	{LG_EXIT_POWER_OFF, "power-off", "powered off", false},
	{LG_EXIT_SETUP, "error", "set-up error", true},
	{LG_EXIT_RESET, "reset", "reset", false},
	{LG_EXIT_TRIPLE_FAULT, "triple-fault", "triple fault", false},
	{LG_EXIT_KVM_ERROR, "kvm-error",
	 "KVM internal error or emulation failure", true},
	{LG_EXIT_HALTED, "halted", "halted with nothing left to wake it",
	 false},
	{LG_EXIT_DEVICE_ERROR, "device-error",
	 "broke a virtio queue (--strict)", false},
	{LG_EXIT_ESCAPE, "escape", "stopped by ^C^C^C", true},
	{LG_EXIT_SANDBOX, "sandbox-violation",
	 "the sandbox stopped a forbidden system call", true},
};

const size_t lg_exit_table_len =
	sizeof(lg_exit_table) / sizeof(lg_exit_table[0]);

const struct lg_exit_meaning *lg_exit_by_status(int status)
{
	size_t i;

	for (i = 0; i < lg_exit_table_len; i++)
		if ((int)lg_exit_table[i].status == status)
			return &lg_exit_table[i];
	return NULL;
}

const struct lg_exit_meaning *lg_exit_by_reason(const char *reason)
{
	size_t i;

	for (i = 0; i < lg_exit_table_len; i++)
		if (!strcmp(lg_exit_table[i].reason, reason))
			return &lg_exit_table[i];
	return NULL;
}

int lg_exit_format(const struct lg_exit_report *r, char *buf, size_t len)
{
	const struct lg_exit_meaning *m;
	int n;

	switch (r->by) {
	case LG_BY_GUEST:
		if (r->value < 0 || r->value > 255)
			return -1;
		n = snprintf(buf, len, "guest %d\n", r->value);
		break;
	case LG_BY_LAUNCHER:
		m = lg_exit_by_status(r->value);
		if (!m)
			return -1;
		n = snprintf(buf, len, "launcher %s\n", m->reason);
		break;
	case LG_BY_SIGNAL:
		if (r->value < 1 || r->value > 127)
			return -1;
		n = snprintf(buf, len, "launcher signal %d\n", r->value);
		break;
	default:
		return -1;
	}
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* A decimal number in [min, max] that is all of s, without sign or space. */
static bool parse_number(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

bool lg_exit_parse(const char *text, size_t len, struct lg_exit_report *r)
{
	const struct lg_exit_meaning *m;
	char line[64];

	if (len < 2 || len >= sizeof(line) || text[len - 1] != '\n' ||
	    memchr(text, '\n', len - 1) || memchr(text, '\0', len))
		return false;
	memcpy(line, text, len - 1);
	line[len - 1] = '\0';
	if (!strncmp(line, "guest ", 6)) {
		r->by = LG_BY_GUEST;
		return parse_number(line + 6, 0, 255, &r->value);
	}
	if (!strncmp(line, "launcher signal ", 16)) {
		r->by = LG_BY_SIGNAL;
		return parse_number(line + 16, 1, 127, &r->value);
	}
	if (strncmp(line, "launcher ", 9))
		return false;
	m = lg_exit_by_reason(line + 9);
	if (!m)
		return false;
	r->by = LG_BY_LAUNCHER;
	r->value = (int)m->status;
	return true;
}
