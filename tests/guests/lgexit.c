// SPDX-License-Identifier: GPL-2.0
/*
 * lgexit: end the lguest launcher from inside a Linux guest.
 *
 *	lgexit [STATUS]
 *
 * Writes STATUS (0..255, default 0) to I/O port 0xf4, which the launcher
 * turns into its own exit status.  Meant for a guest's initramfs, so it is
 * linked statically and needs root (CAP_SYS_RAWIO) for ioperm().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <unistd.h>

#include "guest.h"

/* Refuse anything but a plain 0..255, so a typo cannot exit "0". */
static int parse_status(const char *s, unsigned char *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > 255 || s[0] == '-')
		return -1;
	*out = (unsigned char)v;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char status = 0;

	if (argc > 2 || (argc == 2 && parse_status(argv[1], &status))) {
		fprintf(stderr, "usage: lgexit [STATUS]   (STATUS 0..255)\n");
		return 2;
	}
	if (ioperm(GUEST_EXIT_PORT, 1, 1)) {
		fprintf(stderr,
			"lgexit: ioperm(0x%x) failed: %s (needs root/CAP_SYS_RAWIO on x86)\n",
			GUEST_EXIT_PORT, strerror(errno));
		return 1;
	}
	outb(status, GUEST_EXIT_PORT);

	/* Under lguest we never get here; elsewhere the write went nowhere. */
	fprintf(stderr,
		"lgexit: wrote %u to port 0x%x but we are still running (not under lguest?)\n",
		status, GUEST_EXIT_PORT);
	return 1;
}
