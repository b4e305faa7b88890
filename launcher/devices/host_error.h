/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_HOST_ERROR_H
#define LGUEST_HOST_ERROR_H

#include <stdatomic.h>
#include <stdio.h>

/*
 * Host-side I/O errors of the devices (a full disk, a tap that will not
 * take a packet, a console whose input broke): never fatal, as in the
 * seed, but never silent either.  Each kind of error on each device is
 * counted; stderr hears of its first occurrence and then of every
 * power of two, and the launcher prints what is non-zero when it exits.
 */
#define HOST_ERROR_WHAT_LEN 128

struct host_error {
	char what[HOST_ERROR_WHAT_LEN];	/* "virtio-blk disk.img: write failed" */
	_Atomic unsigned long count;
	struct host_error *next;	/* every registered kind, for the summary */
};

/* Name a kind of error ("%s %s: write failed") and add it to the summary. */
void host_error_init(struct host_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Count one occurrence with its errno; warn on the 1st, 2nd, 4th, ... */
void host_error_note(struct host_error *e, int errnum);

/*
 * Count one occurrence and return its number when it is one to tell
 * (the 1st, 2nd, 4th, ...), else 0: for callers with their own words.
 */
unsigned long host_error_count(struct host_error *e);

/* One line per kind that happened; returns how many lines. */
unsigned int host_error_summary(FILE *f);

/* Where the warnings go: stderr, unless a unit test says otherwise. */
void host_error_set_stream(FILE *f);

#endif
