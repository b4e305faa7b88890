/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TERM_H
#define LGUEST_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The console terminal.  When stdin is a terminal we take it raw, so the
 * guest sees every key (^C included), and put it back however we leave:
 * normal exit, fatal signal, or re-exec for a reboot.
 */
bool term_raw(int fd);
void term_restore(void);

/*
 * The seed's escape hatch: three ^C within one second on a raw terminal.
 * Feed it every byte typed; it says when the third one arrives.
 */
struct escape_watch {
	struct timespec ctrl_c[3];
	unsigned int count;
};

bool escape_typed(struct escape_watch *w, const uint8_t *buf, size_t len);

#endif
